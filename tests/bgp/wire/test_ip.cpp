#include <catch2/catch.hpp>

#include "bgp/wire/ip.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

static std::string v6(const char* h) { return to_string(IpAddress::from_bytes(Afi::Ipv6, hex(h).data())); }

TEST_CASE("RFC 5952 text for IPv6", "[wire][ip]") {
  CHECK(v6("20010db8000000000000000000000001") == "2001:db8::1");
  CHECK(v6("00000000000000000000000000000000") == "::");
  CHECK(v6("20010db8000000010001000100010001") == "2001:db8:0:1:1:1:1:1");  // one zero group: no ::
  CHECK(v6("20010db8000000000001000000000001") == "2001:db8::1:0:0:1");      // first longest run
  CHECK(v6("00000000000000000000ffffc0000201") == "::ffff:192.0.2.1");
  CHECK(v6("fe800000000000000000000000000000") == "fe80::");
}

TEST_CASE("dotted quads", "[wire][ip]") {
  CHECK(to_string(IpAddress::v4(0xc0000201)) == "192.0.2.1");
  CHECK(to_string(IpAddress::v4(0)) == "0.0.0.0");
  CHECK(to_string(IpAddress::v4(0xffffffff)) == "255.255.255.255");
}

TEST_CASE("address and prefix text: embedded NULs are not the end of the string", "[wire][ip]") {
  using namespace std::string_literals;
  CHECK(parse_address("10.0.0.1") == IpAddress::v4(0x0a000001));
  CHECK_FALSE(parse_address("10.0.0.1\0garbage"s));
  CHECK_FALSE(parse_address("2001:db8::1\0"s));
  REQUIRE(parse_prefix("10.0.0.0/8"));
  CHECK(to_string(*parse_prefix("10.1.2.3/8")) == "10.0.0.0/8");
  CHECK_FALSE(parse_prefix("10.0.0.0\0garbage/8"s));
  CHECK_FALSE(parse_prefix("10.0.0.0/8\0"s));
  CHECK_FALSE(parse_prefix("2001:db8::\0/32"s));
}
