// `bgpfa replay -c CONF DUMP...`: MRT dumps through the RIBs and the analyzer on a virtual clock.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
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
  bool stats = false;
  ProgressMode progress = ProgressMode::Auto;  // on a TTY only; Auto: for large inputs
  bool events_from_start = false;
  std::string vnet;  // the active paths as this VNet sees them (default: the hub's)
  std::size_t limit = 200;  // text report: active-path rows shown (0: all)
  std::string kind;         // text report: only rows of this kind  // RIB dumps before the first update make events too (not a baseline)  // print routes/s of the RIB+analyzer stage and bytes per route to stderr
  std::string rib_snapshot;  // write the final RIB here as an MRT TABLE_DUMP_V2 snapshot
  std::vector<std::string> what_if;  // fail these (together) at the end; the report says what would move
  // Called with the analyzer once the report is written (replay --serve); its result is the exit
  // status when the replay itself succeeded.
  std::function<int(analyzer::Analyzer&)> then;
  // Called before `then` with the feed (sessions' states and NOTIFICATION counts) and the time of
  // the last record (replay --serve's metrics).
  std::function<void(const feed::Feed&, std::uint64_t last_us)> finished;
};

[[nodiscard]] int run_replay(const ReplayOptions& opt);

}  // namespace bgpfa::app
