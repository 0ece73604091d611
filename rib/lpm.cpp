#include "rib/lpm.hpp"

namespace bgpfa::rib {

void LpmIndex::insert(const PrefixKey& p) {
  if (sets_[p.v6].insert(p).second && count_[p.v6][p.length]++ == 0) lengths_[p.v6].set(p.length);
}

void LpmIndex::erase(const PrefixKey& p) {
  if (sets_[p.v6].erase(p) && --count_[p.v6][p.length] == 0) lengths_[p.v6].reset(p.length);
}

std::optional<PrefixKey> LpmIndex::longest_covering(const PrefixKey& p, bool inclusive) const {
  for (int len = inclusive ? p.length : p.length - 1; len >= 0; --len) {
    if (!lengths_[p.v6].test(static_cast<std::size_t>(len))) continue;
    const PrefixKey k = p.truncated(static_cast<std::uint8_t>(len));
    if (sets_[p.v6].contains(k)) return k;
  }
  return std::nullopt;
}

std::optional<PrefixKey> LpmIndex::lookup(const wire::IpAddress& a) const {
  wire::Prefix host;
  host.address = a;
  host.length = static_cast<std::uint8_t>(wire::max_prefix_bits(a.afi));
  return longest_covering(PrefixKey::from(host), true);
}

}  // namespace bgpfa::rib
