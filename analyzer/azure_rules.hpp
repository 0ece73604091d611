// Azure's routing rules for one prefix (DESIGN.md "Routing rules"): each gateway's best route,
// and the set of sessions that carry its traffic, interned. Knows the topology, not the table.
#pragma once
#include <cstdint>
#include <vector>

#include "analyzer/active_path.hpp"
#include "analyzer/path_sets.hpp"
#include "analyzer/report.hpp"
#include "analyzer/topology.hpp"
#include "rib/decision.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::analyzer {

struct Decision {
  ActivePath active;
  rib::LocRibBest best[2];  // per gateway (kEr, kVpn), into the entry's routes
};

class AzureRules {
 public:
  explicit AzureRules(const Topology& topology) : topo_(topology) {}
  AzureRules(const AzureRules&) = delete;
  AzureRules& operator=(const AzureRules&) = delete;

  // `dropped`: per peer, non-zero while Azure counts the session as dropped at a prefix limit
  // (its routes do not count). `default_route`: the entry is 0.0.0.0/0 or ::/0.
  [[nodiscard]] Decision decide(const rib::PrefixEntry& e, bool default_route, const std::vector<std::uint8_t>& dropped) const;
  [[nodiscard]] rib::Candidate candidate(const rib::Route& r) const;

  // The summaries of an interned set (ActivePath::vpn_instances, circuit, circuit_count).
  void summarise(ActivePath& p) const;
  [[nodiscard]] ActivePath active_of(std::uint32_t state) const {
    ActivePath p = unpack(state);
    summarise(p);
    return p;
  }
  [[nodiscard]] std::vector<CarryingPath> carrying(std::uint32_t set) const;
  [[nodiscard]] std::size_t set_count() const noexcept { return sets_.size(); }

 private:
  [[nodiscard]] std::uint32_t intern_set(const std::vector<std::uint16_t>& peers) const;

  const Topology& topo_;
  mutable PathSets sets_;  // decide() interns (what-if's sets too)
  mutable std::vector<std::uint16_t> carry_scratch_[2];
  mutable std::vector<std::uint32_t> single_sets_;  // per peer: the id of {peer}
};

}  // namespace bgpfa::analyzer
