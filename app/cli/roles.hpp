// The configuration in the analyzer's terms (policy, peer roles) and the route feed shared by
// replay (MRT) and serve (live sessions).
#pragma once
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/config/model.hpp"
#include "bgp/session/session.hpp"
#include "bgp/wire/update.hpp"

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

// Withdrawals, then announcements (one interned attribute set), of one UPDATE from `peer`;
// `ctx` says per family whether NLRI carry path identifiers.
void feed_update(analyzer::Analyzer& a, std::uint64_t t, int peer, const wire::Update& u,
                 const wire::DecodeContext& ctx, bool withdraw_all, const std::string& cause);

}  // namespace bgpfa::app
