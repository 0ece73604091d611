#include "app/cli/capture.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

namespace bgpfa::app {

Capture::Capture(std::string dir, std::chrono::seconds rotate, Log log)
    : dir_(std::move(dir)), rotate_(rotate), log_(std::move(log)) {
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
  return true;
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
