#include <catch2/catch.hpp>

#include "bgp/wire/as_path.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::wire;
using bgpfa::test::hex;

TEST_CASE("decision length counts sets as one and confederations as zero", "[wire][as_path]") {
  // SEQ(1 2 3) SET{4 5} CONFED_SEQ(6)
  const auto b = hex("0203 00000001 00000002 00000003 0102 00000004 00000005 0301 00000006");
  REQUIRE_FALSE(validate_as_path(b, 4, 0));
  AsPathView p{b, 4};
  CHECK(p.decision_length() == 4);
  CHECK(p.first_asn() == 1);
  CHECK(p.origin_asn() == 0);  // ends in a confederation segment: no origin AS
}

TEST_CASE("RFC 6793 AS4_PATH merge", "[wire][as_path]") {
  // AS_PATH (2-octet): 65001 23456 23456 ; AS4_PATH: 4200000001 4200000002
  const auto path = hex("0203 fde9 5ba0 5ba0");
  const auto as4 = hex("0202 fa56ea01 fa56ea02");
  const auto merged = merge_as4_path(AsPathView{path, 2}, AsPathView{as4, 4});
  CHECK(merged == hex("0201 0000fde9 0202 fa56ea01 fa56ea02"));
  SECTION("AS4_PATH longer than AS_PATH is ignored") {
    const auto longer = hex("0204 00000001 00000002 00000003 00000004");
    CHECK(merge_as4_path(AsPathView{path, 2}, AsPathView{longer, 4}) == hex("0203 0000fde9 00005ba0 00005ba0"));
  }
}

TEST_CASE("widening a 2-octet path", "[wire][as_path]") {
  const auto path = hex("0102 0001 0002");
  CHECK(widen_as_path(AsPathView{path, 2}) == hex("0102 00000001 00000002"));
}
