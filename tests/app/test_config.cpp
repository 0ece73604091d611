#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "app/cli/roles.hpp"
#include "app/config/model.hpp"
#include "tests/app/run.hpp"
#include "tests/temp_file.hpp"

using namespace bgpfa::config;

namespace {
std::vector<std::string> errors(const char* text) {
  auto r = parse_config(text, "t.conf");
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
}
}  // namespace

TEST_CASE("the issue's example configuration parses", "[config]") {
  const char* text =
      "router bgp 65515\n"
      " bgp router-id 192.0.2.100\n"
      " neighbor 192.0.2.1 remote-as 12076\n"
      " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
      " neighbor 192.0.2.2 remote-as 12076\n"
      " neighbor 192.0.2.2 gateway expressroute circuit er1 link secondary\n"
      " neighbor 2001:db8::3 remote-as 65010\n"
      " neighbor 2001:db8::3 description vpn gw instance zero\n"
      " neighbor 2001:db8::3 gateway vpn instance 0\n"
      " neighbor 192.0.2.4 remote-as 65010\n"
      " neighbor 192.0.2.4 gateway vpn instance 1\n"
      "!\n"
      "# analyzer settings\n"
      "analyzer\n"
      " routing-preference as-path\n"
      " connection-weight er1 100\n"
      " quiet-period 500ms\n"
      "!\n"
      "grpc\n"
      " listen 127.0.0.1:50051\n"
      "!\n";
  auto r = parse_config(text, "t.conf");
  REQUIRE(r.errors.empty());
  const auto& c = r.config;
  CHECK(c.local_as == 65515);
  REQUIRE(c.neighbors.size() == 4);
  CHECK(c.neighbors[1].link == Link::Secondary);
  CHECK(c.neighbors[2].address.afi == bgpfa::wire::Afi::Ipv6);
  CHECK(c.neighbors[2].description == "vpn gw instance zero");
  CHECK(c.neighbors[3].vpn_instance == 1);
  CHECK(c.routing_preference == RoutingPreference::AsPath);
  CHECK(c.connection_weight.at("er1") == 100);
  CHECK(c.quiet_period == std::chrono::milliseconds(500));
  CHECK(c.grpc_listen == "127.0.0.1:50051");
}

TEST_CASE("syntax errors name line, column and what was expected", "[config]") {
  CHECK(errors("router bgp 65515\n neighbor 192.0.2.1 remote-az 1\n") ==
        std::vector<std::string>{"t.conf:2:21: error: expected remote-as, description, gateway, passive, timers, maximum-prefix or bfd, found \"remote-az\""});
  // (without the consequential "neighbor 192.0.2.1 has no gateway role" at line 2)
  CHECK(errors("router bgp 65515\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 gateway expressroute link primary\n") ==
        std::vector<std::string>{"t.conf:3:42: error: expected \"circuit\", found \"link\""});
  CHECK(errors("router bgp x\n").at(0) == "t.conf:1:12: error: expected an AS number, found \"x\"");
  CHECK(errors("routr bgp 1\n").at(0) ==
        "t.conf:1:1: error: unknown statement \"routr\": expected router bgp, analyzer, vpn-gateway, vnet, grpc, metrics or capture");
}

TEST_CASE("durations: units, and absurd values rejected without overflow", "[config]") {
  auto q = [](const char* v) {
    return parse_config(std::string("router bgp 1\nanalyzer\n quiet-period ") + v + "\n", "t.conf");
  };
  CHECK(q("250ms").config.quiet_period == std::chrono::milliseconds(250));
  CHECK(q("2m").config.quiet_period == std::chrono::minutes(2));
  CHECK(q("1553255926999999999h").errors.size() == 1);  // found by fuzz_config (UBSan overflow)
  CHECK(q("0s").errors.size() == 1);
}

TEST_CASE("semantic errors", "[config]") {
  const auto e = errors(
      "router bgp 65515\n"
      " neighbor 192.0.2.300 remote-as 1\n"
      " neighbor 192.0.2.1 remote-as 12076\n"
      " neighbor 192.0.2.1 remote-as 12076\n"
      " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
      " neighbor 192.0.2.2 remote-as 12076\n"
      " neighbor 192.0.2.2 gateway expressroute circuit er1 link primary\n"
      " neighbor 192.0.2.9 gateway vpn instance 0\n"
      "!\n"
      "analyzer\n"
      " connection-weight er9 10\n"
      " quiet-period soon\n");
  CHECK(e == std::vector<std::string>{
                 "t.conf:2:11: error: \"192.0.2.300\" is not an IPv4 or IPv6 address",
                 "t.conf:4:11: error: duplicate neighbor 192.0.2.1 (first declared at line 3)",
                 "t.conf:7:11: error: circuit er1 link primary is already taken for IPv4 (line 5; a link carries one IPv4 and one "
                 "IPv6 session)",
                 "t.conf:8:11: error: neighbor 192.0.2.9 has no remote-as yet (declare it first)",
                 "t.conf:11:20: error: connection-weight for unknown circuit \"er9\"",
                 "t.conf:12:15: error: \"soon\" is not a positive duration (e.g. 5s, 500ms)",
             });
}

TEST_CASE("maximum-prefix: limit, warning-only, restart interval, errors", "[config]") {
  auto r = parse_config(
      "router bgp 65515\n"
      " neighbor 192.0.2.1 remote-as 12076\n"
      " neighbor 192.0.2.1 maximum-prefix 4000\n"
      " neighbor 192.0.2.1 gateway vpn instance 0\n"
      " neighbor 192.0.2.2 remote-as 12076\n"
      " neighbor 192.0.2.2 maximum-prefix 10000 warning-only\n"
      " neighbor 192.0.2.2 gateway vpn instance 1\n"
      " neighbor 192.0.2.3 remote-as 12076\n"
      " neighbor 192.0.2.3 maximum-prefix 100 restart 5m\n"
      " neighbor 192.0.2.3 gateway vpn instance 1\n",
      "t.conf");
  REQUIRE(r.errors.empty());
  const auto& n = r.config.neighbors;
  CHECK(n[0].max_prefixes == 4000);
  CHECK_FALSE(n[0].max_prefix_warning_only);
  CHECK(n[0].max_prefix_restart.count() == 0);
  CHECK(n[1].max_prefix_warning_only);
  CHECK(n[2].max_prefix_restart == std::chrono::minutes(5));
  const std::string head = "router bgp 1\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  CHECK(errors((head + " neighbor 10.0.0.1 maximum-prefix 0\n").c_str()) ==
        std::vector<std::string>{"t.conf:4:35: error: maximum-prefix 0 (at least 1; leave it out for no limit)"});
  CHECK(errors((head + " neighbor 10.0.0.1 maximum-prefix 5 restart soon\n").c_str()) ==
        std::vector<std::string>{"t.conf:4:45: error: \"soon\" is not a restart interval of at least 1s (e.g. 5m)"});
  CHECK(errors((head + " neighbor 10.0.0.1 maximum-prefix lots\n").c_str()) ==
        std::vector<std::string>{"t.conf:4:35: error: expected a number of prefixes, found \"lots\""});
}

// ---- issue 14 item 12: every message says in words what was expected, never a C++ type name ----

namespace {
const std::regex kMangled(R"(N5boost|St\d|INS|_EE|boost::|spirit|x3::)");
const std::regex kShape(R"(^t\.conf:[1-9][0-9]*:[1-9][0-9]*: (error|warning): [^\x00-\x1f\x7f]+$)");

// Every message of a parse: line:column, in words, no type names, no raw control bytes.
void check_messages(const std::string& text) {
  const auto r = parse_config(text, "t.conf");
  for (const auto& line : r.lines()) {
    INFO("config:\n" << text << "\nmessage: " << line);
    CHECK_FALSE(std::regex_search(line, kMangled));
    // Only a file-level error has no position.
    if (line.rfind("t.conf: error: no router bgp section", 0) != 0) CHECK(std::regex_match(line, kShape));
    CHECK(line.size() < 400);
    if (const auto e = line.find("error: expected "); e != std::string::npos) {
      CHECK(line.find(", found ", e) != std::string::npos);
    }
  }
}
}  // namespace

TEST_CASE("the issue's twelve positions name what was expected", "[config][messages]") {
  const std::string head = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  auto first = [&](const std::string& body) {
    auto e = errors((head + body).c_str());
    return e.empty() ? std::string("(none)") : e.front();
  };
  CHECK(first(" neighbor 10.0.0.1 timers 3\n") ==
        "t.conf:4:28: error: expected a hold time in seconds (0, or 3 to 65535), found end of line");
  CHECK(first(" neighbor 10.0.0.1 timers connect\n") ==
        "t.conf:4:34: error: expected a connect retry interval in seconds, found end of line");
  CHECK(first(" neighbor 10.0.0.1 timers\n") ==
        "t.conf:4:26: error: expected holdtime, connect or a keepalive interval in seconds, found end of line");
  CHECK(first(" neighbor 10.0.0.1 description\n") == "t.conf:4:31: error: expected a description, found end of line");
  CHECK(first(" neighbor 10.0.0.1 gateway satellite\n") ==
        "t.conf:4:28: error: expected expressroute or vpn, found \"satellite\"");
  CHECK(first(" neighbor 10.0.0.1 gateway expressroute circuit\n") ==
        "t.conf:4:48: error: expected a circuit name, found end of line");
  CHECK(first(" neighbor 10.0.0.1 maximum-prefix 10 restart\n") ==
        "t.conf:4:45: error: expected a restart interval such as 5m, found end of line");
  CHECK(first(" bgp router-id\n") == "t.conf:4:15: error: expected an IPv4 address (the BGP Identifier), found end of line");
  CHECK(first(" neighbor\n") == "t.conf:4:10: error: expected an IPv4 or IPv6 address, found end of line");
  CHECK(first("analyzer\n quiet-period\n") == "t.conf:5:14: error: expected a duration such as 5s or 500ms, found end of line");
  CHECK(first("grpc\n listen\n") == "t.conf:5:8: error: expected an address such as 127.0.0.1:50051, found end of line");
  CHECK(first("capture\n") == "t.conf:4:8: error: expected a directory, found end of line");
  CHECK(first("capture /tmp rotate\n") == "t.conf:4:20: error: expected a rotation interval such as 15m, found end of line");
  CHECK(first("capture /tmp rotate 15m keep\n") == "t.conf:4:29: error: expected a retention time such as 7d, found end of line");
  CHECK(first("capture /tmp rotate 15m for-ever\n") == "t.conf:4:25: error: expected keep or end of line, found \"for-ever\"");
  CHECK(first("capture /tmp forever\n") == "t.conf:4:14: error: expected rotate, keep or end of line, found \"forever\"");
  CHECK(first("capture /tmp keep soon\n") == "t.conf:4:19: error: \"soon\" is not a duration (e.g. 7d)");
  CHECK(first("capture /tmp keep 0s\n") == "t.conf:4:19: error: keep 0s: capture files must be kept at least 1s");
  CHECK(first(" neighbor 10.0.0.1 gateway vpn instance\n") ==
        "t.conf:4:40: error: expected a VPN instance (0 or 1), found end of line");
  CHECK(first(" neighbor 10.0.0.1 maximum-prefix 10 sometimes\n") ==
        "t.conf:4:38: error: expected warning-only, restart or end of line, found \"sometimes\"");
  CHECK(first(" neighbor 10.0.0.1 timers 3 9x\n") ==
        "t.conf:4:29: error: expected a hold time in seconds (0, or 3 to 65535), found \"9x\"");
}

TEST_CASE("a corpus of broken statements: every message has a position and words, no type names", "[config][messages]") {
  // Each valid statement in its section, cut after every word and with every word replaced by
  // junk: that reaches every expectation point of the grammar.
  const std::vector<std::pair<std::string, std::string>> statements = {
      {"", "router bgp 65515"},
      {"", "capture /tmp/bgpfa-never rotate 15m keep 7d"},
      {"", "analyzer"},
      {"", "grpc"},
      {"router bgp 1\n", "bgp router-id 192.0.2.1"},
      {"router bgp 1\n", "neighbor 10.0.0.1 remote-as 65001"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 description two words"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 passive"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 timers holdtime 9"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 timers 3 9"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 timers connect 10"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 maximum-prefix 100 restart 5m"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 maximum-prefix 100 warning-only"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 gateway expressroute circuit er1 link primary"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 gateway vpn instance 1"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n", "neighbor 10.0.0.1 gateway vpn instance 0 site branch-a"},
      {"vpn-gateway\n instance 0 bgp-address 10.9.0.4\nrouter bgp 1\n neighbor 10.0.0.1 remote-as 2\n",
       "neighbor 10.0.0.1 gateway vpn site hq"},
      {"router bgp 1\n", "vpn-gateway"},
      {"router bgp 1\nvpn-gateway\n", "instance 1 bgp-address 10.12.255.5"},
      {"router bgp 1\nvpn-gateway\n", "site branch-c static-prefix 10.70.0.0/16 10.71.0.0/16"},
      {"router bgp 1\nvpn-gateway\n", "site vnet2 vnet-to-vnet"},
      {"router bgp 1\n", "vnet hub address-space 10.12.0.0/16 10.13.0.0/16"},
      {"router bgp 1\nvnet hub address-space 10.12.0.0/16\n", "vnet spoke1 address-space 10.1.0.0/16 peering hub use-remote-gateway"},
      {"router bgp 1\nanalyzer\n", "route-server branch-to-branch"},
      {"router bgp 1\n", "address-family ipv6 unicast"},
      {"router bgp 1\n neighbor 10.0.0.1 remote-as 2\n address-family ipv4 unicast\n", "neighbor 10.0.0.1 activate"},
      {"router bgp 1\n address-family ipv4 unicast\n", "exit-address-family"},
      {"router bgp 1\nanalyzer\n", "routing-preference as-path"},
      {"router bgp 1\nanalyzer\n", "connection-weight er1 100"},
      {"router bgp 1\nanalyzer\n", "quiet-period 500ms"},
      {"router bgp 1\nanalyzer\n", "er-sku premium"},
      {"router bgp 1\ngrpc\n", "listen 127.0.0.1:50051"},
  };
  std::size_t cases = 0;
  for (const auto& [context, statement] : statements) {
    std::vector<std::string> words;
    std::istringstream in(statement);
    for (std::string w; in >> w;) words.push_back(w);
    for (std::size_t k = 0; k <= words.size(); ++k) {
      std::string cut, swapped;
      for (std::size_t i = 0; i < words.size(); ++i) {
        if (i < k) cut.append(" ").append(words[i]);
        swapped.append(" ").append(i == k ? std::string("\x1b[31m@@") : words[i]);
      }
      for (const auto& s : {cut, swapped, swapped + " extra", cut + " 99999999999", cut + " -1"}) {
        check_messages(context + s + "\n");
        if (!s.empty()) check_messages(context + s.substr(1) + "\n");  // also at the start of the line
        cases += 2;
      }
    }
  }
  // And lines of junk, in every section.
  for (const char* context :
       {"", "router bgp 1\n", "router bgp 1\n address-family ipv4\n", "analyzer\n", "grpc\n", "vpn-gateway\n"})
    for (const char* junk : {"\x01\x02\x03", "neighbor\x7f", "\xff\xfe", "router", "router bgp", "!x", " exit-address-family 3"}) {
      check_messages(std::string(context) + junk + "\n");
      ++cases;
    }
  CHECK(cases > 500);
}

// ---- issue 10: FRR timer syntax, and the values reaching the session ----

TEST_CASE("timers: FRR's KEEPALIVE HOLD, connect, and holdtime", "[config][timers]") {
  auto r = parse_config(
      "router bgp 65515\n"
      " neighbor 10.0.0.1 remote-as 65001\n"
      " neighbor 10.0.0.1 timers 3 9\n"
      " neighbor 10.0.0.1 timers connect 10\n"
      " neighbor 10.0.0.1 gateway vpn instance 0\n"
      " neighbor 10.0.0.2 remote-as 65001\n"
      " neighbor 10.0.0.2 timers holdtime 0\n"
      " neighbor 10.0.0.2 gateway vpn instance 1\n"
      " neighbor 10.0.0.3 remote-as 65001\n"
      " neighbor 10.0.0.3 gateway vpn instance 1\n",
      "t.conf");
  REQUIRE(r.errors.empty());
  CHECK(r.warnings.empty());
  const auto& n = r.config.neighbors;
  CHECK(n[0].keepalive_time == 3);
  CHECK(n[0].hold_time == std::optional<std::uint16_t>(9));
  CHECK(n[0].connect_retry == 10);
  CHECK(n[1].hold_time == std::optional<std::uint16_t>(0));  // 0 is "no hold timer", not the default
  CHECK_FALSE(n[2].hold_time);
  CHECK(n[2].keepalive_time == 0);
  CHECK(n[2].connect_retry == 0);

  const std::string head = "router bgp 1\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  auto msgs = [&](const std::string& line) { return parse_config(head + line + "\n", "t.conf").lines(); };
  CHECK(msgs(" neighbor 10.0.0.1 timers 1 2") ==
        std::vector<std::string>{"t.conf:4:29: error: hold time 2 s: RFC 4271 allows 0 (no keepalives) or 3 to 65535 seconds"});
  CHECK(msgs(" neighbor 10.0.0.1 timers holdtime 1") ==
        std::vector<std::string>{"t.conf:4:36: error: hold time 1 s: RFC 4271 allows 0 (no keepalives) or 3 to 65535 seconds"});
  CHECK(msgs(" neighbor 10.0.0.1 timers 3 70000") ==
        std::vector<std::string>{"t.conf:4:29: error: hold time 70000 s: RFC 4271 allows 0 (no keepalives) or 3 to 65535 seconds"});
  CHECK(msgs(" neighbor 10.0.0.1 timers 0 9") ==
        std::vector<std::string>{"t.conf:4:27: error: keepalive 0 with hold time 9 s: no KEEPALIVE would be sent and the "
                                 "peer's hold timer would expire (use 1 to 3 s)"});
  CHECK(msgs(" neighbor 10.0.0.1 timers connect 0") ==
        std::vector<std::string>{"t.conf:4:35: error: connect retry 0 s is outside 1-65535"});
  CHECK(msgs(" neighbor 10.0.0.1 timers 5 9") ==
        std::vector<std::string>{"t.conf:4:27: warning: keepalive 5 s is more than a third of the hold time 9 s: bgpfa "
                                 "sends a KEEPALIVE every third of the negotiated hold time instead, as FRR does"});
  CHECK(msgs(" neighbor 10.0.0.1 timers 0 0").empty());
}

TEST_CASE("the configured timers reach the session's configuration", "[config][timers]") {
  auto r = parse_config(
      "router bgp 65515\n bgp router-id 192.0.2.100\n"
      " neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 timers 1 9\n neighbor 10.0.0.1 timers connect 2\n"
      " neighbor 10.0.0.1 gateway vpn instance 0\n"
      " neighbor 10.0.0.2 remote-as 65001\n neighbor 10.0.0.2 timers holdtime 0\n neighbor 10.0.0.2 gateway vpn instance 1\n"
      " neighbor 10.0.0.3 remote-as 65001\n neighbor 10.0.0.3 gateway vpn instance 1\n",
      "t.conf");
  REQUIRE(r.errors.empty());
  const auto a = bgpfa::app::neighbor_config(r.config, r.config.neighbors[0], 1179);
  CHECK(a.hold_time == 9);
  CHECK(a.keepalive_time == 1);
  CHECK(a.connect_retry == std::chrono::seconds(2));
  CHECK(a.port == 1179);
  CHECK(a.router_id == 0xc0000264);
  const auto b = bgpfa::app::neighbor_config(r.config, r.config.neighbors[1], 179);
  CHECK(b.hold_time == 0);
  const auto c = bgpfa::app::neighbor_config(r.config, r.config.neighbors[2], 179);
  CHECK(c.hold_time == 90);
  CHECK(c.keepalive_time == 0);
  CHECK(c.connect_retry == std::chrono::seconds(5));
}

// ---- issue 14 item 13: check-config rejects what serve rejects ----

TEST_CASE("check-config: what serve would reject or misuse", "[config][check]") {
  const std::string head = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  auto msgs = [&](const std::string& body) { return parse_config(head + body, "t.conf").lines(); };
  CHECK(msgs("grpc\n listen not-an-address:99999\n") ==
        std::vector<std::string>{"t.conf:5:9: error: listen \"not-an-address:99999\": the port 99999 is outside 0-65535"});
  CHECK(msgs("grpc\n listen 127.0.0.1:50051x\n") ==
        std::vector<std::string>{"t.conf:5:9: error: listen \"127.0.0.1:50051x\": the port \"50051x\" is not a number 0-65535"});
  CHECK(msgs("grpc\n listen not-an-address:50051\n") ==
        std::vector<std::string>{"t.conf:5:9: error: listen \"not-an-address:50051\": \"not-an-address\" is not an IPv4 "
                                 "address, [IPv6 address] or localhost"});
  CHECK(msgs("grpc\n listen ::1:50051\n") ==
        std::vector<std::string>{"t.conf:5:9: error: listen \"::1:50051\": an IPv6 address needs brackets: [ADDRESS]:PORT"});
  for (const char* good : {"127.0.0.1:50051", "[::1]:50051", "0.0.0.0:0", "localhost:50051", "unix:/run/bgpfa.sock", "off"}) {
    INFO(good);
    CHECK(msgs(std::string("grpc\n listen ") + good + "\n").empty());
  }
  // remote-as 0: replay takes it (RIB dumps record peers of AS 0), serve and check-config do not.
  const auto as0 = parse_config("router bgp 65515\n neighbor 10.0.0.1 remote-as 0\n neighbor 10.0.0.1 gateway vpn instance 0\n", "t.conf");
  CHECK(as0.errors.empty());
  const auto serve_errors = check_for_serve(as0.config);
  REQUIRE(serve_errors.size() == 1);
  CHECK(serve_errors[0].to_string() == "t.conf:2:30: error: remote-as 0: AS 0 is reserved (RFC 7607), bgpfa serve opens no "
                                       "session with it (replay accepts it: dumps record peers of AS 0)");
  CHECK(errors("router bgp 65515\n bgp router-id 192.0.2.1\n bgp router-id 192.0.2.2\n") ==
        std::vector<std::string>{"t.conf:3:16: error: a second bgp router-id (the first is at line 2)"});
  CHECK(errors("router bgp 65515\n bgp router-id 0.0.0.0\n") ==
        std::vector<std::string>{"t.conf:2:16: error: bgp router-id 0.0.0.0: the BGP Identifier must not be zero (RFC 6286)"});
  CHECK(errors("! a comment\nrouter bgp 0\n") ==
        std::vector<std::string>{"t.conf:2:12: error: router bgp 0: AS 0 is reserved (RFC 7607)"});
  CHECK(errors("! nothing else\n") ==
        std::vector<std::string>{"t.conf: error: no router bgp section (a bgpfa configuration declares router bgp ASN and its neighbours)"});
}

TEST_CASE("check-config: a VPN instance shared by several sites is accepted (multi-site VPN)", "[config][check]") {
  auto r = parse_config(
      "router bgp 65515\n"
      " neighbor 10.1.0.1 remote-as 65010\n neighbor 10.1.0.1 gateway vpn instance 0\n"
      " neighbor 10.2.0.1 remote-as 65020\n neighbor 10.2.0.1 gateway vpn instance 0\n"
      " neighbor 10.1.0.2 remote-as 65010\n neighbor 10.1.0.2 gateway vpn instance 1\n"
      " neighbor 10.2.0.2 remote-as 65020\n neighbor 10.2.0.2 gateway vpn instance 1\n",
      "t.conf");
  CHECK(r.errors.empty());
  CHECK(r.config.neighbors.size() == 4);
}

TEST_CASE("check-config: consequential errors are not printed before (or instead of) the real one", "[config][check]") {
  // The gateway line is wrong: no "has no gateway role" at line 2 for it.
  CHECK(errors("router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 7\n") ==
        std::vector<std::string>{"t.conf:3:41: error: VPN instance 7 (a VPN gateway has instances 0 and 1)"});
  CHECK(errors("router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway expressroute circuit er1 lnk primary\n"
               "analyzer\n connection-weight er1 10\n") ==
        std::vector<std::string>{"t.conf:3:53: error: expected \"link\", found \"lnk\""});
  // The remote-as line is wrong: its other statements do not each say "no remote-as yet".
  CHECK(errors("router bgp 65515\n neighbor 10.0.0.1 remote-as x\n neighbor 10.0.0.1 gateway vpn instance 0\n"
               " neighbor 10.0.0.1 passive\n") ==
        std::vector<std::string>{"t.conf:2:30: error: expected an AS number, found \"x\""});
  CHECK(errors("router bgp 65515\n neighbor 10.0.0.1 remote-as external\n neighbor 10.0.0.1 gateway vpn instance 0\n") ==
        std::vector<std::string>{"t.conf:2:2: error: not supported by bgpfa: neighbor 10.0.0.1 remote-as external (give the "
                                 "neighbour's AS number)"});
  // A wrong section line still opens its section.
  CHECK(errors("router bgp 4294967296\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 gateway vpn instance 0\nanalyzer x\n"
               " quiet-period 1s\n") ==
        std::vector<std::string>{"t.conf:1:12: error: expected an AS number, found \"4294967296\"",
                                 "t.conf:4:10: error: expected end of line, found \"x\""});
  // A peer group: one error at its declaration, not one per statement naming it.
  CHECK(errors("router bgp 65515\n neighbor EDGE peer-group\n neighbor EDGE remote-as 65001\n") ==
        std::vector<std::string>{"t.conf:2:2: error: not supported by bgpfa: neighbor EDGE peer-group (peer groups: write each "
                                 "neighbour's statements out)"});
}

TEST_CASE("check-config: control bytes from the file are escaped, long text is cut", "[config][check]") {
  const auto e = errors("router bgp 65515\n \x1b[2J\x07neighbor 10.0.0.1\n neighbor 10.0.0.1 remote-as \x1b]0;x\n");
  REQUIRE(e.size() == 2);
  CHECK(e[0] == "t.conf:2:2: error: unknown statement \"\\x1b[2J\\x07neighbor\": expected neighbor, bgp router-id, "
                "address-family or a new section");
  CHECK(e[1] == "t.conf:3:30: error: expected an AS number, found \"\\x1b]0;x\"");
  const auto d = errors("router bgp 65515\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 description a\x1b""c\n");
  CHECK(d.at(0) == "t.conf:3:33: error: description contains the control character \"\\x1b\"");
  const auto l = errors(("router bgp 65515\n " + std::string(1000, 'z') + "\n").c_str());
  REQUIRE(l.size() == 1);
  CHECK(l[0].size() < 250);
  CHECK(l[0].find("(and 920 more bytes)") != std::string::npos);
  CHECK(errors("router bgp 65515\n caf\xc3\xa9\n").at(0).find("\"caf\xc3\xa9\"") != std::string::npos);  // UTF-8 stays
}

TEST_CASE("check-config: a UTF-8 byte order mark is skipped", "[config][check]") {
  auto r = parse_config("\xef\xbb\xbfrouter bgp 65515\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 gateway vpn instance 0\n", "t.conf");
  CHECK(r.errors.empty());
  CHECK(r.config.local_as == 65515);
}

TEST_CASE("check-config: errors are capped at 50, then a count", "[config][check]") {
  std::string text = "router bgp 65515\n";
  for (int i = 0; i < 40000; ++i) text += "garbage " + std::to_string(i) + "\n";
  auto r = parse_config(text, "t.conf");
  CHECK(r.errors.size() == kMaxMessages);
  CHECK(r.more_errors == 40000 - kMaxMessages);
  const auto lines = r.lines();
  REQUIRE(lines.size() == kMaxMessages + 1);
  CHECK(lines.front().rfind("t.conf:2:1: error: unknown statement \"garbage\"", 0) == 0);
  CHECK(lines[49].rfind("t.conf:51:1: error:", 0) == 0);
  CHECK(lines.back() == "... and 39950 more errors");
}

TEST_CASE("check-config: 125,000 neighbours check in seconds (no quadratic lookup)", "[config][check]") {
  std::string text = "router bgp 65515\n";
  for (std::uint32_t i = 0; i < 125000; ++i) {
    const std::string a = bgpfa::wire::to_string(bgpfa::wire::IpAddress::v4(0x0a000000 + i));
    text += " neighbor " + a + " remote-as 65001\n neighbor " + a + " gateway vpn instance " + std::to_string(i % 2) + "\n";
  }
  // A quadratic lookup would take hours here (the test's own timeout ends it); no timing check.
  auto r = parse_config(text, "t.conf");
  CHECK(r.errors.empty());
  CHECK(r.config.neighbors.size() == 125000);
  const auto* n = r.config.find(bgpfa::wire::IpAddress::v4(0x0a000000 + 124999));
  REQUIRE(n);
  CHECK(n->vpn_instance == 1);
}

TEST_CASE("load_config: missing file, directory, endless file", "[config][check]") {
  auto missing = load_config("/nonexistent/bgpfa.conf");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.lines() ==
        std::vector<std::string>{"/nonexistent/bgpfa.conf: error: cannot open the configuration file: No such file or directory"});
  auto dir = load_config("/");
  CHECK(dir.lines() == std::vector<std::string>{"/: error: is a directory, not a configuration file"});
  auto zero = load_config("/dev/zero");
  CHECK(zero.lines() == std::vector<std::string>{"/dev/zero: error: larger than 16 MiB: not a bgpfa configuration (stopped reading)"});
}

TEST_CASE("check_for_serve: the capture directory must be creatable, without creating it", "[config][check]") {
  bgpfa::test::TempFile file;
  file.write({'x'});
  Config c;
  c.file = "t.conf";
  c.capture_pos = {7, 9};
  c.capture_dir = file.path() + "/captures";
  auto e = check_for_serve(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].to_string() == "t.conf:7:9: error: capture directory \"" + c.capture_dir + "\": cannot be created: \"" +
                                file.path() + "\" is not a directory");
  c.capture_dir = file.path();
  CHECK(check_for_serve(c).at(0).message.find("exists and is not a directory") != std::string::npos);
  bgpfa::test::TempFile dir;
  c.capture_dir = dir.path() + "/a/b";
  CHECK(check_for_serve(c).empty());
  CHECK_FALSE(std::filesystem::exists(dir.path()));  // only checked
  if (::geteuid() != 0) {  // root writes anywhere
    std::filesystem::create_directory(dir.path());
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    c.capture_dir = dir.path() + "/a";
    CHECK(check_for_serve(c).at(0).message.find("is not writable: Permission denied") != std::string::npos);
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
    std::filesystem::remove(dir.path());
  }
}

TEST_CASE("bgpfa check-config: exit status and messages", "[config][check]") {
  bgpfa::test::TempFile conf(".conf");
  const std::string text = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n"
                           "capture /proc/self/bgpfa-captures\n";
  conf.write(std::vector<std::uint8_t>(text.begin(), text.end()));
  auto r = bgpfa::test::run_bgpfa("check-config " + conf.path());
  CHECK(r.status == 1);
  CHECK(r.err.find(conf.path() + ":4:9: error: capture directory \"/proc/self/bgpfa-captures\": cannot be created") == 0);
  auto missing = bgpfa::test::run_bgpfa("check-config /nonexistent.conf");
  CHECK(missing.status == 1);
  CHECK(missing.err == "/nonexistent.conf: error: cannot open the configuration file: No such file or directory\n");
}

// ---- issue 14 item 14: FRR habits ----

TEST_CASE("FRR: indented ! lines, address-family blocks, exit", "[config][frr]") {
  auto r = parse_config(
      "frr version 8.4.4\n"
      "frr defaults traditional\n"
      "hostname edge1\n"
      "!\n"
      "router bgp 65515\n"
      " bgp router-id 192.0.2.100\n"
      " no bgp ebgp-requires-policy\n"
      " neighbor 10.0.0.1 remote-as 65001\n"
      " neighbor 10.0.0.1 timers 3 9\n"
      " !\n"
      " neighbor 10.0.0.1 gateway vpn instance 0\n"
      " !\n"
      " address-family ipv4 unicast\n"
      "  neighbor 10.0.0.1 activate\n"
      " !\n"
      " exit-address-family\n"
      " address-family ipv6 unicast\n"
      "  neighbor 10.0.0.1 activate\n"
      " exit-address-family\n"
      " neighbor 10.0.0.2 remote-as 65001\n"
      " neighbor 10.0.0.2 gateway vpn instance 1\n"
      "exit\n"
      "!\n"
      "line vty\n"
      " exec-timeout 0 0\n"
      "!\n",
      "t.conf");
  CHECK(r.errors.empty());
  REQUIRE(r.config.neighbors.size() == 2);  // the indented ! did not end router bgp
  CHECK(r.config.neighbors[0].keepalive_time == 3);
  CHECK(r.lines() == std::vector<std::string>{
                         "t.conf:1:1: warning: not supported by bgpfa: frr version (ignored)",
                         "t.conf:2:1: warning: not supported by bgpfa: frr defaults (ignored)",
                         "t.conf:3:1: warning: not supported by bgpfa: hostname (ignored)",
                         "t.conf:7:2: warning: not supported by bgpfa: no bgp ebgp-requires-policy (ignored: bgpfa accepts every "
                         "route and advertises none)",
                         "t.conf:13:2: warning: address-family ipv4 unicast block ignored: bgpfa offers IPv4 and IPv6 unicast to "
                         "every neighbour (inside it, only neighbor ADDRESS activate is accepted)",
                         "t.conf:17:2: warning: address-family ipv6 unicast block ignored: bgpfa offers IPv4 and IPv6 unicast to "
                         "every neighbour (inside it, only neighbor ADDRESS activate is accepted)",
                         "t.conf:24:1: warning: not supported by bgpfa: line vty (ignored: bgpfa has no vty)",
                     });
}

TEST_CASE("FRR statements bgpfa does not implement: errors when they would change behaviour", "[config][frr]") {
  const std::string head = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  auto msgs = [&](const std::string& body) { return parse_config(head + body, "t.conf").lines(); };
  CHECK(msgs(" neighbor 10.0.0.1 password s3cret\n") ==
        std::vector<std::string>{"t.conf:4:2: error: not supported by bgpfa: neighbor 10.0.0.1 password (TCP MD5 signatures, "
                                 "RFC 2385: a peer that requires one drops bgpfa's connections)"});  // and no secret echoed
  CHECK(msgs(" neighbor 10.0.0.1 update-source lo\n").at(0).find("error: not supported by bgpfa: neighbor 10.0.0.1 update-source") !=
        std::string::npos);
  CHECK(msgs(" neighbor 10.0.0.1 ebgp-multihop 2\n").at(0).find("warning: not supported by bgpfa: neighbor 10.0.0.1 ebgp-multihop") !=
        std::string::npos);
  CHECK(msgs(" bgp log-neighbor-changes\n").at(0).find("4:2: warning: not supported by bgpfa: bgp log-neighbor-changes") !=
        std::string::npos);
  CHECK(msgs(" bgp bestpath as-path multipath-relax\n").at(0).find("4:2: error: not supported by bgpfa: bgp bestpath") !=
        std::string::npos);
  CHECK(msgs(" timers bgp 3 9\n").at(0) ==
        "t.conf:4:2: error: not supported by bgpfa: timers bgp (set them per neighbour: neighbor ADDRESS timers KEEPALIVE HOLD)");
  CHECK(msgs(" neighbor 10.0.0.1 remote-as external\n").at(0) ==
        "t.conf:4:2: error: not supported by bgpfa: neighbor 10.0.0.1 remote-as external (give the neighbour's AS number)");
  // Inside an address-family block: policy is an error, cosmetics a warning; other families are errors, their lines skipped.
  const auto af = msgs(
      " address-family ipv4 unicast\n"
      "  neighbor 10.0.0.1 activate\n"
      "  neighbor 10.0.0.1 route-map IN in\n"
      "  neighbor 10.0.0.1 soft-reconfiguration inbound\n"
      "  network 10.0.0.0/8\n"
      "  neighbor 10.0.0.1 remote-as 2\n"
      " exit-address-family\n"
      " address-family l2vpn evpn\n"
      "  advertise-all-vni\n"
      "  neighbor 10.0.0.1 activate\n"
      " exit-address-family\n"
      " neighbor 10.0.0.1 passive\n");
  CHECK(af == std::vector<std::string>{
                  "t.conf:4:2: warning: address-family ipv4 unicast block ignored: bgpfa offers IPv4 and IPv6 unicast to every "
                  "neighbour (inside it, only neighbor ADDRESS activate is accepted)",
                  "t.conf:6:3: error: not supported by bgpfa: neighbor 10.0.0.1 route-map (bgpfa applies no policy: it sees "
                  "every route as received)",
                  "t.conf:7:3: warning: not supported by bgpfa: neighbor 10.0.0.1 soft-reconfiguration (ignored: bgpfa keeps "
                  "every route it receives)",
                  "t.conf:8:3: error: not supported by bgpfa: network (bgpfa originates no routes)",
                  "t.conf:9:21: error: expected \"activate\", found \"remote-as\"",
                  "t.conf:11:2: error: not supported by bgpfa: address-family l2vpn (bgpfa negotiates unicast only)",
              });
  CHECK(parse_config(head + " address-family ipv4 unicast\n  neighbor 10.0.0.1 activate\n exit-address-family\n neighbor 10.0.0.1 passive\n",
                     "t.conf")
            .config.neighbors.at(0)
            .passive);  // back in router bgp after the block
}

TEST_CASE("trailing comments, as in the README's example", "[config]") {
  std::ifstream readme(std::string(BGPFA_SOURCE_DIR) + "/README.md");
  REQUIRE(readme);
  std::string line, text;
  bool in = false;
  while (std::getline(readme, line)) {
    if (line == "    router bgp 65515") in = true;
    if (in && line.rfind("    ", 0) != 0) break;
    if (in) text += line.substr(4) + "\n";
  }
  REQUIRE_FALSE(text.empty());
  auto r = parse_config(text, "README.md");
  CHECK(r.lines().empty());
  CHECK(r.config.capture_rotate == std::chrono::minutes(15));
  CHECK(r.config.capture_keep == std::chrono::hours(7 * 24));
  CHECK(parse_config("router bgp 1\ncapture /tmp keep 36h\n", "t.conf").config.capture_keep == std::chrono::hours(36));
  CHECK(errors("router bgp 1\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 description up! # not a comment\n"
               " neighbor 10.0.0.1 gateway vpn instance 0 ! a comment\n")
            .empty());
  CHECK(parse_config("router bgp 1\n neighbor 10.0.0.1 remote-as 2 # x\n neighbor 10.0.0.1 description up ! # kept\n", "t.conf")
            .config.neighbors.at(0)
            .description == "up ! # kept");
}

// ---- issue 9: VPN sites and instance addresses, dual stack, VNets, Route Server ----

namespace {
const bgpfa::wire::IpAddress ip(const char* s) { return *bgpfa::wire::parse_address(s); }
const bgpfa::wire::Prefix pfx(const char* s) { return *bgpfa::wire::parse_prefix(s); }
}  // namespace

TEST_CASE("issue 9: sites, instance addresses, dual stack, VNets and Route Server parse into the model", "[config][issue9]") {
  const auto r = parse_config(
      "router bgp 65515\n"                                                      // 1
      " neighbor 10.52.255.253 remote-as 65050\n"                               // 2
      " neighbor 10.52.255.253 gateway vpn site hq\n"                           // 3
      " neighbor 10.60.255.1 remote-as 65061\n"                                 // 4
      " neighbor 10.60.255.1 gateway vpn instance 0 site branch-a\n"            // 5
      " neighbor 10.60.255.2 remote-as 65062\n"                                 // 6
      " neighbor 10.60.255.2 gateway vpn instance 1\n"                          // 7
      " neighbor 192.0.2.1 remote-as 12076\n"                                   // 8
      " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"     // 9
      " neighbor 2001:db8::1 remote-as 12076\n"                                 // 10
      " neighbor 2001:db8::1 gateway expressroute circuit er1 link primary\n"   // 11
      " neighbor 10.14.255.4 remote-as 65516\n"                                 // 12
      " neighbor 10.14.255.4 gateway vpn site vnet2\n"                          // 13
      "!\n"                                                                     // 14
      "vpn-gateway\n"                                                           // 15
      " instance 0 bgp-address 10.12.255.4\n"                                   // 16
      " instance 1 bgp-address 10.12.255.5\n"                                   // 17
      " site branch-c static-prefix 10.70.0.0/16 10.71.0.0/16   ! a static site\n"  // 18
      " site branch-c static-prefix 2001:db8:70::/48\n"                         // 19
      " site vnet2 vnet-to-vnet\n"                                              // 20
      "!\n"                                                                     // 21
      "vnet spoke1 address-space 10.1.0.0/16 peering hub use-remote-gateway\n"  // 22: the hub comes later
      "vnet hub address-space 10.12.0.0/16 10.13.0.0/16\n"                      // 23
      "vnet spoke2 address-space 10.2.0.0/16 peering hub\n"                     // 24
      "!\n"
      "analyzer\n"
      " route-server branch-to-branch\n"
      " routing-preference as-path\n",
      "t.conf");
  CHECK(r.lines().empty());
  const auto& c = r.config;
  REQUIRE(c.neighbors.size() == 6);
  const auto& hq = c.neighbors[0];
  CHECK(hq.gateway == GatewayKind::Vpn);
  CHECK_FALSE(hq.vpn_instance_given);
  CHECK(hq.site == "hq");
  CHECK(hq.gateway_pos.line == 3);
  CHECK(hq.gateway_pos.column == 33);
  const auto& a = c.neighbors[1];
  CHECK(a.vpn_instance_given);
  CHECK(a.vpn_instance == 0);
  CHECK(a.site == "branch-a");
  const auto& b = c.neighbors[2];
  CHECK(b.vpn_instance_given);  // `instance N` alone stays valid: the neighbour is its own site
  CHECK(b.vpn_instance == 1);
  CHECK(b.site.empty());
  // Dual stack: an IPv4 and an IPv6 session on er1's primary link.
  CHECK(c.neighbors[3].circuit == "er1");
  CHECK(c.neighbors[4].circuit == "er1");
  CHECK(c.neighbors[4].link == Link::Primary);
  CHECK(c.neighbors[4].address.afi == bgpfa::wire::Afi::Ipv6);
  CHECK(c.neighbors[5].site == "vnet2");

  const auto& g = c.vpn_gateway;
  CHECK(g.instance_address[0] == ip("10.12.255.4"));
  CHECK(g.instance_address[1] == ip("10.12.255.5"));
  CHECK(g.instance_pos[1].line == 17);
  CHECK(g.instance_pos[1].column == 25);
  REQUIRE(g.sites.size() == 2);
  const VpnSite* branch_c = g.site("branch-c");
  REQUIRE(branch_c);
  CHECK(branch_c->static_prefixes ==
        std::vector<bgpfa::wire::Prefix>{pfx("10.70.0.0/16"), pfx("10.71.0.0/16"), pfx("2001:db8:70::/48")});
  CHECK_FALSE(branch_c->vnet_to_vnet);
  CHECK(branch_c->pos.line == 18);
  CHECK(branch_c->pos.column == 7);
  REQUIRE(g.site("vnet2"));
  CHECK(g.site("vnet2")->vnet_to_vnet);
  CHECK(g.site("vnet2")->static_prefixes.empty());

  REQUIRE(c.vnets.size() == 3);
  CHECK(c.vnets[0].name == "spoke1");
  CHECK(c.vnets[0].peering == "hub");
  CHECK(c.vnets[0].use_remote_gateway);
  CHECK(c.vnets[0].pos.line == 22);
  CHECK(c.vnets[0].pos.column == 6);
  CHECK(c.vnets[0].peering_pos.column == 47);
  CHECK(c.vnets[1].name == "hub");
  CHECK(c.vnets[1].peering.empty());
  CHECK(c.vnets[1].address_space == std::vector<bgpfa::wire::Prefix>{pfx("10.12.0.0/16"), pfx("10.13.0.0/16")});
  CHECK(c.vnets[2].peering == "hub");
  CHECK_FALSE(c.vnets[2].use_remote_gateway);
  CHECK(c.route_server_branch_to_branch);
  CHECK(c.routing_preference == RoutingPreference::AsPath);  // no warning: Route Server branch-to-branch is on
}

TEST_CASE("issue 9: the defaults without the new statements", "[config][issue9]") {
  const auto r = parse_config("router bgp 1\n neighbor 10.0.0.1 remote-as 2\n neighbor 10.0.0.1 gateway vpn instance 0\n", "t.conf");
  REQUIRE(r.errors.empty());
  CHECK_FALSE(r.config.route_server_branch_to_branch);
  CHECK_FALSE(r.config.vpn_gateway.instance_address[0]);
  CHECK(r.config.vpn_gateway.sites.empty());
  CHECK(r.config.vnets.empty());
  CHECK(r.config.neighbors[0].vpn_instance_given);
}

TEST_CASE("issue 9: VPN instances and sites, errors and warnings with line:column", "[config][issue9]") {
  const std::string head = "router bgp 65515\n neighbor 10.52.255.253 remote-as 65050\n";
  auto msgs = [&](const std::string& body) { return parse_config(head + body, "t.conf").lines(); };
  // No instance and no instance addresses: which instance a session is on cannot be known.
  CHECK(msgs(" neighbor 10.52.255.253 gateway vpn site hq\n") ==
        std::vector<std::string>{
            "t.conf:3:33: error: neighbor 10.52.255.253 gateway vpn site hq: its VPN instance cannot be known: no "
            "vpn-gateway instance has a bgp-address (write gateway vpn instance 0 site hq, or add instance 0 bgp-address "
            "ADDRESS and instance 1 bgp-address ADDRESS under vpn-gateway)"});
  // Instance addresses of the other family only: the same.
  CHECK(msgs(" neighbor 2001:db8::9 remote-as 65050\n neighbor 2001:db8::9 gateway vpn site hq\n"
             " neighbor 10.52.255.253 gateway vpn instance 0\nvpn-gateway\n instance 0 bgp-address 10.12.255.4\n") ==
        std::vector<std::string>{
            "t.conf:4:31: error: neighbor 2001:db8::9 gateway vpn site hq: its VPN instance cannot be known: no vpn-gateway "
            "instance has an IPv6 bgp-address (write gateway vpn instance 0 site hq, or give the instances IPv6 addresses)"});
  // One instance address (not active-active) is enough.
  CHECK(msgs(" neighbor 10.52.255.253 gateway vpn site hq\nvpn-gateway\n instance 0 bgp-address 10.12.255.4\n").empty());
  const std::string vpn = head + " neighbor 10.52.255.253 gateway vpn instance 0\n";
  auto gw = [&](const std::string& body) { return parse_config(vpn + body, "t.conf").lines(); };
  CHECK(gw("vpn-gateway\n instance 2 bgp-address 10.12.255.4\n") ==
        std::vector<std::string>{"t.conf:5:11: error: VPN instance 2 (a VPN gateway has instances 0 and 1)"});
  CHECK(gw("vpn-gateway\n instance 0 bgp-address 10.12.255.4\n instance 1 bgp-address 10.12.255.4\n") ==
        std::vector<std::string>{"t.conf:6:25: error: instance 1 bgp-address 10.12.255.4 is instance 0's address too (line 5): "
                                 "each instance has its own BGP address"});
  CHECK(gw("vpn-gateway\n instance 0 bgp-address 10.12.255.4\n instance 0 bgp-address 10.12.255.6\n") ==
        std::vector<std::string>{"t.conf:6:25: error: a second bgp-address for instance 0 (the first is at line 5)"});
  CHECK(gw("vpn-gateway\n instance 0 bgp-address 10.12.255.300\n") ==
        std::vector<std::string>{"t.conf:5:25: error: \"10.12.255.300\" is not an IPv4 or IPv6 address"});
  // An instance address that is a neighbour's (declared before or after the vpn-gateway section).
  CHECK(gw("vpn-gateway\n instance 1 bgp-address 10.52.255.253\n") ==
        std::vector<std::string>{"t.conf:5:25: error: instance 1 bgp-address 10.52.255.253 is also the address of neighbor "
                                 "10.52.255.253 (line 2): the gateway cannot be its own peer"});
  // A broken instance line: no consequential "cannot be known" for the site neighbour.
  CHECK(msgs(" neighbor 10.52.255.253 gateway vpn site hq\nvpn-gateway\n instance 0 bgp-addres 10.12.255.4\n") ==
        std::vector<std::string>{"t.conf:5:13: error: expected \"bgp-address\", found \"bgp-addres\""});
  // Sites.
  CHECK(gw("vpn-gateway\n site branch-c static-prefix 10.70.0.0 10.71.0.0/33 10.72.0.0/16\n") ==
        std::vector<std::string>{
            "t.conf:5:30: error: \"10.70.0.0\" is not an address prefix (ADDRESS/LENGTH, such as 10.70.0.0/16)",
            "t.conf:5:40: error: \"10.71.0.0/33\" is not an address prefix (ADDRESS/LENGTH, such as 10.70.0.0/16)"});
  CHECK(gw("vpn-gateway\n site branch-c static-prefix 10.70.1.0/16\n site branch-c static-prefix 10.70.0.0/16\n") ==
        std::vector<std::string>{
            "t.conf:5:30: warning: 10.70.1.0/16 has host bits set: read as 10.70.0.0/16",
            "t.conf:6:30: warning: static-prefix 10.70.0.0/16 is already listed for site branch-c (line 5)"});
  CHECK(gw("vpn-gateway\n site v2 vnet-to-vnet\n site v2 vnet-to-vnet\n site v2 static-prefix 10.80.0.0/16\n") ==
        std::vector<std::string>{"t.conf:6:7: warning: site v2 is already marked vnet-to-vnet (line 5)"});
  CHECK(gw("vpn-gateway\n site v2 vnet-to-vnet\n") ==
        std::vector<std::string>{"t.conf:5:7: warning: site v2 is vnet-to-vnet but has no static-prefix and no neighbour names "
                                 "it (gateway vpn ... site v2): it carries no routes"});
  // A static site that BGP neighbours name too: allowed, a warning (unless its prefixes are only the peers' addresses).
  const std::string named = head + " neighbor 10.52.255.253 gateway vpn instance 0 site hq\nvpn-gateway\n";
  CHECK(parse_config(named + " site hq static-prefix 10.52.0.0/16\n", "t.conf").lines() ==
        std::vector<std::string>{"t.conf:5:7: warning: site hq has static prefixes and BGP neighbours (neighbor 10.52.255.253, "
                                 "line 2): Azure routes both over the site (with BGP, a site's static prefixes need only its "
                                 "BGP peers' addresses)"});
  CHECK(parse_config(named + " site hq static-prefix 10.52.255.253/32\n", "t.conf").lines().empty());
  // Syntax, in words.
  CHECK(gw(" neighbor 10.52.255.253 gateway vpn\n").at(0) ==
        "t.conf:4:36: error: expected instance or site, found end of line");
  CHECK(msgs(" neighbor 10.52.255.253 gateway vpn instance 0 sight hq\n").at(0) ==
        "t.conf:3:48: error: expected site or end of line, found \"sight\"");
  CHECK(msgs(" neighbor 10.52.255.253 gateway vpn site\n").at(0) == "t.conf:3:41: error: expected a site name, found end of line");
  CHECK(gw("vpn-gateway\n site hq\n").at(0) == "t.conf:5:9: error: expected static-prefix or vnet-to-vnet, found end of line");
  CHECK(gw("vpn-gateway\n site hq static-prefix\n").at(0) ==
        "t.conf:5:23: error: expected an address prefix such as 10.70.0.0/16, found end of line");
  CHECK(gw("vpn-gateway\n instance 0 bgp-address\n").at(0) ==
        "t.conf:5:24: error: expected an IPv4 or IPv6 address (the instance's BGP address), found end of line");
  CHECK(gw("vpn-gateway\n neighbor 10.0.0.1\n").at(0) ==
        "t.conf:5:2: error: unknown statement \"neighbor\": expected instance, site or a new section");
}

TEST_CASE("issue 9: dual stack, one IPv4 and one IPv6 session per ExpressRoute link", "[config][issue9]") {
  const std::string head =
      "router bgp 65515\n"
      " neighbor 192.0.2.1 remote-as 12076\n neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
      " neighbor 2001:db8::1 remote-as 12076\n neighbor 2001:db8::1 gateway expressroute circuit er1 link primary\n";
  CHECK(parse_config(head, "t.conf").lines().empty());
  CHECK(errors((head + " neighbor 2001:db8::2 remote-as 12076\n neighbor 2001:db8::2 gateway expressroute circuit er1 link primary\n")
                   .c_str()) ==
        std::vector<std::string>{"t.conf:7:11: error: circuit er1 link primary is already taken for IPv6 (line 5; a link "
                                 "carries one IPv4 and one IPv6 session)"});
  CHECK(errors((head + " neighbor 192.0.2.5 remote-as 12076\n neighbor 192.0.2.5 gateway expressroute circuit er1 link primary\n")
                   .c_str()) ==
        std::vector<std::string>{"t.conf:7:11: error: circuit er1 link primary is already taken for IPv4 (line 3; a link "
                                 "carries one IPv4 and one IPv6 session)"});
}

TEST_CASE("issue 9: VNets, errors with line:column", "[config][issue9]") {
  const std::string head = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n";
  auto msgs = [&](const std::string& body) { return parse_config(head + body, "t.conf").lines(); };
  CHECK(msgs("vnet spoke1 address-space 10.1.0.0/16 peering hubb use-remote-gateway\nvnet hub address-space 10.12.0.0/16\n") ==
        std::vector<std::string>{"t.conf:4:47: error: vnet spoke1 peers with hubb, which is not defined (vnet hubb "
                                 "address-space ... is missing)"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16\nvnet hub2 address-space 10.13.0.0/16\n") ==
        std::vector<std::string>{"t.conf:5:6: error: a second hub: vnet hub2 has no peering, and vnet hub (line 4) is the hub "
                                 "(bgpfa models one hub and its spokes: write peering hub)"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16\nvnet spoke1 address-space 10.1.0.0/16 peering hub\n"
             "vnet spoke2 address-space 10.2.0.0/16 peering spoke1 use-remote-gateway\n") ==
        std::vector<std::string>{"t.conf:6:47: error: vnet spoke2 peers with spoke1, which is a spoke (it peers with hub, line 5): "
                                 "gateway transit goes through the hub in this model (peer spoke2 with hub)"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16 10.13.0.0/16\nvnet spoke1 address-space 10.1.0.0/16 10.13.128.0/17 peering hub\n") ==
        std::vector<std::string>{"t.conf:5:39: error: vnet spoke1's address space 10.13.128.0/17 overlaps vnet hub's 10.13.0.0/16 "
                                 "(line 4): peered VNets' address spaces must not overlap"});
  // The later one in the file is the one reported, wherever it sorts.
  CHECK(msgs("vnet hub address-space 10.12.1.0/24\nvnet spoke1 address-space 10.12.0.0/16 peering hub\n") ==
        std::vector<std::string>{"t.conf:5:27: error: vnet spoke1's address space 10.12.0.0/16 overlaps vnet hub's 10.12.1.0/24 "
                                 "(line 4): peered VNets' address spaces must not overlap"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16 10.12.0.0/24\n") ==
        std::vector<std::string>{"t.conf:4:37: error: vnet hub's address space 10.12.0.0/24 overlaps its 10.12.0.0/16: a VNet's "
                                 "address ranges must not overlap"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16 2001:db8:12::/48\nvnet spoke1 address-space 10.1.0.0/16 2001:db8:1::/48 peering hub\n")
            .empty());  // dual-stack VNets; the families do not overlap
  CHECK(msgs("vnet hub address-space 10.12.0.0/16\nvnet spoke1 address-space 10.1.0.0/16 use-remote-gateway\n") ==
        std::vector<std::string>{"t.conf:5:39: error: use-remote-gateway without peering: only a spoke peered with the hub uses the "
                                 "hub's gateway (vnet spoke1 address-space ... peering HUB use-remote-gateway)"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16\nvnet hub address-space 10.13.0.0/16\n") ==
        std::vector<std::string>{"t.conf:5:6: error: a second vnet hub (the first is at line 4)"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16 peering hub\n") ==
        std::vector<std::string>{"t.conf:4:45: error: vnet hub cannot peer with itself"});
  CHECK(msgs("vnet hub address-space 10.12.0.0/16 10.12.0.0/33\n") ==
        std::vector<std::string>{"t.conf:4:37: error: \"10.12.0.0/33\" is not an address prefix (ADDRESS/LENGTH, such as 10.70.0.0/16)"});
  // A broken hub line: its spokes do not each say the hub is unknown.
  CHECK(msgs("vnet hub address-space\nvnet spoke1 address-space 10.1.0.0/16 peering hub\n") ==
        std::vector<std::string>{"t.conf:4:23: error: expected an address prefix such as 10.1.0.0/16, found end of line"});
  // Syntax, in words.
  CHECK(msgs("vnet\n").at(0) == "t.conf:4:5: error: expected a VNet name, found end of line");
  CHECK(msgs("vnet hub 10.12.0.0/16\n").at(0) == "t.conf:4:10: error: expected \"address-space\", found \"10.12.0.0/16\"");
  CHECK(msgs("vnet hub address-space peering x\n").at(0) ==
        "t.conf:4:24: error: expected an address prefix such as 10.1.0.0/16, found \"peering\"");
  CHECK(msgs("vnet s address-space 10.1.0.0/16 peering\n").at(0) ==
        "t.conf:4:41: error: expected the hub VNet's name, found end of line");
  CHECK(msgs("vnet s address-space 10.1.0.0/16 peering hub transit\n").at(0) ==
        "t.conf:4:46: error: expected use-remote-gateway or end of line, found \"transit\"");
}

TEST_CASE("issue 9: routing-preference vpn or as-path without Route Server branch-to-branch is a warning", "[config][issue9]") {
  const std::string head = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\nanalyzer\n";
  auto msgs = [&](const std::string& body) { return parse_config(head + body, "t.conf").lines(); };
  CHECK(msgs(" routing-preference vpn\n") ==
        std::vector<std::string>{"t.conf:5:21: warning: routing-preference vpn without route-server branch-to-branch: Azure has "
                                 "the vpn and as-path preferences only with Route Server branch-to-branch or a Virtual WAN hub; "
                                 "a VNet with ExpressRoute and VPN gateways always prefers ExpressRoute for equal prefixes"});
  CHECK(msgs(" routing-preference as-path\n").at(0).find("t.conf:5:21: warning: routing-preference as-path without route-server") == 0);
  CHECK(msgs(" routing-preference as-path\n route-server branch-to-branch\n").empty());  // in any order
  CHECK(msgs(" routing-preference expressroute\n").empty());
  const auto r = parse_config(head + " routing-preference vpn\n", "t.conf");
  CHECK(r.errors.empty());
  CHECK(r.config.routing_preference == RoutingPreference::Vpn);  // a warning: the statement is kept
  CHECK(msgs(" route-server\n").at(0) == "t.conf:5:14: error: expected \"branch-to-branch\", found end of line");
}

TEST_CASE("issue 9: 60,000 spokes and 60,000 site prefixes check in seconds (no quadratic overlap test)", "[config][issue9]") {
  std::string text = "router bgp 65515\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 gateway vpn instance 0\n"
                     "vnet hub address-space 10.0.0.0/16\nvpn-gateway\n";
  for (std::uint32_t i = 0; i < 60000; ++i) {
    const auto p = bgpfa::wire::to_string(bgpfa::wire::IpAddress::v4(0x0b000000 + (i << 8)));
    text += " site s" + std::to_string(i % 100) + " static-prefix " + p + "/24\n";
  }
  text += "!\n";
  for (std::uint32_t i = 0; i < 60000; ++i) {
    const auto p = bgpfa::wire::to_string(bgpfa::wire::IpAddress::v4(0x14000000 + (i << 8)));
    text += "vnet spoke" + std::to_string(i) + " address-space " + p + "/24 peering hub use-remote-gateway\n";
  }
  text += "vnet last address-space 20.0.0.0/8 peering hub\n";  // overlaps every spoke: reported once per spoke
  const auto r = parse_config(text, "t.conf");  // pairwise overlap checks would not finish: no timing check
  CHECK(r.config.vnets.size() == 60002);
  CHECK(r.config.vpn_gateway.sites.size() == 100);
  CHECK(r.errors.size() + r.more_errors == 60000);
}

TEST_CASE("config: neighbor X bfd [interval MS] [multiplier N]", "[config][bfd]") {
  auto r = bgpfa::config::parse_config(
      "router bgp 65515\n"
      " neighbor 192.0.2.1 remote-as 12076\n"
      " neighbor 192.0.2.1 bfd\n"
      " neighbor 192.0.2.2 remote-as 12076\n"
      " neighbor 192.0.2.2 bfd interval 100 multiplier 5\n"
      " neighbor 192.0.2.3 remote-as 12076\n"
      " neighbor 192.0.2.3 bfd interval 5\n"
      " neighbor 192.0.2.3 bfd multiplier 0\n",
      "t.conf");
  REQUIRE(r.config.neighbors.size() == 3);
  CHECK(r.config.neighbors[0].bfd);
  CHECK(r.config.neighbors[0].bfd_interval_ms == 300);
  CHECK(r.config.neighbors[0].bfd_multiplier == 3);
  CHECK(r.config.neighbors[1].bfd_interval_ms == 100);
  CHECK(r.config.neighbors[1].bfd_multiplier == 5);
  std::vector<std::string> errors;
  for (const auto& e : r.errors)
    if (e.message.find("BFD") != std::string::npos) errors.push_back(e.to_string());
  CHECK(errors == std::vector<std::string>{"t.conf:7:34: error: BFD interval 5 ms is outside 10-60000",
                                           "t.conf:8:36: error: BFD multiplier 0 is outside 1-255"});
}

TEST_CASE("grpc allow-remote, tls cert FILE key FILE and insecure", "[config]") {
  const std::string base = "router bgp 65515\n neighbor 192.0.2.1 remote-as 12076\n neighbor 192.0.2.1 gateway vpn instance 0\n!\n";
  auto r = parse_config(base + "grpc\n listen 0.0.0.0:50051\n allow-remote\n tls cert /etc/bgpfa/cert.pem key /etc/bgpfa/key.pem\n!\n",
                        "t.conf");
  REQUIRE(r.errors.empty());
  CHECK(r.config.grpc_listen == "0.0.0.0:50051");
  CHECK(r.config.grpc_allow_remote);
  CHECK(r.config.grpc_tls_cert == "/etc/bgpfa/cert.pem");
  CHECK(r.config.grpc_tls_key == "/etc/bgpfa/key.pem");
  CHECK_FALSE(r.config.grpc_insecure);
  r = parse_config(base + "grpc\n insecure\n!\n", "t.conf");
  REQUIRE(r.errors.empty());
  CHECK(r.config.grpc_insecure);
  CHECK_FALSE(r.config.grpc_allow_remote);
  CHECK(errors((base + "grpc\n tls cert a.pem\n!\n").c_str()) ==
        std::vector<std::string>{"t.conf:6:16: error: expected \"key\", found end of line"});
}

TEST_CASE("config: analyzer azure-timers GATEWAY hold N [bfd MSxN]", "[config][azure-timers]") {
  auto r = parse_config(
      "router bgp 65515\n"
      "analyzer\n"
      " azure-timers expressroute hold 180 bfd 300x3   ! Azure's ExpressRoute edges\n"
      " azure-timers vpn hold 30\n",
      "t.conf");
  CHECK(r.errors.empty());
  CHECK(r.config.azure_timers[0].hold_s == 180);
  CHECK(r.config.azure_timers[0].bfd_interval_ms == 300);
  CHECK(r.config.azure_timers[0].bfd_multiplier == 3);
  CHECK(r.config.azure_timers[1].hold_s == 30);
  CHECK(r.config.azure_timers[1].bfd_interval_ms == 0);
  const auto policy = bgpfa::app::policy_from(r.config);  // reaches the analyzer
  CHECK(policy.azure_timers[0].hold_s == 180);
  CHECK(policy.azure_timers[0].bfd_multiplier == 3);
  CHECK(policy.azure_timers[1].hold_s == 30);
  CHECK(parse_config("router bgp 1\n", "t.conf").config.azure_timers[0].hold_s == 0);  // unstated: no projection

  auto first = [](const std::string& body) {
    auto e = errors(("router bgp 65515\nanalyzer\n" + body).c_str());
    return e.empty() ? std::string("(none)") : e.front();
  };
  CHECK(first(" azure-timers\n") == "t.conf:3:14: error: expected expressroute or vpn, found end of line");
  CHECK(first(" azure-timers satellite hold 3\n") == "t.conf:3:15: error: expected expressroute or vpn, found \"satellite\"");
  CHECK(first(" azure-timers vpn 30\n") == "t.conf:3:19: error: expected \"hold\", found \"30\"");
  CHECK(first(" azure-timers vpn hold\n") == "t.conf:3:23: error: expected a hold time in seconds (3 to 65535), found end of line");
  CHECK(first(" azure-timers vpn hold 2\n") ==
        "t.conf:3:24: error: hold time 2 s is outside 3-65535 (Azure's gateways keep a hold timer)");
  CHECK(first(" azure-timers expressroute hold 180 bfd\n") ==
        "t.conf:3:40: error: expected BFD timers such as 300x3 (interval in ms x multiplier), found end of line");
  CHECK(first(" azure-timers expressroute hold 180 bfd 300\n") ==
        "t.conf:3:41: error: expected BFD timers such as 300x3 (interval in ms x multiplier), found \"300\"");
  CHECK(first(" azure-timers expressroute hold 180 bfd 5x3\n") == "t.conf:3:41: error: BFD interval 5 ms is outside 10-60000");
  CHECK(first(" azure-timers expressroute hold 180 bfd 300x0\n") == "t.conf:3:45: error: BFD multiplier 0 is outside 1-255");
  CHECK(first(" azure-timers expressroute hold 180 fast\n") == "t.conf:3:37: error: expected bfd or end of line, found \"fast\"");
  CHECK(first(" azure-timers vpn hold 30\n azure-timers vpn hold 60\n") ==
        "t.conf:4:15: error: a second azure-timers vpn (the first is at line 3)");
  CHECK(first(" quiet-periods 5s\n") ==
        "t.conf:3:2: error: unknown statement \"quiet-periods\": expected routing-preference, route-server, connection-weight, "
        "quiet-period, er-sku, prefix-limits, azure-timers, history or a new section");
}
