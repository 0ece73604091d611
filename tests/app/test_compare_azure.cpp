// bgpfa compare-azure: Azure's own tables as the az CLI prints them (samples in fixtures/azure/,
// written from the documented output of `az network express-route list-route-tables` and
// `az network nic show-effective-route-table`) against the replay of a generated topology.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "app/azure/json.hpp"
#include "app/azure/tables.hpp"
#include "tests/app/run.hpp"

using bgpfa::azure::JsonError;
using bgpfa::azure::JsonValue;
using bgpfa::azure::parse_json;
using bgpfa::test::run_bgpfa;
using bgpfa::test::TempFile;

namespace {

const std::string kAz = BGPFA_SOURCE_DIR "/fixtures/azure/";
const std::string kTop = BGPFA_SOURCE_DIR "/fixtures/topologies/";

// A topology's capture, written by tools/scenario for the test.
struct Dump {
  explicit Dump(const std::string& topology) : name(topology) {
    REQUIRE(std::system((std::string(BGPFA_SCENARIO) + " " + topology + " " + file.path()).c_str()) == 0);
  }
  [[nodiscard]] std::string args() const { return fmt::format("-c {}{}.conf {}", kTop, name, file.path()); }
  std::string name;
  TempFile file{".mrt"};
};

std::string write(const TempFile& f, const std::string& text) {
  std::ofstream(f.path(), std::ios::binary) << text;
  return f.path();
}

std::string effective_entry(const std::string& prefix, const std::string& hops, const std::string& type = "VirtualNetworkGateway",
                            const std::string& state = "Active") {
  return fmt::format(R"({{"addressPrefix": ["{}"], "disableBgpRoutePropagation": false, "name": null,
    "nextHopIpAddress": [{}], "nextHopType": "{}", "source": "VirtualNetworkGateway", "state": "{}"}})",
                     prefix, hops, type, state);
}

}  // namespace

TEST_CASE("compare-azure: tables that agree with the replay exit 0", "[compare-azure]") {
  const Dump d("vnet-transit");
  const auto r = run_bgpfa(fmt::format("compare-azure {} --er-table er1:primary={}er1-primary-route-table.json "
                                       "--er-table er1:secondary={}er1-secondary-route-table.json --effective-routes {}hub-effective-routes.json",
                                       d.args(), kAz, kAz, kAz));
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  // er1 primary: 10.1.0.0/16, 10.12.5.0/24, 10.60.0.0/16; secondary: 10.60.0.0/16; hub: 10.12/16
  // VnetLocal, 10.1/16 and 10.2/16 VNetPeering, 10.60/16 over both links, 10.14/16 over VPN instance 0.
  CHECK_THAT(r.out, Catch::StartsWith("compare-azure: no differences: 9 prefixes compared, 9 agree; 18 Azure routes not modelled "
                                      "(Internet 1, None 5, advertised by the gateway (VNet prefixes) 12)"));
}

TEST_CASE("compare-azure: an ExpressRoute route table that differs in each way", "[compare-azure]") {
  const Dump d("vnet-transit");
  const std::string f = kAz + "er1-primary-route-table-differ.json";
  const auto r = run_bgpfa(fmt::format("compare-azure {} --er-table er1:primary={}", d.args(), f));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  // bgpfa holds 10.12.5.0/24 from the primary, Azure's table does not.
  CHECK_THAT(r.out, Catch::Contains(f + ": er1 primary: 10.12.5.0/24: only in bgpfa: Azure: not in the route table of er1 primary; "
                                        "bgpfa: AS path 65100 (received as 12076 65100 from 192.0.2.1)"));
  // The edge router has 10.60.0.0/16 with a prepended path; bgpfa received it without.
  CHECK_THAT(r.out, Catch::Contains(f + ":11:5: er1 primary: 10.60.0.0/16: AS path differs: Azure: AS path 65100 65100, next hop "
                                        "172.16.0.1; bgpfa: AS path 65100"));
  CHECK_THAT(r.out, Catch::Contains(f + ":18:5: er1 primary: 10.61.0.0/16: only in Azure: Azure: AS path 65100, next hop 172.16.0.1; "
                                        "bgpfa: no route from er1 primary"));
  CHECK_THAT(r.out, Catch::Contains("compare-azure: 3 differences (1 AS path differs, 1 only in Azure, 1 only in bgpfa): "
                                    "4 prefixes compared, 1 agree"));
}

TEST_CASE("compare-azure: effective routes that differ in each way", "[compare-azure]") {
  const Dump d("vnet-transit");
  const std::string f = kAz + "hub-effective-routes-differ.json";
  const auto r = run_bgpfa(fmt::format("compare-azure {} --effective-routes {}", d.args(), f));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  const std::string t = ": effective routes of hub: ";
  // Carrying paths: Azure sends 10.60.0.0/16 to one edge router only, bgpfa over both links.
  CHECK_THAT(r.out, Catch::Contains(f + ":37:5" + t + "10.60.0.0/16: next hops differ: Azure: er1 primary via 192.0.2.1; "
                                                  "bgpfa: er1 primary + er1 secondary (er-ecmp)"));
  // A gateway route bgpfa does not have, through a known VPN instance and through an unknown hop.
  CHECK_THAT(r.out, Catch::Contains(f + ":50:5" + t + "10.99.0.0/16: only in Azure: Azure: VirtualNetworkGateway via 10.12.255.4; bgpfa: no route"));
  CHECK_THAT(r.out, Catch::Contains(f + ":63:5" + t + "10.98.0.0/16: only in Azure"));
  // A user route wins over the gateway's 10.14.0.0/16 (that one is Invalid): bgpfa's VPN route is not Azure's.
  CHECK_THAT(r.out, Catch::Contains(f + ":76:5" + t + "10.14.0.0/16: only in bgpfa: Azure: active route: VirtualAppliance via "
                                                  "10.12.1.4, source User, route to-firewall; bgpfa: vpn 0 (vpn)"));
  // System routes: a peering the configuration lacks, and one it has that Azure does not show.
  CHECK_THAT(r.out, Catch::Contains(f + ":26:5" + t + "10.3.0.0/16: only in Azure: Azure: VNetPeering, source Default; "
                                                  "bgpfa: no VNet address space of the configuration"));
  CHECK_THAT(r.out, Catch::Contains(f + t + "10.2.0.0/16: only in bgpfa: Azure: no active route; bgpfa: system route: VNetPeering (spoke2)"));
  CHECK_THAT(r.out, Catch::Contains("compare-azure: 6 differences (1 next hops differ, 3 only in Azure, 2 only in bgpfa)"));

  SECTION("--json says the same") {
    const auto j = run_bgpfa(fmt::format("compare-azure {} --effective-routes {} --json", d.args(), f));
    CHECK(j.status == 1);
    auto doc = parse_json(j.out);
    REQUIRE(std::holds_alternative<JsonValue>(doc));
    const JsonValue& v = std::get<JsonValue>(doc);
    CHECK(v.get("summary")->get("differences")->number == 6);
    CHECK(v.get("summary")->get("by_kind")->get("only-in-azure")->number == 3);
    const JsonValue& first = v.get("differences")->items.at(0);
    CHECK(first.get("prefix")->text == "10.2.0.0/16");
    CHECK(first.get("line") == nullptr);  // Azure has no entry for it
    CHECK(v.get("differences")->items.at(1).get("line")->number == 26);
  }
}

TEST_CASE("compare-azure: spokes with and without gateway transit, and --next-hop", "[compare-azure]") {
  const Dump d("vnet-transit");
  // spoke2 uses no remote gateway: a gateway route in its table is Azure's, not bgpfa's.
  const auto r2 = run_bgpfa(fmt::format("compare-azure {} --effective-routes spoke2={}spoke2-effective-routes.json", d.args(), kAz));
  CHECK(r2.status == 1);
  CHECK_THAT(r2.out, Catch::Contains("effective routes of spoke2: 10.60.0.0/16: only in Azure"));
  CHECK_THAT(r2.out, Catch::Contains("compare-azure: 1 difference (1 only in Azure): 3 prefixes compared, 2 agree"));
  // spoke1's table names the edge routers by internal addresses the configuration does not know.
  const std::string s1 = fmt::format("compare-azure {} --effective-routes spoke1={}spoke1-effective-routes.json", d.args(), kAz);
  const auto r1 = run_bgpfa(s1);
  CHECK(r1.status == 1);
  CHECK_THAT(r1.out, Catch::Contains("10.60.0.0/16: next hops differ: Azure: unmapped 10.3.129.68 + unmapped 10.3.129.69; "
                                     "bgpfa: er1 primary + er1 secondary (er-ecmp)"));
  CHECK_THAT(r1.out, Catch::Contains("note: next hops that name no configured neighbour or VPN gateway instance: 10.3.129.68, 10.3.129.69"));
  const auto mapped = run_bgpfa(s1 + " --next-hop '10.3.129.68=er1 primary' --next-hop '10.3.129.69=er1 secondary'");
  INFO(mapped.out << mapped.err);
  CHECK(mapped.status == 0);
  CHECK_THAT(mapped.out, Catch::Contains("compare-azure: no differences: 4 prefixes compared, 4 agree"));
  // Mapped the wrong way round is still two sessions of the same set: only a missing one differs.
  const auto one = run_bgpfa(s1 + " --next-hop '10.3.129.68=er1 primary' --next-hop '10.3.129.69=er1 primary'");
  CHECK(one.status == 1);
  CHECK_THAT(one.out, Catch::Contains("next hops differ: Azure: er1 primary via 10.3.129.68 + er1 primary via 10.3.129.69; bgpfa: er1 "
                                      "primary + er1 secondary"));
}

TEST_CASE("compare-azure: VPN instances as next hops (active-active, one instance down)", "[compare-azure]") {
  // vpn-active-active ends with instance 1's session down: only instance 0 (10.12.255.4) carries.
  const Dump d("vpn-active-active");
  TempFile both, one;
  const std::string head = R"({"nextLink": null, "value": [)";
  write(both, head + effective_entry("10.50.0.0/16", R"("10.12.255.4", "10.12.255.5")") + "]}");
  write(one, head + effective_entry("10.50.0.0/16", R"("10.12.255.4")") + "]}");
  const auto r = run_bgpfa(fmt::format("compare-azure {} --effective-routes {}", d.args(), both.path()));
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Contains("10.50.0.0/16: next hops differ: Azure: vpn 0 via 10.12.255.4 + vpn 1 via 10.12.255.5; bgpfa: vpn 0 (vpn)"));
  CHECK_THAT(r.out, Catch::Contains("note: " + both.path() + ": no vnet in the configuration"));
  const auto ok = run_bgpfa(fmt::format("compare-azure {} --effective-routes {}", d.args(), one.path()));
  INFO(ok.out << ok.err);
  CHECK(ok.status == 0);
}

TEST_CASE("compare-azure: bad input exits 2 naming file, line and column", "[compare-azure]") {
  const Dump d("vnet-transit");
  auto run = [&](const std::string& tables) { return run_bgpfa(fmt::format("compare-azure {} {}", d.args(), tables)); };
  const auto comma = run("--er-table er1:primary=" + kAz + "bad-trailing-comma.json");
  CHECK(comma.status == 2);
  CHECK_THAT(comma.err, Catch::Contains(kAz + "bad-trailing-comma.json:10:5: expected a member name in double quotes, found '}'"));
  CHECK(comma.out.empty());  // nothing compared

  const auto kind = run("--er-table er1:primary=" + kAz + "hub-effective-routes.json");
  CHECK(kind.status == 2);
  CHECK_THAT(kind.err, Catch::Contains("hub-effective-routes.json:4:5: this is an effective route table (addressPrefix), not an "
                                       "ExpressRoute circuit route table: give it to --effective-routes"));
  const auto kind2 = run("--effective-routes " + kAz + "er1-primary-route-table.json");
  CHECK(kind2.status == 2);
  CHECK_THAT(kind2.err, Catch::Contains("not an effective route table: give it to --er-table CIRCUIT:LINK=FILE"));

  TempFile f;
  write(f, "{\"value\": [\n  {\"network\": \"10.1.0.0/33\", \"path\": \"65100\"}\n]}\n");
  const auto prefix = run("--er-table er1:primary=" + f.path());
  CHECK(prefix.status == 2);
  CHECK_THAT(prefix.err, Catch::Contains(f.path() + ":2:15: \"network\": \"10.1.0.0/33\" is not a prefix"));
  write(f, "{\"value\": [{\"network\": \"10.1.0.0/16\", \"path\": \"65100 x\"}]}");
  CHECK_THAT(run("--er-table er1:primary=" + f.path()).err, Catch::Contains(":1:47: \"path\": \"x\" is not an AS number"));
  write(f, "{\"value\": [{\"addressPrefix\": [\"10.1.0.0/16\"], \"nextHopType\": \"VnetLocal\", \"state\": \"Gone\"}]}");
  CHECK_THAT(run("--effective-routes " + f.path()).err, Catch::Contains(":1:84: \"state\" must be \"Active\" or \"Invalid\", found \"Gone\""));
  write(f, "{\"value\": [{\"addressPrefix\": \"10.1.0.0/16\", \"nextHopType\": \"VnetLocal\", \"state\": \"Active\"}]}");
  CHECK_THAT(run("--effective-routes " + f.path()).err, Catch::Contains(":1:30: \"addressPrefix\" must be an array, found a string"));
  // Text from the file reaches the terminal escaped, and cut.
  write(f, "{\"value\": [{\"network\": \"\\u001b[31m" + std::string(200, 'x') + "\"}]}");
  const auto esc = run("--er-table er1:primary=" + f.path());
  CHECK_THAT(esc.err, Catch::Contains("\"network\": \"\\x1b[31mxxx"));
  CHECK_THAT(esc.err, Catch::Contains("\" (and 125 more bytes) is not a prefix"));
  CHECK(esc.err.find('\x1b') == std::string::npos);
  write(f, "{\"nextLink\": null}");
  CHECK_THAT(run("--effective-routes " + f.path()).err, Catch::Contains(":1:1: expected the az CLI's output: an object with a \"value\" array"));
  write(f, std::string("\xff\xfe{\0\"\0", 6));
  CHECK_THAT(run("--effective-routes " + f.path()).err, Catch::Contains(":1:1: the file is UTF-16"));

  const auto missing = run("--effective-routes /nonexistent/nic.json");
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/nic.json: cannot open: No such file or directory"));
  const auto dir = run("--effective-routes " + kAz);
  CHECK(dir.status == 2);
  CHECK_THAT(dir.err, Catch::Contains("is a directory"));

  CHECK_THAT(run("--er-table er9:primary=" + kAz + "er1-primary-route-table.json").err,
             Catch::Contains("--er-table er9:primary: no circuit \"er9\" in the configuration"));
  CHECK_THAT(run("--er-table er1:tertiary=" + kAz + "er1-primary-route-table.json").err,
             Catch::Contains("the link is primary or secondary, not \"tertiary\""));
  CHECK_THAT(run("--er-table " + kAz + "er1-primary-route-table.json").err, Catch::Contains("expected CIRCUIT:LINK=FILE"));
  CHECK_THAT(run("--effective-routes spoke9=" + kAz + "spoke1-effective-routes.json").err, Catch::Contains("no vnet \"spoke9\""));
  CHECK_THAT(run("--effective-routes " + kAz + "hub-effective-routes.json --next-hop '10.3.129.68=er1 tertiary'").err,
             Catch::Contains("--next-hop 10.3.129.68=er1 tertiary: expected"));
  // A damaged dump: bgpfa's answer would not be of the whole input.
  TempFile damaged(".mrt");
  {
    std::ofstream out(damaged.path(), std::ios::binary);
    out << bgpfa::test::slurp(d.file.path()) << std::string("\x00\x00\x00\x01\x00\x11\x00\x04\x00\x00\x00\x40garbage", 19);
  }
  const auto dmg = run_bgpfa(fmt::format("compare-azure -c {}vnet-transit.conf --effective-routes {}hub-effective-routes.json {}", kTop,
                                         kAz, damaged.path()));
  CHECK(dmg.status == 2);
  CHECK(dmg.out.empty());
  CHECK_THAT(dmg.err, Catch::Contains("truncated record"));
  CHECK_THAT(dmg.err, Catch::Contains("the dumps have damaged records (above): bgpfa's answer is not of the whole input, nothing compared"));

  const auto none = run("");
  CHECK(none.status == 2);
  CHECK_THAT(none.err, Catch::Contains("needs at least one Azure table"));
}

TEST_CASE("JSON reader: values, escapes, positions and errors", "[compare-azure][json]") {
  auto ok = [](const std::string& s) {
    auto r = parse_json(s);
    if (const auto* e = std::get_if<JsonError>(&r)) FAIL(s << ": " << e->line << ":" << e->column << ": " << e->message);
    return std::get<JsonValue>(r);
  };
  auto bad = [](const std::string& s) {
    auto r = parse_json(s);
    REQUIRE(std::holds_alternative<JsonError>(r));
    const auto& e = std::get<JsonError>(r);
    return fmt::format("{}:{}: {}", e.line, e.column, e.message);
  };
  const JsonValue v = ok("\xef\xbb\xbf{\"a\": [1, -2.5e3, true, false, null], \"S\": \"\\u00e9\\ud83d\\ude00\\n\\\"\"}");
  CHECK(v.get("a")->items.size() == 5);
  CHECK(v.get("a")->items[1].number == -2500);
  CHECK(v.get("a")->items[1].text == "-2.5e3");
  CHECK(v.get("s")->text == "\xc3\xa9\xf0\x9f\x98\x80\n\"");  // member names match without case
  CHECK(v.get("a")->column == 7);  // the byte order mark is no column
  // Columns count characters: "é" is one.
  const JsonValue u = ok("[\"\xc3\xa9\xc3\xa9\", {\n  \"k\": 1}]");
  CHECK(u.items[1].column == 8);
  CHECK(u.items[1].get("k")->line == 2);
  CHECK(u.items[1].get("k")->column == 8);

  CHECK(bad("") == "1:1: empty file: expected a JSON value");
  CHECK(bad("[1,]") == "1:4: expected a JSON value, found ']'");
  CHECK(bad("{\"a\" 1}") == "1:6: expected ':' after the member name \"a\", found '1'");
  CHECK(bad("[01]") == "1:3: a number with a leading zero");
  CHECK(bad("[1.]") == "1:4: expected a digit after the decimal point, found ']'");
  CHECK(bad("\"abc") == "1:5: unterminated string: expected '\"', found the end of the file");
  CHECK(bad("\"a\tb\"") == "1:3: control byte 0x09 in a string (write it as \\u0009)");
  CHECK(bad("\"\\x\"") == "1:3: unknown escape \\'x' in a string");
  CHECK(bad("\"\\ud83d\"") == "1:8: a high surrogate \\u escape without its low surrogate");
  CHECK(bad("[1] [2]") == "1:5: expected the end of the JSON text after the value that starts at 1:1, found '['");
  CHECK(bad("{\"a\": [1, 2}") == "1:12: expected ',' or ']' in the array that starts at 1:7, found '}'");
  CHECK(bad("[tru]") == "1:2: expected a JSON value, found 't'");
  CHECK(bad(std::string(300, '[')) == "1:258: nested deeper than 256 levels");
}
