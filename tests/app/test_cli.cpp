// The command line itself: exit codes (0 ok, 1 not found / errors, 2 usage) and plain errors.
#include <catch2/catch.hpp>

#include "tests/app/run.hpp"

using namespace bgpfa::test;

TEST_CASE("cli: an unknown command is named, usage errors exit 2", "[cli]") {
  auto foo = run_bgpfa("foo");
  CHECK(foo.status == 2);
  CHECK_THAT(foo.err, Catch::Contains("unknown command \"foo\""));
  CHECK_THAT(foo.err, Catch::Contains("replay"));
  auto none = run_bgpfa("");
  CHECK(none.status == 2);
  auto missing = run_bgpfa("replay");
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("--config is required"));
  auto speed = run_bgpfa("replay -c x --speed 0 y");
  CHECK(speed.status == 2);
  CHECK_THAT(speed.err, Catch::Contains("--speed takes a positive factor of real time"));
  CHECK(speed.err.size() < 200);  // no 300-digit range
  auto help = run_bgpfa("--help");
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::Contains("replay"));
}

TEST_CASE("cli: replay of a file that is not MRT says so and stops", "[cli][replay]") {
  const std::string conf = BGPFA_SOURCE_DIR "/fixtures/failover/bgpfa.conf";
  auto r = run_bgpfa("replay -c " + conf + " " + conf);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains(": not an MRT file (no MRT record in it)"));
  CHECK(r.out.empty());  // no report on nothing
}
