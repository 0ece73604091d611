// The analyzer's results as plain data: what renderers and the gRPC adapter turn into output.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/active_path.hpp"
#include "analyzer/roles.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::analyzer {

struct GatewayBest {
  std::string peer;      // address
  std::string role;      // "er1 primary"
  std::string as_path;
  std::uint32_t local_pref = 100;
  std::string next_hop;
  std::string reason;    // why the gateway's decision process chose it
  std::size_t candidates = 0;
};

struct PrefixRow {
  wire::Prefix prefix;
  ActivePath active;
  std::optional<wire::Prefix> covering;  // set when active.via_covering
  std::optional<GatewayBest> expressroute, vpn;
};

struct Event {
  std::uint64_t time_us = 0;
  wire::Prefix prefix;
  ActivePath from, to;
  std::string cause;
};

struct GatewayLag {
  std::uint64_t first_update_us = 0;  // after the trigger
  std::uint64_t last_update_us = 0;
  std::size_t updates = 0;
};

// When a session died silently, when the failure itself happened: after the last message heard
// from the peer, before the next one was due (RFC 4098 terms: detection is trigger - failure).
enum class FailureKind : std::uint8_t { Said, HoldTimer, Bfd, TcpClose, Upstream };
struct FailureWindow {
  FailureKind kind = FailureKind::Said;  // what noticed it (silent: HoldTimer, Bfd, TcpClose)
  int peer = -1;                // the session that failed (analyzer index); -1: none named
  bool known = false;           // false: `note` says why there is no window
  std::uint64_t after_us = 0;   // the last message heard
  std::uint64_t before_us = 0;  // the next one was due (or the trigger, when sooner)
  std::string detected_by;      // "the hold timer", "a TCP reset", "a NOTIFICATION", "BFD"
  std::string note;             // why the window is unknown or not observable
};

// What the what-if of the failed sessions predicted, from the state just before the trigger,
// against what happened by the episode's end.
struct PredictionMiss {
  wire::Prefix prefix;
  PathKind predicted = PathKind::None, observed = PathKind::None;
};
struct Prediction {
  bool made = false;
  std::vector<std::string> failed;               // "192.0.2.1 (er1 primary)"
  std::map<std::string, std::size_t> predicted;  // "er-primary->vpn" -> prefixes
  std::map<std::string, std::size_t> observed;   // the same prefixes, as they ended
  std::size_t matched = 0;                       // ended on the predicted kind of path
  std::size_t differed = 0;
  std::size_t unpredicted = 0;                   // changed in the episode, not in the prediction
  std::vector<PredictionMiss> misses;            // the first few that differed
};

// What the failover would have taken with Azure's own timers (analyzer azure-timers): the
// detection they imply on the failed session's gateway plus the propagation observed here (last
// change minus trigger). A projection, not a measurement.
struct Projection {
  std::string gateway;      // "expressroute" | "vpn"
  std::string timers;       // "hold 180 s", "BFD 300 ms x 3"
  std::string detected_by;  // in words, with why that timer
  std::uint64_t detection_min_us = 0, detection_max_us = 0;
  std::uint64_t propagation_us = 0;
  std::uint64_t failover_min_us = 0, failover_max_us = 0;
};

struct Episode {
  std::uint64_t trigger_us = 0;
  std::string trigger;
  std::vector<std::string> other_triggers;
  std::vector<std::uint64_t> other_trigger_us;  // when each of other_triggers happened
  std::uint64_t start_us = 0;  // = trigger
  std::uint64_t end_us = 0;    // last active-path change
  std::size_t prefixes_changed = 0;
  std::uint64_t p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;  // per-prefix trigger -> last change
  std::size_t blackholed_prefixes = 0;
  double blackhole_prefix_seconds = 0;
  std::size_t still_unreachable = 0;  // without a path when the episode closed
  std::size_t path_exploration = 0;   // changes beyond the first, summed over prefixes
  std::map<std::string, std::size_t> transitions;  // "er-primary->er-secondary" -> count
  std::map<std::string, GatewayLag> gateway_lag;   // "expressroute" / "vpn"
  FailureWindow failure;  // of the trigger
  Prediction prediction;
  // With a known window: detection = trigger - failure, failover = failure -> last change.
  std::uint64_t detection_min_us = 0, detection_max_us = 0;
  std::uint64_t failover_min_us = 0, failover_max_us = 0;
  std::optional<Projection> projection;  // a silent failure, with azure-timers for its gateway
};

// A session event as it happened, for a timeline of the whole input: state changes and what
// ended sessions (BFD, hold timer, NOTIFICATION, prefix limit). Episodes name the same ones as
// triggers; these also keep those that changed no prefix.
struct SessionMark {
  enum class Kind : std::uint8_t { Up, Down, Bfd, HoldTimer, Notification, PrefixLimit, Other };
  std::uint64_t time_us = 0;
  int peer = -1;  // index into Report::peers; -1: not one peer's
  Kind kind = Kind::Other;
  std::string text;
};

struct Finding {
  std::string kind;      // vpn-more-specific, single-link, unequal-links, prefix-limit
  std::string severity;  // warning | info | error
  std::string message;
  std::vector<wire::Prefix> prefixes;
};

struct PeerSummary {
  std::string address;
  std::string role;
  std::uint32_t asn = 0;
  std::string description;
  bool established = false;
  std::size_t prefixes = 0;      // now
  std::size_t max_prefixes = 0;  // over the run
  std::size_t updates = 0;
  std::size_t limit_drops = 0;   // times the session was dropped at a prefix limit
};

// The starting state a replay loaded from RIB dumps (no events for it).
struct Baseline {
  std::uint64_t start_us = 0, end_us = 0;  // 0: none
  std::size_t prefixes = 0, routes = 0;
};

// A live session's initial table: from the first establishment of the session since the start
// (of serve, or of the replayed input) to its End-of-RIB for every negotiated family, or to its
// last UPDATE before a quiet period. Its changes are events but make no episode.
struct InitialTable {
  std::string peer, role;
  std::uint64_t start_us = 0;  // Established
  std::uint64_t end_us = 0;    // the last End-of-RIB, or the last UPDATE before the quiet period
  std::size_t prefixes = 0;    // routes of the session then (ADD-PATH paths counted apart)
  std::string ended_by;        // "End-of-RIB", "quiet period", "session down", "end of input"
};

struct Summary {
  std::uint64_t first_us = 0, last_us = 0;
  std::size_t records = 0;
  std::size_t routes = 0;          // (peer, prefix, path) now
  std::size_t prefixes = 0;        // rows
  std::size_t attribute_sets = 0;  // interned
  std::size_t events = 0;
  std::size_t path_sets = 0;       // distinct non-empty carrying sets
  Baseline baseline;
  std::vector<InitialTable> initial_tables;  // in the order they ended
  std::string vnet;                 // the VNet whose view the active paths are ("" : no VNet model)
  std::vector<std::string> vnets;   // every VNet configured, with its role
  std::map<std::string, std::size_t> active_by_kind;
  std::vector<std::string> unknown_peers;
};

// The active paths as they would be if some peers failed (a link, a circuit, a VPN instance).
struct WhatIfChange {
  wire::Prefix prefix;
  ActivePath before, after;
};
struct WhatIf {
  std::vector<std::string> failed;  // "192.0.2.1 (er1 primary)"
  std::vector<WhatIfChange> changes;  // sorted by prefix
  std::map<std::string, std::size_t> transitions;  // "er-ecmp->er-secondary" -> count
};

// One session that carries traffic for a prefix.
struct CarryingPath {
  Gateway gateway = Gateway::ExpressRoute;
  std::string circuit;  // ExpressRoute
  Link link = Link::Primary;
  int vpn_instance = 0;  // VPN
  std::string site;      // VPN: the site (the peer address when it is its own)
  std::string peer;      // the on-premises (or edge router) address
  std::string local;     // the gateway side's address, when known
};

inline constexpr std::size_t kSessionMarks = 20000;

struct Report {
  // Every interned carrying set, by ActivePath::set (0: empty).
  std::vector<std::vector<CarryingPath>> path_sets;
  std::vector<PeerSummary> peers;
  std::vector<PrefixRow> active_paths;  // sorted by prefix
  std::vector<Event> events;
  std::vector<Episode> episodes;
  std::vector<Finding> findings;
  std::vector<SessionMark> marks;  // in time order, the most recent kSessionMarks
  std::size_t marks_dropped = 0;   // older ones no longer kept
  Summary summary;
  std::optional<WhatIf> what_if;  // when asked for
};

}  // namespace bgpfa::analyzer
