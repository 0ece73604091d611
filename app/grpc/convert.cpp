#include "app/grpc/convert.hpp"

#include "app/render/report_format.hpp"

namespace bgpfa::app {

namespace {

v1::PathKind kind_of(analyzer::PathKind k) {
  switch (k) {
    case analyzer::PathKind::None: return v1::PATH_KIND_NONE;
    case analyzer::PathKind::ErPrimary: return v1::PATH_KIND_ER_PRIMARY;
    case analyzer::PathKind::ErSecondary: return v1::PATH_KIND_ER_SECONDARY;
    case analyzer::PathKind::ErEcmp: return v1::PATH_KIND_ER_ECMP;
    case analyzer::PathKind::Vpn: return v1::PATH_KIND_VPN;
  }
  return v1::PATH_KIND_UNSPECIFIED;
}

void best_to_proto(const analyzer::GatewayBest& g, v1::GatewayBest& out) {
  out.set_peer(g.peer);
  out.set_role(g.role);
  out.set_as_path(g.as_path);
  out.set_local_pref(g.local_pref);
  out.set_next_hop(g.next_hop);
  out.set_reason(g.reason);
  out.set_candidates(static_cast<std::uint32_t>(g.candidates));
}

}  // namespace

void to_proto(const analyzer::ActivePath& p, const std::vector<std::string>& circuits, v1::ActivePath& out) {
  out.set_kind(kind_of(p.kind));
  if (p.circuit >= 0 && static_cast<std::size_t>(p.circuit) < circuits.size())
    out.set_circuit(circuits[static_cast<std::size_t>(p.circuit)]);
  for (std::uint32_t i = 0; i < 2; ++i)
    if (p.vpn_instances & (1u << i)) out.add_vpn_instances(i);
  out.set_text(analyzer::describe(p));
}

void to_proto(const analyzer::PrefixRow& r, const std::vector<std::string>& circuits, v1::PrefixPath& out) {
  out.Clear();  // every field below is optional: a reused message must not keep the last row's
  out.set_prefix(wire::to_string(r.prefix));
  to_proto(r.active, circuits, *out.mutable_active());
  if (r.covering) out.mutable_active()->set_covering_prefix(wire::to_string(*r.covering));
  if (r.expressroute) best_to_proto(*r.expressroute, *out.mutable_expressroute());
  if (r.vpn) best_to_proto(*r.vpn, *out.mutable_vpn());
}

void to_proto(const analyzer::PeerSummary& s, const std::string& state, std::size_t stale_routes, v1::Peer& out) {
  out.set_address(s.address);
  out.set_role(s.role);
  out.set_asn(s.asn);
  out.set_description(s.description);
  out.set_state(state);
  out.set_routes(s.prefixes);
  out.set_stale_routes(stale_routes);
  out.set_max_routes(s.max_prefixes);
  out.set_updates(s.updates);
}

void to_proto(const analyzer::WhatIf& w, const std::vector<std::string>& circuits, v1::WhatIfResponse& out) {
  for (const auto& f : w.failed) out.add_failed(f);
  for (const auto& [k, n] : w.transitions) (*out.mutable_transitions())[k] = n;
  for (const auto& c : w.changes) {
    auto& x = *out.add_changes();
    x.set_prefix(wire::to_string(c.prefix));
    to_proto(c.before, circuits, *x.mutable_from());
    to_proto(c.after, circuits, *x.mutable_to());
  }
}

void to_proto(const analyzer::Event& e, std::uint64_t sequence, const std::vector<std::string>& circuits, v1::Event& out) {
  out.set_sequence(sequence);
  out.set_time_us(static_cast<std::int64_t>(e.time_us));
  out.set_time(rfc3339(e.time_us));
  out.set_prefix(wire::to_string(e.prefix));
  to_proto(e.from, circuits, *out.mutable_from());
  to_proto(e.to, circuits, *out.mutable_to());
  out.set_cause(e.cause);
}

}  // namespace bgpfa::app
