// The FSM driven by a fake clock: every state's way in and out, timers, and NOTIFICATIONs.
#include <catch2/catch.hpp>

#include <vector>

#include "bgp/session/fsm.hpp"

using namespace bgpfa::session;
using namespace std::chrono_literals;

namespace {

struct Recorder final : FsmActions {
  std::vector<std::string> log;
  int keepalives = 0;
  bool paused = false;  // the session stopped reading for its owner
  bool reads_paused() const override { return paused; }
  void connect() override { log.push_back("connect"); }
  void drop() override { log.push_back("drop"); }
  void send_open() override { log.push_back("open"); }
  void send_keepalive() override { ++keepalives; }
  void send_notification(std::uint8_t c, std::uint8_t s) override { log.push_back("notify " + std::to_string(c) + "/" + std::to_string(s)); }
  void established() override { log.push_back("established"); }
  void down(State, Event) override { log.push_back("down"); }
  void state_changed(State, State) override {}
  bool has(const std::string& s) const { return std::find(log.begin(), log.end(), s) != log.end(); }
};

struct Harness {
  FakeTimerService clock;
  Recorder rec;
  Fsm fsm;
  explicit Harness(bool passive = false) : fsm(clock, rec, FsmConfig{30s, 240s, passive}) {}
  void establish(std::uint16_t hold = 9) {
    fsm.handle(Event::ManualStart);
    fsm.handle(Event::TcpConnectionUp);
    fsm.set_hold_time(hold);
    fsm.handle(Event::BgpOpen);
    fsm.handle(Event::KeepAliveMsg);
    REQUIRE(fsm.state() == State::Established);
    rec.log.clear();
    rec.keepalives = 0;
  }
};

}  // namespace

TEST_CASE("active open to Established", "[fsm]") {
  Harness h;
  h.fsm.handle(Event::ManualStart);
  CHECK(h.fsm.state() == State::Connect);
  CHECK(h.rec.has("connect"));
  h.fsm.handle(Event::TcpConnectionUp);
  CHECK(h.fsm.state() == State::OpenSent);
  CHECK(h.rec.has("open"));
  CHECK(h.fsm.hold_timer().running());  // the large hold timer while waiting for OPEN
  h.fsm.set_hold_time(9);
  h.fsm.handle(Event::BgpOpen);
  CHECK(h.fsm.state() == State::OpenConfirm);
  CHECK(h.rec.keepalives == 1);
  h.fsm.handle(Event::KeepAliveMsg);
  CHECK(h.fsm.state() == State::Established);
  CHECK(h.rec.has("established"));
}

TEST_CASE("keepalives every third of the hold time; traffic keeps the session up", "[fsm][timers]") {
  Harness h;
  h.establish(9);
  for (int i = 0; i < 10; ++i) {
    h.clock.advance(3s);
    h.fsm.handle(Event::KeepAliveMsg);  // the peer's keepalive restarts our hold timer
  }
  CHECK(h.rec.keepalives == 10);
  CHECK(h.fsm.state() == State::Established);
}

TEST_CASE("hold timer expiry sends Hold Timer Expired and withdraws", "[fsm][timers]") {
  Harness h;
  h.establish(9);
  h.clock.advance(8999ms);
  CHECK(h.fsm.state() == State::Established);
  h.clock.advance(1ms);
  CHECK(h.fsm.state() == State::Idle);
  CHECK(h.rec.log == std::vector<std::string>{"notify 4/0", "drop", "down"});
  CHECK(h.fsm.connect_retry_counter() == 1);
}

TEST_CASE("the hold timer does not run out while the session has stopped reading", "[fsm][timers]") {
  Harness h;
  h.establish(9);
  h.rec.paused = true;  // the owner is behind: the peer's messages wait unread
  h.clock.advance(60s);
  CHECK(h.fsm.state() == State::Established);
  CHECK(h.rec.keepalives == 20);  // ours still go out
  h.rec.paused = false;  // reading again: the hold time started again at the last expiry (54 s)
  h.clock.advance(2999ms);
  CHECK(h.fsm.state() == State::Established);
  h.clock.advance(1ms);  // 63 s: nothing read since it started
  CHECK(h.fsm.state() == State::Idle);
  CHECK(h.rec.log == std::vector<std::string>{"notify 4/0", "drop", "down"});
}

TEST_CASE("hold time 0: no keepalives, no hold timer", "[fsm][timers]") {
  Harness h;
  h.establish(0);
  h.clock.advance(600s);
  CHECK(h.fsm.state() == State::Established);
  CHECK(h.rec.keepalives == 0);
  CHECK_FALSE(h.fsm.hold_timer().running());
}

TEST_CASE("OpenSent waits 4 minutes for the OPEN", "[fsm][timers]") {
  Harness h;
  h.fsm.handle(Event::ManualStart);
  h.fsm.handle(Event::TcpConnectionUp);
  h.clock.advance(239s);
  CHECK(h.fsm.state() == State::OpenSent);
  h.clock.advance(1s);
  CHECK(h.fsm.state() == State::Idle);
  CHECK(h.rec.has("notify 4/0"));
}

TEST_CASE("passive speakers never dial out", "[fsm]") {
  Harness h(/*passive=*/true);
  h.fsm.handle(Event::ManualStartPassive);
  CHECK(h.fsm.state() == State::Active);
  h.clock.advance(95s);  // three retry timer expiries
  CHECK(h.fsm.state() == State::Active);
  CHECK_FALSE(h.rec.has("connect"));
  h.fsm.handle(Event::TcpConnectionUp);
  CHECK(h.fsm.state() == State::OpenSent);
}

TEST_CASE("connect failure falls back to Active and retries", "[fsm][timers]") {
  Harness h;
  h.fsm.handle(Event::ManualStart);
  h.fsm.handle(Event::TcpConnectionFails);
  CHECK(h.fsm.state() == State::Active);
  h.rec.log.clear();
  h.clock.advance(30s);
  CHECK(h.fsm.state() == State::Connect);
  CHECK(h.rec.has("connect"));
}

TEST_CASE("unexpected messages are FSM errors with the state's subcode", "[fsm][notification]") {
  SECTION("KEEPALIVE in OpenSent") {
    Harness h;
    h.fsm.handle(Event::ManualStart);
    h.fsm.handle(Event::TcpConnectionUp);
    h.fsm.handle(Event::KeepAliveMsg);
    CHECK(h.rec.has("notify 5/1"));
    CHECK(h.fsm.state() == State::Idle);
  }
  SECTION("UPDATE in OpenConfirm") {
    Harness h;
    h.fsm.handle(Event::ManualStart);
    h.fsm.handle(Event::TcpConnectionUp);
    h.fsm.handle(Event::BgpOpen);
    h.fsm.handle(Event::UpdateMsg);
    CHECK(h.rec.has("notify 5/2"));
  }
  SECTION("OPEN in Established") {
    Harness h;
    h.establish();
    h.fsm.handle(Event::BgpOpen);
    CHECK(h.rec.log == std::vector<std::string>{"notify 5/3", "drop", "down"});
  }
}

TEST_CASE("decode errors send the decoder's code and subcode", "[fsm][notification]") {
  Harness h;
  h.establish();
  h.fsm.handle(Event::UpdateMsgErr, std::pair<std::uint8_t, std::uint8_t>{3, 11});
  CHECK(h.rec.log == std::vector<std::string>{"notify 3/11", "drop", "down"});
  Harness o;
  o.fsm.handle(Event::ManualStart);
  o.fsm.handle(Event::TcpConnectionUp);
  o.fsm.handle(Event::BgpOpenMsgErr, std::pair<std::uint8_t, std::uint8_t>{2, 2});
  CHECK(o.rec.has("notify 2/2"));
}

TEST_CASE("administrative stop: Cease/Administrative Shutdown", "[fsm][notification]") {
  Harness h;
  h.establish();
  h.fsm.handle(Event::ManualStop);
  CHECK(h.rec.log == std::vector<std::string>{"notify 6/2", "drop", "down"});
  CHECK(h.fsm.connect_retry_counter() == 0);
}

TEST_CASE("NOTIFICATION received and collisions", "[fsm][notification]") {
  Harness h;
  h.establish();
  h.fsm.handle(Event::NotifMsg);
  CHECK(h.rec.log == std::vector<std::string>{"drop", "down"});
  Harness c;
  c.fsm.handle(Event::ManualStart);
  c.fsm.handle(Event::TcpConnectionUp);
  c.fsm.handle(Event::OpenCollisionDump);
  CHECK(c.rec.has("notify 6/7"));
}

TEST_CASE("the table covers every state and event", "[fsm]") {
  for (int s = 0; s < kStates; ++s) {
    for (int e = 0; e < kEvents; ++e) {
      const auto& t = transition(static_cast<State>(s), static_cast<Event>(e));
      INFO(to_string(static_cast<State>(s)) << " + " << to_string(static_cast<Event>(e)));
      CHECK(static_cast<int>(t.next) < kStates);
      // Routes are withdrawn only when leaving Established, announced only on entering it.
      if (t.actions & act::kDown) CHECK(s == static_cast<int>(State::Established));
      if (t.actions & act::kEstablished) CHECK(t.next == State::Established);
      if (t.actions & act::kSendNotification) CHECK(t.code != 0);
    }
  }
}

TEST_CASE("a configured keepalive interval: the smaller of it and a third of the hold time (as FRR)", "[fsm][timers]") {
  auto keepalives_in = [](Duration keepalive, std::uint16_t hold, std::chrono::seconds span) {
    FakeTimerService clock;
    Recorder rec;
    Fsm fsm(clock, rec, FsmConfig{30s, 240s, false, keepalive});
    fsm.handle(Event::ManualStart);
    fsm.handle(Event::TcpConnectionUp);
    fsm.set_hold_time(hold);
    fsm.handle(Event::BgpOpen);
    fsm.handle(Event::KeepAliveMsg);
    REQUIRE(fsm.state() == State::Established);
    rec.keepalives = 0;
    for (std::chrono::milliseconds t{0}; t < span; t += 500ms) {
      clock.advance(500ms);
      fsm.handle(Event::KeepAliveMsg);  // the peer keeps the session up
    }
    return rec.keepalives;
  };
  CHECK(keepalives_in(1s, 9, 9s) == 9);   // timers 1 9: every second
  CHECK(keepalives_in(5s, 9, 9s) == 3);   // timers 5 9: every 3 s (a third of the hold time)
  CHECK(keepalives_in(0s, 9, 9s) == 3);   // not configured: a third of the hold time
  CHECK(keepalives_in(10s, 90, 60s) == 6);  // timers 10 90
  CHECK(keepalives_in(1s, 0, 10s) == 0);  // hold time 0: none
}

TEST_CASE("the configured connect retry interval", "[fsm][timers]") {
  FakeTimerService clock;
  Recorder rec;
  Fsm fsm(clock, rec, FsmConfig{2s, 240s, false});
  fsm.handle(Event::ManualStart);
  fsm.handle(Event::TcpConnectionFails);
  CHECK(fsm.state() == State::Active);
  rec.log.clear();
  clock.advance(1999ms);
  CHECK_FALSE(rec.has("connect"));
  clock.advance(1ms);
  CHECK(rec.has("connect"));
  CHECK(fsm.state() == State::Connect);
}
