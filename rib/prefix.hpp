// Compact prefix keys for the RIB: two 64-bit words of address, a length and a family.
#pragma once
#include <cstdint>
#include <cstring>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::rib {

struct PrefixKey {
  std::uint64_t hi = 0;  // IPv4: address in the top 32 bits
  std::uint64_t lo = 0;
  std::uint8_t length = 0;
  std::uint8_t v6 = 0;

  [[nodiscard]] static PrefixKey from(const wire::Prefix& p) noexcept {
    PrefixKey k;
    k.v6 = p.address.afi == wire::Afi::Ipv6;
    k.length = p.length;
    std::uint64_t w[2];
    std::memcpy(w, p.address.octets.data(), 16);
    k.hi = __builtin_bswap64(w[0]);
    k.lo = k.v6 ? __builtin_bswap64(w[1]) : 0;
    k.mask();
    return k;
  }
  [[nodiscard]] wire::Prefix to_prefix() const noexcept {
    wire::Prefix p;
    p.address.afi = v6 ? wire::Afi::Ipv6 : wire::Afi::Ipv4;
    p.length = length;
    const std::uint64_t w[2] = {__builtin_bswap64(hi), __builtin_bswap64(lo)};
    std::memcpy(p.address.octets.data(), w, v6 ? 16 : 4);
    return p;
  }
  // The same address truncated to `len` bits.
  [[nodiscard]] PrefixKey truncated(std::uint8_t len) const noexcept {
    PrefixKey k = *this;
    k.length = len;
    k.mask();
    return k;
  }
  [[nodiscard]] bool covers(const PrefixKey& o) const noexcept {
    return v6 == o.v6 && length <= o.length && o.truncated(length) == *this;
  }
  void mask() noexcept {
    if (length >= 128) return;
    if (length >= 64) {
      lo &= length == 64 ? 0 : ~0ull << (128 - length);
    } else {
      lo = 0;
      hi &= length == 0 ? 0 : ~0ull << (64 - length);
    }
  }
  friend bool operator==(const PrefixKey&, const PrefixKey&) = default;
  friend auto operator<=>(const PrefixKey&, const PrefixKey&) = default;

  template <class H>
  friend H AbslHashValue(H h, const PrefixKey& k) {
    return H::combine(std::move(h), k.hi, k.lo, k.length, k.v6);
  }
};

}  // namespace bgpfa::rib
