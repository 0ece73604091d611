#include <catch2/catch.hpp>

#include "bgp/wire/header.hpp"
#include "bgp/wire/open.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

// FRR-like OPEN: AS 65001, hold 180, id 192.0.2.1; MP IPv4/IPv6 unicast, route refresh,
// 4-octet AS 4200000001, ADD-PATH IPv4 unicast send/receive, an unknown capability 99.
static const char* kOpenBody =
    "04 5ba0 00b4 c0000201 20 02 1e"
    " 0104 00010001 0104 00020001 0200 4104 fa56ea01 4504 00010103 6302 abcd";

TEST_CASE("OPEN decodes against hex bytes", "[wire][open]") {
  auto o = decode_open(hex(kOpenBody));
  REQUIRE(o.ok());
  CHECK(o->my_as == kAsTrans);
  CHECK(o->asn() == 4200000001u);
  CHECK(o->hold_time == 180);
  CHECK(o->caps.supports(2, 1));
  CHECK(o->caps.route_refresh);
  REQUIRE(o->caps.add_path.size() == 1);
  CHECK(o->caps.add_path[0].send);
  CHECK(o->caps.add_path[0].receive);
  REQUIRE(o->caps.unknown.size() == 1);
  CHECK(o->caps.unknown[0].first == 99);
}

TEST_CASE("OPEN encodes to hex bytes and round-trips", "[wire][open]") {
  Open o;
  o.my_as = kAsTrans;
  o.hold_time = 180;
  o.bgp_id = 0xc0000201;
  o.caps.multiprotocol = {{1, 1}, {2, 1}};
  o.caps.route_refresh = true;
  o.caps.four_octet_as = 4200000001u;
  o.caps.add_path = {AddPathFamily{Afi::Ipv4, Safi::Unicast, true, true}};
  const auto m = encode_open(o);
  CHECK(m == hex("ffffffffffffffffffffffffffffffff 0039 01"
                 " 04 5ba0 00b4 c0000201 1c 02 1a 0104 00010001 0104 00020001 0200 4104 fa56ea01 4504 00010103"));
  auto back = decode_open(std::span(m).subspan(kHeaderSize));
  REQUIRE(back.ok());
  CHECK(back->asn() == 4200000001u);
  CHECK(back->caps.add_path == o.caps.add_path);
}

TEST_CASE("OPEN errors: version, hold time, identifier, parameters", "[wire][open]") {
  auto e = decode_open(hex("03 fde9 00b4 c0000201 00"), 19);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().subcode == open_error::kUnsupportedVersion);
  CHECK(e.error().data == hex("0004"));
  e = decode_open(hex("04 fde9 0002 c0000201 00"), 19);
  CHECK(e.error().subcode == open_error::kUnacceptableHoldTime);
  CHECK(e.error().offset == 22);
  e = decode_open(hex("04 fde9 00b4 00000000 00"));
  CHECK(e.error().subcode == open_error::kBadBgpIdentifier);
  e = decode_open(hex("04 fde9 00b4 c0000201 03 01 01 00"));
  CHECK(e.error().subcode == open_error::kUnsupportedOptionalParameter);
  e = decode_open(hex("04 fde9 00b4 c0000201 04 02 02 4104"));
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == notify::kOpenMessageError);
}

TEST_CASE("capability negotiation", "[wire][open]") {
  Open local, remote;
  local.hold_time = 90;
  remote.hold_time = 9;
  local.caps.four_octet_as = 65515;
  remote.caps.four_octet_as = 4200000001u;
  local.caps.multiprotocol = {{1, 1}, {2, 1}};
  remote.caps.multiprotocol = {{1, 1}};
  local.caps.add_path = {AddPathFamily{Afi::Ipv4, Safi::Unicast, true, false}};
  remote.caps.add_path = {AddPathFamily{Afi::Ipv4, Safi::Unicast, false, true}};
  const auto n = negotiate(local, remote);
  CHECK(n.four_octet_as);
  CHECK(n.hold_time == 9);
  CHECK(n.families == std::vector<std::pair<std::uint16_t, std::uint8_t>>{{1, 1}});
  REQUIRE(n.add_path_rx.size() == 1);
  remote.caps.four_octet_as.reset();
  CHECK_FALSE(negotiate(local, remote).four_octet_as);
  // RFC 4760 8: no multiprotocol capability at all means IPv4 unicast.
  remote.caps.multiprotocol.clear();
  CHECK(negotiate(local, remote).families == std::vector<std::pair<std::uint16_t, std::uint8_t>>{{1, 1}});
}

// FRR with `bgp graceful-restart` + `preserve-fw-state` after a restart: R bit, 120 s, IPv4
// unicast with F, IPv6 unicast without.
TEST_CASE("graceful restart capability decodes and encodes against hex bytes", "[wire][open][gr]") {
  const auto body = hex("04 fde9 00b4 c0000201 0e 02 0c 400a 8078 00010180 00020100");
  auto o = decode_open(body);
  REQUIRE(o.ok());
  REQUIRE(o->caps.graceful_restart);
  const auto& g = o->caps.gr;
  CHECK(g.restarting);
  CHECK_FALSE(g.notification);
  CHECK(g.restart_time == 120);
  REQUIRE(g.families.size() == 2);
  CHECK(g.families[0] == GracefulRestartFamily{1, 1, true});
  CHECK(g.families[1] == GracefulRestartFamily{2, 1, false});
  CHECK(g.find(2, 1) == &g.families[1]);
  CHECK(g.find(1, 2) == nullptr);

  Open again;
  again.my_as = 65001;
  again.hold_time = 180;
  again.bgp_id = 0xc0000201;
  again.caps.graceful_restart = true;
  again.caps.gr = g;
  const auto m = encode_open(again);
  CHECK(std::vector<std::uint8_t>(m.begin() + kHeaderSize, m.end()) == body);

  // Receiving speaker only (what bgpfa sends): time, no families.
  Open mine;
  mine.my_as = 65001;
  mine.bgp_id = 1;
  mine.caps.graceful_restart = true;
  mine.caps.gr.restart_time = 4095;
  const auto b = encode_open(mine);
  CHECK(std::vector<std::uint8_t>(b.end() - 4, b.end()) == hex("40 02 0fff"));

  // Negotiated only when both sides advertise it; the peer's families are what we retain.
  CHECK(negotiate(mine, o.value()).peer_graceful_restart->families.size() == 2);
  mine.caps.graceful_restart = false;
  CHECK_FALSE(negotiate(mine, o.value()).peer_graceful_restart);
  // A truncated family tuple is ignored, the capability kept.
  auto odd = decode_open(hex("04 fde9 00b4 c0000201 0b 02 09 4007 0078 00010180 00"));
  REQUIRE(odd.ok());
  CHECK(odd->caps.gr.families.size() == 1);
}
