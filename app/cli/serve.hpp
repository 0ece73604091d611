// `bgpfa serve -c CONF`: the speaker, the RIBs and the analyzer live, with MRT capture.
#pragma once
#include <string>

#include "app/cli/replay.hpp"

namespace bgpfa::app {

struct ServeOptions {
  std::string config;
  std::string listen = "::";
  unsigned port = 179;
  std::string capture;          // directory; overrides the config's capture
  std::string report = "text";  // written at exit
  std::string output;           // report file (default stdout)
  std::string state_file;       // rewritten on every session state change: "peer state" lines
  std::string rib_snapshot;     // MRT TABLE_DUMP_V2 of the RIB, written on SIGUSR1 and at exit
  std::string grpc;             // gRPC listen address; empty: the config's; "off": none
  std::string metrics;          // Prometheus HTTP listen address; empty: the config's metrics section; "off": none
  std::string log_level = "info";   // debug | info | warning | error
  std::string log_format = "text";  // text | json
};

[[nodiscard]] int run_serve(const ServeOptions& opt);
// replay --serve: the replay's analyzer over gRPC (and metrics over HTTP, when the option or the
// config's metrics section asks) while the dumps are replayed (at --speed), then its results until
// SIGINT/SIGTERM. A signal during the replay stops it without a report (exit status 128 + the
// signal's number). `metrics`: empty: the config's; "off": none.
[[nodiscard]] int serve_replay(const ReplayOptions& opt, const std::string& grpc_address, const std::string& metrics);

}  // namespace bgpfa::app
