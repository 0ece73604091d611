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
