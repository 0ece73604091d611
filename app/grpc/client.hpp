// Client subcommands of a running `bgpfa serve` (or `replay --serve`), over its gRPC API. Each
// prints a readable table, or with --json one JSON object per line (the proto's JSON mapping).
// Exit status: 0 ok, 1 not found / no match, 2 usage or connection error.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bgpfa::app {

struct ClientOptions {
  std::string server = "127.0.0.1:50051";
  std::string ca;                  // TLS: the CA (or self-signed) certificate that signed the server's
  std::string query;               // paths: prefix or address; lookup: address; watch: within; events: prefix
  bool longer = false;             // paths: prefixes inside QUERY too
  bool shorter = false;            // paths: prefixes covering QUERY too
  std::vector<std::string> kinds;  // paths, watch: er-primary, er-secondary, er-ecmp, vpn, none
  std::string gateway;             // paths: expressroute or vpn
  std::string peer;                // paths, events: carried by this peer
  bool marks = false;              // events: session state changes and episodes too
  bool routes = false;             // paths: every candidate route with its attributes
  std::uint32_t origin_asn = 0;    // paths: with a route originated by this AS
  std::string community;           // paths: with a route carrying this community
  std::string vnet;                // paths, lookup: the answers as this VNet sees them
  std::string format = "text";     // report
  std::uint64_t count = 0;         // watch: stop after this many changes (0: run until interrupted)
  bool snapshot = true;            // watch: print the snapshot first
  std::optional<std::uint64_t> since;  // watch: resume after this sequence; events: after it
  std::uint64_t limit = 0;         // events, episodes: at most this many
  std::uint64_t id = 0;            // episode
  std::vector<std::string> fail;   // what-if targets
  bool json = false;
};

[[nodiscard]] int run_peers(const ClientOptions& o);
[[nodiscard]] int run_paths(const ClientOptions& o);
[[nodiscard]] int run_lookup(const ClientOptions& o);
[[nodiscard]] int run_events(const ClientOptions& o);
[[nodiscard]] int run_episodes(const ClientOptions& o);
[[nodiscard]] int run_episode(const ClientOptions& o);
[[nodiscard]] int run_findings(const ClientOptions& o);
[[nodiscard]] int run_summary(const ClientOptions& o);
[[nodiscard]] int run_watch(const ClientOptions& o);
[[nodiscard]] int run_report(const ClientOptions& o);
[[nodiscard]] int run_what_if(const ClientOptions& o);

}  // namespace bgpfa::app
