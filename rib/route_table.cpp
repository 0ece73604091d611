#include "rib/route_table.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "rib/radix_sort.hpp"

namespace bgpfa::rib {

void RouteTable::routed(const PrefixKey& p, int delta) {
  auto& n = with_routes_[p.v6][p.length];
  n = static_cast<std::uint32_t>(static_cast<int>(n) + delta);
  lengths_[p.v6].set(p.length, n != 0);
}

std::uint32_t RouteTable::Arena::emplace_back() {
  if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<PrefixEntry[]>(kChunk));
  return static_cast<std::uint32_t>(size_++);
}

PrefixEntry* RouteTable::find_slot(const PrefixKey& p) const {
  if (!p.v6) {
    auto it = index4_.find(key4_of(p));
    return it == index4_.end() ? nullptr : &entries_[*it & kIndex4Mask];
  }
  auto it = index6_.find(p);
  return it == index6_.end() ? nullptr : &entries_[it->index];
}

PrefixEntry& RouteTable::insert(const PrefixKey& p) {
  if (last_ && last_key_ == p) return *last_;
  PrefixEntry* e = find_slot(p);
  if (!e) {
    if (entries_.size() >= (p.v6 ? std::size_t{0xffffffff} : kIndex4Mask))
      throw std::length_error(fmt::format("route table: more than {} prefixes", entries_.size()));
    const std::uint32_t i = entries_.emplace_back();
    if (!p.v6) index4_.insert(key4_of(p).bits << kIndex4Bits | i);
    else index6_.insert(Slot6{p.hi, p.lo, p.length, i});
    e = &entries_[i];
    ++generation_;
  }
  last_key_ = p;
  last_ = e;
  return *e;
}

PrefixEntry& RouteTable::entry(const PrefixKey& p) { return insert(p); }

void RouteTable::expect_routes(const PrefixKey& p, std::size_t n) {
  if (n < 2) return;
  PrefixEntry& e = insert(p);
  if (e.routes.empty()) e.routes.reserve(std::min(n, RouteList::kMaxRoutes));
}

PrefixEntry* RouteTable::announce(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id, AttrRef attrs) {
  PrefixEntry& e = insert(p);
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
  e.routes.push_back(Route(std::move(attrs), path_id, peer));
  ++peer_routes_[peer];
  peer_routes_v6_[peer] += p.v6;
  ++routes_;
  return &e;
}

PrefixEntry* RouteTable::withdraw(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id) {
  PrefixEntry* e = last_ && last_key_ == p ? last_ : find_slot(p);
  if (!e) return nullptr;
  auto& routes = e->routes;
  auto pos = std::find_if(routes.begin(), routes.end(), [&](const Route& r) { return r.peer == peer && r.path_id == path_id; });
  if (pos == routes.end()) return nullptr;
  if (pos->stale) --peer_stale_[peer];
  routes.erase(pos, pos + 1, true);  // a route withdrawn usually comes back: keep the array
  --peer_routes_[peer];
  peer_routes_v6_[peer] -= p.v6;
  --routes_;
  if (routes.empty()) routed(p, -1);
  return e;
}

template <class Pick>
void RouteTable::pick_sorted(std::size_t bound, Pick pick, std::vector<Touched>& out) {
  // The entries lie in hash order, each a cache miss: fetch them kAhead slots before their visit
  // so that the misses overlap.
  constexpr std::size_t kAhead = 16;
  // Scratch sized up front by the caller's bound: a large allocation after the pass has freed
  // spilled route arrays would make malloc consolidate them all first, inside the failure's
  // analysis.
  std::vector<std::uint64_t> picked4, sort_scratch;
  std::vector<Slot6> picked6;
  picked4.reserve(std::min(bound, index4_.size()));
  if (picked4.capacity() >= kRadixMin) sort_scratch.reserve(picked4.capacity());
  out.reserve(out.size() + std::min(bound, index4_.size() + index6_.size()));
  picked6.reserve(std::min(bound, index6_.size()));
  std::uint64_t ring[kAhead];
  std::size_t n = 0;
  const auto visit4 = [&](std::uint64_t s) {
    if (pick(key4(s), entries_[s & kIndex4Mask])) picked4.push_back(s);
  };
  for (const std::uint64_t s : index4_) {
    __builtin_prefetch(&entries_[s & kIndex4Mask]);
    // Half-way, the entry is in cache: fetch its spilled route array (a second miss).
    if (n >= kAhead / 2) __builtin_prefetch(entries_[ring[(n - kAhead / 2) % kAhead] & kIndex4Mask].routes.begin());
    if (n >= kAhead) visit4(ring[n % kAhead]);
    ring[n++ % kAhead] = s;
  }
  for (std::size_t i = n > kAhead ? n - kAhead : 0; i < n; ++i) visit4(ring[i % kAhead]);
  for (const Slot6& s : index6_)
    if (pick(s.key(), entries_[s.index])) picked6.push_back(s);
  // An IPv4 slot is address | length | entry number: by the bits above the entry number, slots
  // sort in prefix order.
  radix_sort_from_bit(picked4, sort_scratch, kIndex4Bits);
  std::sort(picked6.begin(), picked6.end(), [](const Slot6& a, const Slot6& b) { return a.key() < b.key(); });
  std::size_t i = 0, j = 0;
  while (i < picked4.size() || j < picked6.size()) {
    const bool take4 = j == picked6.size() || (i < picked4.size() && key4(picked4[i]) < picked6[j].key());
    if (take4) {
      out.push_back(Touched{key4(picked4[i]), &entries_[picked4[i] & kIndex4Mask]});
      ++i;
    } else {
      out.push_back(Touched{picked6[j].key(), &entries_[picked6[j].index]});
      ++j;
    }
  }
}

template <class Drop>
void RouteTable::drop_routes(std::uint16_t peer, Drop drop, std::vector<Touched>& affected) {
  pick_sorted(
      peer_routes_[peer],
      [&](const PrefixKey& p, PrefixEntry& e) {
        const auto before = e.routes.size();
        e.routes.erase(std::remove_if(e.routes.begin(), e.routes.end(),
                                      [&](Route& r) {
                                        if (r.peer != peer || !drop(p, r)) return false;
                                        if (r.stale) --peer_stale_[peer];
                                        return true;
                                      }),
                       e.routes.end(), true);
        const auto removed = before - e.routes.size();
        if (!removed) return false;
        routes_ -= removed;
        peer_routes_[peer] -= removed;
        if (p.v6) peer_routes_v6_[peer] -= removed;
        if (e.routes.empty()) routed(p, -1);
        return true;
      },
      affected);
}

void RouteTable::clear_peer(std::uint16_t peer, std::vector<Touched>& affected) {
  drop_routes(peer, [](const PrefixKey&, const Route&) { return true; }, affected);
}

void RouteTable::retain_stale(std::uint16_t peer, std::uint8_t families, std::vector<Touched>& affected) {
  drop_routes(peer,
              [&](const PrefixKey& p, Route& r) {
                if (r.stale || !(families & family_bit(p))) return true;
                r.stale = true;
                ++peer_stale_[peer];
                return false;
              },
              affected);
}

void RouteTable::sweep_stale(std::uint16_t peer, std::uint8_t families, std::vector<Touched>& affected) {
  if (!peer_stale_[peer]) return;
  drop_routes(peer, [&](const PrefixKey& p, const Route& r) { return r.stale && (families & family_bit(p)); }, affected);
}

void RouteTable::routes_of(std::uint16_t peer, std::vector<Touched>& out) {
  if (!peer_routes_[peer]) return;
  pick_sorted(
      peer_routes_[peer],
      [&](const PrefixKey&, const PrefixEntry& e) {
        return std::any_of(e.routes.begin(), e.routes.end(), [&](const Route& r) { return r.peer == peer; });
      },
      out);
}

PrefixEntry* RouteTable::find(const PrefixKey& p) { return last_ && last_key_ == p ? last_ : find_slot(p); }

const PrefixEntry* RouteTable::find(const PrefixKey& p) const { return find_slot(p); }

std::optional<PrefixKey> RouteTable::longest_covering(const PrefixKey& p, bool inclusive) const {
  const auto& lengths = lengths_[p.v6];
  auto usable = [&](const PrefixKey& k) {
    const PrefixEntry* e = find_slot(k);
    return e && !e->routes.empty();
  };
  int len = inclusive ? p.length : p.length - 1;
  for (; len >= 0 && !lengths.test(static_cast<std::size_t>(len)); --len) {}
  if (len < 0) return std::nullopt;
  PrefixKey first = p.truncated(static_cast<std::uint8_t>(len));
  if (usable(first)) return first;  // the common case: the longest candidate has routes
  // The other candidates' probes are independent: prefetch them all so the cache misses
  // overlap, then look in order, longest first.
  PrefixKey keys[129];
  int n = 0;
  for (--len; len >= 0; --len) {
    if (!lengths.test(static_cast<std::size_t>(len))) continue;
    keys[n] = p.truncated(static_cast<std::uint8_t>(len));
    if (!p.v6) index4_.prefetch(key4_of(keys[n]));
    else index6_.prefetch(keys[n]);
    ++n;
  }
  for (int i = 0; i < n; ++i)
    if (usable(keys[i])) return keys[i];
  return std::nullopt;
}

std::optional<PrefixKey> RouteTable::lookup(const wire::IpAddress& a) const {
  wire::Prefix host;
  host.address = a;
  host.length = static_cast<std::uint8_t>(wire::max_prefix_bits(a.afi));
  return longest_covering(PrefixKey::from(host), true);
}

std::size_t RouteTable::memory_bytes() const noexcept {
  // absl's tables: one control byte per slot (plus a group's worth of clones) beside the slots.
  constexpr std::size_t kGroup = 16;
  std::size_t n = entries_.bytes();
  n += (index4_.capacity() + kGroup) * (sizeof(std::uint64_t) + 1);
  n += (index6_.capacity() + kGroup) * (sizeof(Slot6) + 1);
  // Spilled route arrays: capacity x 16 bytes plus glibc's 16-byte chunk header.
  auto spilled = [&](const PrefixEntry& e) {
    if (e.routes.spilled()) n += e.routes.capacity() * sizeof(Route) + 16;
  };
  for (const std::uint64_t s : index4_) spilled(entries_[s & kIndex4Mask]);
  for (const Slot6& s : index6_) spilled(entries_[s.index]);
  n += 3 * peer_routes_.capacity() * sizeof(std::size_t);
  return n;
}

}  // namespace bgpfa::rib
