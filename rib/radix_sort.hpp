// LSD radix sort of 64-bit words by their bits from `low_bit` up: a session's end sorts its
// prefixes' index slots (address | length above the entry number), and at 100 k slots three
// counting passes take a fraction of std::sort's comparisons (issue 10's lag).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace bgpfa::rib {

// `tmp` is the scratch of the passes (resized to v's size: reserve it ahead to keep allocation
// out of the caller's critical part).
inline constexpr std::size_t kRadixMin = 1024;  // below this, comparisons are cheaper than the passes

inline void radix_sort_from_bit(std::vector<std::uint64_t>& v, std::vector<std::uint64_t>& tmp, unsigned low_bit) {
  constexpr unsigned kDigit = 13;
  if (v.size() < kRadixMin) {
    std::sort(v.begin(), v.end(), [low_bit](std::uint64_t a, std::uint64_t b) { return a >> low_bit < b >> low_bit; });
    return;
  }
  tmp.resize(v.size());
  std::array<std::uint32_t, std::size_t{1} << kDigit> count;
  for (unsigned shift = low_bit; shift < 64; shift += kDigit) {
    const std::uint64_t mask = (std::uint64_t{1} << std::min(kDigit, 64 - shift)) - 1;
    std::fill(count.begin(), count.end(), 0);
    for (const std::uint64_t x : v) ++count[(x >> shift) & mask];
    std::uint32_t sum = 0;
    for (auto& c : count) sum += std::exchange(c, sum);
    for (const std::uint64_t x : v) tmp[count[(x >> shift) & mask]++] = x;
    v.swap(tmp);
  }
}

}  // namespace bgpfa::rib
