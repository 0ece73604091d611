#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

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

namespace {

// `n` records each carrying 3000 pseudo-random octets (an unknown optional attribute), so that
// the compressed stream is larger than the decompressor's input and output buffers (256 KiB).
std::vector<std::uint8_t> incompressible_records(int n) {
  std::vector<std::uint8_t> out;
  std::uint32_t x = 12345;
  for (int i = 0; i < n; ++i) {
    auto attrs = hex("40010100 400200 400304c0000201 d0ff0bb8");
    for (int k = 0; k < 3000; ++k) {
      x = x * 1103515245u + 12345u;
      attrs.push_back(static_cast<std::uint8_t>(x >> 24));
    }
    mrt::append_bgp4mp_et_message(out, {1000 + static_cast<std::uint32_t>(i), 0}, test_peer(), false,
                                  wire::encode_update({}, attrs, hex("180a0101")));
  }
  return out;
}

std::string first_error_of(const std::string& path) {
  mrt::Reader r(path);
  mrt::Record rec;
  try {
    while (r.next(rec)) {}
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("gzip members larger than the inflate buffers, and their boundaries inside them, lose no byte",
          "[mrt][reader][compression]") {
  // Three members of 100, 300 and 7 records: the boundaries fall inside an input buffer and at
  // arbitrary points of the output chunks.
  namespace io = boost::iostreams;
  const auto a = incompressible_records(100), b = incompressible_records(300), c = incompressible_records(7);
  std::vector<std::uint8_t> gz;
  for (const auto* part : {&a, &b, &c}) {
    const auto m = compress(*part, io::gzip_compressor());
    gz.insert(gz.end(), m.begin(), m.end());
  }
  REQUIRE(gz.size() > (600u << 10));
  TempFile f;
  f.write(gz);
  auto got = read_all(f.path());
  CHECK(got.errors.empty());
  REQUIRE(got.headers.size() == 407);
  CHECK(got.offsets[100] == a.size());
  CHECK(got.offsets[400] == a.size() + b.size());
  CHECK(first_error_of(f.path()).empty());
}

TEST_CASE("the records inflated before gzip damage are all read before its error",
          "[mrt][reader][compression][errors]") {
  // 200 records of ~3 KB (about 2.4 inflate chunks), then bytes that are not a gzip member: all
  // 200 records come out before the error: none is lost with a partly filled chunk, nor the
  // last one to the reader's look at the header after it.
  auto gz = compress(incompressible_records(200), boost::iostreams::gzip_compressor());
  for (char ch : std::string("junk")) gz.push_back(static_cast<std::uint8_t>(ch));
  TempFile f;
  f.write(gz);
  mrt::Reader r(f.path());
  mrt::Record rec;
  std::size_t records = 0;
  std::string error;
  try {
    while (r.next(rec)) ++records;
  } catch (const std::exception& e) {
    error = e.what();
  }
  CHECK(records == 200);
  CHECK_THAT(error, Catch::Contains("are not a gzip member"));
}

TEST_CASE("gzip damage is named: a bad CRC-32, bytes after the last member, a truncated member",
          "[mrt][reader][compression][errors]") {
  namespace io = boost::iostreams;
  const auto gz = compress(three_records(), io::gzip_compressor());
  {
    auto bad = gz;
    bad[bad.size() - 8] ^= 0x01;  // the CRC-32 of the trailer
    TempFile f;
    f.write(bad);
    CHECK_THAT(first_error_of(f.path()), Catch::Contains("gzip stream is corrupt or truncated") &&
                                             Catch::Contains("CRC-32 or length mismatch in gzip member 1"));
  }
  {
    auto trailing = gz;
    for (char ch : std::string("junk")) trailing.push_back(static_cast<std::uint8_t>(ch));
    TempFile f;
    f.write(trailing);
    CHECK_THAT(first_error_of(f.path()),
               Catch::Contains(fmt::format("the bytes at compressed offset {} after gzip member 1 are not a gzip member",
                                           gz.size())));
  }
  {
    auto cut = compress(incompressible_records(200), io::gzip_compressor());
    cut.resize(cut.size() * 2 / 3);
    TempFile f;
    f.write(cut);
    CHECK_THAT(first_error_of(f.path()), Catch::Contains("the file ends inside gzip member 1"));
  }
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
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].offset == second);
  CHECK_THAT(c.errors[0].what, Catch::Contains("implausible record length"));
  CHECK_THAT(c.errors[0].what, Catch::Contains("resynchronised at offset 117 after skipping 77 bytes"));
}

namespace {

// N BGP4MP_ET UPDATE records one second apart; `starts` gets each record's offset.
std::vector<std::uint8_t> updates(int n, std::vector<std::size_t>& starts, std::uint32_t t0 = 1000) {
  std::vector<std::uint8_t> out;
  for (int i = 0; i < n; ++i) {
    starts.push_back(out.size());
    auto nlri = hex("180a01");
    nlri.push_back(static_cast<std::uint8_t>(i));
    const auto msg = wire::encode_update({}, hex("40010100 400200 400304c0000201"), nlri);
    mrt::append_bgp4mp_et_message(out, {t0 + static_cast<std::uint32_t>(i), 0}, test_peer(), false, msg);
  }
  return out;
}

std::vector<std::uint32_t> seconds_of(const Collected& c) {
  std::vector<std::uint32_t> s;
  for (const auto& h : c.headers) s.push_back(h.seconds);
  return s;
}

std::vector<std::uint32_t> range_except(std::uint32_t from, std::uint32_t to, std::vector<std::uint32_t> missing) {
  std::vector<std::uint32_t> s;
  for (std::uint32_t t = from; t < to; ++t)
    if (std::find(missing.begin(), missing.end(), t) == missing.end()) s.push_back(t);
  return s;
}

class MemorySource final : public mrt::ByteSource {
 public:
  explicit MemorySource(std::vector<std::uint8_t> d) : d_(std::move(d)) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    const std::size_t k = std::min(n, d_.size() - pos_);
    std::copy_n(d_.data() + pos_, k, dst);
    pos_ += k;
    return k;
  }
  mrt::Compression compression() const noexcept override { return mrt::Compression::None; }
  std::uint64_t stored_size() const noexcept override { return d_.size(); }
  std::uint64_t stored_consumed() const noexcept override { return pos_; }

 private:
  std::vector<std::uint8_t> d_;
  std::size_t pos_ = 0;
};

}  // namespace

TEST_CASE("one byte inserted between two records costs no record", "[mrt][reader][errors][resync]") {
  for (std::uint8_t b : {0x00, 0x10, 0x41, 0xff}) {
    INFO("inserted byte " << int{b});
    std::vector<std::size_t> starts;
    auto bytes = updates(20, starts);
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(starts[7]), b);
    TempFile f;
    f.write(bytes);
    auto c = read_all(f.path());
    CHECK(seconds_of(c) == range_except(1000, 1020, {}));
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].file == f.path());
    CHECK(c.errors[0].offset == starts[7]);
    CHECK(c.errors[0].record_index == 7);
    CHECK_THAT(c.errors[0].what, Catch::StartsWith("implausible record header"));
    CHECK_THAT(c.errors[0].what, Catch::EndsWith(fmt::format("resynchronised at offset {} after skipping 1 bytes",
                                                              starts[7] + 1)));
  }
}

TEST_CASE("a header that is not an MRT type is skipped, not read as a truncated record", "[mrt][reader][errors][resync]") {
  std::vector<std::size_t> starts;
  auto bytes = updates(10, starts);
  // Record 4's type becomes 41745 and its length 16 MiB: before, the rest of the file was lost.
  bytes[starts[4] + 4] = 0xa3;
  bytes[starts[4] + 9] = 0x01;
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(seconds_of(c) == range_except(1000, 1010, {1004}));
  REQUIRE(c.errors.size() == 1);
  CHECK_THAT(c.errors[0].what, Catch::Contains("type 41745 subtype 4 is not an MRT record type"));
  CHECK_THAT(c.errors[0].what, Catch::Contains(fmt::format("after skipping {} bytes", starts[5] - starts[4])));
}

TEST_CASE("a length that overruns the input resynchronises when records follow", "[mrt][reader][errors][resync]") {
  std::vector<std::size_t> starts;
  auto bytes = updates(10, starts);
  bytes[starts[3] + 9] = 0x10;  // 1 MiB and more: past the end of this small input
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(seconds_of(c) == range_except(1000, 1010, {1003}));
  REQUIRE(c.errors.size() == 1);
  CHECK_THAT(c.errors[0].what, Catch::Contains("only"));
  CHECK_THAT(c.errors[0].what, Catch::Contains("remain; resynchronised at offset"));
}

TEST_CASE("a wrong length that fits the input costs only its own record", "[mrt][reader][errors][resync]") {
  std::vector<std::size_t> starts;
  auto bytes = updates(12, starts);
  // Record 2 claims to run into the middle of record 8, swallowing 3..7.
  const std::uint32_t len = static_cast<std::uint32_t>(starts[8] + 5 - starts[2] - 12);
  wire::store_u32(&bytes[starts[2] + 8], len);
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(seconds_of(c) == range_except(1000, 1012, {1002}));
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].offset == starts[2]);
  CHECK_THAT(c.errors[0].what, Catch::Contains("a record starts inside it"));
}

TEST_CASE("bytes inside the first record that look like records do not replace it", "[mrt][reader][errors][resync]") {
  // Record 0 carries an unknown attribute holding two back-to-back MRT headers (58 days off);
  // then record 1's header is damaged. The search for a record starting inside record 0 must
  // not take those bytes for records (there is no previous record's time to compare with).
  std::vector<std::uint8_t> bytes;
  const auto attrs = hex("40010100 400200 400304c0000201 c0ff18 004c4b40 0010 0001 00000000 004c4b40 0010 0001 00000000");
  mrt::append_bgp4mp_et_message(bytes, {1000, 0}, test_peer(), false, wire::encode_update({}, attrs, hex("180a0100")));
  std::vector<std::size_t> starts;
  auto rest = updates(5, starts, 1001);
  for (auto& st : starts) st += bytes.size();
  bytes.insert(bytes.end(), rest.begin(), rest.end());
  bytes[starts[0] + 4] = 0xff;  // record 1: type 65296
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(seconds_of(c) == std::vector<std::uint32_t>{1000, 1002, 1003, 1004, 1005});
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].offset == starts[0]);
}

TEST_CASE("a timestamp far from both neighbours' is an implausible header", "[mrt][reader][errors][resync]") {
  std::vector<std::size_t> starts;
  auto bytes = updates(8, starts);
  wire::store_u32(&bytes[starts[5]], 1000 + 10 * 86400);
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(seconds_of(c) == range_except(1000, 1008, {1005}));
  REQUIRE(c.errors.size() == 1);
  CHECK_THAT(c.errors[0].what, Catch::Contains("timestamp 865000 is more than 86400 s from"));
}

TEST_CASE("dumps of different days concatenated are read whole", "[mrt][reader][resync]") {
  std::vector<std::size_t> starts;
  auto bytes = updates(4, starts);
  const auto later = updates(4, starts, 1000 + 30 * 86400);
  bytes.insert(bytes.end(), later.begin(), later.end());
  TempFile f;
  f.write(bytes);
  auto c = read_all(f.path());
  CHECK(c.errors.empty());
  CHECK(c.headers.size() == 8);
}

TEST_CASE("the buffer grows with the bytes that arrive, not with a declared length", "[mrt][reader]") {
  // A 12-byte input declaring a 62.9 MB BGP4MP record: it used to allocate 64 MB first.
  mrt::Reader r(std::make_unique<MemorySource>(hex("00000001 0010 0001 03c00000")), "mem", 4096);
  std::vector<std::string> errors;
  r.on_error = [&](const mrt::ReadError& e) { errors.push_back(e.what); };
  mrt::Record rec;
  CHECK_FALSE(r.next(rec));
  CHECK(r.buffer_capacity() == 4096);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "truncated record: BGP4MP/MESSAGE declares 62914560 body bytes, only 0 remain");

  // A record larger than the buffer still arrives whole (a 5000-octet unknown attribute).
  auto attrs = hex("40010100 400200 400304c0000201 d0ff1388");
  attrs.resize(attrs.size() + 5000, 0x5a);
  std::vector<std::uint8_t> large;
  mrt::append_bgp4mp_et_message(large, {1000, 0}, test_peer(), false, wire::encode_update({}, attrs, hex("180a0101")));
  mrt::Reader r2(std::make_unique<MemorySource>(large), "mem", 64);
  REQUIRE(r2.next(rec));
  CHECK(rec.body.size() + 16 == large.size());
  CHECK_FALSE(r2.next(rec));
  CHECK(r2.buffer_capacity() < 2 * large.size());
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
