// Client subcommands of a running `bgpfa serve`, over its gRPC API: peers, paths, watch, report.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bgpfa::app {

struct ClientOptions {
  std::string server = "127.0.0.1:50051";
  std::string query;          // paths: prefix or address; watch: only prefixes within this one
  std::string format = "text";  // report
  std::uint64_t count = 0;    // watch: stop after this many changes (0: run until interrupted)
  bool snapshot = true;       // watch: print the snapshot first
  std::vector<std::string> fail;  // what-if targets
};

[[nodiscard]] int run_peers(const ClientOptions& o);
[[nodiscard]] int run_paths(const ClientOptions& o);
[[nodiscard]] int run_watch(const ClientOptions& o);
[[nodiscard]] int run_report(const ClientOptions& o);
[[nodiscard]] int run_what_if(const ClientOptions& o);

}  // namespace bgpfa::app
