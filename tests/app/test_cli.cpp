// The command line itself: exit codes (0 ok, 1 not found / errors, 2 usage) and plain errors.
#include <catch2/catch.hpp>

#include "app/cli/live_exec.hpp"
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

TEST_CASE("cli: bgpfa hands the gRPC commands to bgpfa-live and loads no gRPC itself", "[cli]") {
  // The client reached bgpfa-live's gRPC code: its error is the connection's, not a missing program.
  auto client = run_bgpfa("summary -s unix:/nonexistent/bgpfa.sock");
  CHECK(client.status == 2);
  CHECK_THAT(client.err, Catch::Contains("not reachable"));
  CHECK_THAT(client.err, !Catch::Contains("bgpfa-live"));
  // What the loader maps for bgpfa itself (LD_TRACE_LOADED_OBJECTS: ldd's list, without running it).
  TempFile libs;
  REQUIRE(std::system(("LD_TRACE_LOADED_OBJECTS=1 " BGPFA_BINARY " >" + libs.path()).c_str()) == 0);
  const std::string loaded = slurp(libs.path());
  CHECK_THAT(loaded, Catch::Contains("libc.so"));
  CHECK_THAT(loaded, !Catch::Contains("libgrpc") && !Catch::Contains("libprotobuf") && !Catch::Contains("libssl"));
  // A bgpfa copied away from its bgpfa-live says where it looked.
  TempFile alone;
  REQUIRE(std::system(("cp " BGPFA_BINARY " " + alone.path() + " && chmod +x " + alone.path()).c_str()) == 0);
  RunResult r;
  {
    TempFile out, err;
    const int rc = std::system((alone.path() + " peers >" + out.path() + " 2>" + err.path()).c_str());
    r = {slurp(out.path()), slurp(err.path()), WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
  }
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("peers needs bgpfa-live"));
  CHECK_THAT(r.err, Catch::Contains("/bgpfa-live (No such file or directory)"));
}

TEST_CASE("cli: bgpfa-live is looked for beside bgpfa, then at the installed place", "[cli]") {
  const auto c = bgpfa::app::live_candidates("/usr/bin/bgpfa", "../libexec/bgpfa/bgpfa-live");
  REQUIRE(c.size() == 2);
  CHECK(c[0] == "/usr/bin/bgpfa-live");
  CHECK(c[1] == "/usr/libexec/bgpfa/bgpfa-live");
}
