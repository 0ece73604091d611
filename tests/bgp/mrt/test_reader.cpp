#include <catch2/catch.hpp>

#include <sstream>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include "bgp/mrt/reader.hpp"
#include "bgp/mrt/writer.hpp"
#include "bgp/wire/update.hpp"
#include "tests/hex.hpp"
#include "tests/temp_file.hpp"

using namespace bgpfa;
using bgpfa::test::hex;
using bgpfa::test::TempFile;

namespace {

mrt::Bgp4mpPeer test_peer() {
  mrt::Bgp4mpPeer p;
  p.peer_as = 65001;
  p.local_as = 65515;
  p.peer_ip = wire::IpAddress::v4(0xc0000201);
  p.local_ip = wire::IpAddress::v4(0xc0000264);
  return p;
}

// Three records: state change, UPDATE, state change.
std::vector<std::uint8_t> three_records() {
  std::vector<std::uint8_t> out;
  mrt::append_bgp4mp_et_state_change(out, {1000, 1}, test_peer(), 5, 6);
  const auto msg = wire::encode_update({}, hex("40010100 400200 400304c0000201"), hex("180a0102"));
  mrt::append_bgp4mp_et_message(out, {1000, 2}, test_peer(), false, msg);
  mrt::append_bgp4mp_et_state_change(out, {1001, 0}, test_peer(), 6, 1);
  return out;
}

struct Collected {
  std::vector<mrt::RecordHeader> headers;
  std::vector<std::uint64_t> offsets;
  std::vector<mrt::ReadError> errors;
};

Collected read_all(const std::string& path) {
  Collected c;
  mrt::Reader r(path);
  r.on_error = [&](const mrt::ReadError& e) { c.errors.push_back(e); };
  mrt::Record rec;
  while (r.next(rec)) {
    c.headers.push_back(rec.header);
    c.offsets.push_back(rec.offset);
  }
  return c;
}

template <class Compressor>
std::vector<std::uint8_t> compress(const std::vector<std::uint8_t>& in, Compressor c) {
  std::ostringstream os;
  boost::iostreams::filtering_ostream f;
  f.push(c);
  f.push(os);
  f.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
  f.reset();
  const std::string s = os.str();
  return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("BGP4MP_ET records round-trip through the writer and reader", "[mrt][reader]") {
  TempFile f;
  f.write(three_records());
  auto c = read_all(f.path());
  CHECK(c.errors.empty());
  REQUIRE(c.headers.size() == 3);
  CHECK(c.headers[0].type == 17);
  CHECK(c.headers[0].subtype == mrt::bgp4mp::kStateChangeAs4);
  CHECK(c.headers[0].microseconds == 1);
  CHECK(c.headers[1].subtype == mrt::bgp4mp::kMessageAs4);
  CHECK(c.headers[1].microseconds == 2);
  CHECK(c.headers[2].seconds == 1001);
  CHECK(c.offsets[0] == 0);
  CHECK(c.offsets[1] == 16 + 24);
}

TEST_CASE("every supported compression decodes to the same records", "[mrt][reader][compression]") {
  const auto plain = three_records();
  namespace io = boost::iostreams;
  for (auto [name, bytes] : {std::pair{"gzip", compress(plain, io::gzip_compressor())},
                             std::pair{"bzip2", compress(plain, io::bzip2_compressor())},
                             std::pair{"xz", compress(plain, io::lzma_compressor())}}) {
    INFO(name);
    TempFile f;
    f.write(bytes);
    auto c = read_all(f.path());
    CHECK(c.errors.empty());
    CHECK(c.headers.size() == 3);
    CHECK(mrt::open_input(f.path())->compression() != mrt::Compression::None);
  }
}

TEST_CASE("concatenated gzip members are read as one stream", "[mrt][reader][compression]") {
  auto a = compress(three_records(), boost::iostreams::gzip_compressor());
  const auto b = a;
  a.insert(a.end(), b.begin(), b.end());
  TempFile f;
  f.write(a);
  auto c = read_all(f.path());
  CHECK(c.errors.empty());
  CHECK(c.headers.size() == 6);
}

TEST_CASE("a truncated last record is reported with its offset", "[mrt][reader][errors]") {
  auto bytes = three_records();
  bytes.resize(bytes.size() - 3);
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(c.headers.size() == 2);
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].record_index == 2);
  CHECK(c.errors[0].offset == c.offsets[1] + 16 + 20 + 41);
  CHECK_THAT(c.errors[0].what, Catch::Contains("truncated record"));
}

TEST_CASE("a corrupt length resynchronises on the next record", "[mrt][reader][errors]") {
  auto bytes = three_records();
  const std::size_t second = 16 + 24;
  bytes[second + 8] = 0x7f;  // absurd length in the second record's header
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  REQUIRE(c.headers.size() == 2);
  CHECK(c.headers[1].seconds == 1001);
  REQUIRE(c.errors.size() == 2);
  CHECK(c.errors[0].offset == second);
  CHECK_THAT(c.errors[0].what, Catch::Contains("implausible record length"));
  CHECK_THAT(c.errors[1].what, Catch::Contains("resynchronised"));
}

TEST_CASE("missing files and truncated compressed data are clear errors", "[mrt][reader][errors]") {
  CHECK_THROWS_WITH(mrt::Reader("/nonexistent/file.mrt"), Catch::Contains("cannot open"));
  auto gz = compress(three_records(), boost::iostreams::gzip_compressor());
  gz.resize(gz.size() / 2);
  TempFile f;
  f.write(gz);
  mrt::Reader r(f.path());
  mrt::Record rec;
  CHECK_THROWS_WITH([&] { while (r.next(rec)) {} }(), Catch::Contains("gzip stream is corrupt or truncated"));
}
