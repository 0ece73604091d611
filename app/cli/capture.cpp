#include "app/cli/capture.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

namespace bgpfa::app {

Capture::Capture(std::string dir, std::chrono::seconds rotate, Log log, std::chrono::seconds keep)
    : dir_(std::move(dir)), rotate_(rotate), keep_(keep), log_(std::move(log)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) failed(fmt::format("cannot create capture directory {}: {}", dir_, ec.message()));
}

Capture::~Capture() {
  if (fd_ >= 0) ::close(fd_);
}

void Capture::failed(const std::string& what) {
  if (!failing_) log_(fmt::format("error: {}; records are kept in memory (up to {} MiB) and written when it works again",
                                  what, kMaxWaiting >> 20));
  failing_ = true;
}

bool Capture::open(std::uint64_t sec) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    failed(fmt::format("cannot create capture directory {}: {}", dir_, ec.message()));
    return false;
  }
  const std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  file_ = fmt::format("{}/bgpfa-{:04}{:02}{:02}-{:02}{:02}{:02}.mrt", dir_, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    failed(fmt::format("cannot open capture file {}: {}", file_, std::strerror(errno)));
    return false;
  }
  opened_ = sec;
  if (keep_.count() > 0) prune(std::chrono::system_clock::time_point(std::chrono::seconds(sec)));
  return true;
}

namespace {
// bgpfa-YYYYMMDD-HHMMSS.mrt, as open() names them: nothing else in the directory is ours to delete.
bool capture_name(const std::string& name) {
  constexpr std::string_view shape = "bgpfa-########-######.mrt";
  if (name.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == '#' ? !std::isdigit(static_cast<unsigned char>(name[i])) : name[i] != shape[i]) return false;
  return true;
}

std::string age_text(std::chrono::seconds s) {
  const auto n = s.count();
  if (n >= 86400) return fmt::format("{}d{}h", n / 86400, n % 86400 / 3600);
  if (n >= 3600) return fmt::format("{}h{}m", n / 3600, n % 3600 / 60);
  return fmt::format("{}s", n);
}
}  // namespace

std::size_t Capture::prune(std::chrono::system_clock::time_point now) {
  namespace fs = std::filesystem;
  if (keep_.count() <= 0) return 0;
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (!capture_name(p.filename().string()) || p.string() == file_) continue;
    std::error_code fe;
    if (!it->is_regular_file(fe)) continue;
    const auto written = it->last_write_time(fe);
    if (fe) continue;
    const auto age = now - std::chrono::file_clock::to_sys(written);
    if (age <= keep_) continue;
    if (fs::remove(p, fe)) {
      ++removed;
      log_(fmt::format("removed {}: last written {} ago, older than keep {}", p.string(),
                       age_text(std::chrono::duration_cast<std::chrono::seconds>(age)), age_text(keep_)));
    } else if (fe) {
      log_(fmt::format("error: cannot remove old capture file {}: {}", p.string(), fe.message()));
    }
  }
  if (ec) log_(fmt::format("error: cannot list capture directory {} to remove old files: {}", dir_, ec.message()));
  return removed;
}

bool Capture::flush(std::uint64_t now_us) {
  last_try_us_ = now_us;
  const std::uint64_t sec = pending_first_us_ / 1000000;
  const bool rotate = rotate_.count() > 0 && sec >= opened_ + static_cast<std::uint64_t>(rotate_.count());
  if ((fd_ < 0 || rotate) && !open(sec)) return false;
  const off_t start = ::lseek(fd_, 0, SEEK_END);
  std::size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed(fmt::format("cannot write capture file {}: {}", file_, n < 0 ? std::strerror(errno) : "no space written"));
      // A partial record would break the file's framing: undo the batch, it is written again later.
      if (done && start >= 0 && ::ftruncate(fd_, start) != 0) {
        // Cannot undo: keep what reached the file, the retry appends the rest of it.
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
      }
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
  if (failing_) {
    log_(fmt::format("capture: writing to {} again{}", file_,
                     dropped_ ? fmt::format("; {} records were dropped while it failed", dropped_) : std::string()));
    failing_ = false;
    dropped_ = 0;
  }
  return true;
}

void Capture::write(std::uint64_t t_us, const std::vector<std::uint8_t>& record) {
  if (pending_.empty()) pending_first_us_ = t_us;
  // A new period starts a new file: what waits belongs to the old one, so flush it first.
  if (!pending_.empty() && !failing_ && rotate_.count() > 0 &&
      t_us / 1000000 >= opened_ + static_cast<std::uint64_t>(rotate_.count()))
    flush(t_us);
  if (pending_.size() + record.size() > kMaxWaiting) {
    ++dropped_;
    return;
  }
  if (pending_.empty()) pending_first_us_ = t_us;
  pending_.insert(pending_.end(), record.begin(), record.end());
  // Written as they arrive, so that a capture is readable (and replayable) while serve runs;
  // while failing, only the once-a-second retry touches the disk.
  if (!failing_) flush(t_us);
}

void Capture::retry(std::uint64_t now_us) {
  // A capture file removed under us takes writes without an error and keeps nothing: notice it.
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink == 0) {
    ::close(fd_);
    fd_ = -1;
    failed(fmt::format("capture file {} was removed", file_));
    return;
  }
  if (!pending_.empty() && failing_ && now_us >= last_try_us_ + 1000000) flush(now_us);
}

}  // namespace bgpfa::app
