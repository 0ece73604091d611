#include "rib/route_table.hpp"

#include <algorithm>

namespace bgpfa::rib {

void RouteTable::routed(const PrefixKey& p, int delta) {
  auto& n = with_routes_[p.v6][p.length];
  n = static_cast<std::uint32_t>(static_cast<int>(n) + delta);
  lengths_[p.v6].set(p.length, n != 0);
}

PrefixEntry* RouteTable::announce(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id, AttrRef attrs) {
  PrefixEntry& e = entry(p);
  for (auto& r : e.routes) {
    if (r.peer != peer || r.path_id != path_id) continue;
    if (r.stale) {  // re-announced after a graceful restart: fresh again
      r.stale = false;
      --peer_stale_[peer];
    }
    if (r.attrs == attrs) return nullptr;
    r.attrs = std::move(attrs);
    return &e;
  }
  if (e.routes.empty()) routed(p, +1);
  e.routes.push_back(Route{std::move(attrs), path_id, peer});
  ++peer_routes_[peer];
  peer_routes_v6_[peer] += p.v6;
  ++routes_;
  return &e;
}

PrefixEntry* RouteTable::withdraw(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id) {
  auto it = entries_.find(p);
  if (it == entries_.end()) return nullptr;
  auto& routes = it->second.routes;
  auto pos = std::find_if(routes.begin(), routes.end(), [&](const Route& r) { return r.peer == peer && r.path_id == path_id; });
  if (pos == routes.end()) return nullptr;
  if (pos->stale) --peer_stale_[peer];
  routes.erase(pos);
  --peer_routes_[peer];
  peer_routes_v6_[peer] -= p.v6;
  --routes_;
  if (routes.empty()) routed(p, -1);
  return &it->second;
}

template <class Drop>
void RouteTable::drop_routes(std::uint16_t peer, Drop drop, std::vector<PrefixKey>& affected) {
  const std::size_t first = affected.size();
  for (auto& slot : entries_) {
    const PrefixKey& p = slot.first;  // named, not a structured binding: lambdas capture it (clang 14)
    PrefixEntry& e = slot.second;
    const auto before = e.routes.size();
    e.routes.erase(std::remove_if(e.routes.begin(), e.routes.end(),
                                  [&](Route& r) {
                                    if (r.peer != peer || !drop(p, r)) return false;
                                    if (r.stale) --peer_stale_[peer];
                                    return true;
                                  }),
                   e.routes.end());
    const auto removed = before - e.routes.size();
    if (!removed) continue;
    affected.push_back(p);
    routes_ -= removed;
    peer_routes_[peer] -= removed;
    if (p.v6) peer_routes_v6_[peer] -= removed;
    if (e.routes.empty()) routed(p, -1);
  }
  std::sort(affected.begin() + static_cast<std::ptrdiff_t>(first), affected.end());
}

void RouteTable::clear_peer(std::uint16_t peer, std::vector<PrefixKey>& affected) {
  drop_routes(peer, [](const PrefixKey&, const Route&) { return true; }, affected);
}

void RouteTable::retain_stale(std::uint16_t peer, std::uint8_t families, std::vector<PrefixKey>& affected) {
  drop_routes(peer,
              [&](const PrefixKey& p, Route& r) {
                if (r.stale || !(families & family_bit(p))) return true;
                r.stale = true;
                ++peer_stale_[peer];
                return false;
              },
              affected);
}

void RouteTable::sweep_stale(std::uint16_t peer, std::uint8_t families, std::vector<PrefixKey>& affected) {
  if (!peer_stale_[peer]) return;
  drop_routes(peer, [&](const PrefixKey& p, const Route& r) { return r.stale && (families & family_bit(p)); }, affected);
}

PrefixEntry* RouteTable::find(const PrefixKey& p) {
  auto it = entries_.find(p);
  return it == entries_.end() ? nullptr : &it->second;
}

const PrefixEntry* RouteTable::find(const PrefixKey& p) const {
  auto it = entries_.find(p);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<PrefixKey> RouteTable::longest_covering(const PrefixKey& p, bool inclusive) const {
  for (int len = inclusive ? p.length : p.length - 1; len >= 0; --len) {
    if (!lengths_[p.v6].test(static_cast<std::size_t>(len))) continue;
    const PrefixKey k = p.truncated(static_cast<std::uint8_t>(len));
    const PrefixEntry* e = find(k);
    if (e && !e->routes.empty()) return k;
  }
  return std::nullopt;
}

std::optional<PrefixKey> RouteTable::lookup(const wire::IpAddress& a) const {
  wire::Prefix host;
  host.address = a;
  host.length = static_cast<std::uint8_t>(wire::max_prefix_bits(a.afi));
  return longest_covering(PrefixKey::from(host), true);
}

std::size_t RouteTable::memory_bytes() const noexcept {
  // Slots (key + entry + control byte) plus the heap arrays of prefixes holding several routes
  // (capacity x 16 bytes + 16 bytes of allocator overhead).
  std::size_t n = entries_.capacity() * (sizeof(std::pair<PrefixKey, PrefixEntry>) + 1);
  for (const auto& [p, e] : entries_)
    if (e.routes.capacity() > 1) n += e.routes.capacity() * sizeof(Route) + 16;
  return n;
}

}  // namespace bgpfa::rib
