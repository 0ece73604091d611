// The feed: failure windows of silent session failures (RFC 4098 detection and failover ranges),
// on a virtual clock.
#include <catch2/catch.hpp>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "feed/feed.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

constexpr std::uint64_t kS = 1'000'000;
constexpr std::uint64_t t0 = 1'700'000'000 * kS;

struct Rig {
  Analyzer a{[] {
               Policy p;
               p.circuits = {"er1"};
               p.weights = {0};
               return p;
             }(),
             [] {
               PeerRole r;
               r.address = wire::IpAddress::v4(0xc0000201);
               r.asn = 65001;
               r.circuit = 0;
               return std::vector<PeerRole>{r};
             }()};
  feed::Feed f{a};

  void open_session(std::uint64_t t, std::uint16_t hold) {
    auto ours = test::peer_open(0x01010101, false, 65515), theirs = test::peer_open(0x02020202, false, 65001);
    for (auto* m : {&ours, &theirs}) {
      (*m)[wire::kHeaderSize + 3] = static_cast<std::uint8_t>(hold >> 8);
      (*m)[wire::kHeaderSize + 4] = static_cast<std::uint8_t>(hold);
    }
    f.message(t, 0, ours, false, true, true);
    f.message(t, 0, theirs, false, true, false);
    f.state_change(t, 0, 5, 6);
    f.message(t + 1000, 0, test::route_update(1), false, true, false);
  }
  void keepalives(std::uint64_t from, std::uint64_t to, std::uint64_t every) {
    for (std::uint64_t t = from; t <= to; t += every) f.message(t, 0, test::keepalive(), false, true, false);
  }
  const Episode& last_episode() {
    a.advance(a.report(false).summary.last_us + 60 * kS);
    const auto& eps = a.report(true).episodes;
    REQUIRE_FALSE(eps.empty());
    static Episode e;
    e = eps.back();
    return e;
  }
};

}  // namespace

TEST_CASE("feed: a hold-timer expiry gives the failure window and detection range", "[feed][failure-window]") {
  Rig rig;
  rig.open_session(t0, 9);  // keepalives every 3 s
  rig.keepalives(t0 + 3 * kS, t0 + 30 * kS, 3 * kS);
  // The link is cut at t0 + 31.5 s: nothing more arrives; the hold timer expires 9 s after the
  // last KEEPALIVE (t0 + 30 s), at t0 + 39 s, and bgpfa sends its NOTIFICATION.
  const auto expiry = t0 + 39 * kS;
  rig.f.message(expiry, 0, wire::encode_notification({wire::notify::kHoldTimerExpired, 0, {}}), false, true, true);
  rig.f.state_change(expiry, 0, 6, 1);
  const Episode& e = rig.last_episode();
  CHECK_THAT(e.trigger, Catch::StartsWith("hold timer expired: to 192.0.2.1 (er1 primary)"));
  REQUIRE(e.failure.known);
  CHECK(e.failure.after_us == t0 + 30 * kS);   // the last message heard
  CHECK(e.failure.before_us == t0 + 33 * kS);  // the next KEEPALIVE was due
  const auto cut = t0 + 31'500'000;
  CHECK(e.failure.after_us < cut);  // the true failure lies inside the window
  CHECK(cut <= e.failure.before_us);
  CHECK(e.failure.before_us - e.failure.after_us <= 3 * kS);  // at most a keepalive interval wide
  CHECK(e.detection_min_us == 6 * kS);
  CHECK(e.detection_max_us == 9 * kS);
  CHECK(e.failover_min_us == 6 * kS);  // the prefix moved at the expiry
  CHECK(e.failover_max_us == 9 * kS);
  CHECK(e.failure.detected_by == "the hold timer");
}

TEST_CASE("feed: a TCP reset and a NOTIFICATION received", "[feed][failure-window]") {
  SECTION("TCP reset: between the last message and the reset") {
    Rig rig;
    rig.open_session(t0, 90);
    rig.keepalives(t0 + 30 * kS, t0 + 60 * kS, 30 * kS);
    rig.f.state_change(t0 + 70 * kS, 0, 6, 1);  // no NOTIFICATION either way
    const Episode& e = rig.last_episode();
    REQUIRE(e.failure.known);
    CHECK(e.failure.after_us == t0 + 60 * kS);
    CHECK(e.failure.before_us == t0 + 70 * kS);
    CHECK(e.failure.detected_by == "the TCP connection closing");
  }
  SECTION("NOTIFICATION from the peer: the failure is the message") {
    Rig rig;
    rig.open_session(t0, 90);
    rig.f.message(t0 + 20 * kS, 0, wire::encode_notification(wire::make_shutdown(2, "maintenance")), false, true, false);
    rig.f.state_change(t0 + 20 * kS, 0, 6, 1);
    const Episode& e = rig.last_episode();
    REQUIRE(e.failure.known);
    CHECK(e.failure.after_us == e.failure.before_us);
    CHECK(e.detection_max_us == 0);
  }
  SECTION("no KEEPALIVEs in the input (RIS updates files): the bound is unknown, not guessed") {
    Rig rig;
    rig.open_session(t0, 9);
    rig.f.message(t0 + 39 * kS, 0, wire::encode_notification({wire::notify::kHoldTimerExpired, 0, {}}), false, true, true);
    rig.f.state_change(t0 + 39 * kS, 0, 6, 1);
    const Episode& e = rig.last_episode();
    CHECK_FALSE(e.failure.known);
    CHECK_THAT(e.failure.note, Catch::Contains("holds no KEEPALIVEs from 192.0.2.1"));
  }
}

TEST_CASE("feed: session marks for the timeline, with what ended each session", "[feed][marks]") {
  using Kind = SessionMark::Kind;
  Rig rig;
  rig.open_session(t0, 90);
  // BFD declared the path down: bgpfa sends Cease/BFD Down (RFC 9384 subcode 10), then the session ends.
  rig.f.message(t0 + 10 * kS, 0, wire::encode_notification({wire::notify::kCease, 10, {}}), false, true, true);
  rig.f.state_change(t0 + 10 * kS, 0, 6, 1);
  rig.open_session(t0 + 20 * kS, 90);
  rig.f.message(t0 + 30 * kS, 0, wire::encode_notification({wire::notify::kHoldTimerExpired, 0, {}}), false, true, true);
  rig.f.state_change(t0 + 30 * kS, 0, 6, 1);
  rig.open_session(t0 + 40 * kS, 90);
  rig.f.message(t0 + 50 * kS, 0, wire::encode_notification(wire::make_shutdown(2, "maintenance")), false, true, false);
  rig.f.state_change(t0 + 50 * kS, 0, 6, 1);
  const auto marks = rig.a.report(true).marks;
  std::vector<std::pair<std::uint64_t, Kind>> got;
  for (const auto& m : marks) {
    CHECK(m.peer == 0);
    got.emplace_back(m.time_us - t0, m.kind);
  }
  const std::vector<std::pair<std::uint64_t, Kind>> want = {
      {0, Kind::Up},           {10 * kS, Kind::Bfd},       {10 * kS, Kind::Down}, {20 * kS, Kind::Up},
      {30 * kS, Kind::HoldTimer}, {30 * kS, Kind::Down}, {40 * kS, Kind::Up},   {50 * kS, Kind::Notification},
      {50 * kS, Kind::Down}};
  CHECK(got == want);
  CHECK_THAT(marks[1].text, Catch::StartsWith("BFD down: to 192.0.2.1 (er1 primary)"));
}

TEST_CASE("feed: a trigger inside an open episode keeps its time", "[feed][marks]") {
  Rig rig;
  rig.open_session(t0, 90);  // the first establishment: a baseline, no episode
  rig.f.state_change(t0 + 10 * kS, 0, 6, 1);
  rig.open_session(t0 + 20 * kS, 90);         // a recovery opens an episode
  rig.f.state_change(t0 + 22 * kS, 0, 6, 1);  // inside it
  const Episode& e = rig.last_episode();
  REQUIRE(e.other_triggers.size() == 1);
  REQUIRE(e.other_trigger_us.size() == 1);
  CHECK(e.other_trigger_us[0] == t0 + 22 * kS);
}

TEST_CASE("feed: per-session stats for monitoring: state, Established since, NOTIFICATIONs both ways", "[feed][metrics]") {
  Rig r;
  CHECK(r.f.session_stats(0).state == 0);  // nothing seen yet
  r.open_session(t0, 90);
  auto s = r.f.session_stats(0);
  CHECK(s.state == 6);
  CHECK(s.established_us == t0);
  r.f.state_change(t0 + 5 * kS, 0, 6, 6);  // staying Established keeps its start
  CHECK(r.f.session_stats(0).established_us == t0);
  const auto cease = wire::encode_notification(wire::make_shutdown(2, "bye"));
  r.f.message(t0 + 10 * kS, 0, cease, false, true, false);  // received
  r.f.state_change(t0 + 10 * kS, 0, 6, 1);
  s = r.f.session_stats(0);
  CHECK(s.state == 1);
  CHECK(s.established_us == 0);
  CHECK(s.notifications_received == 1);
  CHECK(s.notifications_sent == 0);
  r.open_session(t0 + 20 * kS, 90);
  r.f.message(t0 + 30 * kS, 0, cease, false, true, true);  // bgpfa's own
  s = r.f.session_stats(0);
  CHECK(s.established_us == t0 + 20 * kS);
  CHECK(s.notifications_sent == 1);
  CHECK(s.notifications_received == 1);
  CHECK(r.f.session_stats(5).state == 0);  // a peer index never seen
}

TEST_CASE("analyzer: convergence stats only grow and bucket each prefix's time per episode", "[feed][metrics]") {
  Rig r;
  r.open_session(t0 - 100 * kS, 90);  // the first establishment: an initial table, no episode
  r.f.state_change(t0 - 50 * kS, 0, 6, 1);
  r.a.advance(t0 - 10 * kS);
  REQUIRE(r.a.convergence_stats().episodes == 1);  // the session's end
  r.open_session(t0, 90);              // a recovery: an episode
  r.f.message(t0 + 2 * kS, 0, test::route_update(2), false, true, false);
  r.a.advance(t0 + 60 * kS);  // the quiet period closes the episode
  const auto& cs = r.a.convergence_stats();
  CHECK(cs.episodes == 2);
  CHECK(cs.count == 3);  // the end's prefix at once, then two: 1 ms and 2 s after the session came back
  CHECK(cs.sum_us == 1000 + 2 * kS);
  CHECK(cs.buckets[0] == 2);  // <= 1 ms
  CHECK(cs.buckets[9] == 1);  // <= 2.5 s
  std::uint64_t all = 0;
  for (const auto b : cs.buckets) all += b;
  CHECK(all == cs.count);
}

TEST_CASE("peer_of remembers its last answer only while no peer is added", "[feed]") {
  Rig rig;
  const auto known = wire::IpAddress::v4(0xc0000201), other = wire::IpAddress::v4(0xc0000202);
  const auto local = wire::IpAddress::v4(0xc0000264);
  CHECK(rig.f.peer_of(known) == 0);
  CHECK(rig.f.peer_of(known) == 0);
  CHECK(rig.f.peer_of(local, known) == 0);  // a session address the role does not name: its peer
  CHECK(rig.f.peer_of(other) == -1);
  CHECK(rig.f.peer_of(other) == -1);
  PeerRole r;
  r.address = other;
  r.asn = 65002;
  r.circuit = 0;
  r.link = Link::Secondary;
  REQUIRE(rig.a.add_peer(r) == 1);
  CHECK(rig.f.peer_of(other) == 1);  // the remembered -1 is not reused after the peer was added
  CHECK(rig.f.peer_of(known) == 0);
  CHECK(rig.f.unknown_peers() == std::vector<std::string>{"192.0.2.2"});
}

TEST_CASE("feed: RIB-dump routes held in batches are applied in order, before any other input", "[feed][snapshot]") {
  Rig rig;
  // The attributes of a route as a dump's entry decodes them.
  const auto msg = test::route_update(1);
  wire::Update u;
  wire::DecodeContext ctx;
  REQUIRE_FALSE(wire::decode_update(wire::Bytes(msg).subspan(wire::kHeaderSize), ctx, u));
  const auto prefix = [](unsigned i) {
    wire::Prefix p;
    p.address = wire::IpAddress::v4(0x0a000000u | i << 8);  // 10.x.y.0/24
    p.length = 24;
    return p;
  };
  // More than one batch: all of them in the table once flushed, none lost at the batch's edge.
  for (unsigned i = 0; i < 600; ++i) rig.f.snapshot_route(t0, 0, prefix(i), 0, u.attributes, true);
  rig.f.flush();
  CHECK(rig.a.routes() == 600);
  // A route held, then an UPDATE withdrawing it: the route is applied first, so the withdrawal
  // takes it away (the other order would leave it in the table for good).
  rig.f.snapshot_route(t0 + kS, 0, prefix(1000), 0, u.attributes, true);
  const std::uint8_t withdrawn[] = {24, 10, 3, 232};  // 10.3.232.0/24: prefix(1000)
  rig.f.message(t0 + 2 * kS, 0, wire::encode_update(withdrawn, {}, {}), false, true, false);
  rig.f.flush();  // nothing left to apply
  CHECK(rig.a.routes() == 600);
  // Held routes of an earlier time are applied when the replay's clock moves on.
  rig.f.snapshot_route(t0 + 3 * kS, 0, prefix(1001), 0, u.attributes, true);
  rig.f.clock(t0 + 3 * kS);  // the same time: may stay held
  rig.f.clock(t0 + 4 * kS);
  CHECK(rig.a.routes() == 601);
}
