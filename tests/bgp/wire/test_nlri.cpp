#include <catch2/catch.hpp>

#include "bgp/wire/nlri.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

TEST_CASE("NLRI with ADD-PATH identifiers", "[wire][nlri]") {
  const auto f = hex("00000001 180a0102 00000002 00");
  REQUIRE_FALSE(validate_nlri(f, Afi::Ipv4, true, 0));
  NlriReader rd(f, Afi::Ipv4, true);
  CHECK(rd.count() == 2);
  NlriEntry n;
  REQUIRE(rd.next(n));
  CHECK(n.path_id == 1);
  CHECK(to_string(n.prefix) == "10.1.2.0/24");
  REQUIRE(rd.next(n));
  CHECK(n.path_id == 2);
  CHECK(to_string(n.prefix) == "0.0.0.0/0");
}

TEST_CASE("NLRI errors name the offending octet", "[wire][nlri]") {
  std::size_t good = 0;
  bool truncated = false;
  auto e = validate_nlri(hex("180a0102 21"), Afi::Ipv4, false, 50, &good, &truncated);
  REQUIRE(e);
  CHECK(e->subcode == update_error::kInvalidNetworkField);
  CHECK(e->offset == 54);
  CHECK(good == 4);
  CHECK_FALSE(truncated);
  e = validate_nlri(hex("180a0102 180a"), Afi::Ipv4, false, 0, &good, &truncated);
  REQUIRE(e);
  CHECK(good == 4);
  CHECK(truncated);
  // ADD-PATH data read without path identifiers: three /0 then a /33.
  CHECK(validate_nlri(hex("00000021 18 0a0102"), Afi::Ipv4, false, 0));
}

TEST_CASE("prefix encoding round trip and masking", "[wire][nlri]") {
  Prefix p;
  p.address = IpAddress::v4(0x0a010203);
  p.length = 24;
  std::uint8_t buf[8];
  std::uint8_t* out = buf;
  encode_prefix(p, out);
  CHECK(std::vector<std::uint8_t>(buf, out) == hex("180a0102"));
  const auto field = hex("0d0b0d");
  NlriReader rd(field, Afi::Ipv4, false);
  NlriEntry n;
  REQUIRE(rd.next(n));
  CHECK(to_string(n.prefix) == "11.8.0.0/13");
}
