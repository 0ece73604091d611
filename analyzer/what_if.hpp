// What-if: the carrying paths as they would be without some sessions' routes, computed aside
// (nothing in the analyzer changes), and an episode's prediction judged against its outcome.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "analyzer/azure_rules.hpp"
#include "analyzer/prefix_limits.hpp"
#include "analyzer/report.hpp"
#include "analyzer/topology.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::analyzer {

// Prefix counts per (before kind, after kind), named "er-primary->vpn" once at the end rather
// than a string per prefix.
class TransitionCounts {
 public:
  void add(PathKind from, PathKind to) noexcept { ++n_[static_cast<int>(from)][static_cast<int>(to)]; }
  void into(std::map<std::string, std::size_t>& out) const;

 private:
  static constexpr int kKinds = static_cast<int>(PathKind::System) + 1;
  std::size_t n_[kKinds][kKinds] = {};
};

// `failed`: peer indexes whose routes are gone; longest-prefix fallback included.
[[nodiscard]] WhatIf what_if(const Topology& topo, const AzureRules& rules, const rib::RouteTable& table,
                             const PrefixLimits& limits, const std::vector<int>& failed);

// Two sessions' failures in sequence: `then`, made after `first`'s failure, applied on top of it
// (a prefix both change goes from first's before to then's after; one changed and back drops
// out). When nothing else changed between the two, this is what-if of both sessions at once.
[[nodiscard]] WhatIf then_fails(WhatIf first, const WhatIf& then);

// Prediction versus outcome: each predicted change against the prefix's path now, and how many
// of the episode's `changed` prefixes the prediction did not name.
void judge(Episode& ep, const WhatIf& predicted, const std::vector<rib::PrefixKey>& changed, const rib::RouteTable& table,
           const AzureRules& rules);

}  // namespace bgpfa::analyzer
