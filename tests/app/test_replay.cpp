// bgpfa replay end to end: the bundled scenario against its expected report, pacing does not
// change the report, and real RIS dumps give a sane report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <algorithm>

#include <fmt/format.h>

#include "app/cli/stage_clock.hpp"
#include "bgp/mrt/writer.hpp"
#include "tests/app/run.hpp"
#include "tests/hex.hpp"

using bgpfa::test::run_bgpfa;
using bgpfa::test::slurp;
namespace fs = std::filesystem;

static const std::string kSrc = BGPFA_SOURCE_DIR;

TEST_CASE("replay of the bundled failover capture matches its expected JSON report", "[replay][golden]") {
  auto r = run_bgpfa("replay -c " + kSrc + "/fixtures/failover/bgpfa.conf --report json " + kSrc +
                     "/fixtures/failover/capture.mrt");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == slurp(kSrc + "/fixtures/failover/expected-report.json"));
}

TEST_CASE("--speed gives the same report as --afap", "[replay]") {
  const std::string args = "-c " + kSrc + "/fixtures/failover/bgpfa.conf --report json " + kSrc + "/fixtures/failover/capture.mrt";
  auto fast = run_bgpfa("replay --afap " + args);
  auto paced = run_bgpfa("replay --speed 200 " + args);  // 91 s of capture in about half a second
  CHECK(fast.status == 0);
  CHECK(paced.out == fast.out);
}

TEST_CASE("replay reports: text and HTML", "[replay]") {
  const std::string args = "-c " + kSrc + "/fixtures/failover/bgpfa.conf " + kSrc + "/fixtures/failover/capture.mrt";
  auto text = run_bgpfa("replay " + args);
  CHECK_THAT(text.out, Catch::Contains("10.4.0.0/16          er-primary -> none  (session down 192.0.2.1 (er1 primary)"));
  CHECK_THAT(text.out, Catch::Contains("black hole: 1 prefixes, 60.800 prefix-seconds (1 still unreachable)"));
  CHECK_THAT(text.out, Catch::Contains("ExpressRoute is bypassed for 10.1.5.0/24"));
  CHECK_THAT(text.out, Catch::Contains("also: session down 192.0.2.2 (er1 secondary): Established -> Idle (+400.0 ms)"));
  auto html = run_bgpfa("replay --report html " + args);
  CHECK_THAT(html.out, Catch::StartsWith("<!doctype html>"));
  CHECK_THAT(html.out, Catch::Contains("<svg"));
  CHECK(html.out.find("http") == std::string::npos);  // no external assets
  // The secondary failure (an "also" trigger of the third episode) is on the common timeline.
  const auto tl = html.out.find("<svg id=\"tl\"");
  REQUIRE(tl != std::string::npos);
  const std::string timeline = html.out.substr(tl, html.out.find("</svg>", tl) - tl);
  CHECK_THAT(timeline, Catch::Contains("session down: session down 192.0.2.2 (er1 secondary)"));
  CHECK_THAT(html.out, Catch::Contains("also at 2023-11-14T22:14:20.400000Z (400.0 ms after the trigger)"));
}

TEST_CASE("replay rejects a bad configuration with line and column", "[replay]") {
  bgpfa::test::TempFile conf;
  const std::string text = "router bgp 65515\n neighbor 192.0.2.1 remote-as\n";
  conf.write({text.begin(), text.end()});
  auto r = run_bgpfa("replay -c " + conf.path() + " " + kSrc + "/fixtures/failover/capture.mrt");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains(":2:30: error: expected an AS number, found end of line"));
}

TEST_CASE("replay of a real RIS updates dump gives a sane report", "[replay][ris]") {
  const fs::path dump = BGPFA_SHARED_DIR "/fixtures/mrt/ris/updates.20071015.1505.gz";
  if (!fs::exists(dump)) {
    WARN("skipped: " << dump << " is absent");
    return;
  }
  // Three RIS peers of that dump in the roles of ER primary, ER secondary and VPN.
  bgpfa::test::TempFile conf;
  const std::string text =
      "router bgp 65515\n"
      " neighbor 168.209.255.2 remote-as 3741\n"
      " neighbor 168.209.255.2 gateway expressroute circuit ris link primary\n"
      " neighbor 208.51.134.248 remote-as 3549\n"
      " neighbor 208.51.134.248 gateway expressroute circuit ris link secondary\n"
      " neighbor 193.0.0.56 remote-as 3333\n"
      " neighbor 193.0.0.56 gateway vpn instance 0\n"
      "analyzer\n"
      " quiet-period 5s\n";
  conf.write({text.begin(), text.end()});
  auto r = run_bgpfa("replay -q --report json -c " + conf.path() + " " + dump.string());
  REQUIRE(r.status == 0);
  // Invariants: every listed prefix has a valid active kind; events are in time order; every
  // episode's percentiles are ordered and bounded by its duration; black-hole counts bounded.
  std::smatch m;
  const std::regex kind_re("\"(?:active|from|to)\":\\{\"kind\":\"([a-z-]+)\"");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), kind_re); it != std::sregex_iterator(); ++it) {
    const std::string k = (*it)[1];
    CHECK((k == "none" || k == "er-primary" || k == "er-secondary" || k == "er-ecmp" || k == "vpn"));
  }
  const std::regex time_re("\\{\"time\":\"([0-9T:.Z-]+)\"");
  std::string last;
  std::size_t events = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), time_re); it != std::sregex_iterator(); ++it, ++events) {
    const std::string t = (*it)[1];
    CHECK(t >= last);
    last = t;
  }
  CHECK(events > 100);
  const std::regex ep_re(
      "\"duration_ms\":([0-9.]+),\"prefixes_changed\":([0-9]+),\"p50_ms\":([0-9.]+),\"p90_ms\":([0-9.]+),\"p99_ms\":([0-9.]+),"
      "\"max_ms\":([0-9.]+),\"blackholed_prefixes\":([0-9]+)");
  std::size_t episodes = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), ep_re); it != std::sregex_iterator(); ++it, ++episodes) {
    const double dur = std::stod((*it)[1]), p50 = std::stod((*it)[3]), p90 = std::stod((*it)[4]),
                 p99 = std::stod((*it)[5]), max = std::stod((*it)[6]);
    const long changed = std::stol((*it)[2]), holes = std::stol((*it)[7]);
    CHECK(changed > 0);
    CHECK(p50 <= p90);
    CHECK(p90 <= p99);
    CHECK(p99 <= max);
    CHECK(max <= dur + 1e-9);
    CHECK(holes <= changed);
  }
  CHECK(episodes > 0);
  CHECK_THAT(r.out, Catch::Contains("\"unknown_peers\":[\""));  // the other RIS peers, reported
}

// The RIB snapshot holds every route with the attributes it arrived with: `mrt dump -m` of the
// snapshot equals that of the source dump (type and time fields aside), peers and path ids too.
TEST_CASE("replay --rib-snapshot round-trips real RIB dumps", "[replay][snapshot]") {
  for (const char* name : {"bview.20020722.2337.gz", "bview.ipv6_unicast_add_path.gz", "bview.ipv4_unicast_add_path.gz"}) {
    const fs::path dump = fs::path(BGPFA_SHARED_DIR "/fixtures/mrt/ris") / name;
    if (!fs::exists(dump)) {
      WARN("skipped: " << dump << " is absent");
      continue;
    }
    INFO(name);
    auto lines = [](const std::string& text) {  // without the type and time fields, sorted
      std::vector<std::string> out;
      std::istringstream in(text);
      for (std::string l; std::getline(in, l);) out.push_back(l.substr(l.find('|', l.find('|') + 1) + 1));
      std::sort(out.begin(), out.end());
      return out;
    };
    auto source = run_bgpfa("mrt dump -m " + dump.string());
    REQUIRE(source.status == 0);
    // Every peer of the dump configured (roles do not matter to the RIB).
    std::set<std::string> peers;
    for (const auto& l : lines(source.out)) {
      const auto a = l.find('|') + 1, b = l.find('|', a), c = l.find('|', b + 1);
      peers.insert(" neighbor " + l.substr(a, b - a) + " remote-as " + l.substr(b + 1, c - b - 1) + "\n neighbor " +
                   l.substr(a, b - a) + " gateway vpn instance 0\n");
    }
    std::string text = "router bgp 65515\n";
    for (const auto& p : peers) text += p;
    bgpfa::test::TempFile conf, snapshot;
    conf.write({text.begin(), text.end()});
    auto r = run_bgpfa("replay -q -c " + conf.path() + " --rib-snapshot " + snapshot.path() + " " + dump.string());
    REQUIRE(r.status == 0);
    auto back = run_bgpfa("mrt dump -m " + snapshot.path());
    REQUIRE(back.status == 0);
    CHECK(back.err.empty());
    const auto want = lines(source.out), got = lines(back.out);
    CHECK(got.size() == want.size());
    CHECK(got == want);
  }
}

TEST_CASE("replay --what-if: which prefixes would move if a link failed", "[replay][what-if]") {
  const std::string args = "-c " + kSrc + "/fixtures/failover/bgpfa.conf " + kSrc + "/fixtures/failover/capture.mrt";
  auto text = run_bgpfa("replay --what-if \"er1 primary\" " + args);
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("WHAT IF 192.0.2.1 (er1 primary) FAILED\n"
                                       "  4 prefixes would change their path: er-primary->none x1 er-primary->vpn x3\n"
                                       "  10.1.0.0/16          er-primary -> vpn (instance 0)\n"));
  auto json = run_bgpfa("replay --report json --what-if 192.0.2.1 " + args);
  CHECK_THAT(json.out, Catch::Contains(R"x("what_if":{"failed":["192.0.2.1 (er1 primary)"],"transitions":{"er-primary->none":1,"er-primary->vpn":3},"changes":[)x"));
  // Without --what-if the report has no what_if section (the golden file stays as it is).
  auto plain = run_bgpfa("replay --report json " + args);
  CHECK(plain.out.find("what_if") == std::string::npos);
  auto bad = run_bgpfa("replay --what-if er9 " + args);
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("what-if: \"er9\" names no configured peer"));
}

// DESIGN.md, Convergence: a RIB snapshot at the start of a replay is the baseline state, not an
// episode; --events-from-start makes events of it.
TEST_CASE("replay: a RIB dump before the first update is the baseline, not episode #1", "[replay][baseline]") {
  const fs::path dump = fs::path(BGPFA_SHARED_DIR "/fixtures/mrt/ris/bview.20020722.2337.gz");
  if (!fs::exists(dump)) {
    WARN("skipped: " << dump << " is absent");
    return;
  }
  bgpfa::test::TempFile conf;
  const std::string text =
      "router bgp 65515\n neighbor 193.203.0.1 remote-as 1853\n"
      " neighbor 193.203.0.1 gateway expressroute circuit er1 link primary\n";
  conf.write({text.begin(), text.end()});
  auto base = run_bgpfa("replay -q -c " + conf.path() + " --report json " + dump.string());
  CHECK(base.status == 0);
  CHECK_THAT(base.out, Catch::Contains("\"events\":0,\"episodes\":0,"));
  CHECK_THAT(base.out, Catch::Contains("\"baseline\":{\"prefixes\":"));
  // A full table over one ExpressRoute session is far above Azure's 4,000: the session is dropped.
  CHECK_THAT(base.out, Catch::Contains("\"active_by_kind\":{\"none\":112986}"));
  CHECK_THAT(base.out, Catch::Contains("\"kind\":\"prefix-limit\""));
  // prefix-limits off: the full table is analysed as if Azure took it.
  bgpfa::test::TempFile unlimited;
  const std::string off = text + "analyzer\n prefix-limits off\n";
  unlimited.write({off.begin(), off.end()});
  auto whole = run_bgpfa("replay -q -c " + unlimited.path() + " --report json " + dump.string());
  CHECK_THAT(whole.out, Catch::Contains("\"active_by_kind\":{\"er-primary\":112986}"));
  CHECK_THAT(whole.out, Catch::Contains("\"events\":0,\"episodes\":0,"));
  auto all = run_bgpfa("replay -q --events-from-start -c " + conf.path() + " --report json " + dump.string());
  CHECK(all.status == 0);
  CHECK_THAT(all.out, Catch::Contains("\"episodes\":1,"));
  CHECK_THAT(all.out, !Catch::Contains("\"baseline\":"));
}

TEST_CASE("replay --vnet: the answers as a spoke sees them", "[replay][vnet]") {
  bgpfa::test::TempFile conf;
  std::string text = slurp(kSrc + "/fixtures/failover/bgpfa.conf");
  text += "vnet hub address-space 10.12.0.0/16\nvnet transit address-space 10.98.0.0/16 peering hub use-remote-gateway\n"
          "vnet isolated address-space 10.99.0.0/16 peering hub\n";
  conf.write({text.begin(), text.end()});
  const std::string dump = kSrc + "/fixtures/failover/capture.mrt";
  auto hub = run_bgpfa("replay -q -c " + conf.path() + " --report json " + dump);
  CHECK(hub.status == 0);
  CHECK_THAT(hub.out, Catch::Contains("\"vnet\":\"hub\",\"vnets\":[\"hub (hub)\",\"transit (spoke, gateway transit)\","));
  CHECK_THAT(hub.out, Catch::Contains("\"active_by_kind\":{\"er-primary\":4,\"vpn\":1}"));
  auto transit = run_bgpfa("replay -q --vnet transit -c " + conf.path() + " --report json " + dump);
  CHECK_THAT(transit.out, Catch::Contains("\"active_by_kind\":{\"er-primary\":4,\"vpn\":1}"));
  auto isolated = run_bgpfa("replay -q --vnet isolated -c " + conf.path() + " --report json " + dump);
  CHECK(isolated.status == 0);
  CHECK_THAT(isolated.out, Catch::Contains("\"active_by_kind\":{\"none\":5}"));
  auto unknown = run_bgpfa("replay -q --vnet nosuch -c " + conf.path() + " " + dump);
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--vnet nosuch: no such VNet"));
}

TEST_CASE("replay: a static VPN site's prefixes are VPN routes", "[replay][azure]") {
  bgpfa::test::TempFile conf;
  std::string text = slurp(kSrc + "/fixtures/failover/bgpfa.conf");
  text += "vpn-gateway\n site branch-c static-prefix 10.70.0.0/16\n";
  conf.write({text.begin(), text.end()});
  auto r = run_bgpfa("replay -q -c " + conf.path() + " --report json " + kSrc + "/fixtures/failover/capture.mrt");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains(R"({"prefix":"10.70.0.0/16","active":{"kind":"vpn","circuits":[],"vpn_instances":[0],"paths":[{"gateway":"vpn","instance":0,"site":"branch-c")"));
}

TEST_CASE("replay text report: --kind, --limit, the interesting rows first", "[replay][text]") {
  const std::string args = "replay -q -c " + kSrc + "/fixtures/failover/bgpfa.conf " + kSrc + "/fixtures/failover/capture.mrt";
  auto vpn = run_bgpfa(args + " --kind vpn");
  CHECK(vpn.status == 0);
  CHECK_THAT(vpn.out, Catch::Contains("  10.1.5.0/24          vpn (instance 0)"));
  CHECK_THAT(vpn.out, !Catch::Contains("er-primary             ER 12076"));  // no ER row
  auto one = run_bgpfa(args + " --limit 1");
  CHECK_THAT(one.out, Catch::Contains("  ... 4 more (--limit 0 for all"));
  auto all = run_bgpfa(args + " --limit 0");
  CHECK_THAT(all.out, !Catch::Contains(" more (--limit 0"));
  auto bad = run_bgpfa(args + " --kind purple");
  CHECK(bad.status == 2);
}

TEST_CASE("replay --stats' stage clock converts its ticks to time", "[replay]") {
  // Units, not speed: ticks counted over a 20 ms sleep come out as that order of time (a
  // conversion off by the tick rate would be off by a factor of ~1000 or more).
  const bgpfa::app::StageClock clock;
  CHECK(clock.to_time(0).count() == 0);
  const auto start = bgpfa::app::StageClock::ticks();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto spent = clock.to_time(bgpfa::app::StageClock::ticks() - start);
  CHECK(spent >= std::chrono::milliseconds(10));
  CHECK(spent <= std::chrono::seconds(20));
  // The clock's own cost per interval, taken off the stage's time: a clock read, not a sleep's
  // worth (a conversion slip or a preempted read would make it microseconds or more).
  const auto overhead = clock.to_time(bgpfa::app::StageClock::overhead_ticks());
  CHECK(overhead < std::chrono::microseconds(2));
}

TEST_CASE("replay: dumps merged by time keep each one's peer index table", "[replay][baseline]") {
  // Two TABLE_DUMP_V2 files list the same two peers in opposite orders, and their RIB records
  // interleave in time: index 0 is the ExpressRoute peer in one and the VPN peer in the other.
  // The replay keeps each index's answer for the records that follow (a record's entries
  // alternate between peers); a kept answer that ignored the table it came from would give the
  // second file's routes to the first file's peer.
  using namespace bgpfa;
  const auto attrs = bgpfa::test::hex("40010100 400206 0201 0000fde9 400304c0000201");
  std::vector<std::uint8_t> dump[2];
  for (int f = 0; f < 2; ++f) {
    mrt::PeerIndexTable peers;
    for (std::uint32_t i = 0; i < 2; ++i) {
      mrt::PeerEntry p;
      p.type = 2;  // IPv4, 4-octet AS
      const std::uint32_t which = f == 0 ? i : 1 - i;
      p.bgp_id = 0x0a000001 + which;
      p.ip = wire::IpAddress::v4(0xc0000201 + which);  // 192.0.2.1 (er1 primary), 192.0.2.2 (vpn 0)
      p.asn = 65001 + which;
      peers.peers.push_back(p);
    }
    mrt::append_peer_index_table(dump[f], 1700000000 + static_cast<std::uint32_t>(f), peers);
    for (std::uint32_t k = 0; k < 3; ++k) {
      wire::Prefix pfx;
      pfx.address = wire::IpAddress::v4(0x0a000000 + (static_cast<std::uint32_t>(f + 1) << 16) + (k << 8));  // 10.F.K.0/24
      pfx.length = 24;
      const std::uint32_t t = 1700000010 + 2 * k + static_cast<std::uint32_t>(f);  // the files' records alternate
      mrt::append_rib_record(dump[f], t, k, pfx, false, {{0, 1600000000, 0, attrs}});
    }
  }
  bgpfa::test::TempFile a(".mrt"), b(".mrt"), conf;
  a.write(dump[0]);
  b.write(dump[1]);
  const std::string text =
      "router bgp 65515\n neighbor 192.0.2.1 remote-as 65001\n neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
      " neighbor 192.0.2.2 remote-as 65002\n neighbor 192.0.2.2 gateway vpn instance 0\n";
  conf.write({text.begin(), text.end()});
  auto r = run_bgpfa("replay -q -c " + conf.path() + " --report json " + a.path() + " " + b.path());
  CHECK(r.status == 0);
  for (int k = 0; k < 3; ++k) {
    CHECK_THAT(r.out, Catch::Contains(fmt::format("\"prefix\":\"10.1.{}.0/24\",\"active\":{{\"kind\":\"er-primary\"", k)));
    CHECK_THAT(r.out, Catch::Contains(fmt::format("\"prefix\":\"10.2.{}.0/24\",\"active\":{{\"kind\":\"vpn\"", k)));
  }
}
