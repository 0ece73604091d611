#include "analyzer/orphans.hpp"

#include <algorithm>

namespace bgpfa::analyzer {

void Orphans::insert(const rib::PrefixKey& p) {
  if (!set_.insert(p).second) return;
  auto& s = summary_[p.v6];
  if (!s) s = std::make_unique<Summary>();
  const unsigned b = block_of(p);
  if (s->count[b]++ == 0) s->bits[b / 64] |= 1ull << (b % 64);
}

void Orphans::erase(const rib::PrefixKey& p) {
  Summary* s = summary_[p.v6].get();
  const unsigned b = block_of(p);
  if (!s || !(s->bits[b / 64] >> (b % 64) & 1) || !set_.erase(p)) return;
  if (--s->count[b] == 0) s->bits[b / 64] &= ~(1ull << (b % 64));
}

std::size_t Orphans::bytes() const noexcept {
  return set_.size() * sizeof(rib::PrefixKey) * 3 / 2 + (summary_[0] ? sizeof(Summary) : 0) + (summary_[1] ? sizeof(Summary) : 0);
}

bool Orphans::any_in(const rib::PrefixKey& p) const noexcept {
  const Summary* s = summary_[p.v6].get();
  if (!s) return false;
  const unsigned first = block_of(p);
  // The blocks p spans: one when it is a /16 or longer, else 2^(16 - length) from its first.
  const unsigned last = p.length >= 16 ? first : first + (1u << (16 - p.length)) - 1;
  for (unsigned w = first / 64; w <= last / 64; ++w) {
    std::uint64_t word = s->bits[w];
    if (w == first / 64) word &= ~0ull << (first % 64);
    if (w == last / 64 && last % 64 != 63) word &= (1ull << (last % 64 + 1)) - 1;
    if (word) return true;
  }
  return false;
}

void Orphans::under(const rib::PrefixKey& p, std::vector<rib::PrefixKey>& out) const {
  out.clear();
  if (set_.empty() || !any_in(p)) return;
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
