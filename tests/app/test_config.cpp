#include <catch2/catch.hpp>

#include "app/config/model.hpp"

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
        std::vector<std::string>{"t.conf:2:21: error: expected remote-as, description, gateway, passive, timers or maximum-prefix, found \"remote-az\""});
  CHECK(errors("router bgp 65515\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 gateway expressroute link primary\n")
            .at(1) == "t.conf:3:42: error: expected \"circuit\", found \"link\"");
  CHECK(errors("router bgp x\n").at(0) == "t.conf:1:12: error: expected an AS number, found \"x\"");
  CHECK(errors("routr bgp 1\n").at(0) ==
        "t.conf:1:1: error: unknown statement \"routr\": expected router bgp, analyzer, grpc or capture");
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
                 "t.conf:7:11: error: circuit er1 link primary is already taken (line 5)",
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
