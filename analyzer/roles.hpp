// Who each peer is: which gateway, circuit and link (or VPN instance) its routes belong to.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::analyzer {

enum class Gateway : std::uint8_t { ExpressRoute, Vpn };
enum class Link : std::uint8_t { Primary, Secondary };

struct PeerRole {
  wire::IpAddress address;
  std::uint32_t asn = 0;
  std::string description;
  Gateway gateway = Gateway::ExpressRoute;
  int circuit = -1;  // index into Policy::circuits (ExpressRoute)
  Link link = Link::Primary;
  int vpn_instance = 0;

  [[nodiscard]] std::string label(const std::vector<std::string>& circuits) const;  // "er1 primary", "vpn 0"
};

}  // namespace bgpfa::analyzer
