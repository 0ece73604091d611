#include "analyzer/findings.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpfa::analyzer {

using rib::PrefixEntry;
using rib::PrefixKey;

SortedEntries sorted_entries(const rib::RouteTable& table, const PrefixKey* within) {
  SortedEntries sorted;
  if (!within) sorted.reserve(table.prefixes());
  table.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    if (!within || within->covers(p)) sorted.emplace_back(p, &e);
  });
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

namespace {

// For each entry of `sorted` (prefix order), the index of its longest strict cover in `sorted`
// (-1: none). A cover sorts before what it covers, so one pass with a stack per family finds
// them all: the cover chains that longest_covering() walked with up to 32 (128) hash lookups
// per prefix and level are one index away.
std::vector<std::int32_t> cover_parents(const SortedEntries& sorted) {
  std::vector<std::int32_t> parent(sorted.size(), -1);
  std::vector<std::int32_t> stack[2];
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const PrefixKey& p = sorted[i].first;
    auto& st = stack[p.v6 ? 1 : 0];
    while (!st.empty() && !sorted[static_cast<std::size_t>(st.back())].first.covers(p)) st.pop_back();
    if (!st.empty()) parent[i] = st.back();
    st.push_back(static_cast<std::int32_t>(i));
  }
  return parent;
}

// A less specific route on `link` of `circuit` covers entry i.
bool covered_on_link(const SortedEntries& sorted, const std::vector<std::int32_t>& parent,
                     const std::vector<PeerRole>& roles, std::size_t i, int circuit, Link link) {
  for (std::int32_t c = parent[i]; c >= 0; c = parent[static_cast<std::size_t>(c)]) {
    for (const auto& r : sorted[static_cast<std::size_t>(c)].second->routes) {
      const PeerRole& role = roles[r.peer];
      if (role.gateway == Gateway::ExpressRoute && role.circuit == circuit && role.link == link) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Finding> scan_findings(const Topology& topo, const rib::RouteTable& table, const SortedEntries& sorted,
                                  const std::vector<PeerSummary>& stats, const PrefixLimits& limits) {
  const Policy& policy = topo.policy();
  const std::vector<PeerRole>& roles = topo.peers();
  std::vector<Finding> out;
  auto gateway_has = [&](const PrefixEntry* e, Gateway g) {
    return e && !e->routes.empty() && e->best[g == Gateway::Vpn ? kVpn : kEr].index != rib::kNoBest;
  };
  // 1. VPN more specific than ExpressRoute: ExpressRoute is bypassed for that range.
  const std::vector<std::int32_t> parent = cover_parents(sorted);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& [p, e] = sorted[i];
    if (!gateway_has(e, Gateway::Vpn) || gateway_has(e, Gateway::ExpressRoute)) continue;
    for (std::int32_t ci = parent[i]; ci >= 0; ci = parent[static_cast<std::size_t>(ci)]) {
      const auto& [ck, ce] = sorted[static_cast<std::size_t>(ci)];
      if (!gateway_has(ce, Gateway::ExpressRoute)) continue;
      const PrefixKey* c = &ck;
      out.push_back({"vpn-more-specific", "warning",
                     fmt::format("VPN advertises a more specific prefix than ExpressRoute: ExpressRoute is bypassed for {} "
                                 "(ExpressRoute carries {})",
                                 wire::to_string(p.to_prefix()), wire::to_string(c->to_prefix())),
                     {p.to_prefix()}});
      break;
    }
  }
  // 2./3. Per circuit: prefixes on one link only, and links that differ (one pass over the table).
  const std::size_t nc = policy.circuits.size();
  std::vector<int> links_configured(nc, 0);
  for (const auto& r : roles)
    if (r.gateway == Gateway::ExpressRoute && r.circuit >= 0) links_configured[static_cast<std::size_t>(r.circuit)] |= r.link == Link::Primary ? 1 : 2;
  std::vector<Finding> single(nc, Finding{"single-link", "warning", "", {}}), unequal(nc, Finding{"unequal-links", "warning", "", {}});
  std::vector<std::size_t> prepended(nc, 0);
  std::vector<const rib::AttrSet*> link_best(2 * nc);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& [p, e] = sorted[i];
    if (e->routes.empty()) continue;
    // A VNet's own or peered address space: its system route carries it whatever BGP says, so
    // the links' redundancy does not matter for it (the vnet-prefix finding names it).
    if (topo.system_route(p, topo.hub())) continue;
    std::fill(link_best.begin(), link_best.end(), nullptr);
    for (const auto& route : e->routes) {
      const PeerRole& role = roles[route.peer];
      if (role.gateway != Gateway::ExpressRoute || role.circuit < 0) continue;
      auto& slot = link_best[2 * static_cast<std::size_t>(role.circuit) + (role.link == Link::Primary ? 0 : 1)];
      if (!slot) slot = route.attrs.get();
    }
    for (std::size_t c = 0; c < nc; ++c) {
      const rib::AttrSet* a = link_best[2 * c];
      const rib::AttrSet* b = link_best[2 * c + 1];
      if (!a && !b) continue;
      if (!a || !b) {
        // A less specific route on the other link still carries the traffic if this one fails.
        if (links_configured[c] == 3 && !covered_on_link(sorted, parent, roles, i, static_cast<int>(c), a ? Link::Secondary : Link::Primary))
          single[c].prefixes.push_back(p.to_prefix());
      } else if (a->as_path_length != b->as_path_length) {  // Azure's criterion between links
        unequal[c].prefixes.push_back(p.to_prefix());
        prepended[c] += (a->prepended || b->prepended) ? 1 : 0;
      }
    }
  }
  for (std::size_t c = 0; c < nc; ++c) {
    const std::string& name = policy.circuits[c];
    if (!single[c].prefixes.empty()) {
      single[c].message = fmt::format("{} prefix(es) reachable over only one link of circuit {}: no redundancy (e.g. {})",
                                      single[c].prefixes.size(), name, wire::to_string(single[c].prefixes.front()));
      out.push_back(std::move(single[c]));
    }
    if (!unequal[c].prefixes.empty()) {
      const bool intent = prepended[c] == unequal[c].prefixes.size();
      unequal[c].severity = intent ? "info" : "warning";
      unequal[c].message = fmt::format("{} prefix(es) differ between the links of circuit {} (one link passive){} (e.g. {})",
                                       unequal[c].prefixes.size(), name,
                                       intent ? ": AS-path prepending, likely intended" : " without AS-path prepending",
                                       wire::to_string(unequal[c].prefixes.front()));
      out.push_back(std::move(unequal[c]));
    }
  }
  // 5. A BGP prefix equal to a VNet's address space is filtered (virtual-network-udr-overview):
  //    the VNet's system route carries it.
  for (const auto& v : policy.vnets) {
    for (const auto& space : v.address_space) {
      const PrefixEntry* e = table.find(PrefixKey::from(space));
      if (!e || e->routes.empty()) continue;
      out.push_back({"vnet-prefix-advertised", "warning",
                     fmt::format("{} is advertised over BGP by {} but is VNet {}'s address space: Azure filters it and "
                                 "the VNet's system route carries it",
                                 wire::to_string(space), stats[e->routes.front().peer].address, v.name),
                     {space}});
    }
  }
  // 4. Azure's prefix limits per BGP peer: the session is dropped while above them.
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (!stats[i].limit_drops) continue;
    const bool now = limits.dropped(i);
    out.push_back({"prefix-limit", "error",
                   fmt::format("peer {} ({}) advertised up to {} prefixes, above its limit (Azure: 4,000 IPv4 / 10,000 "
                               "Premium / 100 IPv6 on ExpressRoute, 4,000 per VPN BGP peer): the session was dropped {} "
                               "time(s){}",
                               stats[i].address, stats[i].role, stats[i].max_prefixes,
                               stats[i].limit_drops, now ? " and is down now; its routes do not count" : ""),
                   {}});
  }
  return out;
}


}  // namespace bgpfa::analyzer
