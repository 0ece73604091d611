// `bgpfa mrt dump`: decode MRT files and print them bgpdump-style (or as JSON lines).
#pragma once
#include <string>
#include <vector>

#include "app/cli/progress.hpp"
#include "app/render/bgpdump_format.hpp"

namespace bgpfa::app {

struct MrtDumpOptions {
  std::vector<std::string> files;
  BgpdumpOptions bgpdump;
  bool json = false;
  bool quiet = false;              // -q: no warnings, errors only
  std::string output;              // -O FILE, empty: stdout
  ProgressMode progress = ProgressMode::Auto;  // on a TTY only; Auto: for large inputs
};

// Returns the process exit status: 0 clean, 1 when any record had an error, 2 when a file
// could not be read at all.
[[nodiscard]] int run_mrt_dump(const MrtDumpOptions& opt);

}  // namespace bgpfa::app
