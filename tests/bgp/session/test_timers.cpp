// Timer restarts: a later deadline moves the pending expiry without rescheduling it.
#include <catch2/catch.hpp>

#include "bgp/session/timers.hpp"

using namespace bgpfa::session;
using namespace std::chrono_literals;

TEST_CASE("a timer restarted with a later deadline fires once, at the last deadline", "[timers]") {
  FakeTimerService clock;
  int fired = 0;
  Timer hold(clock, [&] { ++fired; });
  hold.start(90s);
  for (int i = 0; i < 1000; ++i) {  // an UPDATE every 10 ms for 10 s
    clock.advance(10ms);
    hold.start(90s);
  }
  CHECK(clock.scheduled() == 1);  // the restarts only moved the deadline
  CHECK(clock.pending() == 1);
  clock.advance(89999ms);  // 10 s + 89.999 s: 1 ms before the last deadline
  CHECK(fired == 0);
  CHECK(hold.running());
  clock.advance(1ms);
  CHECK(fired == 1);
  CHECK_FALSE(hold.running());
  CHECK(clock.pending() == 0);
  CHECK(clock.scheduled() == 2);  // the first expiry found it not due and scheduled the rest
}

TEST_CASE("a timer restarted with an earlier deadline fires at the earlier one", "[timers]") {
  FakeTimerService clock;
  int fired = 0;
  Timer t(clock, [&] { ++fired; });
  t.start(240s);  // the large hold time while waiting for OPEN
  clock.advance(1s);
  t.start(3s);  // the negotiated one
  clock.advance(3s);
  CHECK(fired == 1);
  clock.advance(300s);
  CHECK(fired == 1);  // the cancelled 240 s expiry does not fire
}

TEST_CASE("a stopped timer does not fire, whatever deadline it had", "[timers]") {
  FakeTimerService clock;
  int fired = 0;
  Timer t(clock, [&] { ++fired; });
  t.start(1s);
  t.start(5s);
  t.stop();
  clock.advance(10s);
  CHECK(fired == 0);
  t.start(2s);
  clock.advance(2s);
  CHECK(fired == 1);
}
