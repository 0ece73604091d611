// Projections with Azure's timers (analyzer azure-timers): for each silent failure the feed sees
// (hold-timer expiry, BFD down, TCP close), the failover Azure's own timers would imply:
// detection by Azure's hold time or BFD detection time, plus the propagation observed here.
// Hand-built feed events on a virtual clock.
#include <catch2/catch.hpp>

#include "analyzer/analyzer.hpp"
#include "analyzer/projection.hpp"
#include "bgp/wire/notification.hpp"
#include "feed/feed.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

constexpr std::uint64_t kS = 1'000'000, kMs = 1000;
constexpr std::uint64_t t0 = 1'700'000'000 * kS;

// er1 primary (192.0.2.1), er1 secondary (192.0.2.2), a VPN peer (192.0.2.3); `bfd`: the
// primary runs BFD 300 ms x 3.
struct Rig {
  explicit Rig(AzureTimers er, AzureTimers vpn = {}, bool bfd = false)
      : a([&] {
              Policy p;
              p.circuits = {"er1"};
              p.weights = {0};
              p.azure_timers[0] = er;
              p.azure_timers[1] = vpn;
              return p;
            }(),
            [&] {
              std::vector<PeerRole> v(3);
              for (std::uint32_t i = 0; i < 3; ++i) {
                v[i].address = wire::IpAddress::v4(0xc0000201 + i);
                v[i].asn = 65001;
                v[i].circuit = i < 2 ? 0 : -1;
              }
              v[1].link = Link::Secondary;
              v[2].gateway = Gateway::Vpn;
              if (bfd) {
                v[0].bfd_interval_us = 300'000;
                v[0].bfd_multiplier = 3;
              }
              return v;
            }()) {}  // the sessions' first tables are baselines: the episodes are the failures
  Analyzer a;
  feed::Feed f{a};

  void up(std::uint64_t t, int peer, std::uint16_t hold = 9) {
    auto ours = test::peer_open(0x01010101, false, 65515), theirs = test::peer_open(0x02020202 + peer, false, 65001);
    for (auto* m : {&ours, &theirs}) {
      (*m)[wire::kHeaderSize + 3] = static_cast<std::uint8_t>(hold >> 8);
      (*m)[wire::kHeaderSize + 4] = static_cast<std::uint8_t>(hold);
    }
    f.message(t, peer, ours, false, true, true);
    f.message(t, peer, theirs, false, true, false);
    f.state_change(t, peer, 5, 6);
  }
  void route(std::uint64_t t, int peer, std::uint8_t i) { f.message(t, peer, test::route_update(i), false, true, false); }
  void keepalive(std::uint64_t t, int peer) { f.message(t, peer, test::keepalive(), false, true, false); }
  void notify_local(std::uint64_t t, int peer, std::uint8_t code, std::uint8_t subcode) {
    f.message(t, peer, wire::encode_notification({code, subcode, {}}), false, true, true);
  }
  // The primary and secondary both carry 10.1/16; keepalives every 3 s up to t0 + 30 s.
  void steady() {
    up(t0, 0);
    up(t0, 1);
    route(t0 + kMs, 0, 1);
    route(t0 + kMs, 1, 1);
    for (std::uint64_t t = t0 + 3 * kS; t <= t0 + 30 * kS; t += 3 * kS) {
      keepalive(t, 0);
      keepalive(t, 1);
    }
  }
  std::vector<Episode> episodes() {
    a.advance(t0 + 3600 * kS);
    return a.report(true).episodes;
  }
};

AzureTimers hold(std::uint32_t h, std::uint32_t bfd_ms = 0, std::uint32_t mult = 0) { return {h, bfd_ms, mult}; }

}  // namespace

TEST_CASE("projection: a hold-timer expiry with Azure's ExpressRoute hold time 180 s", "[feed][projection]") {
  Rig rig(hold(180));
  rig.steady();
  const auto expiry = t0 + 39 * kS;  // 9 s after the last KEEPALIVE
  rig.notify_local(expiry, 0, wire::notify::kHoldTimerExpired, 0);
  rig.f.state_change(expiry, 0, 6, 1);
  rig.route(expiry + 40 * kMs, 1, 2);  // the last change of the episode, 40 ms after the trigger
  const auto eps = rig.episodes();
  REQUIRE(eps.size() == 1);
  const Episode& e = eps[0];
  CHECK_THAT(e.trigger, Catch::StartsWith("hold timer expired: to 192.0.2.1 (er1 primary)"));
  REQUIRE(e.projection);
  const Projection& p = *e.projection;
  CHECK(p.gateway == "expressroute");
  CHECK(p.timers == "hold 180 s");
  CHECK(p.detected_by == "Azure's hold timer");
  CHECK(p.detection_min_us == 120 * kS);  // the failure came within a keepalive interval (60 s) of the last message
  CHECK(p.detection_max_us == 180 * kS);
  CHECK(p.propagation_us == 40 * kMs);
  CHECK(p.failover_min_us == 120 * kS + 40 * kMs);
  CHECK(p.failover_max_us == 180 * kS + 40 * kMs);
  // The observed figures stay what they were: detected 6-9 s after the failure by the lab's hold timer.
  CHECK(e.detection_min_us == 6 * kS);
  CHECK(e.detection_max_us == 9 * kS);
}

TEST_CASE("projection: BFD on Azure's side counts only for a session that runs BFD", "[feed][projection]") {
  SECTION("the session runs BFD: Azure's 300 ms x 3") {
    Rig rig(hold(180, 300, 3), {}, true);
    rig.steady();
    const auto down = t0 + 31 * kS;
    rig.notify_local(down, 0, wire::notify::kCease, 10);  // Cease/BFD Down (RFC 9384), as serve sends it
    rig.f.state_change(down, 0, 6, 1);
    rig.route(down + 5 * kMs, 1, 2);
    const auto eps = rig.episodes();
    REQUIRE(eps.size() == 1);
    CHECK_THAT(eps[0].trigger, Catch::StartsWith("BFD down: to 192.0.2.1"));
    REQUIRE(eps[0].projection);
    const Projection& p = *eps[0].projection;
    CHECK(p.timers == "BFD 300 ms x 3");
    CHECK(p.detected_by == "Azure's BFD (this session runs BFD)");
    CHECK(p.detection_min_us == 600 * kMs);  // (3 - 1) x 300 ms: the failure came within an interval of the last packet
    CHECK(p.detection_max_us == 900 * kMs);
    CHECK(p.failover_min_us == 605 * kMs);
    CHECK(p.failover_max_us == 905 * kMs);
  }
  SECTION("the session runs no BFD: Azure's hold timer") {
    Rig rig(hold(180, 300, 3));
    rig.steady();
    rig.notify_local(t0 + 39 * kS, 0, wire::notify::kHoldTimerExpired, 0);
    rig.f.state_change(t0 + 39 * kS, 0, 6, 1);
    const auto eps = rig.episodes();
    REQUIRE(eps.size() == 1);
    REQUIRE(eps[0].projection);
    CHECK(eps[0].projection->detected_by == "Azure's hold timer (this session runs no BFD)");
    CHECK(eps[0].projection->detection_max_us == 180 * kS);
    CHECK(eps[0].projection->propagation_us == 0);
  }
}

TEST_CASE("projection: a TCP close keeps its observed detection; said failures and unstated gateways get none",
          "[feed][projection]") {
  SECTION("TCP close: Azure sees the close as bgpfa did") {
    Rig rig(hold(180));
    rig.steady();
    rig.f.state_change(t0 + 32 * kS, 0, 6, 1);  // no NOTIFICATION either way: the connection closed
    const auto eps = rig.episodes();
    REQUIRE(eps.size() == 1);
    REQUIRE(eps[0].failure.known);
    REQUIRE(eps[0].projection);
    CHECK_THAT(eps[0].projection->detected_by, Catch::StartsWith("the TCP connection closing"));
    CHECK(eps[0].projection->detection_min_us == 0);
    CHECK(eps[0].projection->detection_max_us == 2 * kS);  // the last KEEPALIVE was at t0 + 30 s
  }
  SECTION("a NOTIFICATION from the peer says when: nothing to project") {
    Rig rig(hold(180));
    rig.steady();
    rig.f.message(t0 + 32 * kS, 0, wire::encode_notification(wire::make_shutdown(2, "maintenance")), false, true, false);
    rig.f.state_change(t0 + 32 * kS, 0, 6, 1);
    const auto eps = rig.episodes();
    REQUIRE(eps.size() == 1);
    CHECK_FALSE(eps[0].projection);
  }
  SECTION("no azure-timers for the failed session's gateway") {
    Rig rig(hold(0), hold(30));  // only the VPN gateway's timers are stated
    rig.steady();
    rig.notify_local(t0 + 39 * kS, 0, wire::notify::kHoldTimerExpired, 0);
    rig.f.state_change(t0 + 39 * kS, 0, 6, 1);
    const auto eps = rig.episodes();
    REQUIRE(eps.size() == 1);
    CHECK_FALSE(eps[0].projection);
  }
  SECTION("VPN hold 30 s") {
    Rig rig(hold(180), hold(30));
    rig.up(t0, 2, 9);
    rig.route(t0 + kMs, 2, 5);
    for (std::uint64_t t = t0 + 3 * kS; t <= t0 + 30 * kS; t += 3 * kS) rig.keepalive(t, 2);
    rig.notify_local(t0 + 39 * kS, 2, wire::notify::kHoldTimerExpired, 0);
    rig.f.state_change(t0 + 39 * kS, 2, 6, 1);
    const auto eps = rig.episodes();
    REQUIRE_FALSE(eps.empty());
    REQUIRE(eps.back().projection);
    CHECK(eps.back().projection->gateway == "vpn");
    CHECK(eps.back().projection->detection_min_us == 20 * kS);
    CHECK(eps.back().projection->detection_max_us == 30 * kS);
  }
}

TEST_CASE("projection(): an upstream change (first update after a quiet period) is no silent failure", "[analyzer][projection]") {
  Policy p;
  p.azure_timers[0] = {180, 0, 0};
  std::vector<PeerRole> roles(1);
  Episode e;
  e.trigger_us = t0;
  e.end_us = t0 + 5 * kMs;
  e.failure.kind = FailureKind::Upstream;
  e.failure.peer = 0;
  CHECK_FALSE(project(e, p, roles));
  e.failure.kind = FailureKind::HoldTimer;
  REQUIRE(project(e, p, roles));
  CHECK(project(e, p, roles)->failover_max_us == 180 * kS + 5 * kMs);
  e.failure.peer = 3;  // no such session
  CHECK_FALSE(project(e, p, roles));
}
