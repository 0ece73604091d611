// Azure's own routing tables as the az CLI prints them (--output json), read with their
// positions:
// - `az network express-route list-route-tables --path primary|secondary --peering-name
//   AzurePrivatePeering`: the circuit's route table on one Microsoft edge router, entries
//   {network, nextHop, locPrf, weight, path} (ExpressRouteCircuitRoutesTable);
// - `az network nic show-effective-route-table`: the routes a NIC's subnet applies, entries
//   {addressPrefix[], nextHopIpAddress[], nextHopType, source, state, name,
//   disableBgpRoutePropagation} (EffectiveRoute).
// Both come as {"nextLink": ..., "value": [...]} or, with --query value, as the bare array;
// member names are matched without case, so PowerShell's ConvertTo-Json output reads too.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::azure {

struct Where {
  std::string file;
  std::uint32_t line = 0, column = 0;
  [[nodiscard]] std::string str() const;  // "file:line:column"
};

struct ErRoute {
  wire::Prefix network;
  std::string next_hop;              // as printed ("" for the edge router's own)
  std::vector<std::uint32_t> path;   // AS numbers in order (AS_SET braces dropped)
  std::string path_text;             // as printed
  std::string loc_prf;               // as printed ("" when not set)
  std::int64_t weight = 0;
  Where at;
};

struct EffectiveRoute {
  std::vector<wire::Prefix> prefixes;
  std::vector<wire::IpAddress> next_hops;
  std::string next_hop_type;  // VirtualNetworkGateway, VnetLocal, VNetPeering, Internet, None, VirtualAppliance, ...
  std::string source;         // Default, VirtualNetworkGateway, User, Unknown
  bool active = true;         // state Active (else Invalid)
  std::string name;           // a user route's name
  Where at;
};

enum class TableKind : std::uint8_t { ExpressRoute, Effective };

struct Table {
  TableKind kind = TableKind::ExpressRoute;
  std::string file;
  std::vector<ErRoute> er;
  std::vector<EffectiveRoute> effective;
};

// Reads FILE as the given kind. The error names file:line:column and what was expected (a JSON
// syntax error, a missing or mistyped member, a prefix or address that does not parse, or a file
// of the other kind).
[[nodiscard]] std::variant<Table, std::string> read_table(const std::string& file, TableKind kind);
[[nodiscard]] std::variant<Table, std::string> parse_table(const std::string& text, const std::string& file, TableKind kind);

}  // namespace bgpfa::azure
