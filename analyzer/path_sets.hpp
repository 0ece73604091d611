// Carrying-path sets, interned: a prefix's state names its set of carrying sessions by a small
// id. Distinct sets are few (a handful per topology), like distinct attribute sets.
#pragma once
#include <cstdint>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace bgpfa::analyzer {

class PathSets {
 public:
  PathSets() { sets_.emplace_back(); }  // id 0: the empty set (a black hole)
  // `peers`: sorted, without duplicates.
  [[nodiscard]] std::uint32_t intern(const std::vector<std::uint16_t>& peers);
  [[nodiscard]] const std::vector<std::uint16_t>& get(std::uint32_t id) const { return sets_[id]; }
  [[nodiscard]] std::size_t size() const noexcept { return sets_.size(); }

 private:
  std::vector<std::vector<std::uint16_t>> sets_;
  absl::flat_hash_map<std::vector<std::uint16_t>, std::uint32_t> ids_;
  std::uint32_t last_ = 0;  // the set interned last: a table's prefixes mostly share one (ECMP over both links)
};

}  // namespace bgpfa::analyzer
