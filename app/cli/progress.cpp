#include "app/cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace bgpfa::app {

bool progress_wanted(ProgressMode mode, bool stderr_tty, std::uint64_t plain_bytes, std::uint64_t compressed_bytes) {
  if (!stderr_tty || mode == ProgressMode::Never) return false;
  return mode == ProgressMode::Always || plain_bytes + 8 * compressed_bytes > kProgressMinBytes;
}

namespace {

Progress* g_showing = nullptr;  // the one progress line drawn now (single-threaded decoders)
constexpr char kClear[] = "\r\033[K";

std::string count(double n) {
  if (n >= 1e9) return fmt::format("{:.2f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string bytes(std::uint64_t n) {
  const auto x = static_cast<double>(n);
  if (n >= (1ull << 30)) return fmt::format("{:.1f} GiB", x / (1ull << 30));
  if (n >= (1ull << 20)) return fmt::format("{:.1f} MiB", x / (1ull << 20));
  return fmt::format("{:.1f} KiB", x / 1024);
}

std::string clock_time(double s) {
  const auto t = static_cast<std::uint64_t>(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

}  // namespace

Progress::Progress(std::string what, std::uint64_t total, bool on, int fd)
    : what_(std::move(what)), total_(total), on_(on), fd_(fd) {}

void Progress::interrupt() {
  if (!g_showing || !g_showing->drawn_) return;
  g_showing->drawn_ = false;
  g_showing->last_ = {};
  (void)!::write(g_showing->fd_, kClear, sizeof kClear - 1);
}

std::string Progress::line(const std::string& what, std::uint64_t records, double seconds, std::uint64_t consumed,
                           std::uint64_t total, std::size_t width) {
  std::string s = fmt::format("bgpfa: {}: {} records", what, count(static_cast<double>(records)));
  if (seconds > 0) s += fmt::format(", {}/s", count(static_cast<double>(records) / seconds));
  if (total > 0) {
    const auto done = std::min(consumed, total);
    s += fmt::format(", {}% of {}", 100 * done / total, bytes(total));
    if (done > 0 && seconds > 0)
      s += fmt::format(", ETA {}", clock_time(seconds * static_cast<double>(total - done) / static_cast<double>(done)));
  }
  // One line: a wrapped line would not be overwritten by the next "\r".
  if (width > 1 && s.size() >= width) s.resize(width - 1);
  return s;
}

void Progress::update(std::uint64_t records, std::uint64_t consumed) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  winsize ws{};
  const std::size_t width = ::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  const std::string text = fmt::format(
      "\r{}\033[K", line(what_, records, std::chrono::duration<double>(now - start_).count(), consumed, total_, width));
  drawn_ = ::write(fd_, text.data(), text.size()) > 0 || drawn_;
  if (drawn_) g_showing = this;
}

void Progress::finish() {
  on_ = false;
  if (g_showing == this) g_showing = nullptr;
  if (!drawn_) return;
  drawn_ = false;
  (void)!::write(fd_, kClear, sizeof kClear - 1);
}

}  // namespace bgpfa::app
