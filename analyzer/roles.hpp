// Who each peer is: which gateway, circuit and link (or VPN instance) its routes belong to.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::analyzer {

enum class Gateway : std::uint8_t { ExpressRoute, Vpn };
enum class Link : std::uint8_t { Primary, Secondary };

// One BGP session of a gateway: (gateway-side address, peer address). The documented
// active-active VPN set-up has one on-premises address peering with both instances' addresses:
// two sessions, two roles, the same `address`.
struct PeerRole {
  wire::IpAddress address;
  std::optional<wire::IpAddress> local;  // the gateway side's address; unset: any (matched by `address` alone)
  std::uint32_t asn = 0;
  std::string description;
  Gateway gateway = Gateway::ExpressRoute;
  int circuit = -1;  // index into Policy::circuits (ExpressRoute)
  Link link = Link::Primary;
  int vpn_instance = 0;
  bool static_site = false;        // VPN: a site without BGP; its routes are configured (install_static)
  bool vnet_to_vnet = false;       // VPN: the peer is another VNet's gateway (no default route over it)
  std::string site;                // VPN: the local network gateway (site) this peer belongs to; "" = its own
  std::uint32_t max_prefixes = 0;
  // BFD (neighbor X bfd): its interval and multiplier bound a BFD-detected failure; 0: no BFD.
  std::uint32_t bfd_interval_us = 0;
  std::uint8_t bfd_multiplier = 0;  // neighbor X maximum-prefix: above it the session is dropped (0: none)

  [[nodiscard]] std::string label(const std::vector<std::string>& circuits) const;  // "er1 primary", "vpn 0", "vpn 1 site hq"
  [[nodiscard]] std::string site_name() const;  // the site, or the peer address when it is its own
};

}  // namespace bgpfa::analyzer
