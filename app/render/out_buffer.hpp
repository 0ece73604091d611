// Buffered writer to a file descriptor: one write(2) per 256 KiB, no iostreams on the hot path.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace bgpfa::app {

class OutBuffer {
 public:
  explicit OutBuffer(int fd, std::size_t capacity = 256 * 1024)
      : fd_(fd), buf_(std::make_unique_for_overwrite<char[]>(capacity)), cap_(capacity) {}
  OutBuffer(const OutBuffer&) = delete;
  OutBuffer& operator=(const OutBuffer&) = delete;
  ~OutBuffer() { flush(); }

  // Room for n more bytes; returns where to write them (commit with advance()).
  char* reserve(std::size_t n) {
    if (cap_ - len_ < n) {
      flush();
      if (cap_ < n) {
        buf_ = std::make_unique_for_overwrite<char[]>(n);
        cap_ = n;
      }
    }
    return buf_.get() + len_;
  }
  void advance(char* end) noexcept { len_ = static_cast<std::size_t>(end - buf_.get()); }
  void put(char c) { *reserve(1) = c; ++len_; }
  void put(std::string_view s) {
    char* p = reserve(s.size());
    std::memcpy(p, s.data(), s.size());
    len_ += s.size();
  }
  void put_u64(std::uint64_t v) { advance(format_u64(v, reserve(20))); }
  void flush();
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  static char* format_u64(std::uint64_t v, char* out) noexcept {
    char tmp[20];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    while (n) *out++ = tmp[--n];
    return out;
  }

 private:
  int fd_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t len_ = 0;
  bool failed_ = false;
};

}  // namespace bgpfa::app
