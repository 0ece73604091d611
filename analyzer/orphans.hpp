// Prefixes the table holds without a usable route of their own (they follow a less specific
// route), ordered by address so that those under a prefix are one contiguous range: a full
// table withdrawn at once must not make every change scan them all.
#pragma once
#include <tuple>
#include <vector>

#include <absl/container/btree_set.h>

#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

class Orphans {
 public:
  void insert(const rib::PrefixKey& p) { set_.insert(p); }
  void erase(const rib::PrefixKey& p) {
    if (!set_.empty()) set_.erase(p);
  }
  [[nodiscard]] bool empty() const noexcept { return set_.empty(); }
  // B-tree nodes are about two-thirds full.
  [[nodiscard]] std::size_t bytes() const noexcept { return set_.size() * sizeof(rib::PrefixKey) * 3 / 2; }
  // The orphans strictly under p, sorted, into `out` (cleared first).
  void under(const rib::PrefixKey& p, std::vector<rib::PrefixKey>& out) const;

 private:
  struct ByAddress {
    bool operator()(const rib::PrefixKey& a, const rib::PrefixKey& b) const noexcept {
      return std::tie(a.v6, a.hi, a.lo, a.length) < std::tie(b.v6, b.hi, b.lo, b.length);
    }
  };
  // A B-tree: a table's worth of orphans at once (both links lost) without a node allocation and a
  // pointer chase each.
  absl::btree_set<rib::PrefixKey, ByAddress> set_;
};

}  // namespace bgpfa::analyzer
