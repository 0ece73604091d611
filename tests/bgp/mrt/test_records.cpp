#include <catch2/catch.hpp>

#include "bgp/mrt/bgp4mp.hpp"
#include "bgp/mrt/table_dump.hpp"
#include "bgp/mrt/table_dump_v2.hpp"
#include "tests/hex.hpp"

using namespace bgpfa;
using bgpfa::test::hex;

namespace {
mrt::Record record(std::uint16_t type, std::uint16_t subtype, const std::vector<std::uint8_t>& body) {
  mrt::Record r;
  r.header.seconds = 1000;
  r.header.type = type;
  r.header.subtype = subtype;
  r.header.length = static_cast<std::uint32_t>(body.size());
  r.body = body;
  r.offset = 500;
  return r;
}
}  // namespace

TEST_CASE("PEER_INDEX_TABLE", "[mrt][td2]") {
  const auto body = hex("0a000001 0004 6d61696e 0002 02 c0000201 c0000201 fa56ea01 01 c0000202 20010db8000000000000000000000002 fde9");
  auto t = mrt::decode_peer_index_table(record(13, 1, body));
  REQUIRE(t.ok());
  CHECK(t->view_name == "main");
  REQUIRE(t->peers.size() == 2);
  CHECK(t->peers[0].asn == 4200000001u);
  CHECK(wire::to_string(t->peers[1].ip) == "2001:db8::2");
  CHECK(t->peers[1].asn == 65001);
  SECTION("truncated peer entry") {
    auto bad = body;
    bad.resize(bad.size() - 1);
    auto e = mrt::decode_peer_index_table(record(13, 1, bad));
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().offset == 512 + 25);  // body starts after the 12-byte header
  }
}

TEST_CASE("RIB_IPV4_UNICAST_ADDPATH and a mislabelled copy", "[mrt][td2]") {
  const auto body = hex("00000000 180a0102 0001 0000 00000064 00000007 0004 40010100");
  mrt::Rib rib;
  REQUIRE_FALSE(mrt::decode_rib(record(13, mrt::td2::kRibIpv4UnicastAddPath, body), rib));
  CHECK(rib.add_path);
  CHECK_FALSE(rib.mislabelled);
  CHECK(wire::to_string(rib.prefix) == "10.1.2.0/24");
  REQUIRE(rib.entries.size() == 1);
  CHECK(rib.entries[0].path_id == 7);
  CHECK(rib.entries[0].originated == 100);
  CHECK(rib.entries[0].attributes.size() == 4);

  // The same bytes labelled RIB_IPV4_UNICAST: entries only fit with path identifiers.
  REQUIRE_FALSE(mrt::decode_rib(record(13, mrt::td2::kRibIpv4Unicast, body), rib));
  CHECK(rib.mislabelled);
  CHECK(rib.add_path);
  CHECK(rib.entries[0].path_id == 7);
}

TEST_CASE("RIB errors name the offset", "[mrt][td2]") {
  mrt::Rib rib;
  SECTION("prefix length beyond 32") {
    auto e = mrt::decode_rib(record(13, 2, hex("00000000 21 0a010203 00")), rib);
    REQUIRE(e);
    CHECK(e->offset == 512 + 4);
  }
  SECTION("attributes overrun the record either way") {
    auto e = mrt::decode_rib(record(13, 2, hex("00000000 180a0102 0001 0000 00000064 00ff 4001")), rib);
    REQUIRE(e);
    CHECK_THAT(e->what, Catch::Contains("overruns the record"));
  }
}

TEST_CASE("RIB_GENERIC carries its own AFI/SAFI", "[mrt][td2]") {
  mrt::Rib rib;
  REQUIRE_FALSE(mrt::decode_rib(record(13, mrt::td2::kRibGeneric, hex("00000001 0002 02 20 20010db8 0000")), rib));
  CHECK(rib.afi == 2);
  CHECK(rib.safi == 2);
  CHECK(wire::to_string(rib.prefix) == "2001:db8::/32");
  CHECK(rib.entries.empty());
}

TEST_CASE("TABLE_DUMP IPv4 record", "[mrt][td1]") {
  const auto body = hex("0000 0001 0a010200 18 01 00000064 c0000201 fde9 0004 40010100");
  auto t = mrt::decode_table_dump(record(12, 1, body));
  REQUIRE(t.ok());
  CHECK(wire::to_string(t->prefix) == "10.1.2.0/24");
  CHECK(t->peer_as == 65001);
  CHECK(t->attributes.size() == 4);
  auto bad = mrt::decode_table_dump(record(12, 1, hex("0000 0001 0a010200 18 01 00000064 c0000201 fde9 0009 40010100")));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().offset == 512 + 20);
}

TEST_CASE("BGP4MP state change and message", "[mrt][bgp4mp]") {
  auto s = mrt::decode_state_change(record(16, 0, hex("fde9 ffeb 0000 0001 c0000201 c0000264 0003 0002")));
  REQUIRE(s.ok());
  CHECK(s->peer.peer_as == 65001);
  CHECK(wire::to_string(s->peer.peer_ip) == "192.0.2.1");
  CHECK(s->old_state == 3);
  CHECK(mrt::bgp_state_name(s->new_state) == std::string("Connect"));
  auto m = mrt::decode_bgp4mp_message(record(16, 9, hex("0000fde9 0000ffeb 0000 0002 20010db8000000000000000000000001 20010db8000000000000000000000002 ff")));
  REQUIRE(m.ok());
  CHECK(m->four_octet_as);
  CHECK(m->add_path);
  CHECK_FALSE(m->local);
  CHECK(m->message.size() == 1);
  auto bad = mrt::decode_bgp4mp_message(record(16, 1, hex("fde9 ffeb 0000 0003 c0000201")));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().what, Catch::Contains("unsupported address family 3"));
}

TEST_CASE("BGP4MP_ENTRY as OpenBGPD writes it: local side first, own AFI/SAFI and next hop", "[mrt][bgp4mp][entry]") {
  // local AS 65000, peer AS 23456, ifindex 0, AFI 1; local 192.168.1.102, peer 192.0.2.1;
  // view 0, status 1, originated; AFI 1 SAFI 1, next hop 192.0.2.1; 10.1.0.0/16; 4 octets of attributes.
  const auto body = hex("fde8 5ba0 0000 0001 c0a80166 c0000201 0000 0001 561e8d53 0001 01 04 c0000201 10 0a01 0004 40010100");
  auto e = mrt::decode_bgp4mp_entry(record(16, mrt::bgp4mp::kEntry, body));
  REQUIRE(e.ok());
  CHECK(e->peer.peer_as == 23456);
  CHECK(e->peer.local_as == 65000);
  CHECK(wire::to_string(e->peer.peer_ip) == "192.0.2.1");
  CHECK(wire::to_string(e->peer.local_ip) == "192.168.1.102");
  CHECK(e->status == 1);
  CHECK(e->originated == 0x561e8d53);
  CHECK(e->afi == 1);
  CHECK(e->safi == 1);
  CHECK(e->next_hop.size() == 4);
  CHECK(e->interpreted());
  CHECK(wire::to_string(e->prefix) == "10.1.0.0/16");
  CHECK(e->attributes.size() == 4);
  CHECK(e->attributes_offset == body.size() - 4);

  SECTION("IPv6 addresses and route, VPN NLRI kept raw") {
    const auto v6 = hex("fde8 fbf5 0000 0002 20010db8000000000000000000000064 20010db8000000000000000000000001 0000 0001 00000000"
                        "0002 01 10 20010db8000000000000000000000001 28 20010db801 0000");
    auto e6 = mrt::decode_bgp4mp_entry(record(16, 2, v6));
    REQUIRE(e6.ok());
    CHECK(wire::to_string(e6->peer.peer_ip) == "2001:db8::1");
    CHECK(wire::to_string(e6->prefix) == "2001:db8:100::/40");
    const auto vpn = hex("fde8 fbf5 0000 0001 c0a80166 c0000201 0000 0001 00000000 0001 80 0c 0000000000000000c0000201"
                         "70 000011 0000fbf400000001 0a0102 0000");
    auto ev = mrt::decode_bgp4mp_entry(record(16, 2, vpn));
    REQUIRE(ev.ok());
    CHECK_FALSE(ev->interpreted());
    CHECK(ev->generic_nlri.size() == 15);
    CHECK(ev->next_hop.size() == 12);
  }
  SECTION("damage is reported where it is") {
    auto bad = body;
    bad[bad.size() - 5] = 5;  // attribute length 5, 4 bytes follow
    auto e2 = mrt::decode_bgp4mp_entry(record(16, 2, bad));
    REQUIRE_FALSE(e2.ok());
    CHECK(e2.error().offset == 512 + body.size() - 6);
    CHECK_THAT(e2.error().what, Catch::Contains("attribute length 5 but 4 bytes follow"));
    auto cut = body;
    cut.resize(30);
    auto e3 = mrt::decode_bgp4mp_entry(record(16, 2, cut));
    REQUIRE_FALSE(e3.ok());
    CHECK_THAT(e3.error().what, Catch::Contains("next-hop length 4 overruns the record"));
    auto plen = body;
    plen[32] = 33;  // a /33 IPv4 prefix
    auto e4 = mrt::decode_bgp4mp_entry(record(16, 2, plen));
    REQUIRE_FALSE(e4.ok());
    CHECK(e4.error().offset == 512 + 32);
    CHECK_THAT(e4.error().what, Catch::Contains("prefix length 33 invalid"));
  }
}
