#include "analyzer/orphans.hpp"

#include <algorithm>

namespace bgpfa::analyzer {

void Orphans::under(const rib::PrefixKey& p, std::vector<rib::PrefixKey>& out) const {
  out.clear();
  if (set_.empty()) return;
  // Orphans covered by p sit between p's first address and its last one.
  rib::PrefixKey first = p;
  first.length = 0;
  rib::PrefixKey last = p;
  const unsigned bits = p.v6 ? 128 : 32;
  const unsigned host = bits - p.length;
  if (p.v6) {
    if (host >= 64) {
      last.lo = ~0ull;
      last.hi |= host >= 128 ? ~0ull : (host == 64 ? 0 : (~0ull >> (128 - host)));
    } else {
      last.lo |= host == 0 ? 0 : (~0ull >> (64 - host));
    }
  } else {
    last.hi |= host == 0 ? 0 : ((~0ull >> (64 - host)) << 32);
  }
  last.length = 255;
  for (auto it = set_.lower_bound(first); it != set_.end() && !ByAddress{}(last, *it); ++it)
    if (*it != p && p.covers(*it)) out.push_back(*it);
  std::sort(out.begin(), out.end());
}

}  // namespace bgpfa::analyzer
