// Every attribute error path: NOTIFICATION code/subcode, offset (relative to the block) and the
// RFC 7606 action.
#include <catch2/catch.hpp>

#include "bgp/wire/attribute.hpp"
#include "bgp/wire/update.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

namespace {
struct Decoded {
  std::vector<std::uint8_t> bytes;
  PathAttributes attrs;
  std::optional<DecodeError> fatal;
};
Decoded decode(const char* h, bool four_octet = true, bool has_nlri = false) {
  Decoded d{hex(h), {}, {}};
  DecodeContext ctx;
  ctx.four_octet_as = four_octet;
  d.fatal = decode_path_attributes(d.bytes, ctx, has_nlri, d.attrs);
  return d;
}
void check_single(const Decoded& d, std::uint8_t subcode, std::size_t offset, ErrorAction action) {
  REQUIRE(d.attrs.errors.size() == 1);
  const auto& e = d.attrs.errors[0];
  CHECK(e.code == notify::kUpdateMessageError);
  CHECK(e.subcode == subcode);
  CHECK(e.offset == offset);
  CHECK(e.action == action);
  CHECK(d.attrs.action == action);
}
}  // namespace

TEST_CASE("ORIGIN errors", "[wire][attribute]") {
  SECTION("optional bit set on a well-known attribute") {
    auto d = decode("c0010100");
    check_single(d, update_error::kAttributeFlagsError, 0, ErrorAction::TreatAsWithdraw);
    CHECK(d.attrs.errors[0].data == hex("c00100"));
    CHECK_FALSE(d.attrs.has(AttrType::Origin));
  }
  SECTION("bad length") {
    auto d = decode("4001020000");
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::TreatAsWithdraw);
  }
  SECTION("undefined value") {
    auto d = decode("40010103");
    check_single(d, update_error::kInvalidOriginAttribute, 3, ErrorAction::TreatAsWithdraw);
    CHECK(d.attrs.errors[0].data == hex("400103"));
  }
}

TEST_CASE("attribute block framing errors are treat-as-withdraw (RFC 7606 4)", "[wire][attribute]") {
  SECTION("attribute overruns the block") {
    auto d = decode("40010100 40020a0201");
    check_single(d, update_error::kAttributeLengthError, 6, ErrorAction::TreatAsWithdraw);
    CHECK(d.attrs.has(AttrType::Origin));
    CHECK_FALSE(d.fatal);
  }
  SECTION("too few octets for an attribute header") {
    auto d = decode("40010100 40");
    check_single(d, update_error::kMalformedAttributeList, 4, ErrorAction::TreatAsWithdraw);
  }
  SECTION("extended length header truncated") {
    auto d = decode("40010100 500200");
    check_single(d, update_error::kMalformedAttributeList, 4, ErrorAction::TreatAsWithdraw);
  }
}

TEST_CASE("unknown attributes", "[wire][attribute]") {
  SECTION("unrecognized well-known") {
    auto d = decode("406300");
    check_single(d, update_error::kUnrecognizedWellKnownAttribute, 0, ErrorAction::TreatAsWithdraw);
  }
  SECTION("unknown optional transitive is kept raw") {
    auto d = decode("c06302abcd");
    CHECK(d.attrs.errors.empty());
    REQUIRE(d.attrs.all.size() == 1);
    CHECK(d.attrs.all[0].type == 0x63);
    CHECK(d.attrs.all[0].flags == 0xc0);
    CHECK(std::vector<std::uint8_t>(d.attrs.all[0].value.begin(), d.attrs.all[0].value.end()) == hex("abcd"));
  }
}

TEST_CASE("duplicate attributes (RFC 7606 3 g)", "[wire][attribute]") {
  SECTION("all but the first are discarded") {
    auto d = decode("40010101 40010102");
    check_single(d, update_error::kMalformedAttributeList, 4, ErrorAction::AttributeDiscard);
    CHECK(d.attrs.origin == 1);
  }
  SECTION("a second MP_UNREACH_NLRI resets the session") {
    auto d = decode("800f03000201 800f03000201");
    REQUIRE(d.fatal);
    CHECK(d.fatal->action == ErrorAction::SessionReset);
    CHECK(d.fatal->offset == 6);
  }
}

TEST_CASE("AS_PATH errors and 2/4-octet mixing", "[wire][attribute][as_path]") {
  SECTION("unknown segment type") {
    auto d = decode("400206 05010000fde9");
    check_single(d, update_error::kMalformedAsPath, 3, ErrorAction::TreatAsWithdraw);
  }
  SECTION("zero-length segment") {
    auto d = decode("400202 0200");
    check_single(d, update_error::kMalformedAsPath, 4, ErrorAction::TreatAsWithdraw);
  }
  SECTION("2-octet path read as 4-octet overruns") {
    auto d = decode("400206 0202fde9fdea", true);
    check_single(d, update_error::kMalformedAsPath, 4, ErrorAction::TreatAsWithdraw);
  }
  SECTION("2-octet path in a 2-octet session") {
    auto d = decode("400206 0202fde9fdea", false);
    CHECK(d.attrs.errors.empty());
    CHECK(d.attrs.as_path.asn_size == 2);
    CHECK(d.attrs.as_path.first_asn() == 65001);
    CHECK(d.attrs.as_path.origin_asn() == 65002);
  }
  SECTION("AS4_PATH with a confederation segment is discarded") {
    auto d = decode("c01106 0301 0000fde9", false);
    check_single(d, update_error::kOptionalAttributeError, 3, ErrorAction::AttributeDiscard);
  }
}

TEST_CASE("AGGREGATOR length follows the AS size", "[wire][attribute]") {
  SECTION("8 octets in a 2-octet session: discarded") {
    auto d = decode("c00708 0000fde9 c0000201", false);
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::AttributeDiscard);
    CHECK_FALSE(d.attrs.has(AttrType::Aggregator));
  }
  SECTION("8 octets in a 4-octet session") {
    auto d = decode("c00708 0000fde9 c0000201", true);
    CHECK(d.attrs.errors.empty());
    CHECK(d.attrs.aggregator.asn == 65001);
  }
  SECTION("MRT BGP4MP_ENTRY: either width in a 2-octet record, by the attribute's length") {
    auto either = [](const char* h) {
      Decoded d{hex(h), {}, {}};
      DecodeContext ctx;
      ctx.four_octet_as = false;
      ctx.aggregator_either_width = true;
      d.fatal = decode_path_attributes(d.bytes, ctx, false, d.attrs);
      return d;
    };
    auto four = either("c00708 fa56ea01 c0000201");
    CHECK(four.attrs.errors.empty());
    CHECK(four.attrs.aggregator.asn == 4200000001u);
    auto two = either("c00706 fde9 c0000201");
    CHECK(two.attrs.errors.empty());
    CHECK(two.attrs.aggregator.asn == 65001);
    check_single(either("c00707 00fde9 c0000201"), update_error::kAttributeLengthError, 2, ErrorAction::AttributeDiscard);
  }
  SECTION("ATOMIC_AGGREGATE with a value is discarded") {
    auto d = decode("40060100");
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::AttributeDiscard);
  }
}

TEST_CASE("fixed and unit lengths", "[wire][attribute]") {
  SECTION("COMMUNITIES not a multiple of 4") {
    auto d = decode("c00805 0001000200");
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::TreatAsWithdraw);
  }
  SECTION("LARGE_COMMUNITY not a multiple of 12") {
    auto d = decode("c02004 00000001");
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::TreatAsWithdraw);
  }
  SECTION("NEXT_HOP of 5 octets") {
    auto d = decode("400305 c000020100");
    check_single(d, update_error::kAttributeLengthError, 2, ErrorAction::TreatAsWithdraw);
  }
  SECTION("MED flags wrong (transitive set)") {
    auto d = decode("c00404 00000064");
    check_single(d, update_error::kAttributeFlagsError, 0, ErrorAction::TreatAsWithdraw);
  }
}

TEST_CASE("missing well-known attributes", "[wire][attribute]") {
  auto d = decode("40010100 400200", true, /*has_nlri=*/true);
  check_single(d, update_error::kMissingWellKnownAttribute, 0, ErrorAction::TreatAsWithdraw);
  CHECK(d.attrs.errors[0].data == hex("03"));
}

TEST_CASE("MP_REACH_NLRI errors reset the session", "[wire][attribute][mp]") {
  SECTION("IPv6 next hop of 5 octets") {
    auto d = decode("40010100 400200 800e0a 000201 05 0102030405 00");
    REQUIRE(d.fatal);
    CHECK(d.fatal->subcode == update_error::kOptionalAttributeError);
    CHECK(d.fatal->action == ErrorAction::SessionReset);
    CHECK(d.fatal->offset == 7 + 3 + 3);
  }
  SECTION("IPv6 prefix longer than 128") {
    auto d = decode("40010100 400200 800e16 000201 10 20010db8000000000000000000000001 00 81");
    REQUIRE(d.fatal);
    CHECK(d.fatal->subcode == update_error::kInvalidNetworkField);
    CHECK(d.fatal->offset == 7 + 3 + 21);
  }
}

TEST_CASE("ADD-PATH NLRI in MP_REACH_NLRI", "[wire][attribute][mp]") {
  const auto bytes = hex("40010100 400200 800e19 000101 04 c0000201 00 00000007 18 0a0102 00000009 18 0a0103");
  DecodeContext ctx;
  ctx.set_add_path(Afi::Ipv4, Safi::Unicast, true);
  PathAttributes a;
  REQUIRE_FALSE(decode_path_attributes(bytes, ctx, false, a));
  CHECK(a.errors.empty());
  CHECK(a.mp_reach.next_hop_length == 4);
}

TEST_CASE("a malformed well-known attribute is reported once, not also as missing", "[wire][attribute]") {
  // ORIGIN with a bad value, a good AS_PATH and NEXT_HOP, and NLRI: one error (invalid ORIGIN),
  // no "missing well-known attribute ORIGIN" after it.
  auto d = decode("40010103 400200 400304c0000201", true, true);
  REQUIRE(d.attrs.errors.size() == 1);
  CHECK(d.attrs.errors[0].subcode == update_error::kInvalidOriginAttribute);
  // Really missing: still reported.
  auto m = decode("400200 400304c0000201", true, true);
  REQUIRE(m.attrs.errors.size() == 1);
  CHECK(m.attrs.errors[0].subcode == update_error::kMissingWellKnownAttribute);
}
