// Progress of a long decode (replay, mrt dump) as one self-overwriting line on stderr: records,
// rate, and with a known input size the share read and an ETA (from the bytes of the stored,
// possibly compressed, files consumed). Only on a terminal: nothing at all otherwise.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace bgpfa::app {

enum class ProgressMode { Auto, Always, Never };

// Auto shows progress for large inputs: more than 64 MiB uncompressed, estimated as the plain
// files' bytes plus 8 times the compressed files' (MRT compresses about 5-10 times), i.e. a
// compressed dump over 8 MiB. Always shows it for any input, Never for none; neither ever
// writes to a stderr that is not a terminal.
inline constexpr std::uint64_t kProgressMinBytes = 64u << 20;
[[nodiscard]] bool progress_wanted(ProgressMode mode, bool stderr_tty, std::uint64_t plain_bytes,
                                   std::uint64_t compressed_bytes);

class Progress {
 public:
  // `what` leads the line ("replay", a file name); `total` is the stored bytes (0: unknown).
  Progress(std::string what, std::uint64_t total, bool on, int fd = 2);
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Call once per record: it looks at the clock every kEvery records only (and at every call
  // when `paced`, for inputs that trickle), and redraws at most four times a second.
  // `consumed()` gives the stored bytes read so far.
  static constexpr std::uint64_t kEvery = 256;
  template <class Consumed>
  void record(std::uint64_t records, Consumed&& consumed, bool paced = false) {
    if (on_ && (paced || records % kEvery == 0)) update(records, consumed());
  }
  // Clears the line for good (the destructor calls it too).
  void finish();
  // Before another message goes to stderr: clears the line of the progress showing, if any (it
  // is drawn again at its next update).
  static void interrupt();
  [[nodiscard]] bool on() const noexcept { return on_; }

  // The line for these figures (no escapes), at most `width` columns; for tests too.
  [[nodiscard]] static std::string line(const std::string& what, std::uint64_t records, double seconds,
                                        std::uint64_t consumed, std::uint64_t total, std::size_t width);

 private:
  void update(std::uint64_t records, std::uint64_t consumed);
  std::string what_;
  std::uint64_t total_;
  bool on_;
  int fd_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace bgpfa::app
