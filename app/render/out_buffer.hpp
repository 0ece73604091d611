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

  // Decimal digits written from the end, two at a time (half the divisions of one at a time).
  static char* format_u64(std::uint64_t v, char* out) noexcept {
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    unsigned n = 1;
    for (std::uint64_t t = 10; n < 20 && v >= t; t *= 10) ++n;
    char* const end = out + n;
    char* p = end;
    while (v >= 100) {
      p -= 2;
      std::memcpy(p, kPairs + 2 * (v % 100), 2);
      v /= 100;
    }
    if (v >= 10) {
      std::memcpy(p - 2, kPairs + 2 * v, 2);
    } else {
      p[-1] = static_cast<char>('0' + v);
    }
    return end;
  }

 private:
  int fd_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t len_ = 0;
  bool failed_ = false;
};

}  // namespace bgpfa::app
