// `bgpfa compare-azure -c CONF [--er-table CIRCUIT:LINK=FILE]... [--effective-routes [VNET=]FILE]...
// DUMP...`: replays the dumps with the configuration, then lists where Azure's own tables (the
// az CLI's JSON) and bgpfa's answer at the end of the dumps differ. Exit 0: no difference, 1:
// differences, 2: bad input (JSON errors name file:line:column).
#pragma once
#include <string>
#include <vector>

namespace bgpfa::app {

struct CompareAzureOptions {
  std::string config;
  std::vector<std::string> dumps;
  std::vector<std::string> er_tables;         // "er1:primary=FILE"
  std::vector<std::string> effective_routes;  // "FILE" (the hub) or "VNET=FILE"
  std::vector<std::string> next_hops;         // "ADDRESS=er1 primary" / "ADDRESS=vpn 0"
  bool json = false;
  bool quiet = false;
};

[[nodiscard]] int run_compare_azure(const CompareAzureOptions& opt);

}  // namespace bgpfa::app
