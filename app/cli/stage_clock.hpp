// The clock of `replay --stats`' RIB + analyzer stage. The stage is timed per route (~200 ns
// each), where two clock_gettime calls (~17 ns each here) would be a sixth of what is measured.
// On x86-64 it counts the invariant TSC instead (rdtsc, a few ns) and converts the ticks to time
// by their ratio to steady_clock over the whole run; elsewhere it is steady_clock itself.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace bgpfa::app {

class StageClock {
 public:
  [[nodiscard]] static std::uint64_t ticks() noexcept {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
  }
  // What one timed interval counts of the clock itself (the second read's latency and the
  // first's tail): the least of back-to-back reads, ~18 ticks (7 ns) of rdtsc on this kind of VM,
  // which is 3-4 % of a route's ~200 ns. The stage's time is given without it, and it is said
  // separately.
  [[nodiscard]] static std::uint64_t overhead_ticks() noexcept {
    std::uint64_t least = ~std::uint64_t{0};
    for (int i = 0; i < 256; ++i) {
      const std::uint64_t a = ticks(), b = ticks();
      least = std::min(least, b - a);
    }
    return least;
  }
  // `n` ticks counted since construction, as time.
  [[nodiscard]] std::chrono::nanoseconds to_time(std::uint64_t n) const {
    const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
    const std::uint64_t all = ticks() - start_ticks_;
    if (!all) return std::chrono::nanoseconds{0};
    return std::chrono::nanoseconds{static_cast<std::int64_t>(static_cast<long double>(n) * static_cast<long double>(wall.count()) /
                                                              static_cast<long double>(all))};
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::uint64_t start_ticks_ = ticks();
};

}  // namespace bgpfa::app
