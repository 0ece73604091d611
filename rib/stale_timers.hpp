// Graceful restart, receiving speaker (RFC 4724 4.2): per session, when its stale routes go
// (the peer's restart time while it is away, the stale-path time once it is back). The caller
// withdraws them; this only keeps the deadlines.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bgpfa::rib {

class StaleTimers {
 public:
  explicit StaleTimers(std::size_t peers) : timers_(peers) {}
  void add_peer() { timers_.emplace_back(); }
  // deadline 0: none running.
  void arm(std::size_t peer, std::uint64_t deadline_us, std::string why);
  void disarm(std::size_t peer) { timers_[peer].deadline_us = 0; }

  struct Due {
    std::size_t peer;
    std::uint64_t at_us;  // when the timer ran out: the withdrawal happens then
    std::string why;
  };
  // The timers run out by t, in peer order, disarmed. Cheap when none is due.
  [[nodiscard]] std::vector<Due> take_due(std::uint64_t t);

 private:
  struct Timer {
    std::uint64_t deadline_us = 0;
    std::string why;
  };
  std::vector<Timer> timers_;
  std::uint64_t next_deadline_ = 0;  // 0: to be recomputed; ~0: none running
};

}  // namespace bgpfa::rib
