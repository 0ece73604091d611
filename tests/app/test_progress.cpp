// Progress on a terminal for replay and mrt dump: the line's figures, the size rule, and the
// real binary in a pseudo-terminal (forkpty): a self-overwriting line, at most ~4 redraws a
// second, cleared at the end, error lines not glued to it; nothing at all when stderr is not a
// terminal.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>

#include <fmt/format.h>

#include "app/cli/progress.hpp"
#include "tests/app/run.hpp"

using namespace bgpfa;
using namespace bgpfa::test;

namespace {

struct PtyRun {
  std::string err;  // what the terminal got (stderr; stdout goes to a file)
  int status = -1;
  double seconds = 0;
};

// bgpfa with stderr on a pseudo-terminal of `cols` columns and stdout into `out`.
PtyRun run_in_pty(const std::vector<std::string>& args, const std::string& out, unsigned short cols = 200) {
  std::vector<std::string> argv{BGPFA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c;
  for (auto& a : argv) c.push_back(a.data());
  c.push_back(nullptr);
  winsize ws{};
  ws.ws_row = 24;
  ws.ws_col = cols;
  int master = -1;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child: only async-signal-safe calls
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::dup2(fd, 1) < 0) ::_exit(126);
    ::close(fd);
    ::execv(c[0], c.data());
    ::_exit(127);
  }
  PtyRun r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    r.err.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// The bundled capture repeated: a plain file over the 64 MiB rule (about 1.5 M records).
const std::string& big_plain_dump() {
  static TempFile file(".mrt");
  static bool made = false;
  if (!made) {
    const auto one = slurp(std::string(BGPFA_SOURCE_DIR) + "/fixtures/failover/capture.mrt");
    std::ofstream f(file.path(), std::ios::binary);
    for (std::uint64_t n = 0; n * one.size() <= app::kProgressMinBytes; ++n) f << one;
    made = true;
  }
  static const std::string path = file.path();
  return path;
}

}  // namespace

TEST_CASE("progress: the line's figures and the size rule", "[progress]") {
  using app::Progress;
  CHECK(Progress::line("replay", 1'234'567, 2.0, 25u << 20, 100u << 20, 200) ==
        "bgpfa: replay: 1.23M records, 617.3k/s, 25% of 100.0 MiB, ETA 0:06");
  CHECK(Progress::line("x.mrt", 512, 0.5, 0, 0, 200) == "bgpfa: x.mrt: 512 records, 1024/s");  // unknown size (stdin)
  CHECK(Progress::line("u.gz", 20'000, 10.0, 1u << 20, 3u << 30, 200) ==
        "bgpfa: u.gz: 20.0k records, 2000/s, 0% of 3.0 GiB, ETA 8:31:50");
  CHECK(Progress::line("replay", 1'234'567, 2.0, 25u << 20, 100u << 20, 20) == "bgpfa: replay: 1.23");  // 19 columns: no wrap
  using app::ProgressMode;
  using app::progress_wanted;
  const std::uint64_t big = app::kProgressMinBytes + 1;
  CHECK_FALSE(progress_wanted(ProgressMode::Always, false, big, 0));  // never without a terminal
  CHECK_FALSE(progress_wanted(ProgressMode::Auto, false, big, big));
  CHECK(progress_wanted(ProgressMode::Auto, true, big, 0));
  CHECK_FALSE(progress_wanted(ProgressMode::Auto, true, big - 1, 0));
  CHECK(progress_wanted(ProgressMode::Auto, true, 0, (8u << 20) + 1));  // compressed: 8 times its size
  CHECK_FALSE(progress_wanted(ProgressMode::Auto, true, 0, 8u << 20));
  CHECK(progress_wanted(ProgressMode::Always, true, 10, 0));
  CHECK_FALSE(progress_wanted(ProgressMode::Never, true, big, big));
}

TEST_CASE("progress: replay in a pseudo-terminal, redrawn at most 4 times a second, cleared at the end", "[progress]") {
  const std::string src = BGPFA_SOURCE_DIR;
  TempFile report, out;
  // 90.8 s of capture at 60 x: about 1.5 s of replay, paced.
  auto r = run_in_pty({"replay", "-c", src + "/fixtures/failover/bgpfa.conf", src + "/fixtures/failover/capture.mrt",
                       "--speed", "60", "--progress", "-o", report.path()},
                      out.path());
  CHECK(r.status == 0);
  INFO(r.err);
  const auto draws = count_of(r.err, "\rbgpfa: replay: ");
  CHECK(draws >= 3);
  CHECK(static_cast<double>(draws) <= r.seconds * 4 + 2);
  CHECK(std::regex_search(r.err, std::regex(R"(\rbgpfa: replay: \d+ records, \d+/s, 100% of 1\.1 KiB, ETA 0:00\x1b\[K)")));
  CHECK_THAT(r.err, Catch::EndsWith("\x1b[K\r\x1b[K"));  // the last line is cleared
  CHECK(r.err.find('\n') == std::string::npos);         // one line, overwritten, never scrolled
  CHECK_THAT(slurp(report.path()), Catch::StartsWith("bgpfa replay: 3 peers, 5 prefixes"));

  // A small input without --progress: nothing on the terminal.
  auto quiet = run_in_pty({"replay", "-c", src + "/fixtures/failover/bgpfa.conf", src + "/fixtures/failover/capture.mrt",
                           "-o", report.path()},
                          out.path());
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("progress: mrt dump of a large file on a terminal; nothing without one", "[progress]") {
  const std::string& big = big_plain_dump();
  TempFile out;
  auto r = run_in_pty({"mrt", "dump", "-m", big, "-O", out.path()}, out.path(), 200);
  CHECK(r.status == 0);
  const auto draws = count_of(r.err, fmt::format("\rbgpfa: {}: ", big));
  CHECK(draws >= 1);
  CHECK(static_cast<double>(draws) <= r.seconds * 4 + 2);
  CHECK(std::regex_search(r.err, std::regex(R"( records, [0-9.]+[kM]?/s, \d+% of 64\.\d MiB, ETA \d+:\d\d)")));
  CHECK_THAT(r.err, Catch::EndsWith("\r\x1b[K"));
  // A narrow terminal: the line is cut to fit, so the next "\r" still overwrites it.
  auto narrow = run_in_pty({"mrt", "dump", "-m", big, "-O", out.path()}, out.path(), 30);
  std::smatch m;
  const std::string narrow_err = narrow.err;
  REQUIRE(std::regex_search(narrow_err, m, std::regex("\r([^\r\x1b]*)\x1b\\[K")));
  CHECK(m[1].length() == 29);
  auto off = run_in_pty({"mrt", "dump", "-m", "--no-progress", big, "-O", out.path()}, out.path());
  CHECK(off.status == 0);
  CHECK(off.err.empty());

  // stderr not a terminal: not a byte, even when asked for.
  auto file = run_bgpfa("mrt dump -m " + big + " -O " + out.path());
  CHECK(file.status == 0);
  CHECK(file.err.empty());
  auto forced = run_bgpfa("mrt dump -m --progress " + big + " -O " + out.path());
  CHECK(forced.err.empty());
  const std::string src = BGPFA_SOURCE_DIR;
  auto replay = run_bgpfa("replay -q --progress -c " + src + "/fixtures/failover/bgpfa.conf " + big + " -o " + out.path());
  CHECK(replay.status == 0);
  CHECK(replay.err.empty());
}

TEST_CASE("progress: an error line during progress starts on a line of its own", "[progress]") {
  // The large file with a stray byte in its middle: one resynchronisation error mid-way.
  const std::string& big = big_plain_dump();
  auto bytes = slurp(big);
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2 / 1088 * 1088), '\x01');
  TempFile damaged(".mrt"), out;
  std::ofstream(damaged.path(), std::ios::binary) << bytes;
  auto r = run_in_pty({"mrt", "dump", "-m", damaged.path(), "-O", out.path()}, out.path());
  CHECK(r.status == 1);
  INFO(r.err);
  const auto at = r.err.find("bgpfa: error file=");
  REQUIRE(at != std::string::npos);
  REQUIRE(at >= 4);
  CHECK(r.err.substr(at - 4, 4) == "\r\x1b[K");  // the progress line was cleared first
  CHECK(count_of(r.err, fmt::format("\rbgpfa: {}: ", damaged.path())) >= 1);
}
