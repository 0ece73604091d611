// The text report's active-path table: the interesting rows first (black holes, prefixes that
// changed during the input, VPN, one ExpressRoute link), each group in the report's order.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "app/render/report_format.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;
using bgpfa::app::render_text;
using bgpfa::app::TextOptions;

namespace {

wire::Prefix pfx(const std::string& s) { return *wire::parse_prefix(s); }

PrefixRow row(const std::string& p, PathKind k) {
  PrefixRow r;
  r.prefix = pfx(p);
  r.active.kind = k;
  return r;
}

// Where each prefix's row starts in the text (npos: not shown).
std::vector<std::size_t> positions(const std::string& text, const std::vector<std::string>& prefixes) {
  std::vector<std::size_t> at;
  for (const auto& p : prefixes) at.push_back(text.find("\n  " + p + " "));
  return at;
}

}  // namespace

TEST_CASE("text report: the interesting rows first, each group in prefix order", "[report][text]") {
  Report r;
  // In prefix order, the least interesting first.
  r.active_paths = {row("10.0.0.0/16", PathKind::ErEcmp),      row("10.1.0.0/16", PathKind::ErPrimary),
                    row("10.2.0.0/16", PathKind::Vpn),         row("10.3.0.0/16", PathKind::ErEcmp),
                    row("10.4.0.0/16", PathKind::None),        row("10.5.0.0/16", PathKind::ErSecondary),
                    row("2001:db8::/32", PathKind::ErEcmp),    row("2001:db8:1::/48", PathKind::None)};
  // 10.3.0.0/16 and 2001:db8::/32 changed during the input (by an event, whatever its kinds).
  r.events.push_back({1, pfx("10.3.0.0/16"), {}, {}, "test"});
  r.events.push_back({2, pfx("2001:db8::/32"), {}, {}, "test"});
  TextOptions all;
  all.limit = 0;
  const std::string text = render_text(r, {}, all);
  const std::vector<std::string> expected = {"10.4.0.0/16", "2001:db8:1::/48",  // black holes
                                             "10.3.0.0/16", "2001:db8::/32",    // changed
                                             "10.2.0.0/16",                     // VPN
                                             "10.1.0.0/16", "10.5.0.0/16",      // one link
                                             "10.0.0.0/16"};                    // the rest
  const auto at = positions(text, expected);
  for (std::size_t i = 0; i < at.size(); ++i) {
    INFO(expected[i]);
    REQUIRE(at[i] != std::string::npos);
    if (i) CHECK(at[i - 1] < at[i]);
  }

  SECTION("--limit keeps the first rows of that order and counts the rest") {
    TextOptions three;
    three.limit = 3;
    const std::string cut = render_text(r, {}, three);
    const auto shown = positions(cut, expected);
    CHECK(shown[2] != std::string::npos);
    CHECK(shown[3] == std::string::npos);
    CHECK_THAT(cut, Catch::Contains("... 5 more"));
  }
  SECTION("--kind keeps that kind's rows, changed ones first") {
    TextOptions ecmp;
    ecmp.limit = 0;
    ecmp.kind = PathKind::ErEcmp;
    const std::string only = render_text(r, {}, ecmp);
    const auto shown = positions(only, {"10.3.0.0/16", "2001:db8::/32", "10.0.0.0/16", "10.1.0.0/16"});
    CHECK(shown[0] < shown[1]);
    CHECK(shown[1] < shown[2]);
    CHECK(shown[3] == std::string::npos);
  }
}
