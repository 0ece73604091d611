// Longest-prefix match over the prefixes the RIB knows: one hash set per prefix length, probed
// from the longest length present downwards (a bitmap skips empty lengths).
#pragma once
#include <bitset>
#include <optional>

#include <absl/container/flat_hash_set.h>

#include "rib/prefix.hpp"

namespace bgpfa::rib {

class LpmIndex {
 public:
  void insert(const PrefixKey& p);
  void erase(const PrefixKey& p);
  [[nodiscard]] bool contains(const PrefixKey& p) const { return sets_[p.v6].contains(p); }
  // Longest prefix covering `p` (p itself counts when `inclusive`).
  [[nodiscard]] std::optional<PrefixKey> longest_covering(const PrefixKey& p, bool inclusive) const;
  // Longest prefix containing an address (a host prefix /32 or /128).
  [[nodiscard]] std::optional<PrefixKey> lookup(const wire::IpAddress& a) const;

 private:
  absl::flat_hash_set<PrefixKey> sets_[2];
  std::bitset<129> lengths_[2];
  std::size_t count_[2][129] = {};
};

}  // namespace bgpfa::rib
