#include "app/cli/roles.hpp"

#include <algorithm>

#include <fmt/format.h>


namespace bgpfa::app {

analyzer::Policy policy_from(const config::Config& c) {
  analyzer::Policy p;
  p.local_as = c.local_as;
  p.preference = c.routing_preference == config::RoutingPreference::Vpn       ? analyzer::RoutingPreference::Vpn
                 : c.routing_preference == config::RoutingPreference::AsPath ? analyzer::RoutingPreference::AsPath
                                                                             : analyzer::RoutingPreference::ExpressRoute;
  for (const auto& n : c.neighbors) {
    if (n.gateway != config::GatewayKind::ExpressRoute) continue;
    if (std::find(p.circuits.begin(), p.circuits.end(), n.circuit) == p.circuits.end()) {
      p.circuits.push_back(n.circuit);
      auto w = c.connection_weight.find(n.circuit);
      p.weights.push_back(w == c.connection_weight.end() ? 0 : w->second);
    }
  }
  p.quiet_period_us = static_cast<std::uint64_t>(c.quiet_period.count());
  p.er_prefix_limit = c.er_sku == "premium" ? 10000 : 4000;  // IPv4; IPv6: 100 either way
  p.azure_limits = c.prefix_limits;
  for (int g = 0; g < 2; ++g)
    p.azure_timers[g] = {c.azure_timers[g].hold_s, c.azure_timers[g].bfd_interval_ms, c.azure_timers[g].bfd_multiplier};
  p.history_events = c.history_events;
  p.history_episodes = c.history_episodes;
  for (const auto& v : c.vnets) p.vnets.push_back({v.name, v.address_space, v.peering.empty(), v.use_remote_gateway});
  return p;
}

session::NeighborConfig neighbor_config(const config::Config& c, const config::Neighbor& n, unsigned port) {
  session::NeighborConfig s;
  s.address = n.address;
  s.remote_as = n.remote_as;
  s.local_as = c.local_as;
  s.router_id = c.router_id ? c.router_id->v4_value() : 0x7f000001;
  s.port = static_cast<std::uint16_t>(port);
  s.passive = n.passive;
  s.hold_time = n.hold_time.value_or(90);
  s.keepalive_time = n.keepalive_time;
  if (n.connect_retry) s.connect_retry = std::chrono::seconds(n.connect_retry);
  s.max_prefixes = n.max_prefixes;
  s.max_prefix_warning_only = n.max_prefix_warning_only;
  s.max_prefix_restart = n.max_prefix_restart;
  s.name = wire::to_string(n.address);
  return s;
}

std::vector<analyzer::PeerRole> roles_of(const config::Config& c, const analyzer::Policy& p, const config::Neighbor& n) {
  analyzer::PeerRole r;
  r.address = n.address;
  r.asn = n.remote_as;
  r.description = n.description;
  r.max_prefixes = n.max_prefixes && !n.max_prefix_warning_only ? n.max_prefixes : 0;
  if (n.bfd) {
    r.bfd_interval_us = n.bfd_interval_ms * 1000;
    r.bfd_multiplier = n.bfd_multiplier;
  }
  if (n.gateway != config::GatewayKind::Vpn) {
    r.gateway = analyzer::Gateway::ExpressRoute;
    r.circuit = static_cast<int>(std::find(p.circuits.begin(), p.circuits.end(), n.circuit) - p.circuits.begin());
    r.link = n.link == config::Link::Secondary ? analyzer::Link::Secondary : analyzer::Link::Primary;
    return {r};
  }
  r.gateway = analyzer::Gateway::Vpn;
  r.site = n.site;
  if (const auto* s = c.vpn_gateway.site(n.site)) r.vnet_to_vnet = s->vnet_to_vnet;
  const auto& addresses = c.vpn_gateway.instance_address;
  if (n.vpn_instance_given || (!addresses[0] && !addresses[1])) {
    r.vpn_instance = n.vpn_instance;
    r.local = addresses[n.vpn_instance & 1];
    return {r};
  }
  // No instance named: one session per instance address (the documented active-active set-up,
  // one on-premises address peering with both instances).
  std::vector<analyzer::PeerRole> out;
  for (int i = 0; i < 2; ++i) {
    if (!addresses[i]) continue;
    r.vpn_instance = i;
    r.local = addresses[i];
    out.push_back(r);
  }
  return out;
}

std::vector<analyzer::PeerRole> roles_from(const config::Config& c, const analyzer::Policy& p) {
  std::vector<analyzer::PeerRole> out;
  for (const auto& n : c.neighbors)
    for (auto& r : roles_of(c, p, n)) out.push_back(std::move(r));
  // Static sites (no BGP): one role each, holding the site's configured prefixes.
  for (const auto& s : c.vpn_gateway.sites) {
    if (s.static_prefixes.empty()) continue;
    analyzer::PeerRole r;
    r.gateway = analyzer::Gateway::Vpn;
    r.site = s.name;
    r.static_site = true;
    r.vnet_to_vnet = s.vnet_to_vnet;
    r.asn = c.local_as;
    r.description = "static site";
    out.push_back(std::move(r));
  }
  return out;
}

void install_static_sites(const config::Config& c, analyzer::Analyzer& a) {
  for (std::size_t i = 0; i < a.peers().size(); ++i) {
    const auto& role = a.peers()[i];
    if (!role.static_site) continue;
    if (const auto* s = c.vpn_gateway.site(role.site)) a.install_static(static_cast<int>(i), s->static_prefixes);
  }
}

FailedPeers resolve_targets(const analyzer::Analyzer& a, const std::vector<std::string>& targets) {
  FailedPeers out;
  for (const auto& t : targets) {
    const auto hit = a.match_peers(t);
    if (hit.empty()) {
      out.error = fmt::format("what-if: \"{}\" names no configured peer (a peer address, CIRCUIT, \"CIRCUIT primary\", "
                              "\"CIRCUIT secondary\", expressroute, vpn, \"vpn 0\", \"vpn 1\")", t);
      out.peers.clear();
      return out;
    }
    for (int i : hit)
      if (std::find(out.peers.begin(), out.peers.end(), i) == out.peers.end()) out.peers.push_back(i);
  }
  return out;
}

}  // namespace bgpfa::app
