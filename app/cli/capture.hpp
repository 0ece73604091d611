// serve's MRT capture: every received message and state change as BGP4MP_ET records, a new file
// per rotation period; with `keep`, older capture files are deleted at each rotation. File-system trouble never stops the speaker: it is logged once with the
// path and errno, records wait in memory (bounded) and the capture retries every second.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bgpfa::app {

class Capture {
 public:
  using Log = std::function<void(const std::string&)>;
  // `keep` 0 keeps every file.
  Capture(std::string dir, std::chrono::seconds rotate, Log log, std::chrono::seconds keep = std::chrono::seconds(0));
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // A record stamped `t_us` (µs since the epoch); written at once when the file system allows.
  void write(std::uint64_t t_us, const std::vector<std::uint8_t>& record);
  // Retries what is waiting (called every second by the owner).
  void retry(std::uint64_t now_us);
  // Deletes the files of the capture's name pattern (bgpfa-YYYYMMDD-HHMMSS.mrt) in its directory
  // last written more than `keep` before `now`, except the open one, logging each; returns how
  // many. Called at each rotation (and at the first file) when `keep` is set.
  std::size_t prune(std::chrono::system_clock::time_point now);
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] std::size_t waiting_bytes() const noexcept { return pending_.size(); }
  [[nodiscard]] std::uint64_t dropped_records() const noexcept { return dropped_; }
  static constexpr std::size_t kMaxWaiting = 64 << 20;  // records kept while the disk fails

 private:
  bool open(std::uint64_t sec);
  bool flush(std::uint64_t now_us);
  void failed(const std::string& what);
  std::string dir_;
  std::chrono::seconds rotate_;
  std::chrono::seconds keep_;
  Log log_;
  int fd_ = -1;
  std::string file_;
  std::uint64_t opened_ = 0;
  std::vector<std::uint8_t> pending_;
  std::uint64_t pending_first_us_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t last_try_us_ = 0;
  bool failing_ = false;
};

}  // namespace bgpfa::app
