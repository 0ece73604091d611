// The HTML report from hand-made reports: every trigger shown, an instantaneous episode with an
// axis that reads, nothing drawn outside the charts, and a full table that stays small.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "app/render/report_format.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

constexpr std::uint64_t kS = 1'000'000;
constexpr std::uint64_t t0 = 1'700'000'000 * kS;

wire::Prefix pfx(const std::string& s) { return *wire::parse_prefix(s); }

ActivePath path(PathKind k) {
  ActivePath p;
  p.kind = k;
  return p;
}

PeerSummary peer(const std::string& a, const std::string& role) {
  PeerSummary p;
  p.address = a;
  p.role = role;
  p.established = true;
  return p;
}

// Two peers; the primary fails at t0 + 10 s and every prefix moves at that same instant.
Report failover() {
  Report r;
  r.peers = {peer("192.0.2.1", "er1 primary"), peer("192.0.2.2", "er1 secondary")};
  r.summary.first_us = t0;
  r.summary.last_us = t0 + 20 * kS;
  r.marks = {{t0, 0, SessionMark::Kind::Up, "session up 192.0.2.1 (er1 primary): OpenConfirm -> Established"},
             {t0 + 10 * kS, 0, SessionMark::Kind::Bfd, "BFD down: to 192.0.2.1 (er1 primary): Cease/BFD down"},
             {t0 + 10 * kS, 0, SessionMark::Kind::Down, "session down 192.0.2.1 (er1 primary): Established -> Idle"},
             {t0 + 10 * kS + 400'000, 1, SessionMark::Kind::Down, "session down 192.0.2.2 (er1 secondary): Established -> Idle"}};
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16"}) {
    PrefixRow row;
    row.prefix = pfx(p);
    row.active = path(PathKind::ErSecondary);
    r.active_paths.push_back(row);
    r.events.push_back({t0 + 10 * kS, pfx(p), path(PathKind::ErEcmp), path(PathKind::ErSecondary), "BFD down"});
  }
  Episode e;
  e.trigger_us = e.start_us = e.end_us = t0 + 10 * kS;
  e.trigger = "BFD down: to 192.0.2.1 (er1 primary): Cease/BFD down";
  e.other_triggers = {"session down 192.0.2.2 (er1 secondary): Established -> Idle"};
  e.other_trigger_us = {t0 + 10 * kS + 400'000};
  e.prefixes_changed = 2;
  e.failure.known = true;
  e.failure.after_us = t0 + 10 * kS - 900'000;
  e.failure.before_us = t0 + 10 * kS - 600'000;
  e.failure.detected_by = "BFD";
  e.detection_min_us = 600'000;
  e.detection_max_us = 900'000;
  r.episodes.push_back(e);
  return r;
}

// The timeline (n = 0) or the n-th episode chart.
std::string svg(const std::string& html, int n) {
  std::size_t at = html.find("<svg id=\"tl\"");
  for (int i = 0; i < n && at != std::string::npos; ++i) at = html.find("<svg viewBox", at + 1);
  REQUIRE(at != std::string::npos);
  return html.substr(at, html.find("</svg>", at) - at);
}

std::vector<double> numbers(const std::string& s, const std::string& attr) {
  std::vector<double> out;
  const std::regex re(" " + attr + "=\"(-?[0-9.]+)\"");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) out.push_back(std::stod((*it)[1]));
  return out;
}

}  // namespace

TEST_CASE("html: the timeline shows every session mark, the BFD trigger and the secondary failure", "[html]") {
  const std::string html = app::render_html(failover(), {"er1"});
  const std::string tl = svg(html, 0);
  CHECK_THAT(tl, Catch::Contains("BFD down: BFD down: to 192.0.2.1 (er1 primary)"));
  CHECK_THAT(tl, Catch::Contains("session down: session down 192.0.2.2 (er1 secondary)"));  // an "also" trigger
  CHECK_THAT(tl, Catch::Contains("class=\"band\""));                                         // the episode
  CHECK_THAT(tl, Catch::Contains("class=\"fail\""));                                         // its failure window
  // The "also" trigger in the episode's own chart and list, with its time.
  CHECK_THAT(svg(html, 1), Catch::Contains("+400.0 ms: session down 192.0.2.2 (er1 secondary): Established -&gt; Idle"));
  CHECK_THAT(html, Catch::Contains("also at 2023-11-14T22:13:30.400000Z (400.0 ms after the trigger)"));
  CHECK_THAT(html, Catch::Contains("detection 600.0 ms\u2013900.0 ms (BFD)"));  // in the table
  CHECK_THAT(svg(html, 1), Catch::Contains(">600.0 ms\u2013900.0 ms (BFD)</text>"));  // beside the chart's range
}

TEST_CASE("html: an instantaneous episode gets an axis that reads, nothing outside the chart", "[html]") {
  const std::string html = app::render_html(failover(), {"er1"});
  for (int n : {0, 1}) {
    const std::string chart = svg(html, n);
    std::set<std::string> labels;
    const std::regex tick("class=\"tick\">([^<]+)<");
    std::size_t count = 0;
    for (auto it = std::sregex_iterator(chart.begin(), chart.end(), tick); it != std::sregex_iterator(); ++it, ++count)
      labels.insert((*it)[1]);
    INFO(chart);
    CHECK(count >= 3);
    if (n == 1) CHECK(labels.size() == count);  // not every tick "+0 ms"
    const auto xs = numbers(chart, "x"), ws = numbers(chart, "width");
    for (double x : xs) CHECK((x >= 0 && x <= 1000));
    if (n == 1)
      for (double w : ws) CHECK(w >= 3);  // the changes at one instant still have a visible width
  }
  // Text anchored at the start stays left of the chart's right edge.
  const std::string chart = svg(html, 1);
  const std::regex text("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" class=\"ttext\" text-anchor=\"start\">([^<]*)<");
  for (auto it = std::sregex_iterator(chart.begin(), chart.end(), text); it != std::sregex_iterator(); ++it)
    CHECK(std::stod((*it)[1]) + 6.2 * static_cast<double>((*it)[2].length()) <= 1000);
}

TEST_CASE("html: 120 k prefixes stay under 2 MB, as compact data and no table rows", "[html]") {
  Report r;
  r.peers = {peer("192.0.2.1", "er1 primary")};
  r.summary.first_us = t0;
  r.summary.last_us = t0 + kS;
  for (std::uint32_t i = 0; i < 120'000; ++i) {
    PrefixRow row;
    row.prefix.address = wire::IpAddress::v4(0x0a000000u + i * 256);
    row.prefix.length = 24;
    row.active = path(PathKind::ErPrimary);
    GatewayBest g;
    g.peer = "192.0.2.1";
    g.reason = "only-path";
    g.as_path = "12076 " + std::to_string(64512 + i % 20'000);
    row.expressroute = g;
    r.active_paths.push_back(row);
  }
  const std::string html = app::render_html(r, {"er1"});
  CHECK(html.size() < 2'000'000);
  CHECK(html.find("<tr><td>10.0.0.0/24") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("const D={n:120000,"));
}

TEST_CASE("html: the table data is compact and its strings cannot end the script", "[html]") {
  Report r = failover();
  r.active_paths[0].expressroute = GatewayBest{"192.0.2.1", "er1 primary", "65001 </script><b>", 100, "", "only-path", 1};
  const std::string html = app::render_html(r, {"er1"});
  const std::string data = html.substr(html.find("const D="));
  CHECK(data.substr(0, data.find("</script>")).find("<") == std::string::npos);
  CHECK_THAT(data, Catch::Contains("65001 \\u003c/script>\\u003cb>"));
}

TEST_CASE("html: an empty report and IPv6 rows", "[html]") {
  const std::string empty = app::render_html(Report{}, {});
  CHECK_THAT(empty, Catch::Contains("nothing to draw"));
  CHECK_THAT(empty, Catch::Contains("const D={n:0,"));
  CHECK_THAT(empty, Catch::EndsWith("</html>\n"));
  Report r = failover();
  PrefixRow row;
  row.prefix = pfx("2001:db8::/32");
  row.active = path(PathKind::Vpn);
  r.active_paths.push_back(row);
  const std::string html = app::render_html(r, {"er1"});
  CHECK_THAT(html, Catch::Contains("v6:[\"2001:db8::/32\"]"));
  const std::string rec = html.substr(html.find("rec:\""));
  CHECK(rec.find('~') != std::string::npos);  // the IPv6 row's place among the compact records
}

TEST_CASE("html: an episode's chart has a lane for each of its own events' prefixes, whatever the events' order", "[html]") {
  // The renderer finds an episode's events by binary search when they are in time order, by a
  // scan when the input went back in time; both give the same lanes.
  Report r;
  r.peers = {peer("192.0.2.1", "er1 primary"), peer("192.0.2.2", "er1 secondary")};
  r.summary.first_us = t0;
  r.summary.last_us = t0 + 30 * kS;
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16"}) {
    PrefixRow row;
    row.prefix = pfx(p);
    row.active = path(PathKind::ErSecondary);
    r.active_paths.push_back(row);
  }
  r.events = {{t0 + 10 * kS, pfx("10.1.0.0/16"), path(PathKind::ErEcmp), path(PathKind::ErSecondary), "down"},
              {t0 + 20 * kS, pfx("10.2.0.0/16"), path(PathKind::ErEcmp), path(PathKind::ErSecondary), "down"},
              {t0 + 20 * kS + 5, pfx("10.9.0.0/16"), path(PathKind::ErEcmp), path(PathKind::None), "down"}};  // no row now
  for (std::uint64_t at : {10u, 20u}) {
    Episode e;
    e.trigger_us = e.start_us = t0 + at * kS;
    e.end_us = e.start_us + 5;
    e.trigger = "session down " + std::to_string(at);
    e.prefixes_changed = at == 10 ? 1 : 2;
    r.episodes.push_back(e);
  }
  const auto check = [](const Report& rep) {
    const std::string html = app::render_html(rep, {"er1"});
    const std::string first = svg(html, 1), second = svg(html, 2);
    CHECK_THAT(first, Catch::Contains("class=\"pfx\">10.1.0.0/16<"));
    CHECK_THAT(first, !Catch::Contains("10.2.0.0/16"));
    CHECK_THAT(first, !Catch::Contains("10.9.0.0/16"));
    CHECK_THAT(second, Catch::Contains("class=\"pfx\">10.2.0.0/16<"));
    CHECK_THAT(second, Catch::Contains("class=\"pfx\">10.9.0.0/16<"));
    CHECK_THAT(second, !Catch::Contains("10.1.0.0/16"));
  };
  SECTION("in time order") { check(r); }
  SECTION("out of time order") {
    std::swap(r.events[0], r.events[2]);
    check(r);
  }
}
