// Prefixes the table holds without a usable route of their own (they follow a less specific
// route), ordered by address so that those under a prefix are one contiguous range: a full
// table withdrawn at once must not make every change scan them all.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include <absl/container/btree_set.h>

#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

class Orphans {
 public:
  void insert(const rib::PrefixKey& p);
  void erase(const rib::PrefixKey& p);
  [[nodiscard]] bool empty() const noexcept { return set_.empty(); }
  // B-tree nodes are about two-thirds full; the summaries of the families that had orphans.
  [[nodiscard]] std::size_t bytes() const noexcept;
  // The orphans strictly under p, sorted, into `out` (cleared first).
  void under(const rib::PrefixKey& p, std::vector<rib::PrefixKey>& out) const;

 private:
  struct ByAddress {
    bool operator()(const rib::PrefixKey& a, const rib::PrefixKey& b) const noexcept {
      return std::tie(a.v6, a.hi, a.lo, a.length) < std::tie(b.v6, b.hi, b.lo, b.length);
    }
  };
  // Which blocks of the address space (the first 16 bits: a /16, or a /16 of IPv6) hold an
  // orphan: every announcement and withdrawal asks whether the prefix is one or covers one, and
  // with a few orphans in a full table the answer is nearly always no. An 8 KB bit set answers
  // that from cache; the B-tree is searched only when a bit is set. The counts keep the bits
  // exact as orphans come and go.
  struct Summary {
    std::array<std::uint64_t, 1024> bits{};
    std::array<std::uint32_t, 65536> count{};
  };
  static constexpr unsigned block_of(const rib::PrefixKey& p) noexcept { return static_cast<unsigned>(p.hi >> 48); }
  // Any orphan in blocks [first, last]?
  [[nodiscard]] bool any_in(const rib::PrefixKey& p) const noexcept;

  // A B-tree: a table's worth of orphans at once (both links lost) without a node allocation and a
  // pointer chase each.
  absl::btree_set<rib::PrefixKey, ByAddress> set_;
  std::unique_ptr<Summary> summary_[2];  // by family (v6), made with its first orphan
};

}  // namespace bgpfa::analyzer
