// Convergence episodes (RFC 4098 terms): from a trigger until a quiet period passes without any
// active-path change; per-prefix convergence, black holes, exploration, transitions, lag.
// An open episode is a slice of the analyzer's time-ordered change log, summarised when it
// closes: no per-prefix bookkeeping while routes stream in.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "analyzer/convergence_stats.hpp"
#include "analyzer/change_log.hpp"
#include "analyzer/marks.hpp"
#include "analyzer/report.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

class EpisodeTracker {
 public:
  EpisodeTracker(std::uint64_t quiet_us, const ChangeLog& log) : quiet_us_(quiet_us), log_(log) {}
  // At most this many closed episodes are kept (the oldest go first); ~1 KB each.
  static constexpr std::size_t kDefaultCapacity = 10'000;
  void set_capacity(std::size_t n);
  void trigger(std::uint64_t t, const std::string& why, const FailureWindow* window = nullptr);
  void changed(std::uint64_t t);  // call after appending the change to the log
  // An initial-table change (Change::initial), appended to the log: it ends a black hole left
  // by an earlier episode, and starts or extends no episode.
  void initial_change(const Change& c);
  void update_from(std::uint64_t t, const std::string& gateway);
  void advance(std::uint64_t t);  // closes the open episode once quiet
  void close();                   // the open episode, now
  void finish(std::uint64_t end_us);  // end of input: close, and end pending black holes there
  // Closed episodes kept, oldest first; the first has id first_id() (ids count from 1).
  [[nodiscard]] const std::deque<Episode>& done() const noexcept { return done_; }
  [[nodiscard]] const ConvergenceStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::uint64_t first_id() const noexcept { return dropped_ + 1; }
  // Episodes dropped since the last call.
  [[nodiscard]] std::size_t take_dropped() noexcept {
    const std::size_t n = unreported_;
    unreported_ = 0;
    return n;
  }
  // The what-if of each session that fails while the episode is open, made just before it
  // failed, or made at the close by `make` from changes the log already holds (the work then
  // stays off the failure's path: a session's end changes every prefix it carried at once). At
  // the close they are composed in order (then_fails()) and `judge` compares the result with the
  // outcome (it gets the prefixes the episode changed).
  void predict(WhatIf w) {
    predict_at_close([w = std::move(w)] { return w; });
  }
  void predict_at_close(std::function<WhatIf()> make) {
    if (open_) open_->predictions.push_back(std::move(make));
  }
  [[nodiscard]] bool predicted() const noexcept { return open_ && !open_->predictions.empty(); }
  std::function<void(Episode&, const WhatIf&, const std::vector<rib::PrefixKey>&)> judge;
  // At the close, what Azure's timers would have made of it (Episode::projection).
  std::function<void(Episode&)> project;
  // Where episode starts (at their first change) and ends are marked, when set.
  MarkLog* marks = nullptr;

 private:
  struct Open {
    Open() {}  // NOLINT: clang needs it to see Open as default-constructible inside the class
    Episode ep;
    std::uint64_t last_activity = 0;
    std::size_t first_change = 0;  // index into the log
    std::vector<std::function<WhatIf()>> predictions;  // one per failed session, in order
    bool implicit = false;  // started by a change with no trigger before it ("first update after a quiet period")
    bool marked = false;  // its start is in `marks`
  };
  void start(std::uint64_t t, const std::string& why, const FailureWindow* window);
  void close_before(std::size_t end);  // summarise log_[first_change, end)

  std::uint64_t quiet_us_;
  const ChangeLog& log_;
  std::optional<Open> open_;
  std::deque<Episode> done_;
  std::size_t capacity_ = kDefaultCapacity;
  std::size_t dropped_ = 0, unreported_ = 0;
  void keep(Episode ep);
  [[nodiscard]] Episode* by_index(std::size_t absolute) {  // nullptr once dropped
    return absolute >= dropped_ && absolute - dropped_ < done_.size() ? &done_[absolute - dropped_] : nullptr;
  }
  ConvergenceStats stats_;
  // Prefixes still without a path when their episode closed: the black hole lasts until they
  // get a path again (credited to that episode: absolute index, since).
  absl::flat_hash_map<rib::PrefixKey, std::pair<std::size_t, std::uint64_t>> pending_none_;
};

}  // namespace bgpfa::analyzer
