// The configuration in the analyzer's terms (policy, peer roles) and what-if targets.
#pragma once
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/config/model.hpp"
#include "bgp/session/session.hpp"

namespace bgpfa::app {

[[nodiscard]] analyzer::Policy policy_from(const config::Config& c);
[[nodiscard]] std::vector<analyzer::PeerRole> roles_from(const config::Config& c, const analyzer::Policy& p);
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
