#include <catch2/catch.hpp>

#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

TEST_CASE("NOTIFICATION with an RFC 9003 shutdown communication", "[wire][notification]") {
  const auto n = make_shutdown(2, "maintenance");
  const auto bytes = encode_notification(n);
  CHECK(bytes == hex("ffffffffffffffffffffffffffffffff 0021 03 06 02 0b 6d61696e74656e616e6365"));
  auto d = decode_notification(std::span(bytes).subspan(kHeaderSize));
  REQUIRE(d.ok());
  CHECK(d->code == notify::kCease);
  CHECK(d->shutdown_message() == "maintenance");
  CHECK(d->describe() == "Cease/Administrative Shutdown: \"maintenance\"");
}

TEST_CASE("NOTIFICATION too short", "[wire][notification]") {
  auto d = decode_notification(hex("06"), 19);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().offset == 19);
}

TEST_CASE("error descriptions name code, subcode and action", "[wire][error]") {
  DecodeError e{notify::kUpdateMessageError, update_error::kMalformedAsPath, 42, {}, ErrorAction::TreatAsWithdraw,
                "bad"};
  CHECK(describe(e) == "UPDATE Message Error/Malformed AS_PATH at offset 42: bad (treat-as-withdraw)");
}
