#include "app/azure/compare.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "app/azure/json.hpp"

namespace bgpfa::azure {

namespace {

using analyzer::Analyzer;
using analyzer::Gateway;
using analyzer::Link;
using analyzer::PathKind;
using analyzer::PeerRole;
using rib::PrefixKey;

constexpr std::uint32_t kMicrosoftAs = 12076;  // the edge routers (MSEE) of every circuit

std::string join(const std::set<std::string>& s, const char* sep) {
  std::string out;
  for (const auto& x : s) {
    if (!out.empty()) out += sep;
    out += x;
  }
  return out;
}

std::string path_text(const std::vector<std::uint32_t>& p) {
  if (p.empty()) return "(empty)";
  std::string out;
  for (const auto a : p) {
    if (!out.empty()) out += ' ';
    out += std::to_string(a);
  }
  return out;
}

std::vector<std::uint32_t> path_numbers(const std::string& text) {
  std::vector<std::uint32_t> out;
  std::uint64_t n = 0;
  bool in = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
      in = true;
    } else if (in) {
      out.push_back(static_cast<std::uint32_t>(n));
      n = 0;
      in = false;
    }
  }
  if (in) out.push_back(static_cast<std::uint32_t>(n));
  return out;
}

// Text from Azure's file (a route name, a next hop type) as is when plain ASCII, else quoted.
std::string plain(const std::string& s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return azure::quoted(s);
  return s;
}

// A difference in Azure's `table` (from `file`) for p, placed at Azure's entry when it has one
// (`azure->first`: the entry's first row).
template <class AzureEntry>
Difference difference_at(const std::string& table, const std::string& file, const PrefixKey& p, const AzureEntry* azure) {
  Difference d;
  d.table = table;
  d.file = file;
  d.prefix = p.to_prefix();
  if (azure) {
    d.line = azure->first->at.line;
    d.column = azure->first->at.column;
  }
  return d;
}

std::string link_name(Link l) { return l == Link::Primary ? "primary" : "secondary"; }

std::string role_label(const Analyzer& a, const PeerRole& r) {
  if (r.gateway == Gateway::Vpn) return fmt::format("vpn {}", r.vpn_instance);
  const auto& circuits = a.policy().circuits;
  const std::string name = r.circuit >= 0 && static_cast<std::size_t>(r.circuit) < circuits.size() ? circuits[r.circuit] : "?";
  return fmt::format("{} {}", name, link_name(r.link));
}

// What Azure's nextHopType stands for in bgpfa's terms.
enum class AzureKind { Gateway, System, Other };
AzureKind azure_kind(const EffectiveRoute& r) {
  if (r.next_hop_type == "VirtualNetworkGateway") return AzureKind::Gateway;
  // virtual-network/virtual-networks-udr-overview: the VNet's own address space (VnetLocal) and
  // peered VNets' (VNetPeering, VNetGlobalPeering) are system routes.
  if (r.next_hop_type == "VnetLocal" || r.next_hop_type == "VNetPeering" || r.next_hop_type == "VNetGlobalPeering")
    return AzureKind::System;
  return AzureKind::Other;
}

class Comparer {
 public:
  Comparer(const Analyzer& a, const config::Config& c, const NextHopMap& extra) : a_(a), c_(c), extra_(extra) {}

  void er_table(const ErTableInput& in, Comparison& out) {
    const std::string label = fmt::format("{} {}", a_.policy().circuits[static_cast<std::size_t>(in.circuit)], link_name(in.link));
    // bgpfa: the routes of the link's sessions (IPv4 and IPv6), as the edge router received them
    // from on-premises: without the 12076 it prepends towards the gateway. A session dropped at
    // a prefix limit has no routes in Azure (expressroute-routing#route-aggregation-and-prefix-limits).
    struct Ours {
      std::set<std::string> paths;     // as the edge router has them
      std::set<std::string> received;  // "12076 65100 from 192.0.2.1"
    };
    std::map<PrefixKey, Ours> ours;
    a_.table().for_each([&](const PrefixKey& p, const rib::PrefixEntry& e) {
      for (const auto& r : e.routes) {
        const PeerRole& role = a_.peers()[r.peer];
        if (role.gateway != Gateway::ExpressRoute || role.circuit != in.circuit || role.link != in.link) continue;
        if (a_.dropped_at_limit(r.peer)) continue;
        const std::string raw = r.attrs->as_path_text();
        auto path = path_numbers(raw);
        if (!path.empty() && path.front() == kMicrosoftAs) path.erase(path.begin());
        ours[p].paths.insert(path_text(path));
        ours[p].received.insert(fmt::format("{} from {}", raw, wire::to_string(role.address)));
      }
    });
    // Azure: the table also holds what the gateway advertises to the circuit (the VNets' own
    // prefixes, AS path starting with the gateway's AS 65515) and the edge router's own; only
    // what came from on-premises is bgpfa's to compare.
    struct Theirs {
      std::set<std::string> paths;
      std::set<std::string> next_hops;
      const ErRoute* first = nullptr;
    };
    std::map<PrefixKey, Theirs> theirs;
    for (const ErRoute& r : in.table.er) {
      if (r.path.empty() || r.path.front() == a_.policy().local_as) {
        ++out.not_modelled[r.path.empty() ? "edge router's own" : "advertised by the gateway (VNet prefixes)"];
        continue;
      }
      auto& t = theirs[PrefixKey::from(r.network)];
      t.paths.insert(path_text(r.path));
      if (!r.next_hop.empty()) t.next_hops.insert(plain(r.next_hop));
      if (!t.first) t.first = &r;
    }
    std::set<PrefixKey> all;
    for (const auto& [p, _] : ours) all.insert(p);
    for (const auto& [p, _] : theirs) all.insert(p);
    for (const PrefixKey& p : all) {
      ++out.compared;
      const auto o = ours.find(p);
      const auto t = theirs.find(p);
      Difference d = difference_at(label, in.table.file, p, t != theirs.end() ? &t->second : nullptr);
      if (t != theirs.end()) {
        d.azure = fmt::format("AS path {}{}", join(t->second.paths, " | "),
                              t->second.next_hops.empty() ? "" : ", next hop " + join(t->second.next_hops, ", "));
      }
      if (o != ours.end()) d.bgpfa = fmt::format("AS path {} (received as {})", join(o->second.paths, " | "), join(o->second.received, ", "));
      if (o == ours.end()) {
        d.kind = "only-in-azure";
        d.bgpfa = fmt::format("no route from {}", label);
      } else if (t == theirs.end()) {
        d.kind = "only-in-bgpfa";
        d.azure = fmt::format("not in the route table of {}", label);
      } else if (o->second.paths != t->second.paths) {
        d.kind = "as-path";
      } else {
        ++out.agreed;
        continue;
      }
      out.differences.push_back(std::move(d));
    }
  }

  void effective(const EffectiveInput& in, Comparison& out) {
    const std::string label = in.vnet_name.empty() ? "effective routes" : "effective routes of " + in.vnet_name;
    // Azure's active route per prefix (an ECMP route is one entry with several next hops).
    struct Theirs {
      AzureKind kind = AzureKind::Other;
      std::string type, source;
      std::vector<wire::IpAddress> hops;
      const EffectiveRoute* first = nullptr;
    };
    std::map<PrefixKey, Theirs> theirs;
    for (const EffectiveRoute& r : in.table.effective) {
      if (!r.active) continue;  // overridden (by a user route, a BGP route over a default one ...)
      for (const auto& pfx : r.prefixes) {
        auto& t = theirs[PrefixKey::from(pfx)];
        if (!t.first) {
          t.first = &r;
          t.kind = azure_kind(r);
          t.type = plain(r.next_hop_type);
          t.source = plain(r.source);
        }
        t.hops.insert(t.hops.end(), r.next_hops.begin(), r.next_hops.end());
      }
    }
    // bgpfa: each prefix's carrying paths as the VNet sees them (gateway transit or none).
    std::map<PrefixKey, analyzer::PrefixRow> ours;
    for (auto& row : a_.rows()) {
      const PrefixKey k = PrefixKey::from(row.prefix);
      row.active = a_.in_vnet(k, row.active, in.vnet);
      if (row.active.via_covering) continue;  // no route of its own: Azure lists none either
      if (row.active.kind == PathKind::None || row.active.kind == PathKind::System) continue;
      ours.emplace(k, std::move(row));
    }
    // bgpfa's system routes: the VNet's own address space and its peers'.
    std::map<PrefixKey, std::string> system;
    if (in.vnet >= 0) {
      for (const auto& sp : a_.system_spaces(in.vnet))
        system.emplace(PrefixKey::from(sp.prefix), fmt::format("{} ({})", sp.peered ? "VNetPeering" : "VnetLocal", sp.vnet));
    } else {
      out.notes.push_back(fmt::format("{}: no vnet in the configuration: VnetLocal and VNetPeering routes not compared", in.table.file));
    }

    std::set<PrefixKey> all;
    for (const auto& [p, _] : ours) all.insert(p);
    for (const auto& [p, _] : theirs) all.insert(p);
    for (const auto& [p, _] : system) all.insert(p);
    for (const PrefixKey& p : all) {
      const auto o = ours.find(p);
      const auto t = theirs.find(p);
      const auto s = system.find(p);
      Difference d = difference_at(label, in.table.file, p, t != theirs.end() ? &t->second : nullptr);
      const bool azure_gateway = t != theirs.end() && t->second.kind == AzureKind::Gateway;
      const bool azure_system = t != theirs.end() && t->second.kind == AzureKind::System;
      if (t != theirs.end() && t->second.kind == AzureKind::Other && o == ours.end()) {
        ++out.not_modelled[t->second.type.empty() ? "?" : t->second.type];  // (plain already)  // Internet, None, user routes ...
        continue;
      }
      if (azure_system && in.vnet < 0) {
        ++out.not_modelled[t->second.type];
        continue;
      }
      ++out.compared;
      std::string azure_text = "no active route";
      if (t != theirs.end()) {
        const Theirs& x = t->second;
        azure_text = x.type;
        if (!x.hops.empty()) azure_text += " via " + hops_text(x.hops);
        if (!x.source.empty() && x.source != x.type) azure_text += ", source " + x.source;
        if (!x.first->name.empty()) azure_text += ", route " + plain(x.first->name);
      }
      if (s != system.end()) {  // the configuration says: a system route
        if (azure_system) {
          ++out.agreed;
          continue;
        }
        d.kind = t == theirs.end() ? "only-in-bgpfa" : "route-type";
        d.azure = azure_text;
        d.bgpfa = "system route: " + s->second;
        out.differences.push_back(std::move(d));
        continue;
      }
      if (azure_system) {
        d.kind = "only-in-azure";
        d.azure = azure_text;
        d.bgpfa = o == ours.end() ? "no VNet address space of the configuration" : "gateway route: " + ours_text(o->second);
        out.differences.push_back(std::move(d));
        continue;
      }
      if (o == ours.end()) {  // Azure: a gateway route
        d.kind = "only-in-azure";
        d.azure = azure_text;
        d.bgpfa = "no route";
        out.differences.push_back(std::move(d));
        continue;
      }
      if (!azure_gateway) {
        d.kind = "only-in-bgpfa";
        d.azure = t == theirs.end() ? "no active route" : "active route: " + azure_text;
        d.bgpfa = ours_text(o->second);
        out.differences.push_back(std::move(d));
        continue;
      }
      // Both via the gateways: the carrying paths must be the same.
      const std::set<std::string> want = labels(o->second);
      std::set<std::string> got, words;
      for (const auto& h : t->second.hops) {
        const std::string l = label_of(h, p);
        got.insert(l);
        words.insert(l == unmapped(h) ? l : fmt::format("{} via {}", l, wire::to_string(h)));
        if (l == unmapped(h)) unmapped_.insert(wire::to_string(h));
      }
      if (got == want) {
        ++out.agreed;
        continue;
      }
      d.kind = "next-hop";
      d.azure = join(words, " + ");
      d.bgpfa = ours_text(o->second);
      out.differences.push_back(std::move(d));
    }
  }

 private:
  static std::string hops_text(const std::vector<wire::IpAddress>& hops) {
    std::set<std::string> s;
    for (const auto& h : hops) s.insert(wire::to_string(h));
    return join(s, ", ");
  }

  [[nodiscard]] std::set<std::string> labels(const analyzer::PrefixRow& row) const {
    std::set<std::string> out;
    for (const auto& c : a_.carrying(row.active.set))
      out.insert(c.gateway == Gateway::Vpn ? fmt::format("vpn {}", c.vpn_instance) : fmt::format("{} {}", c.circuit, link_name(c.link)));
    return out;
  }

  [[nodiscard]] std::string ours_text(const analyzer::PrefixRow& row) const {
    return fmt::format("{} ({})", join(labels(row), " + "), analyzer::to_string(row.active.kind));
  }

  // Which carrying path an address Azure shows as next hop stands for: a mapping given on the
  // command line, a configured neighbour (the edge routers are the ExpressRoute neighbours), a VPN
  // gateway instance's BGP address (or a VPN session's gateway-side address), or the next hop of
  // a route bgpfa holds for the prefix.
  [[nodiscard]] std::string label_of(const wire::IpAddress& ip, const PrefixKey& p) const {
    const std::string text = wire::to_string(ip);
    if (const auto it = extra_.find(text); it != extra_.end()) return it->second;
    for (const auto& r : a_.peers())
      if (r.gateway == Gateway::ExpressRoute && r.address == ip) return role_label(a_, r);
    for (int i = 0; i < 2; ++i)
      if (c_.vpn_gateway.instance_address[i] && *c_.vpn_gateway.instance_address[i] == ip) return fmt::format("vpn {}", i);
    for (const auto& r : a_.peers())
      if (r.gateway == Gateway::Vpn && r.local && *r.local == ip) return role_label(a_, r);
    if (const auto* e = a_.table().find(p))
      for (const auto& r : e->routes)
        if (r.attrs && r.attrs->next_hop == ip) return role_label(a_, a_.peers()[r.peer]);
    return unmapped(ip);
  }

 public:
  // Next hops Azure showed that no configured peer, gateway instance or --next-hop names.
  std::set<std::string> unmapped_;

 private:
  static std::string unmapped(const wire::IpAddress& ip) { return "unmapped " + wire::to_string(ip); }

  const Analyzer& a_;
  const config::Config& c_;
  const NextHopMap& extra_;
};

}  // namespace

std::string parse_label(const Analyzer& a, const std::string& text) {
  const auto sp = text.find(' ');
  if (sp == std::string::npos) return "";
  const std::string first = text.substr(0, sp), second = text.substr(sp + 1);
  if (first == "vpn") return second == "0" || second == "1" ? text : "";
  const auto& circuits = a.policy().circuits;
  if (std::find(circuits.begin(), circuits.end(), first) == circuits.end()) return "";
  return second == "primary" || second == "secondary" ? text : "";
}

Comparison compare(const Analyzer& a, const config::Config& c, const std::vector<ErTableInput>& er,
                   const std::vector<EffectiveInput>& effective, const NextHopMap& extra) {
  Comparison out;
  Comparer cmp(a, c, extra);
  for (const auto& in : er) cmp.er_table(in, out);
  for (const auto& in : effective) cmp.effective(in, out);
  if (!cmp.unmapped_.empty())
    out.notes.push_back(fmt::format("next hops that name no configured neighbour or VPN gateway instance: {} (say which "
                                    "path each stands for with --next-hop ADDRESS=\"CIRCUIT primary|secondary\" or \"vpn N\")",
                                    join(cmp.unmapped_, ", ")));
  return out;
}

}  // namespace bgpfa::azure
