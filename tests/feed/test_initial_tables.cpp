// Each session's initial table is a baseline (feed/initial_tables.hpp): from its first
// establishment to its End-of-RIB for each negotiated family, or its last UPDATE before a quiet
// period. Its changes are events but make no episode; a later establishment (a recovery) is an
// episode. Hand-built feed events on a virtual clock.
#include <catch2/catch.hpp>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "feed/feed.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

constexpr std::uint64_t kS = 1'000'000, kMs = 1000;
constexpr std::uint64_t t0 = 1'700'000'000 * kS;

struct Rig {
  Analyzer a{[] {
               Policy p;
               p.circuits = {"er1"};
               p.weights = {0};
               return p;  // quiet period 5 s
             }(),
             [] {
               std::vector<PeerRole> v(2);
               for (std::uint32_t i = 0; i < 2; ++i) {
                 v[i].address = wire::IpAddress::v4(0xc0000201 + i);
                 v[i].asn = 65001;
                 v[i].circuit = 0;
               }
               v[1].link = Link::Secondary;
               return v;
             }()};
  feed::Feed f{a};
  std::vector<InitialTable> said;  // what on_initial_table reported, in order
  Rig() {
    f.on_initial_table([this](const InitialTable& t) { said.push_back(t); });
  }

  // OPENs (IPv4 only, as peer_open writes them: no multiprotocol capability) and Established.
  void up(std::uint64_t t, int peer) {
    f.message(t, peer, test::peer_open(0x01010101, false, 65515), false, true, true);
    f.message(t, peer, test::peer_open(0x02020202 + static_cast<std::uint32_t>(peer), false, 65001), false, true, false);
    f.state_change(t, peer, 5, 6);
  }
  void route(std::uint64_t t, int peer, std::uint8_t i) { f.message(t, peer, test::route_update(i), false, true, false); }
  void eor(std::uint64_t t, int peer) { f.message(t, peer, wire::encode_update({}, {}, {}), false, true, false); }
  void cut(std::uint64_t t, int peer) {
    f.message(t, peer, wire::encode_notification({wire::notify::kHoldTimerExpired, 0, {}}), false, true, true);
    f.state_change(t, peer, 6, 1);
  }
  Report report() {
    f.advance(t0 + 3600 * kS);
    return a.report(true);
  }
};

}  // namespace

TEST_CASE("initial tables: up to End-of-RIB, events but no episode; the recovery later is an episode",
          "[feed][initial-table]") {
  Rig rig;
  rig.up(t0, 0);
  for (std::uint8_t i = 1; i <= 3; ++i) rig.route(t0 + i * 10 * kMs, 0, i);
  rig.eor(t0 + 45 * kMs, 0);
  REQUIRE(rig.said.size() == 1);  // said at once, at the End-of-RIB
  CHECK(rig.said[0].peer == "192.0.2.1");
  CHECK(rig.said[0].role == "er1 primary");
  CHECK(rig.said[0].prefixes == 3);
  CHECK(rig.said[0].end_us - rig.said[0].start_us == 45 * kMs);
  CHECK(rig.said[0].ended_by == "End-of-RIB");
  // After it, an UPDATE is news: 1 s later (within the quiet period), 10.4/16 arrives.
  rig.route(t0 + 1045 * kMs, 0, 4);
  // The link fails; the session comes back and sends its table again: a recovery, an episode.
  rig.cut(t0 + 100 * kS, 0);
  rig.up(t0 + 130 * kS, 0);
  for (std::uint8_t i = 1; i <= 4; ++i) rig.route(t0 + 130 * kS + i * kMs, 0, i);
  rig.eor(t0 + 130 * kS + 5 * kMs, 0);
  const Report r = rig.report();
  REQUIRE(r.summary.initial_tables.size() == 1);  // once per session, not per establishment
  CHECK(r.summary.events == 3 + 1 + 4 + 4);       // every change is an event, the initial table's too
  REQUIRE(r.episodes.size() == 3);
  CHECK(r.episodes[0].trigger == "first update after a quiet period");
  CHECK(r.episodes[0].prefixes_changed == 1);  // 10.4/16 only: the initial table is not in it
  CHECK_THAT(r.episodes[1].trigger, Catch::StartsWith("hold timer expired: to 192.0.2.1"));
  CHECK(r.episodes[1].prefixes_changed == 4);
  CHECK_THAT(r.episodes[2].trigger, Catch::StartsWith("session up 192.0.2.1 (er1 primary)"));
  CHECK(r.episodes[2].prefixes_changed == 4);
}

TEST_CASE("initial tables: without End-of-RIB, the last UPDATE before a quiet period ends it", "[feed][initial-table]") {
  Rig rig;
  rig.up(t0, 0);
  rig.route(t0 + 10 * kMs, 0, 1);
  rig.route(t0 + 2 * kS, 0, 2);  // still within 5 s of the last one: part of the table
  rig.route(t0 + 8 * kS, 0, 3);  // 6 s of quiet before it: the table ended at t0 + 2 s; this is news
  REQUIRE(rig.said.size() == 1);
  CHECK(rig.said[0].prefixes == 2);
  CHECK(rig.said[0].end_us == t0 + 2 * kS);
  CHECK(rig.said[0].ended_by == "quiet period");
  const Report r = rig.report();
  REQUIRE(r.episodes.size() == 1);
  CHECK(r.episodes[0].trigger == "first update after a quiet period");
  CHECK(r.episodes[0].trigger_us == t0 + 8 * kS);
  CHECK(r.episodes[0].prefixes_changed == 1);
}

TEST_CASE("initial tables: the clock alone ends one; a failure while another session loads", "[feed][initial-table]") {
  Rig rig;
  rig.up(t0, 0);
  rig.route(t0 + kMs, 0, 1);
  rig.route(t0 + kMs, 0, 2);
  rig.f.advance(t0 + 6 * kS);  // serve's tick: 5 s quiet after the last UPDATE
  REQUIRE(rig.said.size() == 1);
  CHECK(rig.said[0].end_us == t0 + kMs);
  // The primary fails: 10.1/16 and 10.2/16 lose their only path. The secondary comes up for the
  // first time 1 s later and gives 10.1/16 a path: its table is a baseline, yet it ends that
  // prefix's black hole; the episode is the primary's two prefixes, nothing of the secondary's.
  rig.cut(t0 + 60 * kS, 0);
  rig.up(t0 + 61 * kS, 1);
  rig.route(t0 + 61 * kS + 500 * kMs, 1, 1);
  rig.route(t0 + 61 * kS + 500 * kMs, 1, 3);
  rig.eor(t0 + 61 * kS + 600 * kMs, 1);
  const Report r = rig.report();
  REQUIRE(r.summary.initial_tables.size() == 2);
  CHECK(r.summary.initial_tables[1].peer == "192.0.2.2");
  CHECK(r.summary.initial_tables[1].prefixes == 2);
  CHECK(r.summary.initial_tables[1].ended_by == "End-of-RIB");
  REQUIRE(r.episodes.size() == 1);
  const Episode& e = r.episodes[0];
  CHECK_THAT(e.trigger, Catch::StartsWith("hold timer expired"));
  CHECK(e.prefixes_changed == 2);
  CHECK(e.transitions.size() == 1);
  CHECK(e.transitions.at("er-primary->none") == 2);
  CHECK(e.gateway_lag.empty());  // the secondary's UPDATEs are not the episode's
  CHECK(e.blackholed_prefixes == 2);
  // 10.1/16: 1.5 s until the secondary's table gave it a path; 10.2/16: still without one at the
  // close, so until the end of input (the last record, the End-of-RIB at t0 + 61.6 s).
  CHECK(e.still_unreachable == 1);
  CHECK(e.blackhole_prefix_seconds == Approx(1.5 + 1.6));
  CHECK(e.other_triggers.size() == 1);  // the session going down; the secondary coming up is no trigger
}

TEST_CASE("initial tables: a session that goes down while loading; turned off, the first table is an episode",
          "[feed][initial-table]") {
  SECTION("down before End-of-RIB: the table ends there, the failure is an episode") {
    Rig rig;
    rig.up(t0, 0);
    rig.route(t0 + kMs, 0, 1);
    rig.cut(t0 + 2 * kS, 0);
    REQUIRE(rig.said.size() == 1);
    CHECK(rig.said[0].ended_by == "session down");
    CHECK(rig.said[0].prefixes == 1);
    const Report r = rig.report();
    REQUIRE(r.episodes.size() == 1);
    CHECK_THAT(r.episodes[0].trigger, Catch::StartsWith("hold timer expired"));
  }
  SECTION("initial_tables(false) (replay --events-from-start): the first establishment is an episode") {
    Rig rig;
    rig.f.initial_tables(false);
    rig.up(t0, 0);
    rig.route(t0 + kMs, 0, 1);
    rig.eor(t0 + 2 * kMs, 0);
    const Report r = rig.report();
    CHECK(r.summary.initial_tables.empty());
    REQUIRE(r.episodes.size() == 1);
    CHECK_THAT(r.episodes[0].trigger, Catch::StartsWith("session up 192.0.2.1"));
  }
  SECTION("end of input before the table ended") {
    Rig rig;
    rig.up(t0, 0);
    rig.route(t0 + kMs, 0, 1);
    rig.f.finish(t0 + 2 * kS);
    REQUIRE(rig.said.size() == 1);
    CHECK(rig.said[0].ended_by == "end of input");
  }
}

// FRR holds its first UPDATE back a while after Established (update-delay, coalescing): the
// lab saw 1.2 s with a 1 s quiet period. The quiet period counts from the first UPDATE.
TEST_CASE("initial tables: a late first UPDATE still belongs to the table; no UPDATE at all ends it after 60 s",
          "[feed][initial-table]") {
  Rig rig;
  rig.up(t0, 0);
  rig.up(t0, 1);
  rig.f.advance(t0 + 7 * kS);
  rig.route(t0 + 7 * kS, 0, 1);  // more than a quiet period after Established
  rig.f.advance(t0 + 20 * kS);
  REQUIRE(rig.said.size() == 1);
  CHECK(rig.said[0].prefixes == 1);
  CHECK(rig.said[0].ended_by == "quiet period");
  rig.f.advance(t0 + 61 * kS);
  REQUIRE(rig.said.size() == 2);
  CHECK(rig.said[1].prefixes == 0);
  CHECK(rig.said[1].ended_by == "no UPDATE");
  CHECK(rig.report().episodes.empty());
}

TEST_CASE("initial tables: open_at says whether an UPDATE at a time still belongs to the table", "[feed][initial-table]") {
  Rig rig;
  const auto& tables = rig.f.initial_tables();
  CHECK_FALSE(tables.open_at(0, t0));  // not established yet
  rig.up(t0, 0);
  CHECK(tables.open_at(0, t0 + kS));
  CHECK(tables.open_at(0, t0 + 59 * kS));  // the first UPDATE may take up to 60 s
  CHECK_FALSE(tables.open_at(0, t0 + 60 * kS));
  CHECK_FALSE(tables.open_at(1, t0 + kS));  // the other session is not up
  CHECK_FALSE(tables.open_at(7, t0 + kS));  // nor is a peer there is no session of
  rig.route(t0 + 2 * kS, 0, 1);
  CHECK(tables.open_at(0, t0 + 6999 * kMs));  // within the 5 s quiet period after it
  CHECK_FALSE(tables.open_at(0, t0 + 7 * kS));  // advance(t) would end it first: that UPDATE is news
  rig.route(t0 + 3 * kS, 0, 2);
  CHECK(tables.open_at(0, t0 + 7 * kS));
  rig.eor(t0 + 4 * kS, 0);
  CHECK_FALSE(tables.open_at(0, t0 + 4 * kS));  // ended by End-of-RIB
}
