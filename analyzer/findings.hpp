// Findings: configurations where Azure's answer is not what the operator likely meant (VPN more
// specific than ExpressRoute, one link only, unequal links, BGP prefixes a VNet filters, sessions
// dropped at a prefix limit). Read-only over the table.
#pragma once
#include <utility>
#include <vector>

#include "analyzer/prefix_limits.hpp"
#include "analyzer/report.hpp"
#include "analyzer/topology.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::analyzer {

using SortedEntries = std::vector<std::pair<rib::PrefixKey, const rib::PrefixEntry*>>;
// The table's entries in prefix order (inside `within` when set).
[[nodiscard]] SortedEntries sorted_entries(const rib::RouteTable& table, const rib::PrefixKey* within = nullptr);

// `sorted`: the whole table (sorted_entries() without `within`): covers are found in it.
[[nodiscard]] std::vector<Finding> scan_findings(const Topology& topo, const rib::RouteTable& table, const SortedEntries& sorted,
                                                 const std::vector<PeerSummary>& peers, const PrefixLimits& limits);

}  // namespace bgpfa::analyzer
