#include "rib/stale_timers.hpp"

namespace bgpfa::rib {

void StaleTimers::arm(std::size_t peer, std::uint64_t deadline_us, std::string why) {
  timers_[peer] = Timer{deadline_us, std::move(why)};
  next_deadline_ = 0;  // recomputed by the next take_due()
}

std::vector<StaleTimers::Due> StaleTimers::take_due(std::uint64_t t) {
  std::vector<Due> due;
  if (next_deadline_ && t < next_deadline_) return due;
  next_deadline_ = 0;
  for (std::size_t i = 0; i < timers_.size(); ++i) {
    Timer& timer = timers_[i];
    if (!timer.deadline_us) continue;
    if (timer.deadline_us <= t) {
      due.push_back(Due{i, timer.deadline_us, std::move(timer.why)});
      timer.deadline_us = 0;
      continue;
    }
    if (!next_deadline_ || timer.deadline_us < next_deadline_) next_deadline_ = timer.deadline_us;
  }
  if (!next_deadline_) next_deadline_ = ~std::uint64_t{0};
  return due;
}

}  // namespace bgpfa::rib
