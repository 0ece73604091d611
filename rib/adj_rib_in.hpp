// Adj-RIB-In of one peer: prefix -> the paths the peer announced (one, or several with ADD-PATH).
#pragma once
#include <cstdint>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>

#include "rib/attr_store.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::rib {

struct Path {
  std::uint32_t path_id = 0;
  AttrRef attrs;
};
using PathList = absl::InlinedVector<Path, 1>;

class AdjRibIn {
 public:
  // Returns false when nothing changed (same attributes re-announced).
  bool announce(const PrefixKey& p, std::uint32_t path_id, AttrRef attrs);
  bool withdraw(const PrefixKey& p, std::uint32_t path_id);
  // Drops every route; appends the prefixes that had any.
  void clear(std::vector<PrefixKey>& affected);
  [[nodiscard]] const PathList* find(const PrefixKey& p) const;
  [[nodiscard]] std::size_t prefixes() const noexcept { return routes_.size(); }
  [[nodiscard]] std::size_t paths() const noexcept { return paths_; }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;  // table slots, excluding shared attributes

 private:
  absl::flat_hash_map<PrefixKey, PathList> routes_;
  std::size_t paths_ = 0;
};

}  // namespace bgpfa::rib
