// A prefix's row as reports and the API show it: its carrying paths and each gateway's best
// route with the reason that decided. AS-path texts are cached per interned attribute set for
// the builder's life (build one per report or slice: sets freed later may reuse an address).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "analyzer/azure_rules.hpp"
#include "analyzer/report.hpp"
#include "analyzer/topology.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::analyzer {

class RowBuilder {
 public:
  RowBuilder(const Topology& topo, const AzureRules& rules, const rib::RouteTable& table)
      : topo_(topo), rules_(rules), table_(table) {}
  [[nodiscard]] PrefixRow row(const rib::PrefixKey& p, const rib::PrefixEntry& e);
  // A key the table no longer holds gets a row without a path.
  [[nodiscard]] PrefixRow row(const rib::PrefixKey& p);
  // The same row written over `r`, whose strings keep their capacity (a gateway's best that
  // goes away is kept aside for the next row that has one): no allocation per row once warm.
  void row_into(PrefixRow& r, const rib::PrefixKey& p, const rib::PrefixEntry& e);

 private:
  [[nodiscard]] GatewayBest describe_best(const rib::PrefixEntry& e, const rib::LocRibBest& b, std::size_t n);
  void describe_best_into(GatewayBest& g, const rib::PrefixEntry& e, const rib::LocRibBest& b, std::size_t n);
  // `slot` holds that gateway's best when `b` names one; else its value is kept in `spare`.
  void best_slot(std::optional<GatewayBest>& slot, GatewayBest& spare, const rib::PrefixEntry& e, const rib::LocRibBest& b,
                 std::size_t n);
  [[nodiscard]] const std::string& as_path_text(const rib::AttrSet* s);
  struct PeerText {
    std::string address, role;  // "192.0.2.1", "er1 primary"
  };
  [[nodiscard]] const PeerText& peer_text(std::uint16_t peer);  // cached per peer, like as_path_text

  const Topology& topo_;
  const AzureRules& rules_;
  const rib::RouteTable& table_;
  absl::flat_hash_map<const rib::AttrSet*, std::string> path_text_;
  std::vector<PeerText> peer_text_;
  GatewayBest spare_[2];  // row_into: the strings of bests a row did not have
};

// The first `n` keys in prefix order after `after` (none: from the first), inside `within`
// when set, each with its entry: one pass over the table, so that one pass serves a whole slice
// of a stream. The entries stay valid while table.generation() is what it was.
using KeyedEntry = std::pair<rib::PrefixKey, const rib::PrefixEntry*>;
[[nodiscard]] std::vector<KeyedEntry> entries_after(const rib::RouteTable& table, const std::optional<rib::PrefixKey>& after,
                                                    std::size_t n, const std::optional<rib::PrefixKey>& within);

}  // namespace bgpfa::analyzer
