#include "rib/adj_rib_in.hpp"

#include <algorithm>

namespace bgpfa::rib {

bool AdjRibIn::announce(const PrefixKey& p, std::uint32_t path_id, AttrRef attrs) {
  PathList& list = routes_[p];
  for (auto& path : list) {
    if (path.path_id != path_id) continue;
    if (path.attrs == attrs) return false;
    path.attrs = std::move(attrs);
    return true;
  }
  list.push_back(Path{path_id, std::move(attrs)});
  ++paths_;
  return true;
}

bool AdjRibIn::withdraw(const PrefixKey& p, std::uint32_t path_id) {
  auto it = routes_.find(p);
  if (it == routes_.end()) return false;
  auto& list = it->second;
  auto pos = std::find_if(list.begin(), list.end(), [&](const Path& x) { return x.path_id == path_id; });
  if (pos == list.end()) return false;
  list.erase(pos);
  --paths_;
  if (list.empty()) routes_.erase(it);
  return true;
}

void AdjRibIn::clear(std::vector<PrefixKey>& affected) {
  affected.reserve(affected.size() + routes_.size());
  for (const auto& [p, list] : routes_) affected.push_back(p);
  routes_.clear();
  paths_ = 0;
}

const PathList* AdjRibIn::find(const PrefixKey& p) const {
  auto it = routes_.find(p);
  return it == routes_.end() ? nullptr : &it->second;
}

std::size_t AdjRibIn::memory_bytes() const noexcept {
  return routes_.capacity() * (sizeof(std::pair<PrefixKey, PathList>) + 1);
}

}  // namespace bgpfa::rib
