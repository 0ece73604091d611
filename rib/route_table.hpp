// The routes of every peer in one prefix-indexed table. Each peer's Adj-RIB-In is its routes
// here (keyed by prefix and ADD-PATH id, counted per peer, cleared per peer); beside them each
// gateway's Loc-RIB best (index + reason) and a word of owner state (the analyzer's active path).
// One key per prefix instead of one per (peer, prefix), and the decision reads a single entry.
#pragma once
#include <bitset>
#include <cstdint>
#include <optional>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>

#include "rib/attr_store.hpp"
#include "rib/decision.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::rib {

struct Route {
  AttrRef attrs;
  std::uint32_t path_id = 0;
  std::uint16_t peer = 0;
  bool stale = false;  // kept across the peer's graceful restart (RFC 4724), not yet re-announced
};

// Address families as a bit set, for graceful restart's per-family procedures.
inline constexpr std::uint8_t kFamilyIpv4 = 1, kFamilyIpv6 = 2;
[[nodiscard]] constexpr std::uint8_t family_bit(const PrefixKey& p) noexcept { return p.v6 ? kFamilyIpv6 : kFamilyIpv4; }

inline constexpr std::uint8_t kNoBest = 0xff;

struct LocRibBest {
  std::uint8_t index = kNoBest;  // into PrefixEntry::routes
  Reason reason = Reason::OnlyPath;
};

struct PrefixEntry {
  absl::InlinedVector<Route, 1> routes;
  LocRibBest best[2];       // per gateway (0: ExpressRoute, 1: VPN)
  std::uint32_t state = 0;  // owner's per-prefix state
};

class RouteTable {
 public:
  explicit RouteTable(std::size_t peers) : peer_routes_(peers, 0), peer_routes_v6_(peers, 0), peer_stale_(peers, 0) {}
  void add_peer() {  // a neighbour configured while running
    peer_routes_.push_back(0);
    peer_routes_v6_.push_back(0);
    peer_stale_.push_back(0);
  }

  // Returns the entry when the peer's route changed (nullptr: same attributes again).
  PrefixEntry* announce(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id, AttrRef attrs);
  PrefixEntry* withdraw(const PrefixKey& p, std::uint16_t peer, std::uint32_t path_id);
  // Drops all of a peer's routes (session down); appends the prefixes it had, sorted.
  void clear_peer(std::uint16_t peer, std::vector<PrefixKey>& affected);
  // The peer restarts gracefully: its routes of `families` stay, marked stale; the others go, and
  // so do routes still stale from an earlier restart (RFC 4724 4.2). Appends what was dropped.
  void retain_stale(std::uint16_t peer, std::uint8_t families, std::vector<PrefixKey>& affected);
  // End-of-RIB (or a restart timer): drops the peer's routes of `families` that are still stale.
  void sweep_stale(std::uint16_t peer, std::uint8_t families, std::vector<PrefixKey>& affected);
  [[nodiscard]] std::size_t stale_routes(std::uint16_t peer) const { return peer_stale_[peer]; }

  [[nodiscard]] PrefixEntry* find(const PrefixKey& p);
  [[nodiscard]] const PrefixEntry* find(const PrefixKey& p) const;
  [[nodiscard]] PrefixEntry& entry(const PrefixKey& p) {
    const std::size_t before = entries_.size();
    PrefixEntry& e = entries_[p];
    generation_ += entries_.size() != before;
    return e;
  }
  // Changes whenever an entry is added (which may move every entry) or removed: pointers to
  // entries stay valid while it stays the same.
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
  // Longest prefix with a route that covers p (p itself when inclusive).
  [[nodiscard]] std::optional<PrefixKey> longest_covering(const PrefixKey& p, bool inclusive) const;
  [[nodiscard]] std::optional<PrefixKey> lookup(const wire::IpAddress& a) const;

  [[nodiscard]] std::size_t peer_routes(std::uint16_t peer) const { return peer_routes_[peer]; }
  [[nodiscard]] std::size_t peer_routes_v6(std::uint16_t peer) const { return peer_routes_v6_[peer]; }  // of those, IPv6
  [[nodiscard]] std::size_t routes() const noexcept { return routes_; }
  [[nodiscard]] std::size_t prefixes() const noexcept { return entries_.size(); }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;  // slots + spilled route arrays
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [k, e] : entries_) f(k, e);
  }

 private:
  void routed(const PrefixKey& p, int delta);  // keeps the per-length counts for LPM
  template <class Drop>
  void drop_routes(std::uint16_t peer, Drop drop, std::vector<PrefixKey>& affected);

  absl::flat_hash_map<PrefixKey, PrefixEntry> entries_;
  std::vector<std::size_t> peer_routes_;
  std::vector<std::size_t> peer_routes_v6_;
  std::vector<std::size_t> peer_stale_;
  std::size_t routes_ = 0;
  std::uint64_t generation_ = 0;
  std::uint32_t with_routes_[2][129] = {};
  std::bitset<129> lengths_[2];
};

}  // namespace bgpfa::rib
