// bgpfa's metrics as Prometheus text, rendered on the thread that owns the analyzer (serve's core
// thread, or replay --serve's): per session, per carrying kind, episodes and convergence, gRPC
// watchers, memory. Names and meanings are listed in README ("Prometheus metrics").
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyzer/analyzer.hpp"
#include "feed/feed.hpp"

namespace bgpfa::app::metrics {

struct Context {
  const analyzer::Analyzer& analyzer;
  const feed::Feed& feed;        // session states and NOTIFICATION counts
  bool live = true;              // serve: a session with no state change yet is Idle; replay: unknown
  std::uint64_t now_us = 0;      // sessions' uptime is counted to here (wall clock; replay: the last record)
  double uptime_seconds = 0;     // of this process's serving
  std::size_t watch_clients = 0;
  std::uint64_t watch_fell_behind = 0, watch_stalled = 0;  // watch streams the server ended
};

[[nodiscard]] std::string render(const Context& c);

// This process's resident set size in bytes (/proc/self/statm); 0 when it cannot be read.
[[nodiscard]] std::uint64_t resident_bytes();

}  // namespace bgpfa::app::metrics
