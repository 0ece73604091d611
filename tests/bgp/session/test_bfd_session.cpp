// The BFD session on a fake clock: the transition table against RFC 5880 6.2 / 6.8.6, the
// three-way handshake, detection time, signalled and administrative Down, timer negotiation,
// slow transmission, jitter and the Poll Sequence.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "bgp/session/bfd_session.hpp"

using namespace bgpfa::session;
using namespace bgpfa::session::bfd;
using namespace std::chrono_literals;

namespace {

std::uint64_t us_of(const FakeTimerService& c) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<Micros>(c.now().time_since_epoch()).count());
}

struct Recorder final : SessionActions {
  const FakeTimerService& clock;
  explicit Recorder(const FakeTimerService& c) : clock(c) {}
  struct Sent {
    std::uint64_t at;
    Packet p;
  };
  std::vector<Sent> sent;
  std::vector<StateChange> changes;
  std::function<void(const StateChange&)> on_change;
  void send(const Packet& p) override { sent.push_back({us_of(clock), p}); }
  void state_changed(const StateChange& c) override {
    changes.push_back(c);
    if (on_change) on_change(c);
  }
  [[nodiscard]] const Packet& last() const {
    REQUIRE_FALSE(sent.empty());
    return sent.back().p;
  }
};

SessionConfig config(std::uint32_t discr, FakeTimerService& clock, Micros tx = 300ms, Micros rx = 300ms,
                     std::uint8_t mult = 3) {
  SessionConfig c;
  c.local_discriminator = discr;
  c.desired_min_tx = tx;
  c.required_min_rx = rx;
  c.detect_mult = mult;
  c.seed = 1234 + discr;
  c.wall_clock_us = [&clock] { return us_of(clock); };
  return c;
}

// What the peer sends: its discriminator 77.
Packet peer(State s, std::uint32_t your, Micros tx = 300ms, Micros rx = 300ms, std::uint8_t mult = 3) {
  Packet p;
  p.state = s;
  p.detect_mult = mult;
  p.my_discriminator = 77;
  p.your_discriminator = your;
  p.desired_min_tx_us = static_cast<std::uint32_t>(tx.count());
  p.required_min_rx_us = static_cast<std::uint32_t>(rx.count());
  return p;
}

struct Harness {
  FakeTimerService clock;
  Recorder rec{clock};
  Session s;
  explicit Harness(Micros tx = 300ms, Micros rx = 300ms, std::uint8_t mult = 3)
      : s(clock, rec, config(5, clock, tx, rx, mult)) {
    s.start();
  }
  void recv(Packet p) { REQUIRE(s.receive(p, us_of(clock))); }
  // Down -> Init -> Up as in RFC 5880 6.2; the peer's first packets are slow (1 s).
  void bring_up() {
    recv(peer(State::Down, 0, 1s));
    REQUIRE(s.state() == State::Init);
    recv(peer(State::Up, 5, 1s));
    REQUIRE(s.state() == State::Up);
  }
};

}  // namespace

TEST_CASE("bfd transition table follows RFC 5880 6.2 and 6.8.6", "[bfd]") {
  using S = State;
  using E = Event;
  // Columns: RecvAdminDown, RecvDown, RecvInit, RecvUp, DetectionTimerExpired, AdminDown, AdminUp.
  const S expect[kStates][kEvents] = {
      /* AdminDown */ {S::AdminDown, S::AdminDown, S::AdminDown, S::AdminDown, S::AdminDown, S::AdminDown, S::Down},
      /* Down */ {S::Down, S::Init, S::Up, S::Down, S::Down, S::AdminDown, S::Down},
      /* Init */ {S::Down, S::Init, S::Up, S::Up, S::Down, S::AdminDown, S::Init},
      /* Up */ {S::Down, S::Down, S::Up, S::Up, S::Down, S::AdminDown, S::Up},
  };
  for (int s = 0; s < kStates; ++s)
    for (int e = 0; e < kEvents; ++e) {
      INFO(to_string(static_cast<S>(s)) << " + " << to_string(static_cast<E>(e)));
      CHECK(transition(static_cast<S>(s), static_cast<E>(e)).next == expect[s][e]);
    }
  CHECK(transition(S::Up, E::DetectionTimerExpired).diag == Diag::ControlDetectionTimeExpired);
  CHECK(transition(S::Init, E::DetectionTimerExpired).diag == Diag::ControlDetectionTimeExpired);
  CHECK(transition(S::Up, E::RecvDown).diag == Diag::NeighborSignaledSessionDown);
  CHECK(transition(S::Up, E::RecvAdminDown).diag == Diag::NeighborSignaledSessionDown);
  CHECK(transition(S::Init, E::RecvAdminDown).diag == Diag::NeighborSignaledSessionDown);
  CHECK(transition(S::Up, E::AdminDown).diag == Diag::AdministrativelyDown);
  CHECK_FALSE(transition(S::Down, E::RecvAdminDown).set_diag);  // already Down: diag unchanged
  CHECK(transition(S::Down, E::DetectionTimerExpired).clear_remote);
  CHECK_FALSE(transition(S::Up, E::RecvUp).clear_remote);
}

TEST_CASE("bfd: Down -> Init -> Up three-way handshake, then the Poll Sequence to fast timers", "[bfd]") {
  Harness h;
  CHECK(h.s.state() == State::Down);
  h.clock.advance(1s);
  REQUIRE(h.rec.sent.size() == 1);
  CHECK(h.rec.last().state == State::Down);
  CHECK(h.rec.last().your_discriminator == 0);
  CHECK(h.rec.last().my_discriminator == 5);
  CHECK(h.rec.last().desired_min_tx_us == 1'000'000);  // 6.8.3: slow while not Up
  CHECK(h.rec.last().required_min_rx_us == 300'000);
  CHECK(h.rec.last().detect_mult == 3);

  h.recv(peer(State::Down, 0, 1s));
  CHECK(h.s.state() == State::Init);
  CHECK(h.s.remote_discriminator() == 77);
  h.clock.advance(1s);
  CHECK(h.rec.last().state == State::Init);
  CHECK(h.rec.last().your_discriminator == 77);

  h.recv(peer(State::Up, 5, 1s));
  CHECK(h.s.state() == State::Up);
  REQUIRE(h.rec.changes.size() == 2);
  CHECK(h.rec.changes[0].from == State::Down);
  CHECK(h.rec.changes[0].to == State::Init);
  CHECK(h.rec.changes[1].to == State::Up);
  CHECK(h.rec.changes[1].event == Event::RecvUp);
  CHECK(h.rec.changes[1].diag == Diag::None);
  // Up: advertise 300 ms, asking by Poll.
  CHECK(h.s.poll_active());
  CHECK(h.s.advertised_min_tx() == 300ms);
  CHECK(h.s.tx_interval() == 300ms);
  h.clock.advance(300ms);
  CHECK(h.rec.last().state == State::Up);
  CHECK(h.rec.last().poll);
  CHECK(h.rec.last().desired_min_tx_us == 300'000);
  // The peer's Final ends it; the peer now sends 300 ms too.
  auto fin = peer(State::Up, 5);
  fin.final = true;
  h.recv(fin);
  CHECK_FALSE(h.s.poll_active());
  h.clock.advance(300ms);
  CHECK_FALSE(h.rec.last().poll);
  CHECK(h.s.detection_time() == 900ms);
}

TEST_CASE("bfd: Down + received Init goes Up directly", "[bfd]") {
  Harness h;
  h.recv(peer(State::Init, 5, 1s));
  CHECK(h.s.state() == State::Up);
  REQUIRE(h.rec.changes.size() == 1);
  CHECK(h.rec.changes[0].from == State::Down);
}

TEST_CASE("bfd: two sessions back to back come Up, and a cut link is detected in the detection time", "[bfd]") {
  FakeTimerService clock;
  struct Wire final : SessionActions {
    FakeTimerService& clock;
    Session* to = nullptr;
    bool up = true;
    std::vector<StateChange> changes;
    explicit Wire(FakeTimerService& c) : clock(c) {}
    void send(const Packet& p) override {
      if (!up) return;
      const auto bytes = encode(p);  // through the codec, 1 ms on the wire
      clock.schedule(1ms, [this, bytes] {
        const auto r = decode(bytes);
        REQUIRE(r.ok());
        to->receive(r.value(), us_of(clock));
      });
    }
    void state_changed(const StateChange& c) override { changes.push_back(c); }
  };
  Wire wa{clock}, wb{clock};
  Session a(clock, wa, config(1, clock)), b(clock, wb, config(2, clock));
  wa.to = &b;
  wb.to = &a;
  a.start();
  b.start();
  clock.advance(3s);
  REQUIRE(a.state() == State::Up);
  REQUIRE(b.state() == State::Up);
  // One side went Down -> Init -> Up, the other Down -> Up or Down -> Init -> Up.
  CHECK(wa.changes.back().to == State::Up);
  clock.advance(2s);  // Poll Sequences done: 300 ms both ways
  CHECK_FALSE(a.poll_active());
  CHECK_FALSE(b.poll_active());
  CHECK(a.tx_interval() == 300ms);
  CHECK(a.detection_time() == 900ms);

  const auto cut = us_of(clock);
  wa.up = wb.up = false;
  clock.advance(2s);
  CHECK(a.state() == State::Down);
  CHECK(b.state() == State::Down);
  const auto& down = wa.changes.back();
  CHECK(down.from == State::Up);
  CHECK(down.diag == Diag::ControlDetectionTimeExpired);
  CHECK(down.event == Event::DetectionTimerExpired);
  REQUIRE(down.last_rx_us);
  // The failure window: after the last packet heard, before the detection.
  CHECK(*down.last_rx_us <= cut);
  CHECK(down.at_us >= cut);
  CHECK(down.at_us - *down.last_rx_us == 900'000);
  CHECK(down.at_us - cut <= 900'000);
  CHECK(down.detection_time == 900ms);

  // The link returns: Up again, through the slow rate.
  wa.up = wb.up = true;
  clock.advance(5s);
  CHECK(a.state() == State::Up);
  CHECK(b.state() == State::Up);
}

TEST_CASE("bfd: detection time expiry from Up gives diag 1 and the last packet's time", "[bfd]") {
  Harness h;
  h.bring_up();
  h.clock.advance(100ms);
  h.recv(peer(State::Up, 5, 500ms, 300ms, 4));  // detection = 4 x max(300, 500) = 2 s
  const auto last = us_of(h.clock);
  CHECK(h.s.detection_time() == 2s);
  h.clock.advance(1999ms);
  CHECK(h.s.state() == State::Up);
  h.clock.advance(1ms);
  CHECK(h.s.state() == State::Down);
  CHECK(h.s.local_diag() == Diag::ControlDetectionTimeExpired);
  const auto& c = h.rec.changes.back();
  CHECK(c.from == State::Up);
  CHECK(c.to == State::Down);
  CHECK(c.diag == Diag::ControlDetectionTimeExpired);
  CHECK(c.last_rx_us == last);
  CHECK(c.at_us == last + 2'000'000);
  // 6.8.1: the remote discriminator is forgotten; packets say Down with the diagnostic.
  CHECK(h.s.remote_discriminator() == 0);
  h.clock.advance(1s);
  CHECK(h.rec.last().state == State::Down);
  CHECK(h.rec.last().diag == Diag::ControlDetectionTimeExpired);
  CHECK(h.rec.last().your_discriminator == 0);
  CHECK(h.rec.last().desired_min_tx_us == 1'000'000);
}

TEST_CASE("bfd: detection time expiry from Init, and in Down only forgets the peer", "[bfd]") {
  Harness h;
  h.recv(peer(State::Down, 0, 1s));
  REQUIRE(h.s.state() == State::Init);
  h.clock.advance(3s);  // 3 x max(300 ms, 1 s)
  CHECK(h.s.state() == State::Down);
  CHECK(h.s.local_diag() == Diag::ControlDetectionTimeExpired);
  CHECK(h.s.remote_discriminator() == 0);

  Harness d;
  d.recv(peer(State::Up, 0 + 5, 1s));  // Down + Up: stays Down
  CHECK(d.s.state() == State::Down);
  CHECK(d.s.remote_discriminator() == 77);
  d.clock.advance(3s);
  CHECK(d.s.state() == State::Down);
  CHECK(d.s.remote_discriminator() == 0);
  CHECK(d.s.local_diag() == Diag::None);
  CHECK(d.rec.changes.empty());
}

TEST_CASE("bfd: the neighbour signals Down or AdminDown", "[bfd]") {
  for (const State s : {State::Down, State::AdminDown}) {
    Harness h;
    h.bring_up();
    h.recv(peer(s, 5));
    CHECK(h.s.state() == State::Down);
    CHECK(h.s.local_diag() == Diag::NeighborSignaledSessionDown);
    CHECK(h.rec.changes.back().diag == Diag::NeighborSignaledSessionDown);
    CHECK(h.rec.changes.back().event == (s == State::Down ? Event::RecvDown : Event::RecvAdminDown));
    h.clock.advance(1s);
    CHECK(h.rec.last().state == State::Down);
    CHECK(h.rec.last().diag == Diag::NeighborSignaledSessionDown);
  }
}

TEST_CASE("bfd: the peer's diagnostic is reported with the change", "[bfd]") {
  Harness h;
  h.bring_up();
  auto shut = peer(State::AdminDown, 5);
  shut.diag = Diag::AdministrativelyDown;
  h.recv(shut);
  CHECK(h.s.remote_diag() == Diag::AdministrativelyDown);
  CHECK(h.rec.changes.back().remote_diag == Diag::AdministrativelyDown);
  CHECK(h.rec.changes.back().diag == Diag::NeighborSignaledSessionDown);
}

TEST_CASE("bfd: AdminDown set from the owner's callback leaves no detection timer", "[bfd]") {
  Harness h;
  h.bring_up();
  h.rec.on_change = [&](const StateChange& c) {
    if (c.to == State::Down) h.s.admin_down();
  };
  h.recv(peer(State::Down, 5));
  CHECK(h.s.state() == State::AdminDown);
  CHECK(h.clock.pending() == 1);  // the transmit timer only
  h.s.stop();
  CHECK(h.clock.pending() == 0);
}

TEST_CASE("bfd: local AdminDown and back", "[bfd]") {
  Harness h;
  h.bring_up();
  h.s.admin_down();
  CHECK(h.s.state() == State::AdminDown);
  CHECK(h.rec.changes.back().diag == Diag::AdministrativelyDown);
  h.clock.advance(1s);
  CHECK(h.rec.last().state == State::AdminDown);
  CHECK(h.rec.last().diag == Diag::AdministrativelyDown);
  // Received packets change nothing, and no detection timer runs.
  h.recv(peer(State::Up, 5));
  h.clock.advance(10s);
  CHECK(h.s.state() == State::AdminDown);
  h.s.admin_up();
  CHECK(h.s.state() == State::Down);
  h.recv(peer(State::Down, 0, 1s));
  CHECK(h.s.state() == State::Init);

  FakeTimerService clock;
  Recorder rec{clock};
  auto cfg = config(9, clock);
  cfg.admin_down = true;
  Session s(clock, rec, cfg);
  s.start();
  clock.advance(1s);
  CHECK(rec.last().state == State::AdminDown);
  CHECK(rec.last().diag == Diag::AdministrativelyDown);
}

TEST_CASE("bfd: a packet for another discriminator is discarded", "[bfd]") {
  Harness h;
  CHECK_FALSE(h.s.receive(peer(State::Up, 6), 0));
  CHECK(h.s.packets_received() == 0);
  CHECK(h.s.remote_discriminator() == 0);
}

TEST_CASE("bfd timer negotiation (RFC 5880 6.8.2, 6.8.3, 6.8.4)", "[bfd]") {
  struct Case {
    Micros local_tx, local_rx;
    Micros remote_tx, remote_rx;
    std::uint8_t remote_mult;
    Micros tx_up, detect_up;
  };
  // TX = max(local desired min TX, remote required min RX);
  // detection = remote mult x max(local required min RX, remote desired min TX).
  const Case cases[] = {
      {300ms, 300ms, 300ms, 300ms, 3, 300ms, 900ms},
      {300ms, 300ms, 500ms, 200ms, 5, 300ms, 2500ms},
      {100ms, 200ms, 50ms, 1000ms, 3, 1000ms, 600ms},
      {50ms, 50ms, 50ms, 50ms, 1, 50ms, 50ms},
      {2s, 10ms, 20ms, 30ms, 2, 2s, 40ms},
  };
  for (const auto& c : cases) {
    INFO(c.local_tx.count() << " " << c.local_rx.count() << " " << c.remote_tx.count() << " " << c.remote_rx.count());
    Harness h(c.local_tx, c.local_rx);
    h.recv(peer(State::Down, 0, c.remote_tx, c.remote_rx, c.remote_mult));
    // Not Up: at least 1 s (6.8.3).
    CHECK(h.s.tx_interval() == std::max(std::max(c.local_tx, kSlowTx), c.remote_rx));
    h.recv(peer(State::Up, 5, c.remote_tx, c.remote_rx, c.remote_mult));
    REQUIRE(h.s.state() == State::Up);
    CHECK(h.s.tx_interval() == c.tx_up);
    CHECK(h.s.detection_time() == c.detect_up);
  }
}

namespace {
std::vector<std::uint64_t> gaps(const Recorder& r, std::size_t from) {
  std::vector<std::uint64_t> g;
  for (std::size_t i = from + 1; i < r.sent.size(); ++i) g.push_back(r.sent[i].at - r.sent[i - 1].at);
  return g;
}
}  // namespace

TEST_CASE("bfd: slow transmission (1 s, jittered) while not Up", "[bfd]") {
  Harness h(50ms, 50ms);
  h.clock.advance(200s);
  const auto g = gaps(h.rec, 0);
  REQUIRE(g.size() > 150);
  CHECK(*std::min_element(g.begin(), g.end()) >= 750'000);
  CHECK(*std::max_element(g.begin(), g.end()) <= 1'000'000);
  CHECK(h.rec.last().desired_min_tx_us == 1'000'000);
}

TEST_CASE("bfd jitter: 75-100 % of the interval, 75-90 % with Detect Mult 1 (6.8.7)", "[bfd]") {
  for (const std::uint8_t mult : {std::uint8_t{3}, std::uint8_t{1}}) {
    Harness h(300ms, 300ms, mult);
    h.bring_up();
    const auto from = h.rec.sent.size();
    auto fin = peer(State::Up, 5);
    fin.final = true;
    h.recv(fin);
    // Keep the session Up: the peer's packets every 250 ms.
    for (int i = 0; i < 4000; ++i) {
      h.clock.advance(250ms);
      h.recv(peer(State::Up, 5));
    }
    REQUIRE(h.s.state() == State::Up);
    const auto g = gaps(h.rec, from);
    REQUIRE(g.size() > 3000);
    const auto lo = *std::min_element(g.begin(), g.end()), hi = *std::max_element(g.begin(), g.end());
    INFO("mult " << int(mult) << ": " << lo << ".." << hi);
    CHECK(lo >= 225'000);
    CHECK(lo <= 230'000);  // really jittered, down to the bound
    if (mult == 1) {
      CHECK(hi <= 270'000);
      CHECK(hi >= 265'000);
    } else {
      CHECK(hi <= 300'000);
      CHECK(hi >= 295'000);
    }
  }
}

TEST_CASE("bfd: a Poll is answered at once with Final", "[bfd]") {
  Harness h;
  h.bring_up();
  const auto before = h.rec.sent.size();
  auto poll = peer(State::Up, 5, 200ms, 100ms);
  poll.poll = true;
  h.recv(poll);
  REQUIRE(h.rec.sent.size() == before + 1);
  CHECK(h.rec.last().final);
  CHECK_FALSE(h.rec.last().poll);  // never both, even with our own Poll outstanding
  CHECK(h.s.poll_active());
  CHECK(h.rec.sent.back().at == us_of(h.clock));
  CHECK(h.s.tx_interval() == 300ms);
  CHECK(h.s.detection_time() == 900ms);
}

TEST_CASE("bfd Poll Sequence: slower TX and faster detection wait for the Final (6.8.3)", "[bfd]") {
  Harness h;
  h.bring_up();
  auto fin = peer(State::Up, 5);
  fin.final = true;
  h.recv(fin);
  REQUIRE_FALSE(h.s.poll_active());
  REQUIRE(h.s.tx_interval() == 300ms);

  // Slower TX (500 ms) and faster RX (100 ms): advertised now, in use after the Final.
  h.s.set_parameters(500ms, 100ms, 3);
  CHECK(h.s.poll_active());
  CHECK(h.s.advertised_min_tx() == 500ms);
  CHECK(h.s.advertised_min_rx() == 100ms);
  CHECK(h.s.tx_interval() == 300ms);
  h.recv(peer(State::Up, 5, 100ms));
  CHECK(h.s.detection_time() == 900ms);  // 3 x max(old 300, 100)
  h.clock.advance(300ms);
  CHECK(h.rec.last().poll);
  CHECK(h.rec.last().desired_min_tx_us == 500'000);
  CHECK(h.rec.last().required_min_rx_us == 100'000);
  auto fin2 = peer(State::Up, 5, 100ms, 100ms);
  fin2.final = true;
  h.recv(fin2);
  CHECK_FALSE(h.s.poll_active());
  CHECK(h.s.tx_interval() == 500ms);
  CHECK(h.s.detection_time() == 300ms);

  // Faster TX takes effect at once; a change during a Poll is followed by another Poll.
  h.s.set_parameters(200ms, 100ms, 3);
  CHECK(h.s.tx_interval() == 200ms);
  h.s.set_parameters(200ms, 150ms, 3);
  h.recv(fin2);
  CHECK(h.s.poll_active());
  h.recv(fin2);
  CHECK_FALSE(h.s.poll_active());
  CHECK(h.s.detection_time() == 450ms);
  // No change: no Poll.
  h.s.set_parameters(200ms, 150ms, 3);
  CHECK_FALSE(h.s.poll_active());
}

TEST_CASE("bfd: going Down returns to slow TX at once", "[bfd]") {
  Harness h;
  h.bring_up();
  h.recv(peer(State::Down, 5));
  CHECK(h.s.advertised_min_tx() == 1s);
  CHECK(h.s.tx_interval() == 1s);
  CHECK(h.s.poll_active());
}

TEST_CASE("bfd: no periodic packets when the peer's Required Min RX is 0", "[bfd]") {
  Harness h;
  h.recv(peer(State::Down, 0, 1s, 0us));
  const auto n = h.rec.sent.size();
  h.recv(peer(State::Down, 0, 1s, 0us));
  h.clock.advance(900ms);
  h.recv(peer(State::Down, 0, 1s, 0us));
  h.clock.advance(900ms);
  CHECK(h.rec.sent.size() == n);
}

TEST_CASE("bfd: the peer's Demand mode stops periodic packets once both are Up", "[bfd]") {
  Harness h;
  h.bring_up();
  auto fin = peer(State::Up, 5);
  fin.final = true;
  fin.demand = true;
  h.recv(fin);
  const auto n = h.rec.sent.size();
  h.clock.advance(250ms);
  auto d = peer(State::Up, 5);
  d.demand = true;
  h.recv(d);
  h.clock.advance(250ms);
  h.recv(d);
  h.clock.advance(250ms);
  CHECK(h.rec.sent.size() == n);
}
