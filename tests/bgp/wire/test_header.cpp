#include <catch2/catch.hpp>

#include "bgp/wire/header.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

static const std::string kMarker = "ffffffffffffffffffffffffffffffff";

TEST_CASE("KEEPALIVE header decodes and encodes", "[wire][header]") {
  const auto bytes = hex(kMarker + "0013 04");
  auto h = decode_header(bytes, false);
  REQUIRE(h.ok());
  CHECK(h->length == 19);
  CHECK(h->type == MessageType::Keepalive);
  std::uint8_t out[19];
  encode_header(out, 19, MessageType::Keepalive);
  CHECK(std::vector<std::uint8_t>(out, out + 19) == bytes);
}

TEST_CASE("header errors carry code, subcode, offset and data", "[wire][header]") {
  SECTION("marker not all ones") {
    auto h = decode_header(hex("ffffffffffffffffffffffffffffff00 0013 04"), false, 100);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().code == notify::kMessageHeaderError);
    CHECK(h.error().subcode == header_error::kConnectionNotSynchronized);
    CHECK(h.error().offset == 100);
    CHECK(h.error().action == ErrorAction::SessionReset);
  }
  SECTION("marker with a zero bit in its first word") {
    auto h = decode_header(hex("7fffffffffffffffffffffffffffffff 0013 04"), false, 100);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().subcode == header_error::kConnectionNotSynchronized);
  }
  SECTION("KEEPALIVE with a body") {
    auto h = decode_header(hex(kMarker + "0014 04 00"), false);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().subcode == header_error::kBadMessageLength);
    CHECK(h.error().offset == 16);
    CHECK(h.error().data == hex("0014"));
  }
  SECTION("UPDATE longer than 4096 without extended messages") {
    auto h = decode_header(hex(kMarker + "1001 02"), false);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().subcode == header_error::kBadMessageLength);
    CHECK(decode_header(hex(kMarker + "1001 02"), true).ok());  // RFC 8654
  }
  SECTION("unknown type") {
    auto h = decode_header(hex(kMarker + "0013 09"), false);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().subcode == header_error::kBadMessageType);
    CHECK(h.error().offset == 18);
    CHECK(h.error().data == hex("09"));
  }
  SECTION("truncated header") {
    auto h = decode_header(hex("ffff"), false);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().subcode == header_error::kBadMessageLength);
  }
}
