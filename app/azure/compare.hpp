// Azure's own tables against bgpfa's answer for the same moment (the end of a replay):
// - an ExpressRoute circuit route table (one edge router: a circuit's primary or secondary link)
//   against the routes bgpfa holds from that link's sessions;
// - a NIC's effective routes (a VNet's view) against the carrying paths bgpfa decides for that
//   VNet, next hops mapped to configured peers and VPN gateway instances.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/azure/tables.hpp"
#include "app/config/model.hpp"

namespace bgpfa::azure {

struct ErTableInput {
  int circuit = 0;  // index into Policy::circuits
  analyzer::Link link = analyzer::Link::Primary;
  Table table;
};

struct EffectiveInput {
  int vnet = -1;  // -1: no VNet model (the gateways' view)
  std::string vnet_name;
  Table table;
};

struct Difference {
  std::string kind;   // only-in-azure, only-in-bgpfa, as-path, next-hop, route-type
  std::string table;  // "er1 primary" or "effective routes of hub"
  std::string file;   // the Azure table's file
  std::uint32_t line = 0, column = 0;  // Azure's entry (0: Azure has none)
  wire::Prefix prefix;
  std::string azure, bgpfa;  // each side's answer, in words
};

struct Comparison {
  std::vector<Difference> differences;  // by table, then prefix
  std::size_t compared = 0;              // prefixes looked at, both sides
  std::size_t agreed = 0;
  std::map<std::string, std::size_t> not_modelled;  // Azure routes bgpfa does not model, by type
  std::vector<std::string> notes;
};

// Extra next-hop addresses: an address Azure shows (e.g. an edge router's internal address)
// to the carrying-path label it stands for ("er1 primary", "vpn 0").
using NextHopMap = std::map<std::string, std::string>;  // wire::to_string(address) -> label

[[nodiscard]] Comparison compare(const analyzer::Analyzer& a, const config::Config& c, const std::vector<ErTableInput>& er,
                                 const std::vector<EffectiveInput>& effective, const NextHopMap& extra);

// "er1 primary" / "vpn 1": a carrying-path label as compare() uses them; "" when `text` names
// no configured circuit link or VPN instance.
[[nodiscard]] std::string parse_label(const analyzer::Analyzer& a, const std::string& text);

}  // namespace bgpfa::azure
