// `bgpfa replay -c CONF DUMP...`: MRT dumps through the RIBs and the analyzer on a virtual clock.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/config/model.hpp"
#include "app/cli/progress.hpp"
#include "feed/feed.hpp"
#include "feed/peer_stats.hpp"

namespace bgpfa::app {

struct ReplayOptions {
  std::string config;
  std::vector<std::string> dumps;
  double speed = 0;             // 0: as fast as possible; N: N x real time
  std::string report = "text";  // text | json | html | none (no report: `then` looks at the analyzer)
  std::string output;           // empty: stdout
  bool quiet = false;
  bool stats = false;  // print routes/s of the RIB+analyzer stage and bytes per route to stderr
  ProgressMode progress = ProgressMode::Auto;  // on a TTY only; Auto: for large inputs
  bool events_from_start = false;  // RIB dumps before the first update make events too (not a baseline)
  std::string vnet;  // the active paths as this VNet sees them (default: the hub's)
  std::size_t limit = 200;  // text report: active-path rows shown (0: all)
  std::string kind;         // text report: only rows of this kind
  std::string rib_snapshot;  // write the final RIB here as an MRT TABLE_DUMP_V2 snapshot
  std::vector<std::string> what_if;  // fail these (together) at the end; the report says what would move
  // run_replay: called with the analyzer once the report is written (in-process tests); its
  // result is the exit status when the replay itself succeeded.
  std::function<int(analyzer::Analyzer&)> then;
};

[[nodiscard]] int run_replay(const ReplayOptions& opt);

// One replay in steps, so that a caller can serve its analyzer while it runs (replay --serve runs
// the steps on the thread that answers gRPC, between the calls).
class ReplayRun {
 public:
  // Loads the config and opens the dumps; null (and the exit status) after printing the error.
  [[nodiscard]] static std::unique_ptr<ReplayRun> open(const ReplayOptions& opt, int& status);
  ~ReplayRun();
  ReplayRun(const ReplayRun&) = delete;
  ReplayRun& operator=(const ReplayRun&) = delete;

  struct Step {
    bool done = false;  // every record is in
    // With --speed: the next record is due then (wall clock); nullopt: continue at once.
    std::optional<std::chrono::steady_clock::time_point> due;
  };
  // Feeds records until the end, the next record's due time (--speed), or `budget` has passed.
  [[nodiscard]] Step run_for(std::chrono::microseconds budget);
  // After the last step: closes the inputs and writes the stats, the RIB snapshot and the
  // report. The exit status: 0, 1 when a record had an error, 2 when the report failed.
  [[nodiscard]] int finish();
  [[nodiscard]] analyzer::Analyzer& analyzer();
  [[nodiscard]] const feed::Feed& feed() const;
  [[nodiscard]] const config::Config& config() const;
  [[nodiscard]] std::size_t records() const;

 private:
  ReplayRun();
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace bgpfa::app
