// The analyzer's parts on their own: the topology model, the prefix limits, the change log and
// the orphan set.
#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "analyzer/causes.hpp"
#include "analyzer/change_log.hpp"
#include "analyzer/orphans.hpp"
#include "analyzer/prefix_limits.hpp"
#include "analyzer/topology.hpp"

using namespace bgpfa;
using namespace bgpfa::analyzer;

namespace {

wire::Prefix pfx(const char* text) { return *wire::parse_prefix(text); }
rib::PrefixKey key(const char* text) { return rib::PrefixKey::from(pfx(text)); }

PeerRole vpn_session(const char* peer, const char* local, int instance) {
  PeerRole r;
  r.address = *wire::parse_address(peer);
  r.local = wire::parse_address(local);
  r.gateway = Gateway::Vpn;
  r.vpn_instance = instance;
  r.site = "hq";
  return r;
}

PeerRole er_link(const char* peer, int circuit, Link link) {
  PeerRole r;
  r.address = *wire::parse_address(peer);
  r.gateway = Gateway::ExpressRoute;
  r.circuit = circuit;
  r.link = link;
  return r;
}

}  // namespace

// about-active-active-gateways: one on-premises address peers with both instances' addresses:
// two sessions, told apart by the gateway-side address.
TEST_CASE("topology: one peer address, two VPN instance sessions", "[analyzer][topology]") {
  Policy policy;
  Topology topo(policy, {vpn_session("10.52.255.253", "10.12.255.4", 0), vpn_session("10.52.255.253", "10.12.255.5", 1)});
  const auto peer = *wire::parse_address("10.52.255.253");
  CHECK(topo.peer_index(wire::parse_address("10.12.255.4"), peer) == 0);
  CHECK(topo.peer_index(wire::parse_address("10.12.255.5"), peer) == 1);
  CHECK(topo.peer_index(std::nullopt, peer) == 0);  // unknown gateway side: the first
  CHECK(topo.peer_index(wire::parse_address("10.12.255.9"), *wire::parse_address("10.0.0.1")) == -1);
  bool added = true;
  CHECK(topo.add_peer(vpn_session("10.52.255.253", "10.12.255.5", 1), added) == 1);
  CHECK_FALSE(added);
  CHECK(topo.match_peers("vpn") == std::vector<int>{0, 1});
  CHECK(topo.match_peers("vpn 1 site hq") == std::vector<int>{1});
  CHECK(topo.describe(1).local == "10.12.255.5");
}

// The roles are found through an index by address: every record of a TABLE_DUMP (v1) dump and
// every BGP4MP message names its peer so. It must agree with the roles' order and follow
// add_peer, and a static site (no BGP) is never a peer.
TEST_CASE("topology: sessions found by address among many, and after add_peer", "[analyzer][topology]") {
  Policy policy;
  std::vector<PeerRole> roles;
  for (int i = 0; i < 40; ++i) roles.push_back(er_link(fmt::format("192.0.2.{}", i + 1).c_str(), 0, Link::Primary));
  PeerRole site = vpn_session("198.51.100.7", "10.12.255.4", 0);
  site.static_site = true;
  roles.push_back(site);
  Topology topo(policy, roles);
  for (int i = 0; i < 40; ++i) CHECK(topo.peer_index(*wire::parse_address(fmt::format("192.0.2.{}", i + 1))) == i);
  CHECK(topo.peer_index(*wire::parse_address("198.51.100.7")) == -1);
  CHECK(topo.peer_index(std::nullopt, *wire::parse_address("198.51.100.7")) == -1);
  CHECK(topo.peer_index(*wire::parse_address("::ffff:192.0.2.1")) == -1);  // another family

  bool added = false;
  CHECK(topo.add_peer(vpn_session("203.0.113.9", "10.12.255.4", 0), added) == 41);
  CHECK(added);
  CHECK(topo.add_peer(vpn_session("203.0.113.9", "10.12.255.5", 1), added) == 42);
  CHECK(added);
  const auto peer = *wire::parse_address("203.0.113.9");
  CHECK(topo.peer_index(peer) == 41);
  CHECK(topo.peer_index(wire::parse_address("10.12.255.5"), peer) == 42);
  CHECK(topo.peer_index(wire::parse_address("10.12.255.4"), peer) == 41);
  CHECK(topo.peer_index(wire::parse_address("10.12.255.6"), peer) == -1);  // both sessions name another side
  CHECK(topo.peer_index(std::nullopt, peer) == 41);
}

TEST_CASE("topology: what-if targets and connection weights of circuits", "[analyzer][topology]") {
  Policy policy;
  policy.circuits = {"er1", "er2"};
  policy.weights = {0, 100};
  Topology topo(policy, {er_link("192.0.2.1", 0, Link::Primary), er_link("192.0.2.2", 0, Link::Secondary),
                         er_link("192.0.2.5", 1, Link::Primary)});
  CHECK(topo.match_peers("er1") == std::vector<int>{0, 1});
  CHECK(topo.match_peers("er1 secondary") == std::vector<int>{1});
  CHECK(topo.match_peers("expressroute") == std::vector<int>{0, 1, 2});
  CHECK(topo.match_peers("192.0.2.5") == std::vector<int>{2});
  CHECK(topo.match_peers("vpn").empty());
  CHECK(topo.weight(topo.role(2)) == 100);
  CHECK(topo.add_circuit("er2", 5) == 1);  // known: the configured weight stays
  CHECK(topo.weight(topo.role(2)) == 100);
  CHECK(topo.add_circuit("er3", 7) == 2);
}

// virtual-networks-udr-overview and vpn-gateway-peering-gateway-transit: the hub and its peered
// spokes see each other's address spaces as system routes; only spokes with gateway transit see
// the gateways' routes.
TEST_CASE("topology: VNet system routes and gateway transit", "[analyzer][topology][vnet]") {
  Policy policy;
  policy.vnets = {{"hub", {pfx("10.12.0.0/16")}, true, false},
                  {"spoke1", {pfx("10.1.0.0/16")}, false, true},
                  {"spoke2", {pfx("10.2.0.0/16")}, false, false}};
  Topology topo(policy, {});
  CHECK(topo.hub() == 0);
  CHECK(topo.vnet_index("spoke2") == 2);
  CHECK(topo.vnet_index("nope") == -1);
  CHECK(topo.system_route(key("10.1.5.0/24"), 0));   // a spoke's space, seen from the hub
  CHECK(topo.system_route(key("10.12.0.0/24"), 1));  // the hub's, seen from a spoke
  CHECK_FALSE(topo.system_route(key("10.2.0.0/24"), 1));  // spokes are not peered with each other
  CHECK_FALSE(topo.system_route(key("10.9.0.0/16"), 0));
  ActivePath er;
  er.kind = PathKind::ErPrimary;
  er.set = 1;
  CHECK(topo.in_vnet(key("10.9.0.0/16"), er, 1) == er);                 // gateway transit
  CHECK(topo.in_vnet(key("10.9.0.0/16"), er, 2).kind == PathKind::None);  // no transit: no route
  CHECK(topo.in_vnet(key("10.12.1.0/24"), er, 2).kind == PathKind::System);
}

// expressroute-routing#route-aggregation-and-prefix-limits: 4,000 IPv4 (10,000 Premium) and 100
// IPv6 prefixes per private-peering session; vpn-gateway FAQ: 4,000 per VPN BGP peer.
TEST_CASE("prefix limits: Azure's per-session limits and maximum-prefix", "[analyzer][limits]") {
  Policy policy;
  PeerRole er = er_link("192.0.2.1", 0, Link::Primary);
  PeerRole vpn = vpn_session("10.52.255.253", "10.12.255.4", 0);
  CHECK(PrefixLimits::over(policy, er, 4000, 100).empty());
  CHECK(PrefixLimits::over(policy, er, 4001, 0) == "4001 IPv4 prefixes, above Azure's ExpressRoute limit of 4000");
  CHECK(PrefixLimits::over(policy, er, 10, 101) == "101 IPv6 prefixes, above Azure's ExpressRoute limit of 100");
  CHECK(PrefixLimits::over(policy, vpn, 3000, 1000).empty());
  CHECK(PrefixLimits::over(policy, vpn, 3000, 1001) == "4001 prefixes, above Azure's limit of 4000 per VPN BGP peer");
  policy.er_prefix_limit = 10000;  // er-sku premium
  CHECK(PrefixLimits::over(policy, er, 9999, 0).empty());
  policy.azure_limits = false;  // prefix-limits off: only the neighbour's own maximum-prefix
  CHECK(PrefixLimits::over(policy, er, 20000, 500).empty());
  er.max_prefixes = 50;
  CHECK(PrefixLimits::over(policy, er, 40, 11) == "51 prefixes, above its maximum-prefix 50");
  PrefixLimits limits(1);
  limits.add_peer();
  limits.set_dropped(1, true);
  CHECK(limits.flags() == std::vector<std::uint8_t>{0, 1});
  CHECK(limits.dropped(1));
}

// exceeded() is what check_limit asks after every route; over() gives the text when the answer
// changes: they must agree everywhere, at every limit's edge.
TEST_CASE("prefix limits: exceeded() is over() without the text", "[analyzer][limits]") {
  for (const bool azure : {true, false}) {
    for (const std::uint32_t max : {0u, 50u, 4500u}) {
      Policy policy;
      policy.azure_limits = azure;
      PeerRole er = er_link("192.0.2.1", 0, Link::Primary);
      PeerRole vpn = vpn_session("10.52.255.253", "10.12.255.4", 0);
      er.max_prefixes = vpn.max_prefixes = max;
      for (const PeerRole* role : {&er, &vpn})
        for (const std::size_t v4 : {0u, 10u, 49u, 50u, 51u, 3000u, 3999u, 4000u, 4001u, 4499u, 4500u, 4501u, 20000u})
          for (const std::size_t v6 : {0u, 1u, 99u, 100u, 101u, 1000u, 1001u}) {
            CAPTURE(azure, max, role == &er, v4, v6);
            CHECK(PrefixLimits::exceeded(policy, *role, v4, v6) == !PrefixLimits::over(policy, *role, v4, v6).empty());
          }
    }
  }
}

TEST_CASE("ChangeLog keeps the newest changes by absolute index across chunks", "[analyzer]") {
  ChangeLog log(5000);  // more than one chunk kept
  auto change = [](std::size_t i) {
    Change c{};
    c.time_us = i;
    c.cause = static_cast<std::uint32_t>(i);
    return c;
  };
  CHECK(log.empty());
  for (std::size_t i = 0; i < 10000; ++i) log.push_back(change(i));
  CHECK(log.size() == 10000);
  CHECK(log.first() == 5000);
  CHECK(log.kept() == 5000);
  CHECK(log.take_dropped() == 5000);
  CHECK(log.take_dropped() == 0);
  for (std::size_t i = log.first(); i < log.size(); ++i) REQUIRE(log[i].time_us == i);
  CHECK(log.back().cause == 9999);
  // Whole chunks of dropped changes are freed: what is kept spans at most two chunks more.
  CHECK(log.bytes() <= (5000 / ChangeLog::kChunk + 2) * ChangeLog::kChunk * ChangeLog::kRecordBytes);
  log.set_capacity(10);
  CHECK(log.first() == 9990);
  CHECK(log[9990].time_us == 9990);
  CHECK(log.bytes() == ChangeLog::kChunk * ChangeLog::kRecordBytes);
  CHECK(log.take_dropped() == 4990);
  log.push_back(change(10000));
  CHECK(log.size() == 10001);
  CHECK(log.first() == 9991);
  CHECK(log.back().time_us == 10000);
}

TEST_CASE("Causes keep each text once however sessions alternate", "[analyzer][causes]") {
  // Two sessions' UPDATEs interleaved, as a live gateway sees them: kept once per alternation,
  // their causes grew by a string per message for as long as the daemon ran.
  Causes causes;
  const std::string a = "UPDATE from 192.0.2.1 (er1 primary)", b = "UPDATE from 192.0.2.2 (er1 secondary)";
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(causes.id(i % 2 ? b : a));
  CHECK(causes.size() == 2);
  CHECK(ids[0] == ids[998]);
  CHECK(ids[1] == ids[999]);
  CHECK(ids[0] != ids[1]);
  CHECK(causes[ids[0]] == a);
  CHECK(causes[ids[1]] == b);
  // A text equal to a kept one, from another string object (a trigger's formatted text), is the same cause.
  std::string again = "UPDATE from 192.0.2.";
  again += "1 (er1 primary)";
  CHECK(causes.id(again) == ids[0]);
  CHECK(causes.id("BFD down: 192.0.2.1") == 2);
  CHECK(causes[2] == "BFD down: 192.0.2.1");
}

TEST_CASE("ChangeLog keeps each change in 40 bytes and gives every field back", "[analyzer][change-log]") {
  ChangeLog log;
  auto change = [](std::size_t i) {
    Change c{};
    c.time_us = 1'700'000'000'000'000 + i;
    c.prefix.hi = (i << 32) | 0xdeadbeef;
    c.prefix.lo = ~i;
    c.prefix.length = static_cast<std::uint8_t>(i % 129);
    c.prefix.v6 = i % 2;
    c.before = static_cast<std::uint32_t>(i * 3);
    c.after = static_cast<std::uint32_t>(~i);
    c.cause = static_cast<std::uint32_t>(i % 7);
    c.initial = i % 3 == 0;
    return c;
  };
  const std::size_t n = ChangeLog::kChunk + 10;  // into a second chunk
  for (std::size_t i = 0; i < n; ++i) log.push_back(change(i));
  bool intact = true;
  for (std::size_t i = 0; i < n; ++i) {
    const Change c = log[i], want = change(i);
    intact &= c.time_us == want.time_us && c.prefix == want.prefix && c.before == want.before && c.after == want.after &&
              c.cause == want.cause && c.initial == want.initial;
  }
  CHECK(intact);
  CHECK(log.back().time_us == change(n - 1).time_us);
  CHECK(ChangeLog::kRecordBytes < sizeof(Change));
  CHECK(log.bytes() == 2 * ChangeLog::kChunk * 40);  // a million changes: 40 MB, not 48
}

TEST_CASE("Orphans: under() and erase() agree with a plain search across the summary's blocks", "[analyzer][orphans]") {
  // Orphans on both sides of 64-block words of the summary (10.63/16, 10.64/16), in the first and
  // last /16 of the space, and IPv6; each query against a brute-force walk of what is held.
  const char* held[] = {"10.63.255.0/24", "10.64.0.0/24", "10.64.0.0/16", "10.127.0.0/17", "0.0.0.0/24",
                        "255.255.255.0/24", "192.168.1.0/24", "2001:db8::/48", "2001:db9:1::/48"};
  Orphans o;
  std::vector<rib::PrefixKey> keys;
  for (const char* h : held) {
    o.insert(key(h));
    keys.push_back(key(h));
  }
  o.insert(key("10.64.0.0/24"));  // again: counted once
  auto brute = [&](const rib::PrefixKey& p) {
    std::vector<rib::PrefixKey> out;
    for (const auto& k : keys)
      if (k != p && p.covers(k)) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
  };
  const char* queries[] = {"0.0.0.0/0", "10.0.0.0/8", "10.64.0.0/10", "10.63.0.0/16", "10.64.0.0/16", "10.64.0.0/23",
                           "10.65.0.0/16", "10.96.0.0/11", "255.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12",
                           "2001:db8::/32", "2001:db8::/16", "2000::/3", "::/0", "2001:db8:1::/48"};
  std::vector<rib::PrefixKey> got;
  for (const char* q : queries) {
    INFO(q);
    o.under(key(q), got);
    CHECK(got == brute(key(q)));
  }
  // Erasing keeps the summary exact: 10.64.0.0/16 still holds 10.64.0.0/24 after its /16 goes.
  o.erase(key("10.64.0.0/16"));
  o.erase(key("10.64.9.0/24"));  // not held: nothing changes
  keys.erase(std::find(keys.begin(), keys.end(), key("10.64.0.0/16")));
  o.under(key("10.0.0.0/8"), got);
  CHECK(got == brute(key("10.0.0.0/8")));
  o.erase(key("10.64.0.0/24"));
  keys.erase(std::find(keys.begin(), keys.end(), key("10.64.0.0/24")));
  o.under(key("10.64.0.0/10"), got);
  CHECK(got == brute(key("10.64.0.0/10")));
  CHECK(got.size() == 1);  // 10.127.0.0/17
  for (const auto& k : std::vector<rib::PrefixKey>(keys)) o.erase(k);
  CHECK(o.empty());
  o.under(key("0.0.0.0/0"), got);
  CHECK(got.empty());
}
