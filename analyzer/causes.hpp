// The causes that changes name ("RIB snapshot of 10.0.0.1 (er1 primary)", "UPDATE from ...",
// a trigger's text), each text kept once and named by a number in the change log. A dump's
// routes, or the UPDATEs of several sessions, alternate between a few causes: kept one per
// alternation, they would be a heap string per route and grow without bound.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

namespace bgpfa::analyzer {

// A cause's number, for a caller that names one cause for many routes (a RIB dump's peer):
// texts are kept for the analyzer's life, so a number stays valid.
struct CauseId {
  std::uint32_t value = 0;
};

class Causes {
 public:
  // The number of `text`, the one it had before if it was seen.
  [[nodiscard]] std::uint32_t id(const std::string& text) {
    if (!texts_.empty() && texts_[last_] == text) return last_;  // a run of one cause: no lookup
    if (const auto it = index_.find(text); it != index_.end()) return last_ = it->second;
    last_ = static_cast<std::uint32_t>(texts_.size());
    index_.emplace(texts_.emplace_back(text), last_);  // the key views the kept copy
    return last_;
  }
  [[nodiscard]] const std::string& operator[](std::uint32_t id) const { return texts_[id]; }
  [[nodiscard]] std::size_t size() const noexcept { return texts_.size(); }

 private:
  std::deque<std::string> texts_;  // a deque: elements never move, so the index's views stay valid
  absl::flat_hash_map<std::string_view, std::uint32_t> index_;
  std::uint32_t last_ = 0;
};

}  // namespace bgpfa::analyzer
