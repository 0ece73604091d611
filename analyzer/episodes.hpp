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
#include "analyzer/report.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

struct Change {
  std::uint64_t time_us;
  rib::PrefixKey prefix;
  std::uint32_t before, after;  // packed ActivePaths
  std::uint32_t cause;          // index into the analyzer's cause strings
  std::uint8_t initial = 0;     // part of a session's initial table: an event, not in any episode
  [[nodiscard]] std::uint32_t from() const noexcept { return before; }
  [[nodiscard]] std::uint32_t to() const noexcept { return after; }
};
static_assert(sizeof(Change) <= 48, "the initial flag lives in what was padding");

class EpisodeTracker {
 public:
  EpisodeTracker(std::uint64_t quiet_us, const std::deque<Change>& log) : quiet_us_(quiet_us), log_(log) {}
  void trigger(std::uint64_t t, const std::string& why, const FailureWindow* window = nullptr);
  void changed(std::uint64_t t);  // call after appending the change to the log
  // An initial-table change (Change::initial), appended to the log: it ends a black hole left
  // by an earlier episode, and starts or extends no episode.
  void initial_change(const Change& c);
  void update_from(std::uint64_t t, const std::string& gateway);
  void advance(std::uint64_t t);  // closes the open episode once quiet
  void close();                   // the open episode, now
  void finish(std::uint64_t end_us);  // end of input: close, and end pending black holes there
  [[nodiscard]] const std::vector<Episode>& done() const noexcept { return done_; }
  [[nodiscard]] const ConvergenceStats& stats() const noexcept { return stats_; }
  // The what-if of the open episode's failed sessions, made just before they failed; at the
  // close, `judge` compares it with the outcome (it gets the prefixes the episode changed).
  void predict(WhatIf w) {
    if (open_ && !open_->prediction) open_->prediction = std::move(w);
  }
  [[nodiscard]] bool predicted() const noexcept { return open_ && open_->prediction; }
  std::function<void(Episode&, const WhatIf&, const std::vector<rib::PrefixKey>&)> judge;
  // At the close, what Azure's timers would have made of it (Episode::projection).
  std::function<void(Episode&)> project;

 private:
  struct Open {
    Open() {}  // NOLINT: clang needs it to see Open as default-constructible inside the class
    Episode ep;
    std::uint64_t last_activity = 0;
    std::size_t first_change = 0;  // index into the log
    std::optional<WhatIf> prediction;
    bool implicit = false;  // started by a change with no trigger before it ("first update after a quiet period")
  };
  void start(std::uint64_t t, const std::string& why, const FailureWindow* window);
  void close_before(std::size_t end);  // summarise log_[first_change, end)

  std::uint64_t quiet_us_;
  const std::deque<Change>& log_;
  std::optional<Open> open_;
  std::vector<Episode> done_;
  ConvergenceStats stats_;
  // Prefixes still without a path when their episode closed: the black hole lasts until they
  // get a path again (credited to that episode: index, since).
  absl::flat_hash_map<rib::PrefixKey, std::pair<std::size_t, std::uint64_t>> pending_none_;
};

}  // namespace bgpfa::analyzer
