#include "analyzer/prefix_limits.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

namespace {

// The first limit a session is over, in the order Azure's documentation lists them: the rule
// once, for both the question after every route (exceeded) and the text when it changes (over).
enum class Limit { None, ErIpv4, ErIpv6, Vpn, MaxPrefix };

Limit first_exceeded(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) noexcept {
  const bool er = role.gateway == Gateway::ExpressRoute;
  if (policy.azure_limits && er && v4 > policy.er_prefix_limit) return Limit::ErIpv4;
  if (policy.azure_limits && er && v6 > policy.er_ipv6_prefix_limit) return Limit::ErIpv6;
  if (policy.azure_limits && !er && v4 + v6 > policy.vpn_prefix_limit) return Limit::Vpn;
  if (role.max_prefixes && v4 + v6 > role.max_prefixes) return Limit::MaxPrefix;
  return Limit::None;
}

}  // namespace

bool PrefixLimits::exceeded(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) noexcept {
  return first_exceeded(policy, role, v4, v6) != Limit::None;
}

std::string PrefixLimits::over(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) {
  switch (first_exceeded(policy, role, v4, v6)) {
    case Limit::ErIpv4: return fmt::format("{} IPv4 prefixes, above Azure's ExpressRoute limit of {}", v4, policy.er_prefix_limit);
    case Limit::ErIpv6:
      return fmt::format("{} IPv6 prefixes, above Azure's ExpressRoute limit of {}", v6, policy.er_ipv6_prefix_limit);
    case Limit::Vpn: return fmt::format("{} prefixes, above Azure's limit of {} per VPN BGP peer", v4 + v6, policy.vpn_prefix_limit);
    case Limit::MaxPrefix: return fmt::format("{} prefixes, above its maximum-prefix {}", v4 + v6, role.max_prefixes);
    case Limit::None: break;
  }
  return {};
}

}  // namespace bgpfa::analyzer
