// Azure's routing rules as configured for one analyzer.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bgpfa::analyzer {

enum class RoutingPreference : std::uint8_t { ExpressRoute, Vpn, AsPath };

struct Policy {
  std::uint32_t local_as = 65515;
  RoutingPreference preference = RoutingPreference::ExpressRoute;
  std::vector<std::string> circuits;  // names; index = PeerRole::circuit
  std::vector<int> weights;           // connection weight per circuit (0..32000)
  std::uint64_t quiet_period_us = 5'000'000;
  std::size_t er_prefix_limit = 4000;   // private peering IPv4: 4,000 Standard, 10,000 Premium
  std::size_t er_ipv6_prefix_limit = 100;  // private peering IPv6
  std::size_t vpn_prefix_limit = 4000;  // per VPN BGP peer
};

}  // namespace bgpfa::analyzer
