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

  std::vector<PrefixKey> affected;
  t.clear_peer(1, affected);
  CHECK(affected == std::vector<PrefixKey>{key("10.0.0.0/8"), key("2001:db8::/32")});
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
  std::vector<PrefixKey> affected;
  t.retain_stale(0, rib::kFamilyIpv4, affected);  // IPv6 not retained: dropped
  CHECK(affected == std::vector<PrefixKey>{key("2001:db8::/32")});
  CHECK(t.stale_routes(0) == 1);
  t.announce(key("10.0.0.0/8"), 0, 0, b);  // re-announced: fresh
  CHECK(t.stale_routes(0) == 0);
  CHECK(t.find(key("10.0.0.0/8"))->routes[0].attrs == b);
  affected.clear();
  t.retain_stale(0, rib::kFamilyIpv4, affected);
  t.sweep_stale(0, rib::kFamilyIpv4, affected);
  CHECK(affected == std::vector<PrefixKey>{key("10.0.0.0/8")});
  CHECK(t.routes() == 0);
}
