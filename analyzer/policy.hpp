// Azure's routing rules as configured for one analyzer.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::analyzer {

enum class RoutingPreference : std::uint8_t { ExpressRoute, Vpn, AsPath };

// A VNet of the hub-and-spoke model: the hub holds the gateways; a spoke peered with it sees
// the hub's address space (and the hub its) as system routes, and the gateways' routes only
// with gateway transit (use-remote-gateway).
struct VnetModel {
  std::string name;
  std::vector<wire::Prefix> address_space;
  bool hub = false;
  bool transit = false;  // spoke: uses the hub's gateway
};

// The cloud side's real timers (analyzer: azure-timers GATEWAY hold N [bfd MSxN]), for the
// projection of each silent failure; hold 0: not stated.
struct AzureTimers {
  std::uint32_t hold_s = 0;
  std::uint32_t bfd_interval_ms = 0;  // 0: no BFD
  std::uint32_t bfd_multiplier = 0;
};

struct Policy {
  std::uint32_t local_as = 65515;
  RoutingPreference preference = RoutingPreference::ExpressRoute;
  std::vector<std::string> circuits;  // names; index = PeerRole::circuit
  std::vector<int> weights;           // connection weight per circuit (0..32000)
  std::uint64_t quiet_period_us = 5'000'000;
  std::size_t er_prefix_limit = 4000;   // private peering IPv4: 4,000 Standard, 10,000 Premium
  std::size_t er_ipv6_prefix_limit = 100;  // private peering IPv6
  std::size_t vpn_prefix_limit = 4000;  // per VPN BGP peer
  bool azure_limits = true;             // false: Azure's prefix limits are not applied (maximum-prefix still is)
  std::vector<VnetModel> vnets;         // empty: no VNet model (every prefix is a gateway route)
  AzureTimers azure_timers[2];          // by Gateway: ExpressRoute, Vpn
  // Bounded history (analyzer `history events N episodes N`): changes and closed episodes kept.
  std::size_t history_events = 2'000'000;  // 48 bytes each: ~96 MB
  std::size_t history_episodes = 10'000;   // ~1 KB each
};

}  // namespace bgpfa::analyzer
