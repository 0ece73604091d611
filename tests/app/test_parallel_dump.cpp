// `mrt dump` on worker threads writes what one thread writes: same stdout bytes, same stderr
// messages in the same order, same error count, whatever the batch size.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli/mrt_decoder.hpp"
#include "app/cli/parallel_dump.hpp"
#include "bgp/mrt/input.hpp"
#include "bgp/wire/bytes.hpp"
#include "tests/shared_dumps.hpp"
#include "tests/temp_file.hpp"

namespace fs = std::filesystem;
using namespace bgpfa;
using bgpfa::test::TempFile;

namespace {

struct Dumped {
  std::string out, err;
  std::uint64_t errors = 0;
};

std::string slurp_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// batch_bytes 0: the one-thread loop of dump_file; else dump_parallel with that batch size.
Dumped dump(const std::string& path, std::size_t batch_bytes, app::BgpdumpOptions format = {}) {
  TempFile out_file(".out"), err_file(".err");
  const int out_fd = ::open(out_file.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = ::open(err_file.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  std::fflush(stderr);
  const int saved_err = ::dup(STDERR_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  Dumped d;
  {
    mrt::Reader reader(path);
    app::OutBuffer out(out_fd);
    app::BgpdumpFormat sink(out, format);
    app::MrtDecoder decoder(sink, reader.name(), false);
    if (batch_bytes == 0) {
      reader.on_error = [&](const mrt::ReadError& e) { decoder.read_error(e); };
      mrt::Record r;
      try {
        while (reader.next(r)) decoder.record(r);
      } catch (const std::exception& e) {
        decoder.read_error(mrt::ReadError{reader.name(), r.index + 1, 0, e.what()});
      }
    } else {
      app::ParallelDumpOptions p;
      p.workers = 2;
      p.batch_bytes = batch_bytes;
      p.format = format;
      app::dump_parallel(reader, decoder, out, p);
    }
    decoder.finish();
    d.errors = decoder.errors();
  }
  std::fflush(stderr);
  ::dup2(saved_err, STDERR_FILENO);
  ::close(saved_err);
  ::close(err_fd);
  ::close(out_fd);
  d.out = slurp_file(out_file.path());
  d.err = slurp_file(err_file.path());
  return d;
}

void check_same(const std::string& path, app::BgpdumpOptions format = {}) {
  const Dumped one = dump(path, 0, format);
  for (std::size_t batch : {std::size_t{1}, std::size_t{4096}, std::size_t{128} << 10}) {
    INFO(path << " in batches of " << batch << " bytes");
    const Dumped many = dump(path, batch, format);
    CHECK(many.out.size() == one.out.size());
    CHECK(many.out == one.out);
    CHECK(many.err == one.err);
    CHECK(many.errors == one.errors);
  }
}

const fs::path kShared = BGPFA_SHARED_DIR "/fixtures/mrt";

std::vector<std::uint8_t> read_all(const std::string& path) {
  auto src = mrt::open_input(path);
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  for (std::size_t n; (n = src->read(buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

}  // namespace

TEST_CASE("mrt dump in batches on worker threads writes what one thread writes", "[mrt][parallel][golden]") {
  if (!fs::exists(kShared)) {
    WARN("skipped: " << kShared << " is absent (the shared fixtures live beside the checkout)");
    return;
  }
  int files = 0;
  for (const auto& dump : test::shared_dumps(kShared)) {
    ++files;
    check_same(dump.string());
  }
  CHECK(files >= 16);
  // -M and -t change take other paths through the renderer.
  app::BgpdumpOptions human;
  human.human_time = true;
  human.change_time = true;
  check_same((kShared / "ris/bview.ipv4_unicast_add_path.gz").string(), human);
  check_same((kShared / "samples/bird_bgp").string(), human);
}

TEST_CASE("mrt dump on worker threads keeps framing errors and a broken gzip stream in file order",
          "[mrt][parallel][golden]") {
  const fs::path dump_path = kShared / "ris/updates.20071015.1505.gz";
  if (!fs::exists(dump_path)) {
    WARN("skipped: " << dump_path << " is absent (the shared fixtures live beside the checkout)");
    return;
  }
  auto bytes = read_all(dump_path.string());
  std::vector<std::size_t> starts;
  for (std::size_t p = 0; p + 12 <= bytes.size(); p += 12 + wire::load_u32(&bytes[p + 8])) starts.push_back(p);
  REQUIRE(starts.size() > 1000);
  // A byte inserted before records spread over the file: each costs a resynchronisation that
  // lands in a different batch.
  for (std::size_t k = 5; k-- > 1;) bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(starts[k * starts.size() / 5]), 0x41);
  TempFile damaged(".mrt");
  damaged.write(bytes);
  const Dumped d = dump(damaged.path(), 0);
  CHECK(d.errors == 4);
  check_same(damaged.path());

  // A gzip stream cut in the middle: the decompression error comes after the last whole record.
  std::ifstream f(dump_path, std::ios::binary);
  std::vector<std::uint8_t> stored((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  stored.resize(stored.size() / 2);
  TempFile cut(".gz");
  cut.write(stored);
  const Dumped c = dump(cut.path(), 0);
  CHECK_THAT(c.err, Catch::Contains("stream is corrupt or truncated"));
  check_same(cut.path());
}

TEST_CASE("the load figures for the worker choice are read from /proc/stat's and /proc/loadavg's texts",
          "[mrt][parallel]") {
  CHECK(app::load_average("2.66 3.07 2.97 2/81 25007\n") == Approx(2.66));
  CHECK(app::load_average("0.05 0.10 0.20 1/80 1\n") == Approx(0.05));
  CHECK(app::load_average("12 3 4") == Approx(12.0));
  CHECK(app::load_average("") == 0.0);
  CHECK(app::procs_running("cpu  1 2 3\nctxt 9\nprocs_running 3\nprocs_blocked 0\n") == 3);
  CHECK(app::procs_running("cpu  1 2 3\nprocs_running 12") == 12);
  CHECK(app::procs_running("cpu  1 2 3\nprocs_blocked 0\n") == 0);
}
