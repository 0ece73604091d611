// Damaged real dumps: one inserted byte must cost no more than the record it hits.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "bgp/mrt/input.hpp"
#include "bgp/wire/bytes.hpp"
#include "tests/app/run.hpp"

namespace fs = std::filesystem;
using bgpfa::test::run_bgpfa;
using bgpfa::test::TempFile;

namespace {

std::vector<std::uint8_t> read_all(const std::string& path) {
  auto src = bgpfa::mrt::open_input(path);
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  for (std::size_t n; (n = src->read(buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("one byte inserted between two records of a RIS dump loses nothing", "[mrt][resync][golden]") {
  const fs::path dump = BGPFA_SHARED_DIR "/fixtures/mrt/ris/updates.20071015.1505.gz";
  if (!fs::exists(dump)) {
    WARN("skipped: " << dump << " is absent (the shared fixtures live beside the checkout)");
    return;
  }
  const auto clean = read_all(dump.string());
  std::vector<std::size_t> starts;
  for (std::size_t p = 0; p + 12 <= clean.size(); p += 12 + bgpfa::wire::load_u32(&clean[p + 8])) starts.push_back(p);
  REQUIRE(starts.size() > 1000);
  const auto want = run_bgpfa("mrt dump -m " + dump.string());
  REQUIRE(want.status == 0);
  const std::size_t want_lines = count_lines(want.out);
  // Record 100 is where the example lost 10,441 of 10,496 lines; the others spread out.
  for (std::size_t record : {std::size_t{1}, std::size_t{100}, starts.size() / 2, starts.size() - 1}) {
    for (std::uint8_t b : {0x00, 0x41, 0xff}) {
      INFO("byte " << int{b} << " inserted before record " << record << " at offset " << starts[record]);
      auto damaged = clean;
      damaged.insert(damaged.begin() + static_cast<std::ptrdiff_t>(starts[record]), b);
      TempFile f(".mrt");
      f.write(damaged);
      const auto got = run_bgpfa("mrt dump -m " + f.path());
      CHECK(got.status == 1);
      CHECK(count_lines(got.out) == want_lines);
      CHECK(got.out == want.out);
      CHECK(count_lines(got.err) == 1);
      CHECK_THAT(got.err, Catch::Contains("file=" + f.path() + " record=" + std::to_string(record) +
                                          " offset=" + std::to_string(starts[record]) + ": implausible record header"));
      CHECK_THAT(got.err, Catch::Contains("after skipping 1 bytes"));
    }
  }
}
