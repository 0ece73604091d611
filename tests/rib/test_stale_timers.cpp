// RFC 4724 4.2 receiving-speaker timers, on a clock given by the test.
#include <catch2/catch.hpp>

#include "rib/stale_timers.hpp"

using bgpfa::rib::StaleTimers;

TEST_CASE("stale timers run out at their deadline, in peer order, once", "[rib][graceful-restart]") {
  StaleTimers timers(3);
  timers.arm(2, 5'000'000, "peer 2 restart time");
  timers.arm(0, 5'000'000, "peer 0 restart time");
  timers.arm(1, 9'000'000, "peer 1 stale-path time");
  CHECK(timers.take_due(4'999'999).empty());
  const auto due = timers.take_due(6'000'000);
  REQUIRE(due.size() == 2);
  CHECK(due[0].peer == 0);
  CHECK(due[1].peer == 2);
  CHECK(due[0].at_us == 5'000'000);  // when it ran out, not when it was noticed
  CHECK(due[1].why == "peer 2 restart time");
  CHECK(timers.take_due(6'000'000).empty());  // disarmed once taken
  const auto later = timers.take_due(9'000'000);
  REQUIRE(later.size() == 1);
  CHECK(later[0].peer == 1);
}

TEST_CASE("a disarmed stale timer never runs out; re-arming an earlier deadline is seen", "[rib][graceful-restart]") {
  StaleTimers timers(2);
  timers.arm(0, 10'000'000, "restart time");
  CHECK(timers.take_due(1'000'000).empty());  // remembers 10 s as the next deadline
  timers.arm(1, 2'000'000, "stale-path time");  // earlier than the remembered one
  const auto due = timers.take_due(3'000'000);
  REQUIRE(due.size() == 1);
  CHECK(due[0].peer == 1);
  timers.disarm(0);
  CHECK(timers.take_due(20'000'000).empty());
  timers.add_peer();
  timers.arm(2, 21'000'000, "new peer");
  CHECK(timers.take_due(21'000'000).size() == 1);
}
