#include <catch2/catch.hpp>

#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/text.hpp"
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

TEST_CASE("a shutdown communication cannot forge log lines or reach the terminal", "[wire][notification][escape]") {
  const auto n = make_shutdown(2, "bye\nbgpfa: peer=10.0.0.1 established\x1b[2J\x07 \"q\" \\ caf\xc3\xa9 \xff\xc2\x85");
  const std::string d = n.describe();
  CHECK(d.find('\n') == std::string::npos);
  CHECK(d.find('\x1b') == std::string::npos);
  CHECK(d.find('\x07') == std::string::npos);
  CHECK(d == "Cease/Administrative Shutdown: \"bye\\nbgpfa: peer=10.0.0.1 established\\x1b[2J\\x07 \\\"q\\\" \\\\ caf\xc3\xa9 "
             "\\xff\\u0085\"");
}

TEST_CASE("escape_text keeps valid UTF-8 and escapes the rest", "[wire][escape]") {
  CHECK(escape_text("plain text") == "plain text");
  CHECK(escape_text("\xe2\x82\xac") == "\xe2\x82\xac");           // euro sign
  CHECK(escape_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");        // a surrogate is not UTF-8
  CHECK(escape_text("\xc0\xaf") == "\\xc0\\xaf");                 // overlong
  CHECK(escape_text(std::string_view("a\0b", 3)) == "a\\x00b");
  CHECK(escape_text("\x7f\r\t") == "\\x7f\\r\\t");
}
