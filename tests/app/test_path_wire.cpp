// ListPaths' own encoder (app/grpc/path_wire.hpp) against protobuf's: for the rows of real
// replays, the bytes must be those v1::PathBatch::SerializeAsString writes for to_proto's Path.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "app/cli/replay.hpp"
#include "app/grpc/convert.hpp"
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
