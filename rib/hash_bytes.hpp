// A fast hash of a short byte string (an attribute set's identity, ~40-120 bytes), in the
// spirit of wyhash: 16 bytes per 64x64->128 multiply, overlapping loads for the tail, then a
// full avalanche (murmur3's finaliser) so that both ends of the word are usable by the hash
// table (absl takes 7 control bits from the low end and the probe start from the rest).
// libstdc++'s _Hash_bytes, which absl::Hash<string_view> calls here, took 3-4x as long.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bgpfa::rib {

namespace hash_detail {
inline std::uint64_t load64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t load32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
__extension__ using uint128 = unsigned __int128;  // GCC and Clang; __extension__: no -Wpedantic
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  const uint128 m = static_cast<uint128>(a) * b;
  return static_cast<std::uint64_t>(m) ^ static_cast<std::uint64_t>(m >> 64);
}
}  // namespace hash_detail

[[nodiscard]] inline std::uint64_t hash_bytes(const void* data, std::size_t n) noexcept {
  using namespace hash_detail;
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull, k2 = 0x8ebc6af09c88c6e3ull;
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::uint64_t h = k0 ^ (n * k2);
  std::size_t left = n;
  while (left > 16) {
    h = mix(load64(p) ^ k1, load64(p + 8) ^ h);
    p += 16;
    left -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (left >= 8) {  // 8-16 bytes: the first 8 and the last 8 (overlapping)
    a = load64(p);
    b = load64(p + left - 8);
  } else if (left >= 4) {
    a = load32(p);
    b = load32(p + left - 4);
  } else if (left > 0) {
    a = static_cast<std::uint64_t>(p[0]) << 16 | static_cast<std::uint64_t>(p[left / 2]) << 8 | p[left - 1];
  }
  h = mix(a ^ k1, b ^ h);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace bgpfa::rib
