#include "app/grpc/convert.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "app/render/report_format.hpp"
#include "bgp/wire/error.hpp"

namespace bgpfa::app {

namespace {

void trigger_to_proto(const std::string& text, v1::Trigger& out);

v1::Gateway gateway_of(analyzer::Gateway g) {
  return g == analyzer::Gateway::Vpn ? v1::GATEWAY_VPN : v1::GATEWAY_EXPRESSROUTE;
}
v1::Link link_of(analyzer::Link l) { return l == analyzer::Link::Primary ? v1::LINK_PRIMARY : v1::LINK_SECONDARY; }

std::string circuit_name(const Names& n, int circuit) {
  return circuit >= 0 && static_cast<std::size_t>(circuit) < n.circuits.size() ? n.circuits[static_cast<std::size_t>(circuit)] : "";
}

void best_to_proto(const analyzer::GatewayBest& g, v1::Gateway gateway, v1::GatewayBest& out) {
  out.set_gateway(gateway);
  out.set_peer_address(g.peer);
  out.set_role(g.role);
  out.set_as_path(g.as_path);
  out.set_local_pref(g.local_pref);
  out.set_next_hop(g.next_hop);
  out.set_reason(g.reason);
  out.set_candidates(static_cast<std::uint32_t>(g.candidates));
}

// The configured peer in that role, when exactly one is.
std::string peer_in(const Names& n, const std::function<bool(const analyzer::PeerRole&)>& role) {
  std::string found;
  for (const auto& p : n.peers) {
    if (!role(p)) continue;
    if (!found.empty()) return "";
    found = wire::to_string(p.address);
  }
  return found;
}

void add_er(const Names& n, int circuit, analyzer::Link link, v1::Path& out) {
  auto& c = *out.add_carrying();
  c.set_gateway(v1::GATEWAY_EXPRESSROUTE);
  c.set_circuit(circuit_name(n, circuit));
  c.set_link(link_of(link));
  c.set_peer_address(peer_in(n, [&](const analyzer::PeerRole& r) {
    return r.gateway == analyzer::Gateway::ExpressRoute && r.circuit == circuit && r.link == link;
  }));
}

}  // namespace

Names names_of(const analyzer::Analyzer& a) {
  Names n{a.policy().circuits, a.peers(), {}};
  n.sets.reserve(a.path_set_count());
  for (std::uint32_t i = 0; i < a.path_set_count(); ++i) n.sets.push_back(a.carrying(i));
  return n;
}

bool names_cover(const Names& n, const analyzer::ActivePath& p) {
  return p.set < n.sets.size() && (p.circuit < 0 || static_cast<std::size_t>(p.circuit) < n.circuits.size());
}

v1::PathKind kind_of(analyzer::PathKind k) {
  switch (k) {
    case analyzer::PathKind::None: return v1::PATH_KIND_NONE;
    case analyzer::PathKind::ErPrimary: return v1::PATH_KIND_ER_PRIMARY;
    case analyzer::PathKind::ErSecondary: return v1::PATH_KIND_ER_SECONDARY;
    case analyzer::PathKind::ErEcmp: return v1::PATH_KIND_ER_ECMP;
    case analyzer::PathKind::Vpn: return v1::PATH_KIND_VPN;
    case analyzer::PathKind::System: return v1::PATH_KIND_SYSTEM;
  }
  return v1::PATH_KIND_UNSPECIFIED;
}

v1::SessionState session_state(const std::string& s) {
  if (s == "Idle") return v1::SESSION_STATE_IDLE;
  if (s == "Connect") return v1::SESSION_STATE_CONNECT;
  if (s == "Active") return v1::SESSION_STATE_ACTIVE;
  if (s == "OpenSent") return v1::SESSION_STATE_OPEN_SENT;
  if (s == "OpenConfirm") return v1::SESSION_STATE_OPEN_CONFIRM;
  if (s == "Established") return v1::SESSION_STATE_ESTABLISHED;
  if (s == "removed") return v1::SESSION_STATE_REMOVED;
  if (s == "replayed") return v1::SESSION_STATE_REPLAYED;
  return v1::SESSION_STATE_UNSPECIFIED;
}

void set_time(std::uint64_t us, google::protobuf::Timestamp& out) {
  out.set_seconds(static_cast<std::int64_t>(us / 1'000'000));
  out.set_nanos(static_cast<std::int32_t>(us % 1'000'000 * 1000));
}

void set_duration(std::uint64_t us, google::protobuf::Duration& out) {
  out.set_seconds(static_cast<std::int64_t>(us / 1'000'000));
  out.set_nanos(static_cast<std::int32_t>(us % 1'000'000 * 1000));
}

std::uint64_t micros(const google::protobuf::Timestamp& t) {
  if (t.seconds() < 0) return 0;
  return static_cast<std::uint64_t>(t.seconds()) * 1'000'000 + static_cast<std::uint64_t>(t.nanos() / 1000);
}

void to_proto(const analyzer::ActivePath& p, const Names& n, v1::Path& out) {
  out.set_kind(kind_of(p.kind));
  out.set_via_covering(p.via_covering);
  out.set_text(analyzer::describe(p));
  // The carrying set, session by session (interned in the analyzer; Names holds a copy).
  if (p.set < n.sets.size()) {
    for (const auto& cp : n.sets[p.set]) {
      auto& c = *out.add_carrying();
      c.set_gateway(gateway_of(cp.gateway));
      c.set_peer_address(cp.peer);
      if (!cp.local.empty()) c.set_local_address(cp.local);
      if (cp.gateway == analyzer::Gateway::ExpressRoute) {
        c.set_circuit(cp.circuit);
        c.set_link(link_of(cp.link));
      } else {
        c.set_vpn_instance(static_cast<std::uint32_t>(cp.vpn_instance));
        c.set_site(cp.site);
      }
    }
    return;
  }
  // A set newer than the names (the caller should have fetched them again): the summary's.
  switch (p.kind) {
    case analyzer::PathKind::ErPrimary: add_er(n, p.circuit, analyzer::Link::Primary, out); break;
    case analyzer::PathKind::ErSecondary: add_er(n, p.circuit, analyzer::Link::Secondary, out); break;
    case analyzer::PathKind::ErEcmp:
      add_er(n, p.circuit, analyzer::Link::Primary, out);
      add_er(n, p.circuit, analyzer::Link::Secondary, out);
      break;
    case analyzer::PathKind::Vpn:
      for (int i = 0; i < 2; ++i) {
        if (!(p.vpn_instances & (1u << i))) continue;
        auto& c = *out.add_carrying();
        c.set_gateway(v1::GATEWAY_VPN);
        c.set_vpn_instance(static_cast<std::uint32_t>(i));
      }
      break;
    case analyzer::PathKind::None:
    case analyzer::PathKind::System: break;
  }
}

void to_proto(const analyzer::PrefixRow& r, const Names& n, v1::Path& out) {
  out.Clear();  // every field below is optional: a reused message must not keep the last row's
  out.set_prefix(wire::to_string(r.prefix));
  out.set_family(r.prefix.address.afi == wire::Afi::Ipv6 ? v1::FAMILY_IPV6 : v1::FAMILY_IPV4);
  to_proto(r.active, n, out);
  if (r.covering) out.set_covering_prefix(wire::to_string(*r.covering));
  if (r.expressroute) best_to_proto(*r.expressroute, v1::GATEWAY_EXPRESSROUTE, *out.mutable_expressroute());
  if (r.vpn) best_to_proto(*r.vpn, v1::GATEWAY_VPN, *out.mutable_vpn());
}

void to_proto(const analyzer::Event& e, std::uint64_t sequence, const Names& n, v1::Event& out) {
  out.set_sequence(sequence);
  set_time(e.time_us, *out.mutable_time());
  out.set_prefix(wire::to_string(e.prefix));
  to_proto(e.from, n, *out.mutable_previous());
  to_proto(e.to, n, *out.mutable_current());
  out.set_cause(e.cause);
  out.set_kind(v1::EVENT_KIND_PATH_CHANGE);
}

void to_proto(const analyzer::Mark& m, std::size_t index, const Names& n, v1::Event& out) {
  out.set_sequence(m.after);
  out.set_mark_sequence(index + 1);
  set_time(m.time_us, *out.mutable_time());
  if (m.kind == analyzer::Mark::Kind::PeerState) {
    out.set_kind(v1::EVENT_KIND_PEER_STATE);
    auto& p = *out.mutable_peer_state();
    if (m.peer >= 0 && static_cast<std::size_t>(m.peer) < n.peers.size()) {
      p.set_peer_address(wire::to_string(n.peers[static_cast<std::size_t>(m.peer)].address));
      p.set_role(n.peers[static_cast<std::size_t>(m.peer)].label(n.circuits));
    }
    p.set_previous(m.from >= 1 && m.from <= 6 ? static_cast<v1::SessionState>(m.from) : v1::SESSION_STATE_UNSPECIFIED);
    p.set_current(m.to >= 1 && m.to <= 6 ? static_cast<v1::SessionState>(m.to) : v1::SESSION_STATE_UNSPECIFIED);
    p.set_reason(m.text);
    return;
  }
  const bool end = m.kind == analyzer::Mark::Kind::EpisodeEnd;
  out.set_kind(end ? v1::EVENT_KIND_EPISODE_END : v1::EVENT_KIND_EPISODE_START);
  auto& e = *out.mutable_episode();
  e.set_id(m.episode);
  trigger_to_proto(m.text, *e.mutable_trigger());
  set_time(m.start_us, *e.mutable_start());
  if (end) {
    set_time(m.time_us, *e.mutable_end());
    e.set_prefixes_changed(m.prefixes);
  }
}

void to_proto(const analyzer::PeerSummary& s, const analyzer::PeerRole& role, const std::string& state,
              std::size_t stale_routes, const Names& n, v1::Peer& out) {
  out.set_address(s.address);
  out.set_role(s.role);
  out.set_gateway(gateway_of(role.gateway));
  if (role.gateway == analyzer::Gateway::ExpressRoute) {
    out.set_circuit(circuit_name(n, role.circuit));
    out.set_link(link_of(role.link));
  } else {
    out.set_vpn_instance(static_cast<std::uint32_t>(role.vpn_instance));
  }
  if (role.local) out.set_local_address(wire::to_string(*role.local));
  if (role.gateway == analyzer::Gateway::Vpn) out.set_site(role.site_name());
  out.set_asn(s.asn);
  out.set_description(s.description);
  out.set_state(session_state(state));
  out.set_routes(s.prefixes);
  out.set_stale_routes(stale_routes);
  out.set_max_routes(s.max_prefixes);
  out.set_updates(s.updates);
}

namespace {

std::string family_name(std::uint16_t afi, std::uint8_t safi) {
  const char* a = afi == 1 ? "ipv4" : afi == 2 ? "ipv6" : nullptr;
  const char* s = safi == 1 ? "unicast" : safi == 2 ? "multicast" : nullptr;
  if (a && s) return fmt::format("{}-{}", a, s);
  return fmt::format("afi {} safi {}", afi, safi);
}

// Without a multiprotocol capability a speaker does IPv4 unicast only (RFC 4760 8).
std::vector<std::pair<std::uint16_t, std::uint8_t>> families_of(const wire::Capabilities& c) {
  if (c.multiprotocol.empty()) return {{1, 1}};
  return c.multiprotocol;
}

void gr_to_proto(const wire::GracefulRestart& g, v1::GracefulRestartCapability& out) {
  out.set_restart_time(g.restart_time);
  out.set_restarting(g.restarting);
  for (const auto& f : g.families) {
    out.add_families(family_name(f.afi, f.safi));
    if (f.forwarding_preserved) out.add_forwarding_preserved(family_name(f.afi, f.safi));
  }
}

void counters(const feed::PeerStats::Counters& c, v1::MessageCounters& out) {
  out.set_open(c.of(wire::MessageType::Open));
  out.set_update(c.of(wire::MessageType::Update));
  out.set_notification(c.of(wire::MessageType::Notification));
  out.set_keepalive(c.of(wire::MessageType::Keepalive));
  out.set_route_refresh(c.of(wire::MessageType::RouteRefresh));
  out.set_total(c.total());
}

v1::SessionState rfc6396_state(int s) {
  return s >= 1 && s <= 6 ? static_cast<v1::SessionState>(s) : v1::SESSION_STATE_UNSPECIFIED;  // the same numbers
}

}  // namespace

void to_proto(const wire::Capabilities& c, v1::Capabilities& out) {
  for (const auto& [afi, safi] : families_of(c)) out.add_families(family_name(afi, safi));
  for (const auto& f : c.add_path) {
    auto& a = *out.add_add_path();
    a.set_family(family_name(static_cast<std::uint16_t>(f.afi), static_cast<std::uint8_t>(f.safi)));
    a.set_receive(f.receive);
    a.set_send(f.send);
  }
  out.set_four_octet_as(c.four_octet_as.has_value());
  if (c.graceful_restart) gr_to_proto(c.gr, *out.mutable_graceful_restart());
  out.set_route_refresh(c.route_refresh);
  out.set_enhanced_route_refresh(c.enhanced_route_refresh);
  out.set_extended_message(c.extended_message);
}

void negotiated(const wire::Capabilities& local, const wire::Capabilities& remote, v1::Capabilities& out) {
  const auto mine = families_of(local);
  for (const auto& f : families_of(remote))
    if (std::find(mine.begin(), mine.end(), f) != mine.end()) out.add_families(family_name(f.first, f.second));
  for (const auto& r : remote.add_path)
    for (const auto& l : local.add_path) {
      if (l.afi != r.afi || l.safi != r.safi) continue;
      const bool receive = l.receive && r.send, send = l.send && r.receive;  // as seen from bgpfa's side
      if (!receive && !send) continue;
      auto& a = *out.add_add_path();
      a.set_family(family_name(static_cast<std::uint16_t>(r.afi), static_cast<std::uint8_t>(r.safi)));
      a.set_receive(receive);
      a.set_send(send);
    }
  out.set_four_octet_as(local.four_octet_as && remote.four_octet_as);
  // The peer's capability is the one that applies to its restarts (RFC 4724 4.2).
  if (local.graceful_restart && remote.graceful_restart) gr_to_proto(remote.gr, *out.mutable_graceful_restart());
  out.set_route_refresh(local.route_refresh && remote.route_refresh);
  out.set_enhanced_route_refresh(local.enhanced_route_refresh && remote.enhanced_route_refresh);
  out.set_extended_message(local.extended_message && remote.extended_message);
}

void to_proto(const wire::Notification& n, std::uint64_t time_us, v1::Notification& out) {
  set_time(time_us, *out.mutable_time());
  out.set_code(n.code);
  out.set_subcode(n.subcode);
  out.set_code_name(wire::notification_code_name(n.code));
  out.set_subcode_name(wire::notification_subcode_name(n.code, n.subcode));
  out.set_shutdown_communication(n.shutdown_message());
  out.set_data(std::string(n.data.begin(), n.data.end()));
  out.set_text(n.describe());
}

void peer_details(const feed::PeerStats::Peer& p, std::uint64_t now_us, v1::Peer& out) {
  if (p.local_address) out.set_local_address(wire::to_string(*p.local_address));
  if (p.established_us) {
    set_time(p.established_us, *out.mutable_established_since());
    set_duration(now_us - std::min(now_us, p.established_us), *out.mutable_uptime());
  }
  if (p.last_change_us) {
    set_time(p.last_change_us, *out.mutable_last_state_change());
    out.set_last_state_change_reason(p.last_change_reason);
    out.set_previous_state(rfc6396_state(p.previous_state));
    out.set_recorded_state(rfc6396_state(p.state));
    set_duration(now_us - std::min(now_us, p.last_change_us), *out.mutable_since_last_state_change());
  }
  if (p.sent) to_proto(p.sent->n, p.sent->time_us, *out.mutable_last_notification_sent());
  if (p.received) to_proto(p.received->n, p.received->time_us, *out.mutable_last_notification_received());
  if (const std::uint16_t hold = feed::PeerStats::hold_time(p)) {
    out.set_hold_time(hold);
    out.set_keepalive_time(hold / 3u);  // RFC 4271 10: a third of the hold time
  }
  if (p.remote_open) {
    to_proto(p.remote_open->caps, *out.mutable_capabilities_received());
    out.set_remote_router_id_v4(p.remote_open->bgp_id);
  }
  if (p.local_open) to_proto(p.local_open->caps, *out.mutable_capabilities_sent());
  if (p.local_open && p.remote_open) negotiated(p.local_open->caps, p.remote_open->caps, *out.mutable_capabilities());
  counters(p.in, *out.mutable_messages_received());
  counters(p.out, *out.mutable_messages_sent());
  if (p.last_received_us) set_time(p.last_received_us, *out.mutable_last_message_received());
  out.set_flaps(p.flaps);
}

namespace {

// The analyzer's triggers are sentences ("session down 192.0.2.1 (er1 primary): ...",
// "NOTIFICATION from 192.0.2.1 ...", "hold timer expired: from ..."): typed by how they start,
// with the first address they name.
void trigger_to_proto(const std::string& text, v1::Trigger& out) {
  const auto starts = [&](const char* s) { return text.rfind(s, 0) == 0; };
  out.set_text(text);
  out.set_kind(starts("session down")          ? v1::TRIGGER_KIND_SESSION_DOWN
               : starts("session up")          ? v1::TRIGGER_KIND_SESSION_UP
               : starts("NOTIFICATION")        ? v1::TRIGGER_KIND_NOTIFICATION
               : starts("hold timer expired")  ? v1::TRIGGER_KIND_HOLD_TIMER_EXPIRED
               : starts("UPDATE")              ? v1::TRIGGER_KIND_UPDATE
               : text.find("End-of-RIB") != std::string::npos || text.find("stale") != std::string::npos
                   ? v1::TRIGGER_KIND_GRACEFUL_RESTART
                   : v1::TRIGGER_KIND_OTHER);
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    while (!w.empty() && (w.back() == ':' || w.back() == ',')) w.pop_back();
    if (wire::parse_address(w)) {
      out.set_peer_address(w);
      break;
    }
  }
}

v1::PathKind kind_named(const std::string& s) {
  if (s == "none") return v1::PATH_KIND_NONE;
  if (s == "er-primary") return v1::PATH_KIND_ER_PRIMARY;
  if (s == "er-secondary") return v1::PATH_KIND_ER_SECONDARY;
  if (s == "er-ecmp") return v1::PATH_KIND_ER_ECMP;
  if (s == "vpn") return v1::PATH_KIND_VPN;
  if (s == "system") return v1::PATH_KIND_SYSTEM;
  return v1::PATH_KIND_UNSPECIFIED;
}

}  // namespace

void transition(const std::string& key, std::uint64_t prefixes, v1::Transition& out) {
  const auto arrow = key.find("->");
  out.set_previous(kind_named(key.substr(0, arrow)));
  out.set_current(arrow == std::string::npos ? v1::PATH_KIND_UNSPECIFIED : kind_named(key.substr(arrow + 2)));
  out.set_prefixes(prefixes);
}

void to_proto(const analyzer::Episode& e, std::uint64_t id, v1::Episode& out) {
  out.set_id(id);
  trigger_to_proto(e.trigger, *out.mutable_trigger());
  for (const auto& t : e.other_triggers) trigger_to_proto(t, *out.add_other_triggers());
  set_time(e.start_us, *out.mutable_start());
  set_time(e.end_us, *out.mutable_end());
  out.set_prefixes_changed(e.prefixes_changed);
  set_duration(e.p50_us, *out.mutable_p50());
  set_duration(e.p90_us, *out.mutable_p90());
  set_duration(e.p99_us, *out.mutable_p99());
  set_duration(e.max_us, *out.mutable_max());
  out.set_blackholed_prefixes(e.blackholed_prefixes);
  out.set_blackhole_prefix_seconds(e.blackhole_prefix_seconds);
  out.set_still_unreachable(e.still_unreachable);
  out.set_path_exploration(e.path_exploration);
  for (const auto& [k, n] : e.transitions) transition(k, n, *out.add_transitions());
  auto& w = *out.mutable_failure();
  const auto& f = e.failure;
  w.set_detected_by(f.detected_by);
  w.set_note(f.note);
  w.set_mechanism(f.detected_by == "the hold timer"                 ? v1::DETECTION_MECHANISM_HOLD_TIMER
                  : f.detected_by == "the TCP connection closing"   ? v1::DETECTION_MECHANISM_TCP_CLOSE
                  : f.detected_by == "a NOTIFICATION bgpfa sent"    ? v1::DETECTION_MECHANISM_NOTIFICATION_SENT
                  : f.detected_by == "a NOTIFICATION from the peer" ? v1::DETECTION_MECHANISM_NOTIFICATION_RECEIVED
                  : f.detected_by == "BFD"                          ? v1::DETECTION_MECHANISM_BFD
                                                                    : v1::DETECTION_MECHANISM_UNSPECIFIED);
  if (f.known) {
    w.set_status(v1::WINDOW_STATUS_KNOWN);
    set_time(f.after_us, *w.mutable_failure_after());
    set_time(f.before_us, *w.mutable_failure_before());
    set_duration(e.detection_min_us, *w.mutable_detection_min());
    set_duration(e.detection_max_us, *w.mutable_detection_max());
    set_duration(e.failover_min_us, *w.mutable_failover_min());
    set_duration(e.failover_max_us, *w.mutable_failover_max());
  } else {
    w.set_status(f.note.empty()                          ? v1::WINDOW_STATUS_NONE
                 : f.note.rfind("not observable", 0) == 0 ? v1::WINDOW_STATUS_NOT_OBSERVABLE
                                                          : v1::WINDOW_STATUS_UNKNOWN);
  }
  if (const auto& p = e.prediction; p.made) {
    auto& o = *out.mutable_prediction();
    for (const auto& x : p.failed) o.add_failed(x);
    for (const auto& [k, n] : p.predicted) transition(k, n, *o.add_predicted());
    for (const auto& [k, n] : p.observed) transition(k, n, *o.add_observed());
    o.set_matched(p.matched);
    o.set_differed(p.differed);
    o.set_unpredicted(p.unpredicted);
    for (const auto& m : p.misses) {
      auto& x = *o.add_misses();
      x.set_prefix(wire::to_string(m.prefix));
      x.set_predicted(kind_of(m.predicted));
      x.set_observed(kind_of(m.observed));
    }
  }
  for (const auto& [g, lag] : e.gateway_lag) {
    auto& l = *out.add_gateway_lag();
    l.set_gateway(g == "vpn" ? v1::GATEWAY_VPN : v1::GATEWAY_EXPRESSROUTE);
    set_duration(lag.first_update_us, *l.mutable_first_update());
    set_duration(lag.last_update_us, *l.mutable_last_update());
    l.set_updates(lag.updates);
  }
}

void to_proto(const analyzer::Finding& f, v1::Finding& out) {
  out.set_kind(f.kind == "vpn-more-specific" ? v1::FINDING_KIND_VPN_MORE_SPECIFIC
               : f.kind == "single-link"     ? v1::FINDING_KIND_SINGLE_LINK
               : f.kind == "unequal-links"   ? v1::FINDING_KIND_UNEQUAL_LINKS
               : f.kind == "prefix-limit"    ? v1::FINDING_KIND_PREFIX_LIMIT
                                             : v1::FINDING_KIND_UNSPECIFIED);
  out.set_severity(f.severity == "error"     ? v1::SEVERITY_ERROR
                   : f.severity == "warning" ? v1::SEVERITY_WARNING
                   : f.severity == "info"    ? v1::SEVERITY_INFO
                                             : v1::SEVERITY_UNSPECIFIED);
  out.set_text(f.message);
  constexpr std::size_t kMaxPrefixes = 1000;  // a finding may cover a whole table
  for (std::size_t i = 0; i < f.prefixes.size() && i < kMaxPrefixes; ++i) out.add_prefixes(wire::to_string(f.prefixes[i]));
  out.set_prefix_count(f.prefixes.size());
  if (f.kind == "prefix-limit") {  // "peer ADDRESS (role) advertised ..."
    std::istringstream words(f.message);
    std::string w;
    if (words >> w >> w && wire::parse_address(w)) out.add_peers(w);
  }
}

std::vector<v1::Route> candidates_of(const analyzer::Analyzer& a, const rib::PrefixKey& p, const Names& n) {
  std::vector<v1::Route> out;
  const auto* e = a.table().find(p);
  if (!e) return out;
  for (const auto& route : e->routes) {
    auto& r = out.emplace_back();
    const auto& attrs = *route.attrs;
    if (route.peer < n.peers.size()) {
      r.set_peer_address(wire::to_string(n.peers[route.peer].address));
      r.set_role(n.peers[route.peer].label(n.circuits));
    }
    attrs.as_path().for_each_segment([&](wire::SegmentType type, const std::uint8_t* asns, unsigned count) {
      auto& seg = *r.add_as_path();
      seg.set_type(static_cast<v1::AsPathSegmentType>(static_cast<int>(type)));  // same numbers (RFC 4271, 5065)
      for (unsigned i = 0; i < count; ++i) seg.add_asns(wire::load_u32(asns + 4 * i));
    });
    r.set_origin(attrs.origin == 0 ? v1::ORIGIN_IGP : attrs.origin == 1 ? v1::ORIGIN_EGP : v1::ORIGIN_INCOMPLETE);
    r.set_next_hop(wire::to_string(attrs.next_hop));
    if (attrs.has_med) r.set_med(attrs.med);
    r.set_local_pref(attrs.local_pref);
    const auto c = attrs.communities();
    for (std::size_t i = 0; i + 4 <= c.size(); i += 4)
      r.add_communities(fmt::format("{}:{}", wire::load_u16(c.data() + i), wire::load_u16(c.data() + i + 2)));
    r.set_path_id(route.path_id);
    r.set_stale(route.stale);
  }
  return out;
}

void to_proto(const analyzer::WhatIfChange& c, const Names& n, v1::WhatIfChange& out) {
  out.set_prefix(wire::to_string(c.prefix));
  to_proto(c.before, n, *out.mutable_previous());
  to_proto(c.after, n, *out.mutable_current());
}

}  // namespace bgpfa::app
