// `bgpfa mrt dump -m` against bgpdump's own output for every dump in ../shared/fixtures/mrt.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include "tests/app/run.hpp"
#include "tests/shared_dumps.hpp"

namespace fs = std::filesystem;
using bgpfa::test::run_bgpfa;
using bgpfa::test::slurp;

namespace {

std::string gunzip(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  boost::iostreams::filtering_istream in;
  in.push(boost::iostreams::gzip_decompressor());
  in.push(f);
  std::ostringstream s;
  boost::iostreams::copy(in, s);
  return s.str();
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

const fs::path kShared = BGPFA_SHARED_DIR "/fixtures/mrt";

// bird_bgp holds BGP4MP_MESSAGE_AS4 records whose NLRI carry ADD-PATH identifiers. bgpdump
// prints them as nonsense prefixes (0.0.0.0/0, 24.0.0.0/2 ...); bgpfa detects the mislabelling
// and prints the real routes, kept in tests/golden/bird_bgp.corrected.
const std::set<std::string> kMislabelled = {"bird_bgp"};

}  // namespace

TEST_CASE("mrt dump -m is byte-identical to bgpdump on every shared fixture", "[golden]") {
  if (!fs::exists(kShared)) {
    WARN("skipped: " << kShared << " is absent (the shared fixtures live beside the checkout)");
    return;
  }
  int files = 0;
  for (const auto& dump : bgpfa::test::shared_dumps(kShared)) {
    const std::string name = dump.filename().string();
    fs::path expected = dump;
    expected += ".bgpdump-vm";
    std::string want;
    if (fs::exists(expected)) want = slurp(expected.string());
    else if (fs::exists(expected.string() + ".gz")) want = gunzip(expected.string() + ".gz");
    else continue;
    ++files;
    INFO("fixture " << dump);
    const auto got = run_bgpfa("mrt dump -m " + dump.string());
    if (kMislabelled.count(name)) {
      CHECK_THAT(got.err, Catch::Contains("mislabelled ADD-PATH"));
      CHECK(got.out == slurp(BGPFA_SOURCE_DIR "/tests/golden/" + name + ".corrected"));
      // Every bgpdump line we do not reproduce is one of its nonsense prefixes.
      const auto ours = lines(got.out);
      const std::set<std::string> our_set(ours.begin(), ours.end());
      for (const auto& l : lines(want)) {
        if (our_set.count(l)) continue;
        INFO("bgpdump line " << l);
        CHECK((l.find("|0.0.0.0/0|") != std::string::npos || l.find("|24.0.0.0/") != std::string::npos));
      }
      continue;
    }
    CHECK(got.out == want);
    if (got.out != want) {  // show the first differing line
      const auto a = lines(got.out), b = lines(want);
      for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        const std::string x = i < a.size() ? a[i] : "<none>", y = i < b.size() ? b[i] : "<none>";
        if (x != y) {
          FAIL_CHECK("line " << i + 1 << "\n ours:    " << x << "\n bgpdump: " << y);
          break;
        }
      }
    }
    // Only the record with the truncated NLRI tail is an error; the rest exit clean.
    CHECK(got.status == (name == "updates.nlri_mask_trailing_bits.gz" ? 1 : 0));
  }
  CHECK(files >= 16);
}
