#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli/capture.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bgpfa::app::Capture;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("bgpfa-capture-test-" + std::to_string(::getpid()));
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A file whose last write was `age` before `now`: the fake age the retention test needs.
void make(const fs::path& p, std::chrono::system_clock::time_point now, std::chrono::seconds age) {
  std::ofstream(p) << "x";
  fs::last_write_time(p, std::chrono::file_clock::from_sys(now - age));
}
}  // namespace

TEST_CASE("capture keep: old capture files go at rotation, recent and foreign ones stay", "[capture]") {
  TempDir d;
  const auto now = std::chrono::system_clock::now();
  const fs::path old1 = d.path / "bgpfa-20260101-000000.mrt", old2 = d.path / "bgpfa-20260102-001500.mrt";
  const fs::path recent = d.path / "bgpfa-20260120-000000.mrt", edge = d.path / "bgpfa-20260121-000000.mrt";
  const fs::path foreign = d.path / "routes.mrt", notes = d.path / "bgpfa-notes.mrt";
  make(old1, now, 8 * 24h);
  make(old2, now, 7 * 24h + 1min);
  make(recent, now, 24h);
  make(edge, now, 7 * 24h - 1h);  // still within keep 20 minutes later
  make(foreign, now, 30 * 24h);
  make(notes, now, 30 * 24h);
  std::vector<std::string> log;
  Capture c(d.path.string(), 15min, [&](const std::string& l) { log.push_back(l); }, 7 * 24h);

  SECTION("prune(now) directly") {
    CHECK(c.prune(now) == 2);
    CHECK_FALSE(fs::exists(old1));
    CHECK_FALSE(fs::exists(old2));
    REQUIRE(log.size() == 2);
    for (const auto& l : log) {
      CHECK(l.rfind("removed " + d.path.string() + "/bgpfa-2026010", 0) == 0);
      CHECK(l.find("older than keep 7d0h") != std::string::npos);
    }
    CHECK(c.prune(now) == 0);  // nothing left to remove
  }
  SECTION("the first file and each rotation prune") {
    const auto us = [](std::chrono::system_clock::time_point t) {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
    };
    c.write(us(now), {1, 2, 3});
    CHECK_FALSE(fs::exists(old1));
    CHECK_FALSE(fs::exists(old2));
    const std::string first = c.file();
    REQUIRE(fs::exists(first));
    // The recent file ages past `keep` by the next rotation, 20 minutes later; the open file is
    // never deleted, however old its mtime, and the one just closed is recent.
    fs::last_write_time(recent, std::chrono::file_clock::from_sys(now - 8 * 24h));
    c.write(us(now + 20min), {4, 5, 6});
    CHECK(c.file() != first);
    CHECK_FALSE(fs::exists(recent));
    CHECK(fs::exists(first));
    fs::last_write_time(c.file(), std::chrono::file_clock::from_sys(now - 30 * 24h));
    CHECK(c.prune(now) == 0);
    CHECK(fs::exists(c.file()));
  }
  CHECK(fs::exists(edge));
  CHECK(fs::exists(foreign));
  CHECK(fs::exists(notes));
}

TEST_CASE("capture without keep deletes nothing", "[capture]") {
  TempDir d;
  const auto now = std::chrono::system_clock::now();
  const fs::path old = d.path / "bgpfa-20200101-000000.mrt";
  make(old, now, 365 * 24h);
  Capture c(d.path.string(), 15min, [](const std::string&) {});
  CHECK(c.prune(now) == 0);
  CHECK(fs::exists(old));
}
