#include "app/cli/compare_azure.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "app/azure/compare.hpp"
#include "app/cli/replay.hpp"
#include "app/config/model.hpp"
#include "app/render/json_text.hpp"

namespace bgpfa::app {

namespace {

struct Spec {
  std::string name;  // before '=' ("" when none)
  std::string file;
};

Spec split_spec(const std::string& s) {
  const auto eq = s.find('=');
  if (eq == std::string::npos) return {"", s};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

std::string kind_words(const std::string& k) {
  if (k == "only-in-azure") return "only in Azure";
  if (k == "only-in-bgpfa") return "only in bgpfa";
  if (k == "as-path") return "AS path differs";
  if (k == "next-hop") return "next hops differ";
  if (k == "route-type") return "route type differs";
  return k;
}

std::string text_of(const azure::Comparison& c) {
  std::string out;
  std::map<std::string, std::size_t> by_kind;
  for (const auto& d : c.differences) {
    ++by_kind[d.kind];
    const std::string where = d.line ? fmt::format("{}:{}:{}", d.file, d.line, d.column) : d.file;
    out += fmt::format("{}: {}: {}: {}: Azure: {}; bgpfa: {}\n", where, d.table, wire::to_string(d.prefix), kind_words(d.kind),
                       d.azure, d.bgpfa);
  }
  for (const auto& n : c.notes) out += fmt::format("note: {}\n", n);
  std::string kinds;
  for (const auto& [k, n] : by_kind) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", n, kind_words(k));
  std::size_t skipped = 0;
  std::string skipped_by;
  for (const auto& [k, n] : c.not_modelled) {
    skipped += n;
    skipped_by += fmt::format("{}{} {}", skipped_by.empty() ? "" : ", ", k, n);
  }
  const std::string tail = fmt::format("{} prefixes compared, {} agree{}", c.compared, c.agreed,
                                       skipped ? fmt::format("; {} Azure routes not modelled ({})", skipped, skipped_by) : "");
  if (c.differences.empty()) out += fmt::format("compare-azure: no differences: {}\n", tail);
  else out += fmt::format("compare-azure: {} difference{} ({}): {}\n", c.differences.size(), c.differences.size() == 1 ? "" : "s", kinds, tail);
  return out;
}

std::string json_of(const azure::Comparison& c) {
  std::string out = "{\"differences\":[";
  std::map<std::string, std::size_t> by_kind;
  for (std::size_t i = 0; i < c.differences.size(); ++i) {
    const auto& d = c.differences[i];
    ++by_kind[d.kind];
    if (i) out += ',';
    out += fmt::format("{{\"kind\":{},\"table\":{},\"file\":{},", json_quote(d.kind), json_quote(d.table), json_quote(d.file));
    if (d.line) out += fmt::format("\"line\":{},\"column\":{},", d.line, d.column);
    out += fmt::format("\"prefix\":{},\"azure\":{},\"bgpfa\":{}}}", json_quote(wire::to_string(d.prefix)), json_quote(d.azure),
                       json_quote(d.bgpfa));
  }
  out += fmt::format("],\"summary\":{{\"differences\":{},\"compared\":{},\"agreed\":{},\"by_kind\":{{", c.differences.size(),
                     c.compared, c.agreed);
  bool first = true;
  for (const auto& [k, n] : by_kind) {
    out += fmt::format("{}{}:{}", first ? "" : ",", json_quote(k), n);
    first = false;
  }
  out += "},\"not_modelled\":{";
  first = true;
  for (const auto& [k, n] : c.not_modelled) {
    out += fmt::format("{}{}:{}", first ? "" : ",", json_quote(k), n);
    first = false;
  }
  out += "}},\"notes\":[";
  for (std::size_t i = 0; i < c.notes.size(); ++i) {
    if (i) out += ',';
    out += json_quote(c.notes[i]);
  }
  out += "]}\n";
  return out;
}

}  // namespace

int run_compare_azure(const CompareAzureOptions& opt) {
  if (opt.er_tables.empty() && opt.effective_routes.empty()) {
    fmt::print(stderr, "bgpfa: error: compare-azure needs at least one Azure table: --er-table CIRCUIT:LINK=FILE or "
                       "--effective-routes [VNET=]FILE\n");
    return 2;
  }
  // The Azure side first: a bad file is reported before minutes of replay.
  struct ErSpec {
    std::string circuit, link;
    azure::Table table;
  };
  std::vector<ErSpec> er;
  for (const auto& s : opt.er_tables) {
    const Spec sp = split_spec(s);
    const auto colon = sp.name.find(':');
    if (sp.name.empty() || colon == std::string::npos) {
      fmt::print(stderr, "bgpfa: error: --er-table {}: expected CIRCUIT:LINK=FILE, e.g. er1:primary=er1-primary.json\n", s);
      return 2;
    }
    ErSpec e{sp.name.substr(0, colon), sp.name.substr(colon + 1), {}};
    if (e.link != "primary" && e.link != "secondary") {
      fmt::print(stderr, "bgpfa: error: --er-table {}: the link is primary or secondary, not \"{}\"\n", s, e.link);
      return 2;
    }
    auto t = azure::read_table(sp.file, azure::TableKind::ExpressRoute);
    if (const auto* err = std::get_if<std::string>(&t)) {
      fmt::print(stderr, "bgpfa: error: {}\n", *err);
      return 2;
    }
    e.table = std::move(std::get<azure::Table>(t));
    er.push_back(std::move(e));
  }
  std::vector<std::pair<std::string, azure::Table>> eff;
  for (const auto& s : opt.effective_routes) {
    const Spec sp = split_spec(s);
    auto t = azure::read_table(sp.file, azure::TableKind::Effective);
    if (const auto* err = std::get_if<std::string>(&t)) {
      fmt::print(stderr, "bgpfa: error: {}\n", *err);
      return 2;
    }
    eff.emplace_back(sp.name, std::move(std::get<azure::Table>(t)));
  }
  std::vector<std::pair<std::string, std::string>> hops;  // address text, label
  for (const auto& s : opt.next_hops) {
    const Spec sp = split_spec(s);
    const auto a = wire::parse_address(sp.name);
    if (sp.name.empty() || !a) {
      fmt::print(stderr, "bgpfa: error: --next-hop {}: expected ADDRESS=LABEL, e.g. 10.3.129.68=\"er1 primary\"\n", s);
      return 2;
    }
    hops.emplace_back(wire::to_string(*a), sp.file);
  }

  int result = 2;
  std::string output;  // printed once the replay is known to have read every record
  ReplayOptions r;
  r.config = opt.config;
  r.dumps = opt.dumps;
  r.report = "none";
  r.quiet = opt.quiet;
  r.then = [&](analyzer::Analyzer& a) -> int {
    std::vector<azure::ErTableInput> er_in;
    const auto& circuits = a.policy().circuits;
    for (auto& e : er) {
      const auto it = std::find(circuits.begin(), circuits.end(), e.circuit);
      if (it == circuits.end()) {
        fmt::print(stderr, "bgpfa: error: --er-table {}:{}: no circuit \"{}\" in the configuration\n", e.circuit, e.link, e.circuit);
        return 2;
      }
      er_in.push_back({static_cast<int>(it - circuits.begin()), e.link == "primary" ? analyzer::Link::Primary : analyzer::Link::Secondary,
                       std::move(e.table)});
    }
    std::vector<azure::EffectiveInput> eff_in;
    const auto& vnets = a.policy().vnets;
    for (auto& [name, table] : eff) {
      azure::EffectiveInput in;
      if (!name.empty()) {
        in.vnet = a.vnet_index(name);
        if (in.vnet < 0) {
          fmt::print(stderr, "bgpfa: error: --effective-routes {}={}: no vnet \"{}\" in the configuration\n", name, table.file, name);
          return 2;
        }
      } else {  // the hub (the VNet holding the gateways), when VNets are configured
        for (std::size_t i = 0; i < vnets.size(); ++i)
          if (vnets[i].hub) in.vnet = static_cast<int>(i);
      }
      if (in.vnet >= 0) in.vnet_name = vnets[static_cast<std::size_t>(in.vnet)].name;
      in.table = std::move(table);
      eff_in.push_back(std::move(in));
    }
    azure::NextHopMap extra;
    for (const auto& [addr, label] : hops) {
      if (azure::parse_label(a, label).empty()) {
        fmt::print(stderr, "bgpfa: error: --next-hop {}={}: expected \"CIRCUIT primary|secondary\" of a configured circuit, or \"vpn 0|1\"\n",
                   addr, label);
        return 2;
      }
      extra[addr] = label;
    }
    const auto cfg = config::load_config(opt.config);  // already checked by the replay
    const auto c = azure::compare(a, cfg.config, er_in, eff_in, extra);
    output = opt.json ? json_of(c) : text_of(c);
    result = c.differences.empty() ? 0 : 1;
    return 0;
  };
  const int status = run_replay(r);
  if (status != 0) {
    if (status == 1 && result != 2)
      fmt::print(stderr, "bgpfa: error: the dumps have damaged records (above): bgpfa's answer is not of the whole input, "
                         "nothing compared\n");
    return 2;
  }
  fmt::print("{}", output);
  return result;
}

}  // namespace bgpfa::app
