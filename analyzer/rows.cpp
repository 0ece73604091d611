#include "analyzer/rows.hpp"

#include <algorithm>

namespace bgpfa::analyzer {

using rib::PrefixEntry;
using rib::PrefixKey;

GatewayBest RowBuilder::describe_best(const PrefixEntry& e, const rib::LocRibBest& b, std::size_t n) {
  GatewayBest g;
  describe_best_into(g, e, b, n);
  return g;
}

void RowBuilder::describe_best_into(GatewayBest& g, const PrefixEntry& e, const rib::LocRibBest& b, std::size_t n) {
  const rib::Route& r = e.routes[b.index];
  const PeerText& t = peer_text(r.peer);
  g.peer = t.address;
  g.role = t.role;
  g.as_path = as_path_text(r.attrs.get());
  g.local_pref = r.attrs->local_pref;
  char nh[64];
  g.next_hop.assign(nh, r.attrs->next_hop.afi == wire::Afi::Ipv6 ? wire::format_ipv6(r.attrs->next_hop.octets.data(), nh)
                                                                : wire::format_ipv4(r.attrs->next_hop.octets.data(), nh));
  g.reason = rib::to_string(b.reason);
  g.candidates = n;
}

void RowBuilder::best_slot(std::optional<GatewayBest>& slot, GatewayBest& spare, const PrefixEntry& e,
                           const rib::LocRibBest& b, std::size_t n) {
  if (b.index == rib::kNoBest) {
    if (slot) {
      spare = std::move(*slot);
      slot.reset();
    }
    return;
  }
  if (!slot) slot.emplace(std::move(spare));
  describe_best_into(*slot, e, b, n);
}

void RowBuilder::row_into(PrefixRow& r, const PrefixKey& p, const PrefixEntry& entry) {
  r.prefix = p.to_prefix();
  const PrefixEntry* e = &entry;
  r.active = rules_.active_of(e->state);
  r.covering.reset();
  if (r.active.via_covering) {
    // The less specific route that carries it: the first cover with a path of its own.
    auto cover = table_.longest_covering(p, false);
    while (cover && unpack(table_.find(*cover)->state).via_covering) cover = table_.longest_covering(*cover, false);
    if (!cover) {
      best_slot(r.expressroute, spare_[kEr], entry, rib::LocRibBest{}, 0);
      best_slot(r.vpn, spare_[kVpn], entry, rib::LocRibBest{}, 0);
      return;
    }
    r.covering = cover->to_prefix();
    e = table_.find(*cover);
  }
  std::size_t n[2] = {0, 0};
  for (const auto& route : e->routes) ++n[Topology::gateway_slot(topo_.role(route.peer))];
  best_slot(r.expressroute, spare_[kEr], *e, e->best[kEr], n[kEr]);
  best_slot(r.vpn, spare_[kVpn], *e, e->best[kVpn], n[kVpn]);
}

const RowBuilder::PeerText& RowBuilder::peer_text(std::uint16_t peer) {
  if (peer_text_.size() < topo_.size()) peer_text_.resize(topo_.size());
  PeerText& t = peer_text_[peer];
  if (t.address.empty()) {
    t.address = wire::to_string(topo_.role(peer).address);
    t.role = topo_.label(peer);
  }
  return t;
}

const std::string& RowBuilder::as_path_text(const rib::AttrSet* s) {
  auto [it, fresh] = path_text_.try_emplace(s);
  if (fresh) it->second = s->as_path_text();
  return it->second;
}

PrefixRow RowBuilder::row(const PrefixKey& p) {
  if (const PrefixEntry* e = table_.find(p)) return row(p, *e);
  PrefixRow r;
  r.prefix = p.to_prefix();
  return r;
}

PrefixRow RowBuilder::row(const PrefixKey& p, const PrefixEntry& entry) {
  PrefixRow r;
  r.prefix = p.to_prefix();
  const PrefixEntry* e = &entry;
  r.active = rules_.active_of(e->state);
  if (r.active.via_covering) {
    // The less specific route that carries it: the first cover with a path of its own.
    auto cover = table_.longest_covering(p, false);
    while (cover && unpack(table_.find(*cover)->state).via_covering) cover = table_.longest_covering(*cover, false);
    if (!cover) return r;
    r.covering = cover->to_prefix();
    e = table_.find(*cover);
  }
  std::size_t n[2] = {0, 0};
  for (const auto& route : e->routes) ++n[Topology::gateway_slot(topo_.role(route.peer))];
  if (e->best[kEr].index != rib::kNoBest) r.expressroute = describe_best(*e, e->best[kEr], n[kEr]);
  if (e->best[kVpn].index != rib::kNoBest) r.vpn = describe_best(*e, e->best[kVpn], n[kVpn]);
  return r;
}

std::vector<KeyedEntry> entries_after(const rib::RouteTable& table, const std::optional<PrefixKey>& after, std::size_t n,
                                      const std::optional<PrefixKey>& within) {
  // The n smallest keys above `after` in one pass: collect up to 2n, keep the n smallest
  // (nth_element), and from then on only keys below the largest kept.
  std::vector<KeyedEntry> keys;
  if (n == 0) return keys;
  keys.reserve(2 * n);
  std::optional<PrefixKey> bound;
  // PrefixKey's order (hi, lo, length, v6) spelled out inline: this runs for every prefix of the
  // table, and the defaulted <=> is an out-of-line call.
  const auto less = [](const PrefixKey& a, const PrefixKey& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    if (a.length != b.length) return a.length < b.length;
    return a.v6 < b.v6;
  };
  const auto by_key = [&](const KeyedEntry& a, const KeyedEntry& b) { return less(a.first, b.first); };
  table.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    if ((after && !less(*after, p)) || (bound && less(*bound, p)) || (within && !within->covers(p))) return;
    keys.emplace_back(p, &e);
    if (keys.size() == 2 * n) {
      std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n - 1), keys.end(), by_key);
      keys.resize(n);
      bound = std::max_element(keys.begin(), keys.end(), by_key)->first;
    }
  });
  std::sort(keys.begin(), keys.end(), by_key);
  if (keys.size() > n) keys.resize(n);
  keys.shrink_to_fit();  // the caller keeps them for a while
  return keys;
}

}  // namespace bgpfa::analyzer
