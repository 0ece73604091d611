// Running totals over every closed episode, kept apart from the episode list so that they only
// grow (monitoring counters) even when old episodes are dropped: episodes, black-holed prefixes
// and a histogram of per-prefix convergence times (trigger -> the prefix's last change).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace bgpfa::analyzer {

struct ConvergenceStats {
  // Upper bounds in µs: 1 ms to 10 min, covering BFD (sub-second) to hold-timer (90-180 s) failover.
  static constexpr std::array<std::uint64_t, 17> kBoundsUs = {
      1'000,      5'000,      10'000,     25'000,     50'000,      100'000,     250'000,     500'000,    1'000'000,
      2'500'000,  5'000'000,  10'000'000, 30'000'000, 60'000'000,  120'000'000, 300'000'000, 600'000'000};
  std::array<std::uint64_t, kBoundsUs.size() + 1> buckets{};  // per bound; the last: above every bound
  std::uint64_t count = 0;   // prefixes observed (one per prefix per episode)
  std::uint64_t sum_us = 0;
  std::uint64_t episodes = 0;
  std::uint64_t blackholed_prefixes = 0;  // summed over episodes

  void observe(std::uint64_t us) noexcept {
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    ++buckets[i];
    ++count;
    sum_us += us;
  }
};

}  // namespace bgpfa::analyzer
