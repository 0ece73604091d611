// Azure's rules, one at a time, with hand-computed expectations.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "analyzer/analyzer.hpp"
#include "analyzer/what_if.hpp"
#include "bgp/wire/attribute.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

wire::IpAddress v4(std::uint32_t a) { return wire::IpAddress::v4(a); }

wire::Prefix pfx(std::uint32_t addr, std::uint8_t len) {
  wire::Prefix p;
  p.address = v4(addr);
  p.length = len;
  return p;
}

PeerRole er(std::uint32_t addr, Link link, int circuit = 0) {
  PeerRole r;
  r.address = v4(addr);
  r.asn = 12076;
  r.gateway = Gateway::ExpressRoute;
  r.circuit = circuit;
  r.link = link;
  return r;
}

// An IPv6 ExpressRoute session, from 2001:db8::LAST (dual stack: beside the link's IPv4 one).
PeerRole er_v6(std::uint8_t last, Link link) {
  PeerRole r = er(0, link);
  r.address.afi = wire::Afi::Ipv6;
  r.address.octets = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
  return r;
}

PeerRole vpn(std::uint32_t addr, int instance) {
  PeerRole r;
  r.address = v4(addr);
  r.asn = 65010;
  r.gateway = Gateway::Vpn;
  r.vpn_instance = instance;
  return r;
}

// Attribute set with an AS path (4-octet) and optional LOCAL_PREF.
struct Attrs {
  std::vector<std::uint8_t> bytes;
  wire::PathAttributes decoded;
};
Attrs attrs(std::vector<std::uint32_t> path, std::uint32_t next_hop, std::optional<std::uint32_t> local_pref = {}) {
  Attrs a;
  const std::uint8_t origin = 0;
  wire::encode_attribute(a.bytes, 1, wire::Bytes(&origin, 1));
  std::vector<std::uint8_t> seg{2, static_cast<std::uint8_t>(path.size())};
  for (auto asn : path) {
    std::uint8_t b[4];
    wire::store_u32(b, asn);
    seg.insert(seg.end(), b, b + 4);
  }
  wire::encode_attribute(a.bytes, 2, seg);
  std::uint8_t nh[4];
  wire::store_u32(nh, next_hop);
  wire::encode_attribute(a.bytes, 3, wire::Bytes(nh, 4));
  if (local_pref) {
    std::uint8_t lp[4];
    wire::store_u32(lp, *local_pref);
    wire::encode_attribute(a.bytes, 5, wire::Bytes(lp, 4));
  }
  REQUIRE_FALSE(wire::decode_path_attributes(a.bytes, wire::DecodeContext{}, true, a.decoded));
  REQUIRE(a.decoded.errors.empty());
  return a;
}

struct Lab {
  Policy policy;
  std::unique_ptr<Analyzer> a;
  std::uint64_t t = 1'000'000;

  Lab(std::vector<PeerRole> peers, RoutingPreference pref = RoutingPreference::ExpressRoute,
      std::vector<std::string> circuits = {"er1"}, std::vector<int> weights = {0}) {
    policy.preference = pref;
    policy.circuits = std::move(circuits);
    policy.weights = std::move(weights);
    a = std::make_unique<Analyzer>(policy, std::move(peers));
  }
  void announce(int peer, const wire::Prefix& p, const Attrs& x) {
    a->announce(t += 1000, peer, p, 0, a->intern(x.decoded, true), "test");
  }
  void withdraw(int peer, const wire::Prefix& p) { a->withdraw(t += 1000, peer, p, 0, "test"); }
  ActivePath active(const wire::Prefix& p) { return a->row(rib::PrefixKey::from(p)).active; }
};

const auto P = pfx(0x0a010000, 16);  // 10.1.0.0/16

}  // namespace

TEST_CASE("equal routes on both links of a circuit are ECMP", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  CHECK(lab.active(P).kind == PathKind::ErPrimary);
  lab.announce(1, P, attrs({12076, 65100}, 0xc0000202));
  CHECK(lab.active(P).kind == PathKind::ErEcmp);
}

// expressroute/designing-for-high-availability-with-expressroute: active-active links; only a
// longer AS path (prepending) makes one passive.
TEST_CASE("a prepended link is passive", "[analyzer][azure]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.announce(0, P, attrs({12076, 12076, 65100}, 0xc0000201));  // primary prepended
  lab.announce(1, P, attrs({12076, 65100}, 0xc0000202));
  CHECK(lab.active(P).kind == PathKind::ErSecondary);
  auto row = lab.a->row(rib::PrefixKey::from(P));
  REQUIRE(row.expressroute);
  CHECK(row.expressroute->reason == "as-path-length");
  CHECK(row.expressroute->peer == "192.0.2.2");
}

// RFC 4271 5.1.5 and expressroute/expressroute-routing: LOCAL_PREF from an external peer (the
// Microsoft edge routers, a VPN device) is ignored; it is the on-premises side's knob.
TEST_CASE("LOCAL_PREF from external peers does not make a link passive", "[analyzer][azure]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201, 200));
  lab.announce(1, P, attrs({12076, 65100}, 0xc0000202, 100));
  CHECK(lab.active(P).kind == PathKind::ErEcmp);
  auto row = lab.a->row(rib::PrefixKey::from(P));
  REQUIRE(row.expressroute);
  CHECK(row.expressroute->reason == "ecmp");
  const auto report = lab.a->report(false);
  for (const auto& f : report.findings) CHECK(f.kind != "unequal-links");
}

TEST_CASE("LOCAL_PREF from an internal (iBGP) peer counts", "[analyzer][rfc4271]") {
  auto a = vpn(0xc0000203, 0), b = vpn(0xc0000204, 1);
  a.asn = b.asn = 65515;  // the gateway's own AS: iBGP
  Lab lab({a, b});
  lab.announce(0, P, attrs({65100}, 0xc0000203, 200));
  lab.announce(1, P, attrs({65100}, 0xc0000204, 100));
  CHECK(lab.active(P).kind == PathKind::Vpn);
  CHECK(lab.active(P).vpn_instances == 1);
  auto row = lab.a->row(rib::PrefixKey::from(P));
  REQUIRE(row.vpn);
  CHECK(row.vpn->reason == "local-pref");
}

TEST_CASE("routing preference: expressroute, vpn, as-path", "[analyzer]") {
  const auto er_long = attrs({12076, 65001, 65100}, 0xc0000201);
  const auto vpn_short = attrs({65010}, 0xc0000203);
  SECTION("expressroute (default): ExpressRoute wins even with a longer path") {
    Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)});
    lab.announce(0, P, er_long);
    lab.announce(1, P, vpn_short);
    CHECK(lab.active(P).kind == PathKind::ErPrimary);
  }
  SECTION("vpn") {
    Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)}, RoutingPreference::Vpn);
    lab.announce(0, P, er_long);
    lab.announce(1, P, vpn_short);
    CHECK(lab.active(P).kind == PathKind::Vpn);
    CHECK(lab.active(P).vpn_instances == 1);
  }
  SECTION("as-path: shorter wins, ties go to ExpressRoute") {
    Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)}, RoutingPreference::AsPath);
    lab.announce(0, P, er_long);
    lab.announce(1, P, vpn_short);
    CHECK(lab.active(P).kind == PathKind::Vpn);
    lab.announce(1, P, attrs({65010, 65001, 65100}, 0xc0000203));
    CHECK(lab.active(P).kind == PathKind::ErPrimary);
  }
}

TEST_CASE("connection weight chooses among circuits, then AS-path length", "[analyzer]") {
  std::vector<PeerRole> peers{er(0xc0000201, Link::Primary, 0), er(0xc0000211, Link::Primary, 1)};
  Lab lab(peers, RoutingPreference::ExpressRoute, {"er1", "er2"}, {0, 100});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.announce(1, P, attrs({12076, 65001, 65100}, 0xc0000211));
  CHECK(lab.active(P).circuit == 1);  // weight beats the shorter path
  Lab equal(peers, RoutingPreference::ExpressRoute, {"er1", "er2"}, {50, 50});
  equal.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  equal.announce(1, P, attrs({12076, 65001, 65100}, 0xc0000211));
  CHECK(equal.active(P).circuit == 0);  // equal weights: shorter AS path
}

TEST_CASE("VPN active-active: both instances carry equal routes", "[analyzer]") {
  Lab lab({vpn(0xc0000203, 0), vpn(0xc0000204, 1)});
  lab.announce(0, P, attrs({65010, 65100}, 0xc0000203));
  lab.announce(1, P, attrs({65010, 65100}, 0xc0000204));
  CHECK(lab.active(P).vpn_instances == 3);
  lab.announce(1, P, attrs({65010, 65010, 65100}, 0xc0000204));
  CHECK(lab.active(P).vpn_instances == 1);
}

TEST_CASE("longest prefix match across gateways, and the VPN more-specific finding", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)});
  const auto specific = pfx(0x0a010500, 24);  // 10.1.5.0/24
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.announce(1, specific, attrs({65010, 65100}, 0xc0000203));
  CHECK(lab.active(P).kind == PathKind::ErPrimary);
  CHECK(lab.active(specific).kind == PathKind::Vpn);  // the /24 wins over the /16 for its range
  auto report = lab.a->report(true);
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].kind == "vpn-more-specific");
  CHECK(report.findings[0].prefixes.at(0) == specific);
  // When the /24 is withdrawn, its traffic falls back to the covering /16 over ExpressRoute.
  lab.withdraw(1, specific);
  const auto after = lab.active(specific);
  CHECK(after.kind == PathKind::ErPrimary);
  CHECK(after.via_covering);
}

TEST_CASE("black hole when every path goes, with its duration", "[analyzer][episodes]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.a->announce(1'000'000, 0, P, 0, lab.a->intern(attrs({12076, 65100}, 1).decoded, true), "a");
  lab.a->announce(1'000'000, 1, P, 0, lab.a->intern(attrs({12076, 65100}, 2).decoded, true), "b");
  lab.a->session_down(20'000'000, 0, "primary down");
  lab.a->withdraw(20'200'000, 1, P, 0, "secondary withdraw");  // -> none at +200 ms
  lab.a->announce(22'200'000, 0, P, 0, lab.a->intern(attrs({12076, 65100}, 1).decoded, true), "primary back");
  auto report = lab.a->report(true);
  REQUIRE(report.episodes.size() == 2);
  const auto& e = report.episodes[1];
  CHECK(e.trigger == "primary down");
  CHECK(e.prefixes_changed == 1);
  CHECK(e.path_exploration == 2);  // ecmp -> secondary -> none -> primary
  CHECK(e.max_us == 2'200'000);    // trigger to last change
  CHECK(e.blackholed_prefixes == 1);
  CHECK(e.blackhole_prefix_seconds == Approx(2.0));
  CHECK(e.transitions.at("er-ecmp->er-secondary") == 1);
  CHECK(e.transitions.at("er-secondary->none") == 1);
  CHECK(e.transitions.at("none->er-primary") == 1);
}

TEST_CASE("interned attribute sets are shared and freed", "[rib]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  const auto x = attrs({12076, 65100}, 0xc0000201);
  lab.announce(0, pfx(0x0a010000, 16), x);
  lab.announce(0, pfx(0x0a020000, 16), x);
  lab.announce(1, pfx(0x0a020000, 16), x);
  CHECK(lab.a->report(false).summary.attribute_sets == 1);
  CHECK(lab.a->routes() == 3);
  lab.withdraw(0, pfx(0x0a010000, 16));
  lab.withdraw(0, pfx(0x0a020000, 16));
  lab.withdraw(1, pfx(0x0a020000, 16));
  CHECK(lab.a->report(false).summary.attribute_sets == 0);
}

TEST_CASE("rows without routes follow their covering prefix as it changes", "[analyzer][lpm]") {
  Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)});
  const auto p24 = pfx(0x0a010500, 24), other = pfx(0x0a020500, 24);  // 10.1.5.0/24, 10.2.5.0/24
  lab.announce(0, P, attrs({12076, 65100}, 1));
  lab.announce(1, p24, attrs({65010, 65100}, 3));
  lab.announce(1, other, attrs({65010, 65100}, 3));
  lab.withdraw(1, p24);
  lab.withdraw(1, other);
  CHECK(lab.active(p24).kind == PathKind::ErPrimary);  // via 10.1.0.0/16
  CHECK(lab.active(other).kind == PathKind::None);     // nothing covers 10.2.5.0/24
  lab.withdraw(0, P);
  CHECK(lab.active(p24).kind == PathKind::None);
  CHECK_FALSE(lab.active(p24).via_covering);
  lab.announce(1, P, attrs({65010, 65100}, 3));
  CHECK(lab.active(p24).kind == PathKind::Vpn);
  CHECK(lab.active(p24).via_covering);
  CHECK(lab.active(other).kind == PathKind::None);  // outside 10.1.0.0/16: untouched
  // A default route covers every orphan, in both directions.
  lab.announce(0, pfx(0, 0), attrs({12076}, 1));
  CHECK(lab.active(other).kind == PathKind::ErPrimary);
  CHECK(lab.active(p24).kind == PathKind::Vpn);  // still the /16, the longest match
}

TEST_CASE("a whole table withdrawn at once (session down)", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  const auto x = attrs({12076, 65100}, 1);
  for (std::uint32_t i = 0; i < 20000; ++i) lab.announce(0, pfx(0x0b000000u + (i << 8), 24), x);
  lab.a->session_down(lab.t += 1000, 0, "down");
  auto r = lab.a->report(true);
  CHECK(r.summary.active_by_kind.at("none") == 20000);
  CHECK(lab.a->routes() == 0);
}

// RFC 4724 4.2 receiving speaker, hand-computed: the primary restarts gracefully, re-announces
// one of its two prefixes, and End-of-RIB withdraws the other.
TEST_CASE("graceful restart keeps stale routes until End-of-RIB", "[analyzer][gr]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  const auto Q = pfx(0x0a020000, 16);
  const auto x = attrs({12076, 65100}, 1);
  lab.announce(0, P, x);
  lab.announce(0, Q, x);
  lab.announce(1, Q, attrs({12076, 65100, 65100}, 2));  // prepended: Q prefers the primary
  REQUIRE(lab.active(Q).kind == PathKind::ErPrimary);
  lab.a->session_down(lab.t += 1000, 0, "tcp reset", rib::kFamilyIpv4 | rib::kFamilyIpv6, 120);
  CHECK(lab.a->stale_routes(0) == 2);
  CHECK(lab.active(P).kind == PathKind::ErPrimary);  // still forwarding over the primary
  CHECK(lab.active(Q).kind == PathKind::ErPrimary);
  lab.a->session_up(lab.t += 1000, 0, "back", rib::kFamilyIpv4);
  lab.announce(0, P, x);  // re-announced, same attributes: fresh again, no change
  CHECK(lab.a->stale_routes(0) == 1);
  lab.a->end_of_rib(lab.t += 1000, 0, rib::kFamilyIpv6, "EoR v6");  // another family: Q stays
  CHECK(lab.a->stale_routes(0) == 1);
  lab.a->end_of_rib(lab.t += 1000, 0, rib::kFamilyIpv4, "EoR v4");
  CHECK(lab.a->stale_routes(0) == 0);
  CHECK(lab.active(P).kind == PathKind::ErPrimary);
  CHECK(lab.active(Q).kind == PathKind::ErSecondary);
  auto r = lab.a->report(true);
  CHECK(r.summary.active_by_kind.at("er-primary") == 1);
}

TEST_CASE("graceful restart: restart time, lost forwarding state, consecutive restarts", "[analyzer][gr]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  const auto x = attrs({12076, 65100}, 1);
  lab.announce(0, P, x);
  // Not back within the restart time: the timer withdraws, timestamped when it ran out.
  lab.a->session_down(10'000'000, 0, "tcp reset", rib::kFamilyIpv4, 5);
  lab.a->advance(14'000'000);
  CHECK(lab.a->stale_routes(0) == 1);
  lab.a->advance(30'000'000);
  CHECK(lab.a->routes() == 0);
  auto r = lab.a->report(false);
  CHECK(r.summary.active_by_kind.at("none") == 1);

  // Back, but the new OPEN does not preserve IPv4 forwarding state: stale routes go at once.
  lab.t = 40'000'000;
  lab.announce(0, P, x);
  lab.a->session_down(lab.t += 1000, 0, "tcp reset", rib::kFamilyIpv4, 120);
  lab.a->session_up(lab.t += 1000, 0, "back without F bit", 0);
  CHECK(lab.a->routes() == 0);

  // Two restarts in a row: what was still stale from the first one goes at the second.
  lab.announce(0, P, x);
  lab.a->session_down(lab.t += 1000, 0, "first", rib::kFamilyIpv4, 120);
  lab.a->session_up(lab.t += 1000, 0, "up", rib::kFamilyIpv4);
  lab.a->session_down(lab.t += 1000, 0, "second", rib::kFamilyIpv4, 120);
  CHECK(lab.a->routes() == 0);

  // Only the families in the capability are kept.
  lab.announce(0, P, x);
  lab.a->session_down(lab.t += 1000, 0, "v6 only", rib::kFamilyIpv6, 120);
  CHECK(lab.a->routes() == 0);

  // The stale-path timer bounds the wait for End-of-RIB once the session is back.
  lab.announce(0, P, x);
  lab.a->session_down(lab.t += 1000, 0, "reset", rib::kFamilyIpv4, 120);
  lab.a->session_up(lab.t += 1000, 0, "up", rib::kFamilyIpv4);
  lab.a->advance(lab.t + Analyzer::kStalePathTimeUs - 1);
  CHECK(lab.a->routes() == 1);
  lab.a->advance(lab.t + Analyzer::kStalePathTimeUs);
  CHECK(lab.a->routes() == 0);
}

TEST_CASE("a neighbour added while running gets its role and a new circuit", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  const int c = lab.a->add_circuit("er2", 10);
  CHECK(c == 1);
  CHECK(lab.a->add_circuit("er1", 0) == 0);
  const int i = lab.a->add_peer(er(0xc0000301, Link::Primary, c));
  CHECK(i == 1);
  CHECK(lab.a->add_peer(er(0xc0000301, Link::Primary, c)) == 1);
  lab.announce(0, P, attrs({12076, 65100}, 1));
  lab.announce(i, P, attrs({12076, 65100}, 3));
  const auto row = lab.a->row(rib::PrefixKey::from(P));
  CHECK(row.active.kind == PathKind::ErPrimary);
  CHECK(row.active.circuit == 1);  // connection weight 10 beats 0
}

TEST_CASE("what-if: a link, a circuit, the covering prefix, nothing changed in the analyzer", "[analyzer][what-if]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0)});
  const auto S = pfx(0x0a010500, 24);  // 10.1.5.0/24, only via the primary
  const auto V = pfx(0x0a000000, 8);   // 10.0.0.0/8 via VPN covers both
  lab.announce(0, P, attrs({12076, 65100}, 1));
  lab.announce(1, P, attrs({12076, 65100}, 2));
  lab.announce(0, S, attrs({12076, 65100}, 1));
  lab.announce(2, V, attrs({65010, 65100}, 3));
  REQUIRE(lab.active(P).kind == PathKind::ErEcmp);

  CHECK(lab.a->match_peers("er1 primary") == std::vector<int>{0});
  CHECK(lab.a->match_peers("er1") == std::vector<int>{0, 1});
  CHECK(lab.a->match_peers("expressroute") == std::vector<int>{0, 1});
  CHECK(lab.a->match_peers("vpn 0") == std::vector<int>{2});
  CHECK(lab.a->match_peers("192.0.2.2") == std::vector<int>{1});
  CHECK(lab.a->match_peers("er2").empty());

  auto w = lab.a->what_if({0});
  REQUIRE(w.failed == std::vector<std::string>{"192.0.2.1 (er1 primary)"});
  REQUIRE(w.changes.size() == 2);
  CHECK(wire::to_string(w.changes[0].prefix) == "10.1.0.0/16");
  CHECK(w.changes[0].before.kind == PathKind::ErEcmp);
  CHECK(w.changes[0].after.kind == PathKind::ErSecondary);
  CHECK(wire::to_string(w.changes[1].prefix) == "10.1.5.0/24");
  CHECK(w.changes[1].after.kind == PathKind::ErSecondary);  // its only route gone: the /16 carries it
  CHECK(w.changes[1].after.via_covering);
  CHECK(w.transitions.at("er-ecmp->er-secondary") == 1);

  w = lab.a->what_if(lab.a->match_peers("er1"));  // the whole circuit: both fall to the /8 via VPN
  REQUIRE(w.changes.size() == 2);
  CHECK(w.changes[0].after.kind == PathKind::Vpn);
  CHECK(w.changes[0].after.via_covering);
  CHECK(w.changes[1].after.kind == PathKind::Vpn);

  w = lab.a->what_if({0, 1, 2});
  CHECK(w.changes.size() == 3);
  CHECK(w.transitions.at("vpn->none") == 1);
  // Computed aside: the live state is untouched.
  CHECK(lab.active(P).kind == PathKind::ErEcmp);
  CHECK(lab.a->routes() == 4);
}

// ---- Issue 9: Azure's model. Each rule names its source (learn.microsoft.com/azure/...). ----

namespace {
std::vector<std::uint16_t> sessions(Lab& lab, const wire::Prefix& p) {
  std::vector<std::uint16_t> out;
  const auto report = lab.a->report(false);
  const auto set = lab.active(p).set;
  for (const auto& c : report.path_sets.at(set)) out.push_back(static_cast<std::uint16_t>(lab.a->peer_index(*wire::parse_address(c.peer))));
  return out;
}
PeerRole with_local(PeerRole r, std::uint32_t local) {
  r.local = v4(local);
  return r;
}
}  // namespace

// expressroute/designing-for-disaster-recovery-with-expressroute-privatepeering: circuits equal in
// connection weight and AS-path length share the traffic.
TEST_CASE("azure: equal circuits are ECMP; what-if on one of them moves its share", "[analyzer][azure]") {
  Lab lab({er(0xc0000201, Link::Primary, 0), er(0xc0000211, Link::Primary, 1)}, RoutingPreference::ExpressRoute,
          {"er1", "er2"}, {0, 0});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.announce(1, P, attrs({12076, 65100}, 0xc0000211));
  const auto a = lab.active(P);
  CHECK(a.kind == PathKind::ErPrimary);
  CHECK(a.circuit_count == 2);
  const auto report = lab.a->report(false);
  REQUIRE(report.path_sets.at(a.set).size() == 2);
  CHECK(report.path_sets[a.set][0].circuit == "er1");
  CHECK(report.path_sets[a.set][1].circuit == "er2");
  auto w = lab.a->what_if(lab.a->match_peers("er2"));
  REQUIRE(w.changes.size() == 1);  // the set shrinks: er2's flows move to er1
  CHECK(w.changes[0].after.circuit_count == 1);
  CHECK(w.changes[0].after.circuit == 0);
}

// Same source: connection weight first; the reason shown is the one that decided (issue 9 item 6).
TEST_CASE("azure: connection weight decides, and the reason says so", "[analyzer][azure]") {
  Lab lab({er(0xc0000201, Link::Primary, 0), er(0xc0000211, Link::Primary, 1)}, RoutingPreference::ExpressRoute,
          {"er1", "er2"}, {0, 100});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));        // shorter, but lower weight
  lab.announce(1, P, attrs({12076, 65001, 65100}, 0xc0000211));
  CHECK(lab.active(P).circuit == 1);
  CHECK(lab.active(P).circuit_count == 1);
  auto row = lab.a->row(rib::PrefixKey::from(P));
  REQUIRE(row.expressroute);
  CHECK(row.expressroute->peer == "192.0.2.17");
  CHECK(row.expressroute->reason == "connection-weight");
}

// vpn-gateway/about-active-active-gateways: one on-premises BGP address peers with both
// instances' addresses: two sessions, both carry; one instance in maintenance leaves the other.
TEST_CASE("azure: active-active VPN, one on-premises address, two sessions", "[analyzer][azure]") {
  Lab lab({with_local(vpn(0x0a34fffd, 0), 0x0a0cff04), with_local(vpn(0x0a34fffd, 1), 0x0a0cff05)});
  const auto onprem = v4(0x0a34fffd);
  REQUIRE(lab.a->peer_index(v4(0x0a0cff04), onprem) == 0);
  REQUIRE(lab.a->peer_index(v4(0x0a0cff05), onprem) == 1);
  lab.announce(0, P, attrs({65050}, 0x0a34fffd));
  lab.announce(1, P, attrs({65050}, 0x0a34fffd));
  CHECK(lab.active(P).kind == PathKind::Vpn);
  CHECK(lab.active(P).vpn_instances == 3);
  lab.a->session_down(lab.t += 1000, 1, "instance 1 maintenance");
  CHECK(lab.active(P).kind == PathKind::Vpn);  // not a black hole
  CHECK(lab.active(P).vpn_instances == 1);
}

// vpn-gateway/vpn-gateway-highlyavailable (multi-site): sites advertising the same prefix share it;
// a shorter AS path (prepending honoured) wins.
TEST_CASE("azure: multi-site VPN shares equal prefixes, prefers the shorter AS path", "[analyzer][azure]") {
  auto hq = vpn(0x0a34fffd, 0), branch = vpn(0x0a3cff01, 0);
  hq.site = "hq";
  branch.site = "branch-a";
  Lab lab({hq, branch});
  lab.announce(0, P, attrs({65050}, 0x0a34fffd));
  lab.announce(1, P, attrs({65061}, 0x0a3cff01));
  CHECK(sessions(lab, P) == std::vector<std::uint16_t>{0, 1});
  auto report = lab.a->report(false);
  CHECK(report.path_sets.at(lab.active(P).set)[0].site == "hq");
  CHECK(report.path_sets.at(lab.active(P).set)[1].site == "branch-a");
  lab.announce(1, P, attrs({65061, 65061, 65061}, 0x0a3cff01));  // branch prepends
  CHECK(sessions(lab, P) == std::vector<std::uint16_t>{0});
  auto w = lab.a->what_if(lab.a->match_peers("10.52.255.253"));  // hq fails: branch-a carries
  REQUIRE(w.changes.size() == 1);
  CHECK(w.changes[0].after.kind == PathKind::Vpn);
}

// expressroute/expressroute-routing#route-aggregation-and-prefix-limits: above 4,000 IPv4 prefixes
// (10,000 Premium) or 100 IPv6 on private peering, Azure drops the BGP session until the count
// is back under the limit.
TEST_CASE("azure: prefix limits drop the session, a withdrawal brings it back", "[analyzer][azure][limits]") {
  const auto a = attrs({12076, 65100}, 0xc0000201);
  const auto first = pfx(0x0b000000, 24);
  SECTION("ExpressRoute IPv4, Standard: more than 4,000") {
    Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)});
    lab.announce(1, P, attrs({65010}, 0xc0000203));  // the VPN has 10.1.0.0/16 too
    for (std::uint32_t i = 0; i < 3999; ++i) lab.announce(0, pfx(0x0b000000 + (i << 8), 24), a);
    lab.announce(0, P, a);  // 4,000: still within the limit
    CHECK_FALSE(lab.a->dropped_at_limit(0));
    CHECK(lab.active(P).kind == PathKind::ErPrimary);
    lab.announce(0, pfx(0x0c000000, 24), a);  // 4,001: Azure drops the session
    CHECK(lab.a->dropped_at_limit(0));
    CHECK(lab.active(P).kind == PathKind::Vpn);    // traffic moves to the VPN
    CHECK(lab.active(first).kind == PathKind::None);  // and what only ExpressRoute had is a black hole
    lab.a->advance(lab.t += 10'000'000);
    const auto report = lab.a->report(true);
    bool triggered = false;
    const std::string why = "prefix limit exceeded: 192.0.2.1 (er1 primary) advertised 4001 IPv4 prefixes, above "
                            "Azure's ExpressRoute limit of 4000";
    for (const auto& e : report.episodes) {  // the trigger, or one of the triggers of an episode under way
      triggered |= e.trigger.find(why) != std::string::npos;
      for (const auto& o : e.other_triggers) triggered |= o.find(why) != std::string::npos;
    }
    CHECK(triggered);
    lab.withdraw(0, first);  // back to 4,000: the session counts again
    CHECK_FALSE(lab.a->dropped_at_limit(0));
    CHECK(lab.active(P).kind == PathKind::ErPrimary);
  }
  SECTION("ExpressRoute Premium: 10,000") {
    Lab lab({er(0xc0000201, Link::Primary)});
    lab.policy.er_prefix_limit = 10000;
    lab.a = std::make_unique<Analyzer>(lab.policy, std::vector<PeerRole>{er(0xc0000201, Link::Primary)});
    for (std::uint32_t i = 0; i < 4001; ++i) lab.announce(0, pfx(0x0b000000 + (i << 8), 24), a);
    CHECK_FALSE(lab.a->dropped_at_limit(0));
  }
  SECTION("ExpressRoute IPv6: more than 100") {
    Lab lab({er(0xc0000201, Link::Primary)});
    for (std::uint32_t i = 0; i < 101; ++i) {
      wire::Prefix p6;
      p6.address.afi = wire::Afi::Ipv6;
      p6.address.octets = {0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i)};
      p6.length = 40;
      lab.announce(0, p6, a);
      CHECK(lab.a->dropped_at_limit(0) == (i == 100));
    }
  }
  SECTION("VPN: more than 4,000 per BGP peer; maximum-prefix too") {
    auto limited = vpn(0xc0000204, 1);
    limited.max_prefixes = 10;
    Lab lab({vpn(0xc0000203, 0), limited});
    const auto v = attrs({65010}, 0xc0000203);
    for (std::uint32_t i = 0; i < 4001; ++i) lab.announce(0, pfx(0x0b000000 + (i << 8), 24), v);
    CHECK(lab.a->dropped_at_limit(0));
    for (std::uint32_t i = 0; i < 11; ++i) lab.announce(1, pfx(0x0d000000 + (i << 8), 24), v);
    CHECK(lab.a->dropped_at_limit(1));
  }
}

// expressroute-routing#route-aggregation-and-prefix-limits + the longest-prefix-match rule
// (expressroute-routing "Route advertisement", virtual-networks-udr-overview "How Azure selects a
// route"): a dropped session's routes are gone from Azure's table, so its more specifics fall
// back on a less specific route of another session instead of black-holing.
TEST_CASE("azure: a session dropped at a prefix limit: its more specifics follow a covering route", "[analyzer][azure][limits]") {
  const auto a = attrs({12076, 65100}, 0xc0000201);
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  const auto cover = pfx(0x0b000000, 8);  // 11.0.0.0/8 on the secondary link only
  lab.announce(1, cover, attrs({12076, 65100}, 0xc0000202));
  const auto first = pfx(0x0b000000, 24);
  for (std::uint32_t i = 0; i < 4000; ++i) lab.announce(0, pfx(0x0b000000 + (i << 8), 24), a);
  CHECK(lab.active(first).kind == PathKind::ErPrimary);
  const auto predicted = lab.a->what_if({0});
  lab.announce(0, pfx(0x0c000000, 24), a);  // 4,001: the primary session is dropped
  REQUIRE(lab.a->dropped_at_limit(0));
  const auto row = lab.a->row(rib::PrefixKey::from(first));
  CHECK(row.active.kind == PathKind::ErSecondary);
  CHECK(row.active.via_covering);
  REQUIRE(row.covering);
  CHECK(*row.covering == cover);
  CHECK(lab.active(pfx(0x0c000000, 24)).kind == PathKind::None);  // nothing covers 12.0.0.0/24
  // The what-if of that session failing, made before, said the same.
  std::size_t to_secondary = 0;
  for (const auto& c : predicted.changes) to_secondary += c.after.kind == PathKind::ErSecondary && c.after.via_covering;
  CHECK(to_secondary == 4000);
  lab.withdraw(0, first);  // back under: its own route carries it again
  CHECK(lab.active(pfx(0x0b000100, 24)).kind == PathKind::ErPrimary);
  CHECK_FALSE(lab.active(pfx(0x0b000100, 24)).via_covering);
  CHECK(lab.active(first).kind == PathKind::ErSecondary);  // withdrawn: via the /8
}

TEST_CASE("a covering route that carries nothing leaves a plain black hole, without a change event", "[analyzer]") {
  auto other_vnet = vpn(0x0a200001, 0);
  other_vnet.vnet_to_vnet = true;
  Lab lab({er(0xc0000201, Link::Primary), other_vnet});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.withdraw(0, P);  // P stays a row without a route
  const auto events = lab.a->event_count();
  lab.announce(1, pfx(0, 0), attrs({65020}, 0x0a200001));  // a default route that VNet-to-VNet does not carry
  CHECK(lab.active(P).kind == PathKind::None);
  CHECK_FALSE(lab.active(P).via_covering);
  CHECK(lab.a->event_count() == events);  // none -> none is no change
}

// expressroute/designing-for-high-availability-with-expressroute + expressroute-routing (dual
// stack): each link may carry an IPv4 and an IPv6 session.
TEST_CASE("azure: dual-stack links, one IPv4 and one IPv6 session each", "[analyzer][azure]") {
  Lab lab({er(0xc0000201, Link::Primary), er_v6(1, Link::Primary), er(0xc0000202, Link::Secondary), er_v6(2, Link::Secondary)});
  const wire::Prefix p6 = *wire::parse_prefix("2001:db8:1000::/40");
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.announce(2, P, attrs({12076, 65100}, 0xc0000202));
  lab.announce(1, p6, attrs({12076, 65100}, 0xc0000201));
  lab.announce(3, p6, attrs({12076, 65100}, 0xc0000202));
  CHECK(lab.active(P).kind == PathKind::ErEcmp);
  CHECK(lab.active(p6).kind == PathKind::ErEcmp);
  CHECK(sessions(lab, p6) == std::vector<std::uint16_t>{1, 3});
}

// Findings: a prefix on one link only is redundant when the other link carries a covering route.
TEST_CASE("azure: single-link finding counts a covering route on the other link as redundancy", "[analyzer][findings]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.announce(0, pfx(0x0a000000, 8), attrs({12076, 65100}, 0xc0000201));
  lab.announce(1, pfx(0x0a000000, 8), attrs({12076, 65100}, 0xc0000202));
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));  // only on primary, but secondary has 10/8
  for (const auto& f : lab.a->report(false).findings) CHECK(f.kind != "single-link");
}

// DESIGN.md, Convergence: at each trigger, what the what-if of the failed session predicted from
// the state just before; at the episode's end, prediction against outcome.
TEST_CASE("prediction against reality: the what-if made at the trigger, judged at the end", "[analyzer][prediction]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0)});
  const auto Q = pfx(0x0a020000, 16);
  for (const auto& p : {P, Q}) {
    lab.announce(0, p, attrs({12076, 65100}, 0xc0000201));
    lab.announce(1, p, attrs({12076, 65100}, 0xc0000202));
    lab.announce(2, p, attrs({65010}, 0xc0000203));
  }
  lab.a->advance(lab.t += 10'000'000);  // quiet: the load's episode closes
  lab.a->session_down(lab.t += 1000, 0, "session down 192.0.2.1 (er1 primary)");
  lab.withdraw(1, Q);  // and the secondary loses Q too, in the same episode: Q goes to the VPN
  lab.a->advance(lab.t += 10'000'000);
  const auto report = lab.a->report(true);
  REQUIRE_FALSE(report.episodes.empty());
  const auto& p = report.episodes.back().prediction;
  REQUIRE(p.made);
  CHECK(p.failed == std::vector<std::string>{"192.0.2.1 (er1 primary)"});
  CHECK(p.predicted.at("er-ecmp->er-secondary") == 2);
  CHECK(p.observed.at("er-ecmp->er-secondary") == 1);
  CHECK(p.observed.at("er-ecmp->vpn") == 1);
  CHECK(p.matched == 1);
  CHECK(p.differed == 1);
  CHECK(p.unpredicted == 0);
  REQUIRE(p.misses.size() == 1);
  CHECK(p.misses[0].prefix == Q);
  CHECK(p.misses[0].predicted == PathKind::ErSecondary);
  CHECK(p.misses[0].observed == PathKind::Vpn);
}

// The prediction at a session's end is read from the changes the end itself made (no second
// pass over the table at the failure): it must be what what_if() of that session says from the
// state just before, covering prefixes and rows without a route of their own included.
TEST_CASE("prediction at a session's end equals the what-if made just before it", "[analyzer][prediction]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0)});
  const auto Q = pfx(0x0a020000, 16), cover = pfx(0x0a000000, 8), alone = pfx(0x0a030000, 16);
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));
  lab.announce(1, P, attrs({12076, 65100}, 0xc0000202));
  lab.announce(0, Q, attrs({12076, 65100}, 0xc0000201));
  lab.announce(2, Q, attrs({65010}, 0xc0000203));
  lab.announce(0, alone, attrs({12076, 65100}, 0xc0000201));  // only the primary: falls back to the cover
  lab.announce(0, cover, attrs({12076, 65100}, 0xc0000201));
  lab.announce(2, cover, attrs({65010, 65010}, 0xc0000203));
  lab.a->advance(lab.t += 10'000'000);
  const WhatIf expected = lab.a->what_if({0});
  REQUIRE(expected.changes.size() == 4);
  lab.a->session_down(lab.t += 1000, 0, "session down 192.0.2.1 (er1 primary)");
  lab.a->advance(lab.t += 10'000'000);
  const auto report = lab.a->report(true);
  REQUIRE_FALSE(report.episodes.empty());
  const auto& p = report.episodes.back().prediction;
  REQUIRE(p.made);
  CHECK(p.failed == expected.failed);
  CHECK(p.predicted == expected.transitions);
  CHECK(p.matched == expected.changes.size());  // nothing else happened: all as predicted
  CHECK(p.differed == 0);
  CHECK(p.unpredicted == 0);
}

// DESIGN.md, Convergence: the what-if "of the failed sessions": when a second session fails in
// the same episode (a dual-stack link cut ends its IPv4 and its IPv6 session), the prediction
// covers both, as what_if() of both made before the first said.
TEST_CASE("prediction covers every session that fails in the episode", "[analyzer][prediction]") {
  Lab lab({er(0xc0000201, Link::Primary), er_v6(1, Link::Primary), er(0xc0000202, Link::Secondary), er_v6(2, Link::Secondary)});
  const wire::Prefix p6 = *wire::parse_prefix("2001:db8:1000::/40");
  const auto Q = pfx(0x0a020000, 16);
  for (const auto& p : {P, Q}) {
    lab.announce(0, p, attrs({12076, 65100}, 0xc0000201));
    lab.announce(2, p, attrs({12076, 65100}, 0xc0000202));
  }
  lab.announce(1, p6, attrs({12076, 65100}, 0xc0000201));
  lab.announce(3, p6, attrs({12076, 65100}, 0xc0000202));
  lab.a->advance(lab.t += 10'000'000);
  const WhatIf both = lab.a->what_if({0, 1});
  REQUIRE(both.changes.size() == 3);
  lab.a->session_down(lab.t += 1000, 0, "BFD down: to 192.0.2.1 (er1 primary)");
  lab.a->session_down(lab.t += 200, 1, "BFD down: to 2001:db8::1 (er1 primary)");
  lab.a->session_down(lab.t += 200, 1, "session down 2001:db8::1 again");  // nothing left: no change
  lab.a->advance(lab.t += 10'000'000);
  const auto report = lab.a->report(true);
  REQUIRE_FALSE(report.episodes.empty());
  const auto& p = report.episodes.back().prediction;
  REQUIRE(p.made);
  CHECK(p.failed == both.failed);  // each session named once
  CHECK(p.predicted == both.transitions);
  CHECK(p.matched == 3);
  CHECK(p.differed == 0);
  CHECK(p.unpredicted == 0);
}

// Composing predictions: a prefix changed by both goes from the first's before to the second's
// after; one changed and back drops out; the rest stay, in prefix order.
TEST_CASE("then_fails composes two sessions' predictions in order", "[analyzer][prediction]") {
  auto path = [](PathKind k, std::uint32_t set) {
    ActivePath a;
    a.kind = k;
    a.set = set;
    return a;
  };
  const auto ecmp = path(PathKind::ErEcmp, 3), secondary = path(PathKind::ErSecondary, 2), vpn_path = path(PathKind::Vpn, 4);
  const auto A = pfx(0x0a010000, 16), B = pfx(0x0a020000, 16), C = pfx(0x0a030000, 16);
  WhatIf first{{"a"}, {{A, ecmp, secondary}, {C, ecmp, secondary}}, {}};
  const WhatIf then{{"b", "a"}, {{B, ecmp, vpn_path}, {C, secondary, ecmp}}, {}};
  const WhatIf w = then_fails(first, then);
  CHECK(w.failed == std::vector<std::string>{"a", "b"});
  REQUIRE(w.changes.size() == 2);
  CHECK(w.changes[0].prefix == A);
  CHECK(w.changes[0].after == secondary);
  CHECK(w.changes[1].prefix == B);
  CHECK(w.changes[1].after == vpn_path);
  CHECK(w.transitions == std::map<std::string, std::size_t>{{"er-ecmp->er-secondary", 1}, {"er-ecmp->vpn", 1}});
}

// virtual-network/virtual-networks-udr-overview and virtual-network-peering-overview (gateway
// transit): VNet and peering system routes win over any BGP route, even a more specific one; a
// BGP prefix equal to a VNet prefix is filtered; a spoke sees the hub gateway's routes only with
// use-remote-gateway.
TEST_CASE("azure: VNets, peering system routes and gateway transit", "[analyzer][azure][vnet]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  lab.policy.vnets = {{"hub", {pfx(0x0a0c0000, 16)}, true, false},
                      {"spoke1", {pfx(0x0a010000, 16)}, false, true},
                      {"spoke2", {pfx(0x0a020000, 16)}, false, false}};
  lab.a = std::make_unique<Analyzer>(lab.policy, std::vector<PeerRole>{er(0xc0000201, Link::Primary)});
  const auto a = attrs({12076, 65100}, 0xc0000201);
  const auto onprem = pfx(0xac100000, 12), spoke1 = pfx(0x0a010000, 16), inside = pfx(0x0a010500, 24);
  lab.announce(0, onprem, a);
  lab.announce(0, spoke1, a);  // the spoke's own address space, over BGP: filtered
  lab.announce(0, inside, a);  // more specific than a VNet range: the system route still wins
  CHECK(lab.active(onprem).kind == PathKind::ErPrimary);
  CHECK(lab.active(spoke1).kind == PathKind::System);
  CHECK(lab.active(inside).kind == PathKind::System);
  auto hub = lab.a->report(false);
  CHECK(hub.summary.vnet == "hub");
  bool filtered = false;
  for (const auto& f : hub.findings) filtered |= f.kind == "vnet-prefix-advertised" && f.prefixes.front() == spoke1;
  CHECK(filtered);
  auto kind_in = [&](const Report& r, const wire::Prefix& p) {
    for (const auto& row : r.active_paths)
      if (row.prefix == p) return row.active.kind;
    return PathKind::None;
  };
  const auto transit = lab.a->report(false, lab.a->vnet_index("spoke1"));
  CHECK(kind_in(transit, onprem) == PathKind::ErPrimary);  // through the hub's gateway
  CHECK(kind_in(transit, spoke1) == PathKind::System);
  const auto isolated = lab.a->report(false, lab.a->vnet_index("spoke2"));
  CHECK(kind_in(isolated, onprem) == PathKind::None);  // no gateway transit: no on-premises route
  CHECK(kind_in(isolated, spoke1) == PathKind::None);  // spokes are not peered with each other
  CHECK(isolated.summary.vnet == "spoke2");
}

TEST_CASE("rows_after reads the table in slices that add up to rows(); events_range slices the log", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary), vpn(0xc0000203, 0)});
  const auto x = attrs({12076, 65100}, 0xc0000201);
  for (std::uint32_t i = 0; i < 37; ++i) lab.announce(i % 2, pfx(0x0a000000 + (((i * 7919) % 64) << 16), 16), x);
  lab.announce(0, pfx(0x0b000000, 8), x);
  const auto all = lab.a->rows();
  for (std::size_t n : {1, 5, 100}) {
    std::vector<PrefixRow> sliced;
    std::optional<rib::PrefixKey> after;
    for (;;) {
      auto slice = lab.a->rows_after(after, n);
      CHECK(slice.size() <= n);
      if (slice.empty()) break;
      after = rib::PrefixKey::from(slice.back().prefix);
      sliced.insert(sliced.end(), slice.begin(), slice.end());
    }
    REQUIRE(sliced.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(wire::to_string(sliced[i].prefix) == wire::to_string(all[i].prefix));
  }
  const auto within = rib::PrefixKey::from(pfx(0x0a000000, 8));
  CHECK(lab.a->rows_after(std::nullopt, 1000, within).size() == lab.a->rows(within).size());
  for (std::size_t n : {1, 2, 3, 7, 64}) {  // keys_after: exactly the next n, whatever n is
    const auto keys = lab.a->keys_after(rib::PrefixKey::from(all[2].prefix), n);
    REQUIRE(keys.size() == std::min(n, all.size() - 3));
    for (std::size_t i = 0; i < keys.size(); ++i) CHECK(keys[i] == rib::PrefixKey::from(all[3 + i].prefix));
  }
  const auto gone = rib::PrefixKey::from(pfx(0xc0a80000, 16));  // never in the table
  const auto rows = lab.a->rows_for({rib::PrefixKey::from(all[0].prefix), gone});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].active == all[0].active);
  CHECK(rows[1].active.kind == PathKind::None);
  const auto events = lab.a->events_since(0);
  const auto middle = lab.a->events_range(3, 4);
  REQUIRE(middle.size() == 4);
  CHECK(wire::to_string(middle[0].prefix) == wire::to_string(events[3].prefix));
  CHECK(lab.a->events_range(events.size() - 1, 10).size() == 1);
  CHECK(lab.a->events_range(events.size(), 10).empty());
}

TEST_CASE("entries_after: keys_after's keys with their entries; rows_of them equal rows_for; the generation says when they moved", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0)});
  const auto x = attrs({12076, 65100}, 0xc0000201), y = attrs({65010, 65100}, 0xc0000203);
  for (std::uint32_t i = 0; i < 300; ++i) {
    lab.announce(i % 2, pfx(0x0a000000 + (((i * 7919) % 512) << 12), 20), x);
    if (i % 3 == 0) lab.announce(2, pfx(0x0a000000 + (((i * 7919) % 512) << 12), 20), y);
  }
  const auto all = lab.a->rows();
  const auto keys = lab.a->keys_after(std::nullopt, 100);
  const auto entries = lab.a->entries_after(std::nullopt, 100);
  REQUIRE(entries.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CHECK(entries[i].first == keys[i]);
    CHECK(entries[i].second == lab.a->table().find(keys[i]));
  }
  const auto generation = lab.a->table().generation();
  const auto via = lab.a->rows_of(entries.data() + 10, 50);
  const auto looked_up = lab.a->rows_for(std::vector<rib::PrefixKey>(keys.begin() + 10, keys.begin() + 60));
  REQUIRE(via.size() == 50);
  for (std::size_t i = 0; i < via.size(); ++i) {
    CHECK(wire::to_string(via[i].prefix) == wire::to_string(all[10 + i].prefix));
    CHECK(via[i].active == looked_up[i].active);
    CHECK(via[i].expressroute.has_value() == looked_up[i].expressroute.has_value());
    CHECK(via[i].vpn.has_value() == looked_up[i].vpn.has_value());
    if (via[i].vpn) CHECK(via[i].vpn->as_path == looked_up[i].vpn->as_path);
  }
  lab.announce(0, all[0].prefix, y);  // a route changed, no prefix added: the entries stay put
  CHECK(lab.a->table().generation() == generation);
  lab.announce(0, pfx(0x0c000000, 8), x);  // a new prefix: the table may have moved its entries
  CHECK(lab.a->table().generation() != generation);
}

TEST_CASE("findings() and episodes() are the report's, without building one", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.announce(0, P, attrs({12076, 65100}, 0xc0000201));  // one link only: a single-link finding
  lab.a->trigger(lab.t += 1000, "session down 192.0.2.2");
  lab.withdraw(0, P);
  lab.a->advance(lab.t += 10'000'000);
  const auto findings = lab.a->findings();
  const auto episodes = lab.a->episodes();
  const auto r = lab.a->report(false);
  REQUIRE(findings.size() == r.findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) CHECK(findings[i].message == r.findings[i].message);
  REQUIRE(episodes.size() == r.episodes.size());
  REQUIRE(episodes.size() == 1);
  CHECK(episodes[0].trigger == r.episodes[0].trigger);
}

// vpn-gateway/vpn-gateway-vnet-vnet-rm-ps (BGP over VNet-to-VNet): transit works, except for the
// default route; a static site's prefixes (local network gateway address space) are VPN routes.
TEST_CASE("azure: VNet-to-VNet carries no default route; static sites' prefixes are VPN routes", "[analyzer][azure]") {
  auto other_vnet = vpn(0x0a200001, 0);
  other_vnet.site = "vnet2";
  other_vnet.vnet_to_vnet = true;
  PeerRole branch_c;
  branch_c.gateway = Gateway::Vpn;
  branch_c.site = "branch-c";
  branch_c.static_site = true;
  Lab lab({other_vnet, branch_c});
  const auto any = pfx(0, 0), remote = pfx(0x0a210000, 16), c = pfx(0x0a460000, 16);
  lab.a->install_static(1, {c});
  CHECK(lab.active(c).kind == PathKind::Vpn);
  CHECK(lab.a->report(false).events.empty());  // configured, not learned: no event
  lab.announce(0, any, attrs({65020}, 0x0a200001));
  lab.announce(0, remote, attrs({65020}, 0x0a200001));
  CHECK(lab.active(remote).kind == PathKind::Vpn);
  CHECK(lab.active(any).kind == PathKind::None);  // the default route does not cross it
  CHECK(lab.a->peer_index(wire::IpAddress{}) == -1);  // a static site is no BGP peer
}

TEST_CASE("a row's AS path is its own, even after an attribute set was freed and its memory reused", "[analyzer]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  for (std::uint32_t i = 0; i < 20; ++i) {  // each round frees the set and makes a new one, often at the same address
    const std::uint32_t as = 65100 + i;
    lab.announce(0, P, attrs({12076, as}, 0xc0000201));
    const auto row = lab.a->row(rib::PrefixKey::from(P));
    REQUIRE(row.expressroute);
    CHECK(row.expressroute->as_path == fmt::format("12076 {}", as));
    lab.withdraw(0, P);
  }
}

// expressroute/expressroute-routing#route-aggregation-and-prefix-limits: the UPDATE that takes a
// session over the limit after a quiet period opens an episode that the drop names (not "first
// update after a quiet period": that update's own change is undone by the drop at once).
TEST_CASE("azure: an episode opened by the UPDATE that goes over a prefix limit is named by the limit", "[analyzer][azure][limits]") {
  Lab lab({er(0xc0000201, Link::Primary)});
  const auto a = attrs({12076, 65100}, 0xc0000201);
  for (std::uint32_t i = 0; i < 4000; ++i) lab.announce(0, pfx(0x0b000000 + (i << 8), 24), a);
  lab.a->advance(lab.t += 10'000'000);  // quiet: the loading episode closes
  lab.announce(0, pfx(0x0c000000, 24), a);  // 4,001
  REQUIRE(lab.a->dropped_at_limit(0));
  lab.a->advance(lab.t += 10'000'000);
  const auto report = lab.a->report(true);
  REQUIRE(report.episodes.size() == 2);
  const auto& e = report.episodes.back();
  CHECK(e.trigger == "prefix limit exceeded: 192.0.2.1 (er1 primary) advertised 4001 IPv4 prefixes, above Azure's ExpressRoute "
                     "limit of 4000: the session is dropped");
  CHECK(e.other_triggers.empty());
  CHECK(e.blackholed_prefixes == 4001);
  CHECK_FALSE(e.failure.known);  // no silent failure window for a drop at a limit
}

// virtual-network/virtual-networks-udr-overview: a BGP prefix inside a VNet's address space is
// carried by the system route whatever the links say, so one link only is no redundancy finding.
TEST_CASE("azure: no single-link finding for a prefix that a VNet system route carries", "[analyzer][findings][vnet]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  lab.policy.vnets = {{"hub", {pfx(0x0a0c0000, 16)}, true, false}};
  lab.a = std::make_unique<Analyzer>(lab.policy, std::vector<PeerRole>{er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary)});
  const auto a = attrs({12076, 65100}, 0xc0000201);
  const auto inside = pfx(0x0a0c0500, 24), onprem = pfx(0xac100000, 12);
  lab.announce(0, inside, a);  // primary only, but inside the hub's 10.12.0.0/16
  lab.announce(0, onprem, a);  // primary only: a real single-link prefix
  const auto report = lab.a->report(false);
  std::vector<wire::Prefix> single;
  for (const auto& f : report.findings)
    if (f.kind == "single-link") single = f.prefixes;
  CHECK(single == std::vector<wire::Prefix>{onprem});
}

// Findings walk each prefix's chain of covers (found in one pass over the sorted table): the
// longest cover that ExpressRoute carries is named, past covers it does not carry, and a
// sibling's subtree does not count as a cover.
TEST_CASE("findings: covers several levels up, past covers without ExpressRoute, not siblings", "[analyzer][findings]") {
  Lab lab({er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0)});
  lab.announce(0, pfx(0x0a000000, 8), attrs({12076, 65100}, 0xc0000201));  // 10/8 on both links
  lab.announce(1, pfx(0x0a000000, 8), attrs({12076, 65100}, 0xc0000202));
  lab.announce(2, pfx(0x0a010000, 16), attrs({65010, 65100}, 0xc0000203));  // VPN only
  lab.announce(2, pfx(0x0a010500, 24), attrs({65010, 65100}, 0xc0000203));  // VPN only, under the /16
  lab.announce(0, pfx(0x0a020000, 16), attrs({12076, 65100}, 0xc0000201));  // primary only, 10/8 on secondary
  lab.announce(0, pfx(0x0b000000, 24), attrs({12076, 65100}, 0xc0000201));  // primary only, no cover
  lab.announce(2, pfx(0x0b000100, 24), attrs({65010, 65100}, 0xc0000203));  // VPN only, its sibling is no cover
  std::vector<std::string> vpn_messages;
  std::vector<wire::Prefix> single;
  for (const auto& f : lab.a->report(true).findings) {
    if (f.kind == "vpn-more-specific") vpn_messages.push_back(f.message);
    if (f.kind == "single-link") single = f.prefixes;
  }
  REQUIRE(vpn_messages.size() == 2);
  CHECK_THAT(vpn_messages[0], Catch::Contains("bypassed for 10.1.0.0/16 (ExpressRoute carries 10.0.0.0/8)"));
  CHECK_THAT(vpn_messages[1], Catch::Contains("bypassed for 10.1.5.0/24 (ExpressRoute carries 10.0.0.0/8)"));
  CHECK(single == std::vector<wire::Prefix>{pfx(0x0b000000, 24)});
}

// A RIB dump's record holds a prefix's routes of every peer at one instant; while the baseline
// lasts the analyzer decides the prefix once after all of them (Analyzer::announce_snapshot).
// The answers, the limits and the timeline must be those of announcing the routes one by one,
// here with ECMP on each gateway, a session going over its maximum-prefix in the middle of a
// record, and a prefix left to its cover by that session's drop. Outside the baseline every
// change is an event, so the events must be the same too.
TEST_CASE("analyzer: a record's routes of one prefix applied at once decide what one by one does", "[analyzer][baseline]") {
  auto limited = vpn(0xc0000204, 1);
  limited.max_prefixes = 3;
  const std::vector<PeerRole> peers{er(0xc0000201, Link::Primary), er(0xc0000202, Link::Secondary), vpn(0xc0000203, 0), limited};
  struct Entry {  // the path and next hop (Attrs views its own bytes: made where it is used)
    int peer;
    std::vector<std::uint32_t> path;
    std::uint32_t next_hop;
  };
  std::vector<std::pair<wire::Prefix, std::vector<Entry>>> records;
  const std::vector<std::uint32_t> er_path{12076, 65100}, long_er{12076, 12076, 65100}, vpn_path{65010};
  records.push_back({pfx(0x0a000000, 8), {{0, er_path, 0xc0000201}, {1, er_path, 0xc0000202}, {2, vpn_path, 0xc0000203}, {3, vpn_path, 0xc0000204}}});
  records.push_back({pfx(0x0a010000, 16), {{3, vpn_path, 0xc0000204}}});
  for (std::uint32_t i = 2; i <= 4; ++i)  // the fourth prefix of 192.0.2.4, the record's second route: dropped
    records.push_back({pfx(0x0a000000 + (i << 16), 16), {{0, long_er, 0xc0000201}, {3, vpn_path, 0xc0000204}}});
  records.push_back({pfx(0x0a050000, 16), {{2, vpn_path, 0xc0000203}, {3, vpn_path, 0xc0000204}}});
  const auto carriers = [](const Analyzer& a, const ActivePath& p) {
    std::vector<std::string> peers;
    for (const auto& c : a.carrying(p.set)) peers.push_back(c.peer);
    return peers;
  };
  const auto set_of = [](Analyzer& a, const Entry& e) {
    const Attrs x = attrs(e.path, e.next_hop);
    return a.intern(x.decoded, true);
  };

  for (const bool baseline : {true, false}) {
    CAPTURE(baseline);
    Lab one(peers), at_once(peers);
    for (Lab* lab : {&one, &at_once})
      if (baseline) lab->a->begin_baseline(lab->t);
    for (const auto& [prefix, entries] : records) {
      one.t += 1000;
      for (const auto& e : entries) one.a->announce(one.t, e.peer, prefix, 0, set_of(*one.a, e), "snapshot");
      at_once.t += 1000;
      std::vector<Analyzer::SnapshotRoute> routes;
      for (const auto& e : entries)
        routes.push_back({e.peer, 0, set_of(*at_once.a, e), at_once.a->cause_id("snapshot")});
      at_once.a->announce_snapshot(at_once.t, prefix, routes);
    }
    for (Lab* lab : {&one, &at_once})
      if (baseline) lab->a->end_baseline(lab->t);
    CHECK(at_once.a->dropped_at_limit(3));
    CHECK(at_once.active(pfx(0x0a050000, 16)).kind == PathKind::Vpn);
    CHECK(at_once.active(pfx(0x0a010000, 16)).via_covering);
    for (int p = 0; p < 4; ++p) CHECK(one.a->dropped_at_limit(p) == at_once.a->dropped_at_limit(p));
    const auto a = one.a->rows(), b = at_once.a->rows();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CAPTURE(wire::to_string(a[i].prefix));
      CHECK(a[i].prefix == b[i].prefix);
      // Carrying sets are interned in the order they are first needed, so their numbers may
      // differ (the numbers name sets only within one analyzer): the sessions must not.
      CHECK(std::tie(a[i].active.kind, a[i].active.via_covering) == std::tie(b[i].active.kind, b[i].active.via_covering));
      CHECK(carriers(*one.a, a[i].active) == carriers(*at_once.a, b[i].active));
      CHECK(a[i].covering == b[i].covering);
      for (const auto& [x, y] : {std::pair{a[i].expressroute, b[i].expressroute}, std::pair{a[i].vpn, b[i].vpn}}) {
        REQUIRE(x.has_value() == y.has_value());
        if (x) CHECK(std::tie(x->peer, x->reason, x->candidates) == std::tie(y->peer, y->reason, y->candidates));
      }
    }
    const auto ra = one.a->report(true), rb = at_once.a->report(true);
    REQUIRE(ra.marks.size() == rb.marks.size());
    for (std::size_t i = 0; i < ra.marks.size(); ++i)
      CHECK(std::tie(ra.marks[i].time_us, ra.marks[i].kind, ra.marks[i].text) == std::tie(rb.marks[i].time_us, rb.marks[i].kind, rb.marks[i].text));
    REQUIRE(ra.events.size() == rb.events.size());
    CHECK(ra.events.empty() == baseline);
    for (std::size_t i = 0; i < ra.events.size(); ++i)
      CHECK(std::tie(ra.events[i].time_us, ra.events[i].prefix, ra.events[i].from.kind, ra.events[i].to.kind) ==
            std::tie(rb.events[i].time_us, rb.events[i].prefix, rb.events[i].from.kind, rb.events[i].to.kind));
  }
}
