// ListPaths' own encoder (app/grpc/path_wire.hpp) against protobuf's: for the rows of real
// replays, the bytes must be those v1::PathBatch::SerializeAsString writes for to_proto's Path.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "app/cli/replay.hpp"
#include "app/grpc/convert.hpp"
#include "app/grpc/path_view.hpp"
#include "app/grpc/path_wire.hpp"
#include "bgpfa.pb.h"
#include "tests/temp_file.hpp"

using namespace bgpfa;

namespace {

struct Replayed {
  std::vector<analyzer::PrefixRow> rows;
  app::Names names;
};

Replayed replayed(const std::string& config, const std::string& dump) {
  test::TempFile out;
  app::ReplayOptions o;
  o.config = config;
  o.dumps = {dump};
  o.output = out.path();
  o.report = "none";
  o.quiet = true;
  Replayed r;
  o.then = [&](analyzer::Analyzer& a) {
    r.rows = a.rows();
    r.names = app::names_of(a);
    return 0;
  };
  REQUIRE(app::run_replay(o) == 0);
  return r;
}

void check_rows(const Replayed& r) {
  REQUIRE_FALSE(r.rows.empty());
  app::PathWire wire;
  std::string all;
  v1::PathBatch want_all;
  for (const auto& row : r.rows) {
    INFO(wire::to_string(row.prefix));
    std::string one;
    wire.append(one, row, r.names);
    v1::PathBatch want;
    app::to_proto(row, r.names, *want.add_paths());
    CHECK(one == want.SerializeAsString());
    wire.append(all, row, r.names);  // the second time from the cached active path
    app::to_proto(row, r.names, *want_all.add_paths());
  }
  CHECK(all == want_all.SerializeAsString());
  v1::PathBatch parsed;
  REQUIRE(parsed.ParseFromString(all));
  CHECK(static_cast<std::size_t>(parsed.paths_size()) == r.rows.size());

  // The client's in-place reading sees what protobuf's parser sees.
  std::size_t i = 0;
  const bool ok = app::for_each_path(all, [&](const app::PathView& v) {
    REQUIRE(i < static_cast<std::size_t>(parsed.paths_size()));
    const v1::Path& p = parsed.paths(static_cast<int>(i++));
    CHECK(v.prefix == p.prefix());
    CHECK(v.text == p.text());
    CHECK(v.kind == static_cast<std::uint64_t>(p.kind()));
    CHECK(v.covering_prefix == p.covering_prefix());
    CHECK(v.first_circuit == (p.carrying_size() ? p.carrying(0).circuit() : ""));
    for (const auto& [view, best, has] : {std::tuple{&v.expressroute, &p.expressroute(), p.has_expressroute()},
                                          std::tuple{&v.vpn, &p.vpn(), p.has_vpn()}}) {
      CHECK(view->present == has);
      CHECK(view->role == best->role());
      CHECK(view->as_path == best->as_path());
      CHECK(view->next_hop == best->next_hop());
      CHECK(view->reason == best->reason());
      CHECK(view->candidates == best->candidates());
    }
    CHECK_FALSE(v.has_candidates);
    v1::Path again;
    REQUIRE(again.ParseFromArray(v.bytes.data(), static_cast<int>(v.bytes.size())));
    CHECK(again.SerializeAsString() == p.SerializeAsString());
  });
  CHECK(ok);
  CHECK(i == r.rows.size());
}

}  // namespace

TEST_CASE("PathWire: the bytes of protobuf's serializer for every row of the failover capture", "[grpc][wire]") {
  const std::string src = BGPFA_SOURCE_DIR;
  check_rows(replayed(src + "/fixtures/failover/bgpfa.conf", src + "/fixtures/failover/capture.mrt"));
}

TEST_CASE("PathWire: rows of the generated topologies (ECMP, VPN instances, sites, covering routes)", "[grpc][wire]") {
  const std::string src = BGPFA_SOURCE_DIR;
  for (const std::string topology : {"er-ecmp-circuits", "vpn-active-active", "vpn-multi-site", "vnet-transit", "prefix-limit"}) {
    INFO(topology);
    test::TempFile dump(".mrt");
    REQUIRE(std::system((std::string(BGPFA_SCENARIO) + " " + topology + " " + dump.path()).c_str()) == 0);
    check_rows(replayed(src + "/fixtures/topologies/" + topology + ".conf", dump.path()));
  }
}

TEST_CASE("PathWire: long fields (a GatewayBest over 127 bytes), IPv6, a covering prefix, and built Paths", "[grpc][wire]") {
  analyzer::PrefixRow row;
  row.prefix = *wire::parse_prefix("2001:db8:1::/48");
  row.covering = *wire::parse_prefix("2001:db8::/32");
  row.active.kind = analyzer::PathKind::ErPrimary;
  row.active.via_covering = true;
  analyzer::GatewayBest g;
  g.peer = "2001:db8::1";
  g.role = "er1 primary";
  for (int i = 0; i < 60; ++i) g.as_path += "65000 ";  // 360 bytes
  g.local_pref = 0;  // proto3: left out
  g.next_hop = "2001:db8::1";
  g.reason = "only-path";
  g.candidates = 1;
  row.expressroute = g;
  const app::Names names;  // no sets: the active path from the row's summary
  app::PathWire wire;
  std::string mine;
  wire.append(mine, row, names);
  v1::PathBatch want;
  app::to_proto(row, names, *want.add_paths());
  CHECK(mine == want.SerializeAsString());

  std::string built;
  app::PathWire::append(built, want.paths(0));
  CHECK(built == want.SerializeAsString());
}

TEST_CASE("PathView: damaged batch bytes are refused, never read past their end", "[grpc][wire]") {
  const std::string src = BGPFA_SOURCE_DIR;
  const auto r = replayed(src + "/fixtures/failover/bgpfa.conf", src + "/fixtures/failover/capture.mrt");
  app::PathWire wire;
  std::string all;
  for (const auto& row : r.rows) wire.append(all, row, r.names);
  std::size_t whole = 0;
  CHECK(app::for_each_path(all, [&](const app::PathView&) { ++whole; }));
  CHECK(whole == r.rows.size());
  // Every truncation: the paths before the cut, then false (or true at a path boundary).
  for (std::size_t n = 0; n < all.size(); ++n) {
    std::size_t seen = 0;
    const std::string cut = all.substr(0, n);  // its own allocation: a read past it is a sanitizer error
    (void)app::for_each_path(cut, [&](const app::PathView&) { ++seen; });
    CHECK(seen <= whole);
  }
  // A length beyond the end, a varint that never ends, a group wire type, field number 0.
  for (const std::string& bad : {std::string("\x0a\x7f", 2), std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12),
                                std::string("\x0b", 1), std::string("\x02\x00", 2)}) {
    std::size_t seen = 0;
    CHECK_FALSE(app::for_each_path(bad, [&](const app::PathView&) { ++seen; }));
    CHECK(seen == 0);
  }
  // Unknown fields (a newer server's) are skipped.
  std::string newer = all;
  newer += std::string("\xf8\x07\x05", 3);  // field 127, varint 5
  std::size_t seen = 0;
  CHECK(app::for_each_path(newer, [&](const app::PathView&) { ++seen; }));
  CHECK(seen == whole);
}
