// The routes of every peer in one prefix-indexed table. Each peer's Adj-RIB-In is its routes
// here (keyed by prefix and ADD-PATH id, counted per peer, cleared per peer); beside them each
// gateway's Loc-RIB best (index + reason) and a word of owner state (the analyzer's active path).
// One key per prefix instead of one per (peer, prefix), and the decision reads a single entry.
//
// Where a route's bytes go (bview.20020722.2337.gz replayed, 115,526 routes on 113,041 prefixes,
// 20,935 attribute sets: 52.9 B per route in all, `replay --stats`):
//   23.8  PrefixEntry, 24 bytes per prefix in 4096-entry chunks: the RouteList (16: the set's
//         pointer 8, ADD-PATH id 4, peer index 2, stale flag 1, the list's size 1), the Loc-RIB
//         best of each gateway (2 x 2: route index, reason), the owner's state word (4)
//   10.2  the index: one 8-byte word per prefix (IPv4 address 32 bits, length 6, entry number
//         26) and absl's control byte, at its load factor (here 86 %, between 44 and 87 %)
//    1.0  heap arrays of the prefixes with several routes (16 per route, 16 of allocator header)
//   15.3  the attribute sets (AttrStore: 56 fixed bytes + the path and communities, from its
//         own pool in 8-byte steps: ~85 a set)
//    2.6  the set index
// No per-route allocation: a single route lives in its prefix's entry.
#pragma once
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include "rib/attr_store.hpp"
#include "rib/decision.hpp"
#include "rib/prefix.hpp"
#include "rib/route_list.hpp"

namespace bgpfa::rib {

// Address families as a bit set, for graceful restart's per-family procedures.
inline constexpr std::uint8_t kFamilyIpv4 = 1, kFamilyIpv6 = 2;
[[nodiscard]] constexpr std::uint8_t family_bit(const PrefixKey& p) noexcept { return p.v6 ? kFamilyIpv6 : kFamilyIpv4; }

inline constexpr std::uint8_t kNoBest = 0xff;

struct LocRibBest {
  std::uint8_t index = kNoBest;  // into PrefixEntry::routes
  Reason reason = Reason::OnlyPath;
};

struct PrefixEntry {
  RouteList routes;         // 16 bytes: one route in place, more in one heap array
  LocRibBest best[2];       // per gateway (0: ExpressRoute, 1: VPN)
  std::uint32_t state = 0;  // owner's per-prefix state
};
static_assert(sizeof(PrefixEntry) == 24);

// A prefix a pass over the table picked, with its entry: entries never move, so the caller needs
// no second lookup.
struct Touched {
  PrefixKey key;
  PrefixEntry* entry = nullptr;
  friend bool operator==(const Touched&, const Touched&) = default;
};

class RouteTable {
 public:
  explicit RouteTable(std::size_t peers)
      : peer_routes_(peers, 0), peer_routes_v6_(peers, 0), peer_stale_(peers, 0) {}
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;
  void add_peer() {  // a neighbour configured while running
    peer_routes_.push_back(0);
    peer_routes_v6_.push_back(0);
    peer_stale_.push_back(0);
  }

  // Returns the entry when the peer's route changed (nullptr: same attributes again).
  PrefixEntry* announce(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id, AttrRef attrs);
  PrefixEntry* withdraw(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id);
  // `n` routes for p are about to be announced (a RIB-dump record's, one per peer): a prefix
  // without routes gets its array at that size at once, instead of growing it 1, 2, 4.
  void expect_routes(const PrefixKey& p, std::size_t n);
  // Drops all of a peer's routes (session down); appends the prefixes it had, sorted.
  void clear_peer(std::uint16_t peer, std::vector<Touched>& affected);
  // The peer restarts gracefully: its routes of `families` stay, marked stale; the others go, and
  // so do routes still stale from an earlier restart (RFC 4724 4.2). Appends what was dropped.
  void retain_stale(std::uint16_t peer, std::uint8_t families, std::vector<Touched>& affected);
  // End-of-RIB (or a restart timer): drops the peer's routes of `families` that are still stale.
  void sweep_stale(std::uint16_t peer, std::uint8_t families, std::vector<Touched>& affected);
  // Appends the prefixes where the peer has a route, sorted.
  void routes_of(std::uint16_t peer, std::vector<Touched>& out);
  [[nodiscard]] std::size_t stale_routes(std::uint16_t peer) const { return peer_stale_[peer]; }

  // Starts fetching p's index slot: a caller that knows the next prefixes (an UPDATE's NLRI)
  // overlaps their cache misses with the work on the current one.
  void prefetch(const PrefixKey& p) const {
    if (!p.v6) index4_.prefetch(key4_of(p));
    else index6_.prefetch(p);
  }
  [[nodiscard]] PrefixEntry* find(const PrefixKey& p);
  [[nodiscard]] const PrefixEntry* find(const PrefixKey& p) const;
  [[nodiscard]] PrefixEntry& entry(const PrefixKey& p);  // inserted (no routes) when absent
  // Changes whenever an entry is added. Entries never move (chunks) and are never removed, so
  // pointers to them stay valid anyway; the count lets a reader see that prefixes came.
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
  // Longest prefix with a route that covers p (p itself when inclusive).
  [[nodiscard]] std::optional<PrefixKey> longest_covering(const PrefixKey& p, bool inclusive) const;
  [[nodiscard]] std::optional<PrefixKey> lookup(const wire::IpAddress& a) const;

  [[nodiscard]] std::size_t peer_routes(std::uint16_t peer) const { return peer_routes_[peer]; }
  [[nodiscard]] std::size_t peer_routes_v6(std::uint16_t peer) const { return peer_routes_v6_[peer]; }  // of those, IPv6
  [[nodiscard]] std::size_t routes() const noexcept { return routes_; }
  [[nodiscard]] std::size_t prefixes() const noexcept { return entries_.size(); }
  // Every byte the table owns: entry chunks, index slots and control bytes, spilled route arrays
  // (with their allocator headers). The interned attribute sets are the AttrStore's.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;
  // Every prefix the table has held (also those without routes now), in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const std::uint64_t s : index4_) f(key4(s), entries_[s & kIndex4Mask]);
    for (const Slot6& s : index6_) f(s.key(), entries_[s.index]);
  }

 private:
  void routed(const PrefixKey& p, int delta);  // keeps the per-length counts for LPM
  template <class Drop>
  void drop_routes(std::uint16_t peer, Drop drop, std::vector<Touched>& affected);
  // One pass over every entry: appends those `pick(key, entry)` is true for (at most `bound` of
  // them), in prefix order.
  template <class Pick>
  void pick_sorted(std::size_t bound, Pick pick, std::vector<Touched>& out);

  std::uint64_t generation_ = 0;
  PrefixEntry* find_slot(const PrefixKey& p) const;
  PrefixEntry& insert(const PrefixKey& p);

  // The entries live in fixed-size chunks: stable addresses, growth without copying or a
  // rehash of 24-byte slots, and at most one partly used chunk.
  class Arena {
   public:
    static constexpr std::size_t kChunk = 4096;
    [[nodiscard]] PrefixEntry& operator[](std::size_t i) const noexcept { return chunks_[i / kChunk][i % kChunk]; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t bytes() const noexcept {
      return chunks_.size() * kChunk * sizeof(PrefixEntry) + chunks_.capacity() * sizeof(chunks_[0]);
    }
    std::uint32_t emplace_back();

   private:
    std::vector<std::unique_ptr<PrefixEntry[]>> chunks_;
    std::size_t size_ = 0;
  };

  // The index holds the keys, so a lookup or a rehash reads no entry. IPv4: one word per prefix,
  // address (32 bits) | length (6 bits) | entry number (26 bits).
  static constexpr unsigned kIndex4Bits = 26;
  static constexpr std::uint64_t kIndex4Mask = (std::uint64_t{1} << kIndex4Bits) - 1;
  struct Key4 {
    std::uint64_t bits;  // address << 6 | length
  };
  [[nodiscard]] static Key4 key4_of(const PrefixKey& p) noexcept { return {(p.hi >> 32) << 6 | p.length}; }
  [[nodiscard]] static PrefixKey key4(std::uint64_t slot) noexcept {
    PrefixKey k;
    k.hi = (slot >> 32) << 32;
    k.length = static_cast<std::uint8_t>((slot >> kIndex4Bits) & 63);
    return k;
  }
  struct Hash4 {
    using is_transparent = void;
    std::size_t operator()(Key4 k) const noexcept { return absl::Hash<std::uint64_t>{}(k.bits); }
    std::size_t operator()(std::uint64_t slot) const noexcept { return (*this)(Key4{slot >> kIndex4Bits}); }
  };
  struct Eq4 {
    using is_transparent = void;
    static std::uint64_t bits(Key4 k) noexcept { return k.bits; }
    static std::uint64_t bits(std::uint64_t slot) noexcept { return slot >> kIndex4Bits; }
    template <class A, class B>
    bool operator()(A a, B b) const noexcept { return bits(a) == bits(b); }
  };
  struct Slot6 {
    std::uint64_t hi, lo;
    std::uint32_t length, index;
    [[nodiscard]] PrefixKey key() const noexcept {
      PrefixKey k;
      k.hi = hi;
      k.lo = lo;
      k.length = static_cast<std::uint8_t>(length);
      k.v6 = 1;
      return k;
    }
  };
  struct Hash6 {
    using is_transparent = void;
    std::size_t operator()(const PrefixKey& k) const noexcept { return absl::Hash<std::tuple<std::uint64_t, std::uint64_t, std::uint8_t>>{}({k.hi, k.lo, k.length}); }
    std::size_t operator()(const Slot6& s) const noexcept { return (*this)(s.key()); }
  };
  struct Eq6 {
    using is_transparent = void;
    static PrefixKey key(const PrefixKey& k) noexcept { return k; }
    static PrefixKey key(const Slot6& s) noexcept { return s.key(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept { return key(a) == key(b); }
  };

  Arena entries_;
  absl::flat_hash_set<std::uint64_t, Hash4, Eq4> index4_;
  absl::flat_hash_set<Slot6, Hash6, Eq6> index6_;
  // The last prefix looked up for a change: a TABLE_DUMP_V2 record's entries, one per peer, and
  // a TABLE_DUMP's consecutive records of one prefix take one index probe, not one per route.
  PrefixKey last_key_{};
  PrefixEntry* last_ = nullptr;
  std::vector<std::size_t> peer_routes_;
  std::vector<std::size_t> peer_routes_v6_;
  std::vector<std::size_t> peer_stale_;
  std::size_t routes_ = 0;
  std::uint32_t with_routes_[2][129] = {};
  std::bitset<129> lengths_[2];
};

}  // namespace bgpfa::rib
