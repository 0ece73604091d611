// Analyzer results to their protobuf messages (bgpfa.proto).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "feed/peer_stats.hpp"
#include "bgpfa.pb.h"

namespace bgpfa::app {

// What a conversion needs to name circuits and the peers that carry a path: copied from the
// analyzer on its thread, used on gRPC's.
struct Names {
  std::vector<std::string> circuits;
  std::vector<analyzer::PeerRole> peers;
  std::vector<std::vector<analyzer::CarryingPath>> sets;  // the analyzer's interned carrying sets, by id
};
[[nodiscard]] Names names_of(const analyzer::Analyzer& a);
// Whether `n` can name everything of `p` (its carrying set and circuit); else fetch them again.
[[nodiscard]] bool names_cover(const Names& n, const analyzer::ActivePath& p);

[[nodiscard]] v1::PathKind kind_of(analyzer::PathKind k);
[[nodiscard]] v1::SessionState session_state(const std::string& state);  // "Established", "replayed", ...
void set_time(std::uint64_t us, google::protobuf::Timestamp& out);
void set_duration(std::uint64_t us, google::protobuf::Duration& out);
[[nodiscard]] std::uint64_t micros(const google::protobuf::Timestamp& t);

// Kind, carrying paths, via_covering and text (no prefix, no gateway bests).
void to_proto(const analyzer::ActivePath& p, const Names& n, v1::Path& out);
void to_proto(const analyzer::PrefixRow& r, const Names& n, v1::Path& out);
void to_proto(const analyzer::Event& e, std::uint64_t sequence, const Names& n, v1::Event& out);
// A peer state change or episode mark (index: its place in the mark log, from 0).
void to_proto(const analyzer::Mark& m, std::size_t index, const Names& n, v1::Event& out);
void to_proto(const analyzer::PeerSummary& s, const analyzer::PeerRole& role, const std::string& state,
              std::size_t stale_routes, const Names& n, v1::Peer& out);
// What the feed saw of the session: states, OPENs, NOTIFICATIONs, counters; uptime to `now_us`.
void peer_details(const feed::PeerStats::Peer& p, std::uint64_t now_us, v1::Peer& out);
void to_proto(const wire::Capabilities& c, v1::Capabilities& out);
// Advertised by both sides (RFC 5492).
void negotiated(const wire::Capabilities& local, const wire::Capabilities& remote, v1::Capabilities& out);
void to_proto(const wire::Notification& n, std::uint64_t time_us, v1::Notification& out);
void to_proto(const analyzer::Episode& e, std::uint64_t id, v1::Episode& out);
void to_proto(const analyzer::Finding& f, v1::Finding& out);
void to_proto(const analyzer::WhatIfChange& c, const Names& n, v1::WhatIfChange& out);
// Every route the table holds for `p` itself (on the analyzer's thread: it reads the table).
[[nodiscard]] std::vector<v1::Route> candidates_of(const analyzer::Analyzer& a, const rib::PrefixKey& p, const Names& n);
// "er-primary->none" (the analyzer's transition keys) as a typed pair.
void transition(const std::string& key, std::uint64_t prefixes, v1::Transition& out);

}  // namespace bgpfa::app
