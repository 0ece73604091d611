// Azure's prefix limits per BGP session (expressroute-routing#route-aggregation-and-prefix-
// limits, VPN gateway FAQ) and a neighbour's maximum-prefix: above them Azure drops the session,
// and its routes stop counting until the peer is back under the limit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/policy.hpp"
#include "analyzer/roles.hpp"

namespace bgpfa::analyzer {

class PrefixLimits {
 public:
  explicit PrefixLimits(std::size_t peers) : dropped_(peers, 0) {}
  // Why a session holding `v4` IPv4 and `v6` IPv6 routes is over its limit ("" when it is not).
  [[nodiscard]] static std::string over(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6);
  // Whether it is over (over() is not ""), without the text: asked after every route, while the
  // text is only needed when the answer changes (a full table over a limit formatted it per route).
  [[nodiscard]] static bool exceeded(const Policy& policy, const PeerRole& role, std::size_t v4, std::size_t v6) noexcept;

  void add_peer() { dropped_.push_back(0); }
  [[nodiscard]] bool dropped(std::size_t peer) const { return dropped_[peer] != 0; }
  void set_dropped(std::size_t peer, bool on) { dropped_[peer] = on ? 1 : 0; }
  // Per peer, non-zero while dropped (AzureRules::decide's input).
  [[nodiscard]] const std::vector<std::uint8_t>& flags() const noexcept { return dropped_; }

 private:
  std::vector<std::uint8_t> dropped_;
};

}  // namespace bgpfa::analyzer
