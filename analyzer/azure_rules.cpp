#include "analyzer/azure_rules.hpp"

#include <algorithm>

namespace bgpfa::analyzer {

using rib::Candidate;
using rib::Reason;

namespace {

// Azure shares traffic between routes its rules do not tell apart: the same connection weight
// (ExpressRoute), LOCAL_PREF (from internal peers only) and AS-path length. Origin, MED and
// communities are not among its criteria (expressroute-routing, about-active-active-gateways).
bool azure_equal(const Candidate& a, const Candidate& b) {
  return a.weight == b.weight && a.local_pref() == b.local_pref() && a.attrs->as_path_length == b.attrs->as_path_length;
}

}  // namespace

Candidate AzureRules::candidate(const rib::Route& r) const {
  const PeerRole& role = topo_.role(r.peer);
  return Candidate{r.attrs.get(), r.peer, r.path_id, role.asn != topo_.policy().local_as, &role.address, topo_.weight(role)};
}

Decision AzureRules::decide(const rib::PrefixEntry& e, bool default_route, const std::vector<std::uint8_t>& dropped) const {
  Decision d;
  const auto& routes = e.routes;
  // vpn-gateway/vpn-gateway-vnet-vnet-rm-ps: BGP transit over a VNet-to-VNet connection works,
  // except for the default route.
  const auto usable = [&](const rib::Route& r) { return !dropped[r.peer] && !(default_route && topo_.role(r.peer).vnet_to_vnet); };
  // Each gateway's Loc-RIB best by the RFC 4271 process, connection weight first (Azure's rule
  // 3), LOCAL_PREF only from internal peers. Sessions Azure dropped at a prefix limit do not count.
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (!usable(routes[i])) continue;
    rib::LocRibBest& best = d.best[Topology::gateway_slot(topo_.role(routes[i].peer))];
    if (best.index == rib::kNoBest) {
      best = {static_cast<std::uint8_t>(i), Reason::OnlyPath};
      continue;
    }
    Reason why;
    if (rib::better(candidate(routes[i]), candidate(routes[best.index]), why)) best.index = static_cast<std::uint8_t>(i);
    best.reason = why;
  }
  // The carrying sessions of each gateway: every one whose route Azure cannot tell from the best
  // (ECMP across the links of a circuit, across circuits, across VPN instances and sites).
  for (int g = 0; g < 2; ++g) {
    std::vector<std::uint16_t>& carrying = carry_scratch_[g];
    carrying.clear();
    if (d.best[g].index == rib::kNoBest) continue;
    if (d.best[g].reason == Reason::OnlyPath) {  // the common case: one route, one session
      carrying.push_back(routes[d.best[g].index].peer);
      continue;
    }
    const Candidate best = candidate(routes[d.best[g].index]);
    for (const auto& r : routes)
      if (usable(r) && Topology::gateway_slot(topo_.role(r.peer)) == g && azure_equal(candidate(r), best))
        carrying.push_back(r.peer);
    std::sort(carrying.begin(), carrying.end());
    carrying.erase(std::unique(carrying.begin(), carrying.end()), carrying.end());
    if (carrying.size() > 1) d.best[g].reason = Reason::Ecmp;  // the best is one of several that carry
  }
  const bool er = !carry_scratch_[kEr].empty(), vpn = !carry_scratch_[kVpn].empty();
  int chosen = er ? kEr : vpn ? kVpn : -1;
  if (er && vpn) {  // equal prefixes: ExpressRoute over VPN unless a hub's routing preference says otherwise
    switch (topo_.policy().preference) {
      case RoutingPreference::ExpressRoute: chosen = kEr; break;
      case RoutingPreference::Vpn: chosen = kVpn; break;
      case RoutingPreference::AsPath:
        chosen = routes[d.best[kVpn].index].attrs->as_path_length < routes[d.best[kEr].index].attrs->as_path_length ? kVpn : kEr;
        break;
    }
  }
  if (chosen < 0) return d;
  d.active.set = intern_set(carry_scratch_[chosen]);
  if (chosen == kVpn) {
    d.active.kind = PathKind::Vpn;
  } else {
    bool primary = false, secondary = false;
    for (const std::uint16_t p : carry_scratch_[kEr]) (topo_.role(p).link == Link::Primary ? primary : secondary) = true;
    d.active.kind = primary && secondary ? PathKind::ErEcmp : primary ? PathKind::ErPrimary : PathKind::ErSecondary;
  }
  return d;
}

std::uint32_t AzureRules::intern_set(const std::vector<std::uint16_t>& peers) const {
  if (peers.size() != 1) return sets_.intern(peers);
  // One session: its set id is cached per peer (no hashing on the hot path of a table load).
  const std::uint16_t peer = peers.front();
  if (single_sets_.size() <= peer) single_sets_.resize(peer + 1u, 0);
  if (!single_sets_[peer]) single_sets_[peer] = sets_.intern(peers);
  return single_sets_[peer];
}

void AzureRules::summarise(ActivePath& p) const {
  p.vpn_instances = 0;
  p.circuit = -1;
  p.circuit_count = 0;
  std::uint64_t seen = 0;  // circuits counted (the first 64 exactly; more are rare)
  for (const std::uint16_t peer : sets_.get(p.set)) {
    const PeerRole& r = topo_.role(peer);
    if (r.gateway == Gateway::Vpn) {
      p.vpn_instances |= static_cast<std::uint8_t>(1u << (r.vpn_instance & 1));
      continue;
    }
    if (p.circuit < 0 || r.circuit < p.circuit) p.circuit = static_cast<std::int16_t>(r.circuit);
    const std::uint64_t bit = r.circuit >= 0 && r.circuit < 64 ? 1ull << r.circuit : 0;
    if (!(seen & bit) || !bit) ++p.circuit_count;
    seen |= bit;
  }
}

std::vector<CarryingPath> AzureRules::carrying(std::uint32_t set) const {
  std::vector<CarryingPath> out;
  for (const std::uint16_t peer : sets_.get(set)) out.push_back(topo_.describe(peer));
  return out;
}

}  // namespace bgpfa::analyzer
