#include "analyzer/prefix_limits.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

bool PrefixLimits::exceeded(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) noexcept {
  const bool er = role.gateway == Gateway::ExpressRoute;
  if (policy.azure_limits && (er ? v4 > policy.er_prefix_limit || v6 > policy.er_ipv6_prefix_limit : v4 + v6 > policy.vpn_prefix_limit))
    return true;
  return role.max_prefixes && v4 + v6 > role.max_prefixes;
}

std::string PrefixLimits::over(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) {
  const bool er = role.gateway == Gateway::ExpressRoute;
  if (policy.azure_limits && er && v4 > policy.er_prefix_limit)
    return fmt::format("{} IPv4 prefixes, above Azure's ExpressRoute limit of {}", v4, policy.er_prefix_limit);
  if (policy.azure_limits && er && v6 > policy.er_ipv6_prefix_limit)
    return fmt::format("{} IPv6 prefixes, above Azure's ExpressRoute limit of {}", v6, policy.er_ipv6_prefix_limit);
  if (policy.azure_limits && !er && v4 + v6 > policy.vpn_prefix_limit)
    return fmt::format("{} prefixes, above Azure's limit of {} per VPN BGP peer", v4 + v6, policy.vpn_prefix_limit);
  if (role.max_prefixes && v4 + v6 > role.max_prefixes)
    return fmt::format("{} prefixes, above its maximum-prefix {}", v4 + v6, role.max_prefixes);
  return {};
}

}  // namespace bgpfa::analyzer
