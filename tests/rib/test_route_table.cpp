#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

#include "bgp/wire/ip.hpp"
#include "rib/route_table.hpp"

using namespace bgpfa;
using rib::PrefixKey;

namespace {

PrefixKey key(const char* text) {
  const auto p = wire::parse_prefix(text);
  REQUIRE(p);
  return PrefixKey::from(*p);
}

rib::AttrRef attrs(rib::AttrStore& store, std::uint32_t med) {
  wire::PathAttributes a;
  a.med = med;
  a.present.set(static_cast<std::size_t>(wire::AttrType::MultiExitDisc));
  return store.intern(a, true);
}

std::vector<PrefixKey> keys_of(const std::vector<rib::Touched>& t) {
  std::vector<PrefixKey> keys;
  for (const auto& x : t) keys.push_back(x.key);
  return keys;
}

}  // namespace

TEST_CASE("RouteList keeps one route in place and spills more to the heap", "[rib]") {
  rib::AttrStore store;
  rib::RouteList l;
  CHECK(l.empty());
  CHECK_FALSE(l.spilled());
  l.push_back(rib::Route(attrs(store, 1), 0, 7));
  CHECK(l.size() == 1);
  CHECK_FALSE(l.spilled());
  CHECK(l[0].peer == 7);
  l.push_back(rib::Route(attrs(store, 2), 5, 8));
  l.push_back(rib::Route(attrs(store, 3), 0, 9));
  CHECK(l.size() == 3);
  CHECK(l.spilled());
  CHECK(l[1].path_id == 5);
  CHECK(l[2].attrs->med == 3);

  SECTION("erase keeps the order and comes back in place at one route") {
    l.erase(l.begin());
    CHECK(l.size() == 2);
    CHECK(l[0].peer == 8);
    CHECK(l[1].peer == 9);
    l.erase(l.begin() + 1);
    CHECK(l.size() == 1);
    CHECK_FALSE(l.spilled());
    CHECK(l[0].peer == 8);
    CHECK(l[0].attrs->med == 2);
    l.clear();
    CHECK(l.empty());
  }
  SECTION("erase may keep the array for routes that come back") {
    l.erase(l.begin(), l.begin() + 2, true);
    CHECK(l.size() == 1);
    CHECK(l.spilled());
    CHECK(l.capacity() >= 3);
    CHECK(l[0].peer == 9);
    l.push_back(rib::Route(attrs(store, 5), 0, 1));  // no reallocation
    CHECK(l.size() == 2);
    CHECK(l[1].peer == 1);
    l.erase(l.begin(), l.end(), true);  // nothing left: the array goes anyway
    CHECK(l.empty());
    CHECK_FALSE(l.spilled());
  }
  SECTION("assignment through an iterator does not change the size") {
    rib::RouteList one;
    one.push_back(rib::Route(attrs(store, 4), 0, 1));
    one[0] = l[2];  // the source's own list bookkeeping must not come along
    CHECK(one.size() == 1);
    CHECK(one[0].peer == 9);
    one.erase(std::remove_if(one.begin(), one.end(), [](const rib::Route& r) { return r.peer == 9; }), one.end());
    CHECK(one.empty());
  }
  SECTION("copies share the sets, moves leave an empty list") {
    rib::RouteList c = l;
    CHECK(c.size() == 3);
    CHECK(c[2].attrs == l[2].attrs);
    rib::RouteList m = std::move(c);
    CHECK(m.size() == 3);
    CHECK(c.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified empty here
  }
  l = rib::RouteList();
  CHECK(store.size() == 0);  // every reference let go: the sets are freed
}

TEST_CASE("RouteTable: announce, withdraw and lookups over both families", "[rib]") {
  rib::AttrStore store;
  rib::RouteTable t(3);
  const auto a = attrs(store, 10);
  CHECK(t.announce(key("10.0.0.0/8"), 0, 0, a) != nullptr);
  CHECK(t.announce(key("10.0.0.0/8"), 0, 0, a) == nullptr);  // the same again: no change
  CHECK(t.announce(key("10.0.0.0/8"), 1, 0, a) != nullptr);
  CHECK(t.announce(key("10.1.0.0/16"), 2, 0, a) != nullptr);
  CHECK(t.announce(key("2001:db8::/32"), 1, 0, a) != nullptr);
  CHECK(t.announce(key("2001:db8:1::/48"), 1, 7, a) != nullptr);
  CHECK(t.routes() == 5);
  CHECK(t.prefixes() == 4);
  CHECK(t.peer_routes(1) == 3);
  CHECK(t.peer_routes_v6(1) == 2);
  REQUIRE(t.find(key("10.0.0.0/8")));
  CHECK(t.find(key("10.0.0.0/8"))->routes.size() == 2);
  CHECK(t.find(key("10.0.0.0/9")) == nullptr);
  CHECK(t.find(key("0.0.0.0/0")) == nullptr);
  const rib::RouteTable& ct = t;
  REQUIRE(ct.find(key("2001:db8:1::/48")));
  CHECK(ct.find(key("2001:db8:1::/48"))->routes[0].path_id == 7);

  CHECK(t.lookup(*wire::parse_address("10.1.2.3")) == key("10.1.0.0/16"));
  CHECK(t.lookup(*wire::parse_address("10.2.2.3")) == key("10.0.0.0/8"));
  CHECK(t.lookup(*wire::parse_address("2001:db8:1::1")) == key("2001:db8:1::/48"));
  CHECK_FALSE(t.lookup(*wire::parse_address("11.0.0.1")));
  CHECK(t.lookup(*wire::parse_address("2001:db8:2::1")) == key("2001:db8::/32"));  // past the /48 length
  CHECK(t.longest_covering(key("10.1.0.0/16"), false) == key("10.0.0.0/8"));
  CHECK(t.longest_covering(key("10.1.0.0/16"), true) == key("10.1.0.0/16"));
  CHECK_FALSE(t.longest_covering(key("10.0.0.0/8"), false));

  // Entries stay put while the table grows (the owner keeps pointers across inserts).
  rib::PrefixEntry* e = t.find(key("10.1.0.0/16"));
  for (std::uint32_t i = 0; i < 20000; ++i) {
    wire::Prefix p;
    p.address = wire::IpAddress::v4(0xC0000000u + (i << 8));
    p.length = 24;
    t.announce(PrefixKey::from(p), 0, 0, a);
  }
  CHECK(t.find(key("10.1.0.0/16")) == e);
  CHECK(t.prefixes() == 20004);

  CHECK(t.withdraw(key("10.1.0.0/16"), 2, 0) == e);
  CHECK(t.withdraw(key("10.1.0.0/16"), 2, 0) == nullptr);
  CHECK(t.lookup(*wire::parse_address("10.1.2.3")) == key("10.0.0.0/8"));  // falls back to the cover
  CHECK(t.withdraw(key("2001:db8:1::/48"), 1, 0) == nullptr);  // other path id
  CHECK(t.withdraw(key("2001:db8:1::/48"), 1, 7) != nullptr);

  std::vector<rib::Touched> affected;
  t.clear_peer(1, affected);
  CHECK(keys_of(affected) == std::vector<PrefixKey>{key("10.0.0.0/8"), key("2001:db8::/32")});
  CHECK(affected[0].entry == t.find(key("10.0.0.0/8")));
  CHECK(t.peer_routes(1) == 0);
  CHECK(t.peer_routes_v6(1) == 0);
  std::size_t seen = 0, with_routes = 0;
  t.for_each([&](const PrefixKey&, const rib::PrefixEntry& x) {
    ++seen;
    with_routes += !x.routes.empty();
  });
  CHECK(seen == t.prefixes());  // prefixes without routes stay, as before
  CHECK(with_routes == 20001);
  CHECK(t.memory_bytes() >= t.prefixes() * sizeof(rib::PrefixEntry));
}

TEST_CASE("RouteTable: graceful restart keeps and sweeps stale routes", "[rib]") {
  rib::AttrStore store;
  rib::RouteTable t(2);
  const auto a = attrs(store, 1), b = attrs(store, 2);
  t.announce(key("10.0.0.0/8"), 0, 0, a);
  t.announce(key("2001:db8::/32"), 0, 0, a);
  std::vector<rib::Touched> affected;
  t.retain_stale(0, rib::kFamilyIpv4, affected);  // IPv6 not retained: dropped
  CHECK(keys_of(affected) == std::vector<PrefixKey>{key("2001:db8::/32")});
  CHECK(t.stale_routes(0) == 1);
  t.announce(key("10.0.0.0/8"), 0, 0, b);  // re-announced: fresh
  CHECK(t.stale_routes(0) == 0);
  CHECK(t.find(key("10.0.0.0/8"))->routes[0].attrs == b);
  affected.clear();
  t.retain_stale(0, rib::kFamilyIpv4, affected);
  t.sweep_stale(0, rib::kFamilyIpv4, affected);
  CHECK(keys_of(affected) == std::vector<PrefixKey>{key("10.0.0.0/8")});
  CHECK(t.routes() == 0);
}

TEST_CASE("RouteTable: a peer's prefixes come out in prefix order with their entries", "[rib]") {
  // Many IPv4 and IPv6 prefixes, interleaved in key order (v4 keys are ordered by address like
  // v6 ones), inserted in scrambled order: the pass over the hash index must sort them.
  rib::AttrStore store;
  rib::RouteTable t(2);
  const auto a = attrs(store, 1);
  std::vector<PrefixKey> expected;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const std::uint32_t j = (i * 2654435761u) % 5000;  // a permutation of 0..4999
    wire::Prefix p;
    if (j % 3 == 0) {
      p.address.afi = wire::Afi::Ipv6;
      p.address.octets[0] = static_cast<std::uint8_t>(j >> 8);
      p.address.octets[1] = static_cast<std::uint8_t>(j);
      p.length = 32;
    } else {
      p.address = wire::IpAddress::v4((j << 20) | (j % 7 << 12));
      p.length = static_cast<std::uint8_t>(20 + j % 5);
    }
    const PrefixKey k = PrefixKey::from(p);
    t.announce(k, static_cast<std::uint16_t>(j % 2), 0, a);
    if (j % 2 == 1) expected.push_back(k);
  }
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  std::vector<rib::Touched> of;
  t.routes_of(1, of);
  CHECK(keys_of(of) == expected);
  for (const auto& x : of) CHECK(x.entry == t.find(x.key));
  std::vector<rib::Touched> dropped;
  t.clear_peer(1, dropped);
  CHECK(dropped == of);
  CHECK(t.peer_routes(1) == 0);
  of.clear();
  t.routes_of(1, of);
  CHECK(of.empty());
}

TEST_CASE("RouteTable: a RIB-dump record's routes for a new prefix take one array of their count", "[rib]") {
  rib::AttrStore store;
  rib::RouteTable t(4);
  const PrefixKey p = key("10.1.0.0/16");
  t.expect_routes(p, 3);
  for (std::uint16_t peer = 0; peer < 3; ++peer) REQUIRE(t.announce(p, peer, 0, attrs(store, peer)));
  const auto& routes = t.find(p)->routes;
  CHECK(routes.size() == 3);
  CHECK(routes.capacity() == 3);  // grown one by one it would be 4
  for (std::uint16_t peer = 0; peer < 3; ++peer) CHECK(routes[peer].peer == peer);
  CHECK(t.routes() == 3);
  CHECK(t.peer_routes(2) == 1);
  // A prefix that has routes keeps its array as it is; one route or none asks for nothing.
  t.expect_routes(p, 9);
  CHECK(t.find(p)->routes.capacity() == 3);
  const PrefixKey q = key("10.2.0.0/16");
  t.expect_routes(q, 1);
  CHECK_FALSE(t.find(q));
}
