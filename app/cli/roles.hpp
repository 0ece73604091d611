// The configuration in the analyzer's terms (policy, peer roles) and what-if targets.
#pragma once
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/config/model.hpp"
#include "bgp/session/session.hpp"

namespace bgpfa::app {

[[nodiscard]] analyzer::Policy policy_from(const config::Config& c);
// Every session's role: one per neighbour, or one per VPN instance for a VPN neighbour that names
// no instance (it peers with each instance's BGP address from the vpn-gateway section).
[[nodiscard]] std::vector<analyzer::PeerRole> roles_from(const config::Config& c, const analyzer::Policy& p);
// The configured prefixes of static VPN sites into the analyzer (their roles come from roles_from).
void install_static_sites(const config::Config& c, analyzer::Analyzer& a);
[[nodiscard]] std::vector<analyzer::PeerRole> roles_of(const config::Config& c, const analyzer::Policy& p,
                                                       const config::Neighbor& n);
// A neighbour's session settings (timers, maximum-prefix, passive), the defaults filled in.
[[nodiscard]] session::NeighborConfig neighbor_config(const config::Config& c, const config::Neighbor& n, unsigned port);

// What-if targets (peer addresses, "er1", "er1 primary", "expressroute", "vpn", "vpn 0") to
// peer indices; an error message naming the first target that matches nothing.
struct FailedPeers {
  std::vector<int> peers;
  std::string error;
};
[[nodiscard]] FailedPeers resolve_targets(const analyzer::Analyzer& a, const std::vector<std::string>& targets);

}  // namespace bgpfa::app
