#include "analyzer/path_sets.hpp"

#include <stdexcept>

#include "analyzer/active_path.hpp"

namespace bgpfa::analyzer {

std::uint32_t PathSets::intern(const std::vector<std::uint16_t>& peers) {
  if (peers.empty()) return 0;
  if (last_ && sets_[last_] == peers) return last_;
  if (auto it = ids_.find(peers); it != ids_.end()) return last_ = it->second;
  if (sets_.size() >= kMaxPathSets) throw std::length_error("more distinct carrying-path sets than a state word holds");
  const auto id = static_cast<std::uint32_t>(sets_.size());
  sets_.push_back(peers);
  ids_.emplace(peers, id);
  return last_ = id;
}

}  // namespace bgpfa::analyzer
