#include <catch2/catch.hpp>

#include "bgp/wire/nlri.hpp"
#include "bgp/wire/update.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

// ORIGIN IGP, AS_PATH (4-octet) 65001 65002, NEXT_HOP 192.0.2.1, NLRI 10.1.2.0/24.
static const char* kAttrs = "40010100 40020a 02 02 0000fde9 0000fdea 400304c0000201";
static const char* kBody = "0000 0018 40010100 40020a 02 02 0000fde9 0000fdea 400304c0000201 180a0102";
static const char* kMessage =
    "ffffffffffffffffffffffffffffffff 0033 02 "
    "0000 0018 40010100 40020a 02 02 0000fde9 0000fdea 400304c0000201 180a0102";

TEST_CASE("UPDATE decodes against hex bytes", "[wire][update]") {
  const auto body = hex(kBody);
  auto u = decode_update(body, DecodeContext{});
  REQUIRE(u.ok());
  const auto& a = u->attributes;
  CHECK(a.errors.empty());
  CHECK(a.has(AttrType::Origin));
  CHECK(a.origin == 0);
  CHECK(a.as_path.decision_length() == 2);
  CHECK(a.as_path.first_asn() == 65001);
  CHECK(a.as_path.origin_asn() == 65002);
  CHECK(to_string(IpAddress::from_bytes(Afi::Ipv4, a.next_hop.data())) == "192.0.2.1");
  CHECK(u->withdrawn.empty());
  NlriReader rd(u->nlri, Afi::Ipv4, false);
  NlriEntry n;
  REQUIRE(rd.next(n));
  CHECK(to_string(n.prefix) == "10.1.2.0/24");
  CHECK_FALSE(rd.next(n));
  CHECK_FALSE(u->is_end_of_rib());
}

TEST_CASE("UPDATE encodes to the same hex bytes", "[wire][update]") {
  const auto attrs = hex(kAttrs);
  const auto nlri = hex("180a0102");
  CHECK(encode_update({}, attrs, nlri) == hex(kMessage));
}

TEST_CASE("End-of-RIB markers", "[wire][update]") {
  auto v4 = decode_update(hex("0000 0000"), DecodeContext{});
  REQUIRE(v4.ok());
  CHECK(v4->is_end_of_rib());
  auto v6 = decode_update(hex("0000 0006 800f03 000201"), DecodeContext{});
  REQUIRE(v6.ok());
  CHECK(v6->is_end_of_rib());
}

TEST_CASE("UPDATE with IPv6 MP_REACH_NLRI and MP_UNREACH_NLRI", "[wire][update]") {
  // MP_REACH: AFI 2 SAFI 1, next hop 2001:db8::1, reserved 0, NLRI 2001:db8:1::/48
  // MP_UNREACH: AFI 2 SAFI 1, 2001:db8:2::/48
  const auto body = hex(
      "0000 0033 40010100 400200"
      " 800e1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001"
      " 800f0a 0002 01 30 20010db80002");
  auto u = decode_update(body, DecodeContext{});
  REQUIRE(u.ok());
  const auto& a = u->attributes;
  CHECK(a.errors.empty());
  REQUIRE(a.has(AttrType::MpReachNlri));
  CHECK(a.mp_reach.afi == 2);
  CHECK(a.mp_reach.next_hop_length == 16);
  CHECK(to_string(IpAddress::from_bytes(Afi::Ipv6, a.mp_reach.next_hop.data())) == "2001:db8::1");
  NlriEntry n;
  NlriReader r1(a.mp_reach.nlri, Afi::Ipv6, false);
  REQUIRE(r1.next(n));
  CHECK(to_string(n.prefix) == "2001:db8:1::/48");
  NlriReader r2(a.mp_unreach.nlri, Afi::Ipv6, false);
  REQUIRE(r2.next(n));
  CHECK(to_string(n.prefix) == "2001:db8:2::/48");
}

TEST_CASE("UPDATE framing errors reset the session", "[wire][update]") {
  DecodeContext ctx;
  ctx.base_offset = 19;
  SECTION("withdrawn length overruns") {
    auto u = decode_update(hex("0010 0000"), ctx);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().subcode == update_error::kMalformedAttributeList);
    CHECK(u.error().offset == 19);
  }
  SECTION("attribute length overruns") {
    auto u = decode_update(hex("0000 0009 40010100"), ctx);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().subcode == update_error::kMalformedAttributeList);
    CHECK(u.error().offset == 21);
  }
  SECTION("NLRI prefix longer than 32 bits") {
    auto u = decode_update(hex("0000 0000 21 0a010203 04"), ctx);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().code == notify::kUpdateMessageError);
    CHECK(u.error().subcode == update_error::kInvalidNetworkField);
    CHECK(u.error().offset == 19 + 4);
    CHECK(u.error().action == ErrorAction::SessionReset);
  }
  SECTION("withdrawn prefix truncated") {
    auto u = decode_update(hex("0002 1800 0000"), ctx);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().subcode == update_error::kInvalidNetworkField);
    CHECK(u.error().offset == 19 + 2);
  }
}

TEST_CASE("salvage keeps the well-formed prefixes before a truncated tail (MRT only)", "[wire][update]") {
  const auto body = hex("0000 0018 40010100 40020a 02 02 0000fde9 0000fdea 400304c0000201 0d0b0d 0b");
  DecodeContext ctx;
  CHECK_FALSE(decode_update(body, ctx).ok());
  ctx.salvage_truncated_nlri = true;
  auto u = decode_update(body, ctx);
  REQUIRE(u.ok());
  REQUIRE(u->attributes.errors.size() == 1);
  CHECK(u->attributes.errors[0].subcode == update_error::kInvalidNetworkField);
  CHECK(u->attributes.errors[0].offset == 4 + 24 + 3);
  NlriReader rd(u->nlri, Afi::Ipv4, false);
  NlriEntry n;
  REQUIRE(rd.next(n));
  CHECK(to_string(n.prefix) == "11.8.0.0/13");  // trailing bits cleared
  CHECK_FALSE(rd.next(n));
}
