// Session state changes and episode starts and ends, in order with the active-path changes: each
// mark records how many changes were logged before it (`after`), so that a stream of changes
// can carry them at their place. Bounded like the change log (the oldest go first).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace bgpfa::analyzer {

struct Mark {
  enum class Kind : std::uint8_t { PeerState, EpisodeStart, EpisodeEnd } kind = Kind::PeerState;
  std::uint64_t time_us = 0;
  std::uint64_t after = 0;  // changes logged before it: it comes after change `after` (a sequence number)
  int peer = -1;            // PeerState: the analyzer's peer index
  int from = 0, to = 0;     // PeerState: RFC 6396 states
  std::uint64_t episode = 0;     // Episode*: its id
  std::size_t prefixes = 0;      // EpisodeEnd: prefixes changed
  std::uint64_t start_us = 0;    // Episode*: its start (the trigger)
  std::string text;              // PeerState: why; Episode*: the trigger
};

class MarkLog {
 public:
  static constexpr std::size_t kCapacity = 65'536;
  void add(Mark m) {
    marks_.push_back(std::move(m));
    if (marks_.size() > kCapacity) {
      marks_.pop_front();
      ++first_;
    }
  }
  [[nodiscard]] std::size_t size() const noexcept { return first_ + marks_.size(); }  // ever added
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] const Mark& operator[](std::size_t i) const { return marks_[i - first_]; }
  // The index of the first mark kept with after >= `after` (size() when none).
  [[nodiscard]] std::size_t first_after(std::uint64_t after) const {
    const auto it = std::lower_bound(marks_.begin(), marks_.end(), after, [](const Mark& m, std::uint64_t a) { return m.after < a; });
    return first_ + static_cast<std::size_t>(it - marks_.begin());
  }

 private:
  std::deque<Mark> marks_;
  std::size_t first_ = 0;
};

}  // namespace bgpfa::analyzer
