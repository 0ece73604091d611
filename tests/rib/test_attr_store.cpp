#include <memory>
#include <vector>

#include <catch2/catch.hpp>

#include "bgp/wire/attribute.hpp"
#include "rib/attr_store.hpp"

using namespace bgpfa;
using wire::AttrType;

namespace {

// Attribute blocks as on the wire, decoded the way the feed decodes them.
struct Decoded {
  std::vector<std::uint8_t> block;
  wire::PathAttributes attrs;
};

void attr(std::vector<std::uint8_t>& out, std::uint8_t type, std::vector<std::uint8_t> value) {
  wire::encode_attribute(out, type, wire::Bytes(value.data(), value.size()));
}

Decoded decode(std::vector<std::uint8_t> block, bool four_octet_as = true) {
  Decoded d{std::move(block), {}};
  wire::DecodeContext ctx;
  ctx.four_octet_as = four_octet_as;
  REQUIRE_FALSE(wire::decode_path_attributes(wire::Bytes(d.block.data(), d.block.size()), ctx, true, d.attrs));
  REQUIRE(d.attrs.errors.empty());
  return d;
}

std::vector<std::uint8_t> basic(std::uint32_t med, std::vector<std::uint8_t> communities = {}) {
  std::vector<std::uint8_t> b;
  attr(b, 1, {0});
  attr(b, 2, {2, 3, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe8, 0, 0, 0x2f, 0x2c});  // 65000 65000 12076
  attr(b, 3, {192, 0, 2, 1});
  attr(b, 4, {0, 0, 0, static_cast<std::uint8_t>(med)});
  if (!communities.empty()) attr(b, 8, communities);
  return b;
}

}  // namespace

TEST_CASE("AttrStore: one set per distinct attributes, decoded fields, freed with its last route", "[rib]") {
  rib::AttrStore store;
  const auto a = decode(basic(5)), a2 = decode(basic(5)), b = decode(basic(6)), c = decode(basic(5, {0, 1, 0, 2}));
  const rib::AttrRef ra = store.intern(a.attrs, true);
  CHECK(store.intern(a2.attrs, true) == ra);  // equal attributes from another buffer
  const rib::AttrRef rb = store.intern(b.attrs, true);
  const rib::AttrRef rc = store.intern(c.attrs, true);
  CHECK_FALSE(rb == ra);
  CHECK_FALSE(rc == ra);
  CHECK(store.size() == 3);
  CHECK(ra->med == 5);
  CHECK(ra->has_med);
  CHECK_FALSE(ra->has_local_pref);
  CHECK(ra->local_pref == 100);
  CHECK(ra->origin == 0);
  CHECK(ra->as_path_length == 3);
  CHECK(ra->neighbor_as == 65000);
  CHECK(ra->origin_as == 12076);
  CHECK(ra->prepended);
  CHECK(ra->as_path_text() == "65000 65000 12076");
  CHECK(wire::to_string(ra->next_hop) == "192.0.2.1");
  CHECK(rc->communities().size() == 4);
  CHECK(ra->communities().empty());
  // The fixed part and the attributes' own bytes, nothing else: well under the old ~140 bytes.
  CHECK(sizeof(rib::AttrSet) == 60);

  {
    const rib::AttrRef again = store.intern(decode(basic(7)).attrs, true);
    CHECK(store.size() == 4);
  }  // last reference gone
  CHECK(store.size() == 3);
  const std::size_t after_release = store.bytes();
  // The set interned last was freed: the next intern must not hand it out again; its block is
  // reused from the pool's free list, so the store does not grow.
  const rib::AttrRef d = store.intern(decode(basic(7)).attrs, true);
  CHECK(d->med == 7);
  CHECK(store.size() == 4);
  CHECK(store.bytes() == after_release);
}

TEST_CASE("AttrStore: 2-octet AS paths are widened, so equal paths are one set", "[rib]") {
  rib::AttrStore store;
  std::vector<std::uint8_t> two;
  attr(two, 1, {0});
  attr(two, 2, {2, 2, 0xfd, 0xe8, 0x2f, 0x2c});  // 65000 12076, 2-octet
  attr(two, 3, {192, 0, 2, 1});
  attr(two, 4, {0, 0, 0, 9});
  std::vector<std::uint8_t> four;
  attr(four, 1, {0});
  attr(four, 2, {2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0x2f, 0x2c});
  attr(four, 3, {192, 0, 2, 1});
  attr(four, 4, {0, 0, 0, 9});
  const auto d2 = decode(two, false), d4 = decode(four, true);
  const rib::AttrRef r2 = store.intern(d2.attrs, false);
  CHECK(store.intern(d4.attrs, true) == r2);
  CHECK(r2->as_path_text() == "65000 12076");
  // The same block read as 4-octet is another path: the cache of the last block must not match.
  std::vector<std::uint8_t> odd;
  attr(odd, 1, {0});
  attr(odd, 2, {2, 1, 0, 1, 2, 3, 2, 1, 0, 0, 0x2f, 0x2c});  // two segments either way
  attr(odd, 3, {192, 0, 2, 1});
  const auto o2 = decode(odd, false), o4 = decode(odd, true);
  const rib::AttrRef x2 = store.intern(o2.attrs, false), x4 = store.intern(o4.attrs, true);
  CHECK_FALSE(x2 == x4);
  CHECK(x4->as_path_text() == "66051 12076");
  CHECK(x2->as_path_text() == "1 513 0 12076");
}

TEST_CASE("AttrStore: encode gives back the attributes a RIB entry holds", "[rib]") {
  rib::AttrStore store;
  std::vector<std::uint8_t> b;
  attr(b, 1, {1});
  attr(b, 2, {2, 1, 0, 0, 0x2f, 0x2c});
  attr(b, 3, {192, 0, 2, 1});
  attr(b, 4, {0, 0, 1, 0});
  attr(b, 5, {0, 0, 0, 200});
  attr(b, 6, {});
  attr(b, 7, {0, 0, 0x2f, 0x2c, 10, 0, 0, 1});
  attr(b, 8, {0, 1, 0, 2});
  attr(b, 16, {0, 2, 0, 1, 0, 0, 0, 5});
  attr(b, 32, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3});
  std::vector<std::uint8_t> unknown;
  wire::encode_attribute(unknown, 99, wire::Bytes(reinterpret_cast<const std::uint8_t*>("xyz"), 3), 0xc0);
  b.insert(b.end(), unknown.begin(), unknown.end());
  const auto d = decode(b);
  const rib::AttrRef r = store.intern(d.attrs, true);
  std::vector<std::uint8_t> out;
  r->encode(out);
  const auto back = decode(out);
  CHECK(back.attrs.origin == 1);
  CHECK(back.attrs.med == 256);
  CHECK(back.attrs.local_pref == 200);
  CHECK(back.attrs.has(AttrType::AtomicAggregate));
  CHECK(back.attrs.aggregator.asn == 12076);
  CHECK(back.attrs.communities.size() == 4);
  CHECK(back.attrs.extended_communities.size() == 8);
  CHECK(back.attrs.large_communities.size() == 12);
  REQUIRE(back.attrs.all.size() == d.attrs.all.size());
  CHECK(back.attrs.all.back().type == 99);
  CHECK(back.attrs.all.back().value.size() == 3);
  // Re-interned, the encoding is the same set.
  CHECK(store.intern(back.attrs, true) == r);
  // An unknown attribute alone (no communities, no aggregator) still round-trips.
  std::vector<std::uint8_t> only;
  attr(only, 1, {0});
  attr(only, 2, {});
  attr(only, 3, {192, 0, 2, 1});
  only.insert(only.end(), unknown.begin(), unknown.end());
  const auto o = decode(only);
  const rib::AttrRef ro = store.intern(o.attrs, true);
  out.clear();
  ro->encode(out);
  const auto ob = decode(out);
  REQUIRE(ob.attrs.all.size() == 4);
  CHECK(ob.attrs.all.back().type == 99);
  CHECK(ob.attrs.extended_communities.empty());
  CHECK(store.intern(ob.attrs, true) == ro);
}

TEST_CASE("AttrStore: each store gets its sets back, several stores at once", "[rib]") {
  auto first = std::make_unique<rib::AttrStore>();
  rib::AttrStore second;
  const auto d = decode(basic(1));
  rib::AttrRef a = first->intern(d.attrs, true);
  rib::AttrRef b = second.intern(d.attrs, true);
  CHECK_FALSE(a == b);  // equal attributes, but two stores
  a = rib::AttrRef();
  CHECK(first->size() == 0);
  CHECK(second.size() == 1);
  first.reset();
  rib::AttrStore third;  // takes the freed number
  rib::AttrRef c = third.intern(d.attrs, true);
  b = rib::AttrRef();
  CHECK(second.size() == 0);
  CHECK(third.size() == 1);
}

TEST_CASE("AttrStore: freed sets' memory is reused, so churn does not grow the store", "[rib]") {
  rib::AttrStore store;
  const rib::AttrRef keep = store.intern(decode(basic(1)).attrs, true);
  const std::size_t before = store.bytes();
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const auto d = decode(basic(2, {0, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}));
    const rib::AttrRef r = store.intern(d.attrs, true);  // a new set each time, freed at once
    REQUIRE(store.size() == 2);
  }
  CHECK(store.bytes() <= before + 1024);  // 20,000 sets of 80+ bytes would be 1.6 MB
}

TEST_CASE("AttrStore: interning by identity (the feed's RIB-dump batches) gives the sets intern() gives", "[rib]") {
  rib::AttrStore store;
  const auto a = decode(basic(5)), b = decode(basic(6)), b2 = decode(basic(6));
  rib::AttrStore::Identity ib, ib2, ia;
  const rib::AttrRef ra = store.intern(a.attrs, true);
  store.identify(b.attrs, true, ib);
  const rib::AttrRef rb = store.intern(ib);
  CHECK_FALSE(rb == ra);
  CHECK(rb->med == 6);
  CHECK(store.intern(b.attrs, true) == rb);
  CHECK(store.intern(ib) == rb);  // a hint hit
  // Equal attributes from another buffer: the same identity.
  store.identify(b2.attrs, true, ib2);
  CHECK(ib2.view() == ib.view());
  CHECK(ib2.hash == ib.hash);
  store.identify(a.attrs, true, ia);
  CHECK(store.intern(ia) == ra);
  // intern() of the block it saw last, after an intern by identity of another set in between:
  // its shortcut (the same bytes as last time) must give that block's set, not the last one.
  CHECK(store.intern(a.attrs, true) == ra);
  CHECK(store.intern(ib) == rb);
  CHECK(store.intern(decode(basic(5)).attrs, true) == ra);
  CHECK(store.size() == 2);
}

TEST_CASE("AttrStore: a freed set is no one's hint", "[rib]") {
  rib::AttrStore store;
  rib::AttrStore::Identity id;
  store.identify(decode(basic(9)).attrs, true, id);
  { const rib::AttrRef r = store.intern(id); }  // freed: its block goes back to the pool, bytes intact
  CHECK(store.size() == 0);
  // A hint left on the freed block would match the identity still in it and hand the block out
  // again, outside the index.
  const rib::AttrRef again = store.intern(id);
  CHECK(again->med == 9);
  CHECK(store.size() == 1);
  rib::AttrStore::Identity other;
  store.identify(decode(basic(10)).attrs, true, other);
  const rib::AttrRef o = store.intern(other);
  CHECK_FALSE(o == again);
  CHECK(store.intern(id) == again);
  CHECK(store.size() == 2);
}

TEST_CASE("AttrStore: the index finds every set after it grows and after others are freed", "[rib]") {
  // The index rehashes by the hash each set keeps: one set without it (or with another) would
  // be lost at the next growth, and interning its attributes again would make a second set.
  // Sets are interned both ways, past several growths and beyond the hint cache's reach.
  rib::AttrStore store;
  std::vector<rib::AttrRef> sets;
  const auto communities = [](std::uint32_t i) {
    return std::vector<std::uint8_t>{0, 1, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8), 0, 2, 0,
                                     static_cast<std::uint8_t>(i)};
  };
  constexpr std::uint32_t kSets = 40000;
  rib::AttrStore::Identity id;
  for (std::uint32_t i = 0; i < kSets; ++i) {
    const auto d = decode(basic(3, communities(i)));
    if (i % 2) {
      sets.push_back(store.intern(d.attrs, true));
    } else {
      store.identify(d.attrs, true, id);
      sets.push_back(store.intern(id));
    }
  }
  REQUIRE(store.size() == kSets);
  for (std::uint32_t i = 0; i < kSets; i += 3) sets[i] = {};  // a third freed
  const std::size_t left = store.size();
  CHECK(left == kSets - (kSets + 2) / 3);
  for (std::uint32_t i = 0; i < kSets; ++i) {
    if (i % 3 == 0) continue;
    const auto d = decode(basic(3, communities(i)));
    store.identify(d.attrs, true, id);
    INFO("set " << i);
    REQUIRE(store.intern(id) == sets[i]);
    REQUIRE(store.intern(d.attrs, true) == sets[i]);
  }
  CHECK(store.size() == left);
}
