// Buffered writer to a file descriptor: one write(2) per 256 KiB, no iostreams on the hot path.
// Or, over a ChunkPool, an in-memory text kept as a list of chunks (a dump worker's batch): it
// never copies what it holds to grow, and its chunks go back to the pool when cleared.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

namespace bgpfa::app {

// Equal-sized chunks shared by the in-memory buffers of several threads: the memory touched is
// what the texts in flight hold at most, not each buffer's largest text.
class ChunkPool {
 public:
  explicit ChunkPool(std::size_t chunk_size = 256 * 1024) : size_(chunk_size) {}
  [[nodiscard]] std::size_t chunk_size() const noexcept { return size_; }
  [[nodiscard]] std::unique_ptr<char[]> take();
  void give(std::unique_ptr<char[]> chunk);

 private:
  const std::size_t size_;
  std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> free_;
};

class OutBuffer {
 public:
  explicit OutBuffer(int fd, std::size_t capacity = 256 * 1024)
      : fd_(fd), buf_(std::make_unique_for_overwrite<char[]>(capacity)), cap_(capacity) {}
  explicit OutBuffer(ChunkPool& pool) : fd_(-1), pool_(&pool), buf_(pool.take()), cap_(pool.chunk_size()) {}
  OutBuffer(const OutBuffer&) = delete;
  OutBuffer& operator=(const OutBuffer&) = delete;
  ~OutBuffer() { flush(); }

  // Room for n more bytes; returns where to write them (commit with advance()).
  char* reserve(std::size_t n) {
    if (cap_ - len_ < n) make_room(n);
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

  // In memory: the text's pieces in order, to each of f(std::string_view).
  template <class F>
  void for_each_piece(F&& f) const {
    for (const auto& p : full_) f(std::string_view(p.data.get(), p.size));
    if (len_) f(std::string_view(buf_.get(), len_));
  }
  [[nodiscard]] std::size_t size() const noexcept;
  // Drops the text (in memory: its full chunks go back to the pool).
  void clear();
  // Exchanges the buffered text and storage (not the descriptors) with another buffer.
  void swap_contents(OutBuffer& o) noexcept {
    std::swap(buf_, o.buf_);
    std::swap(cap_, o.cap_);
    std::swap(len_, o.len_);
    std::swap(full_, o.full_);
  }
  // Writes what is buffered, then `s` from where it is (no copy into the buffer).
  void write_through(std::string_view s);

  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";

  // The last 6 decimal digits of v, zero-padded (microseconds).
  static char* format_6_digits(std::uint32_t v, char* out) noexcept {
    v %= 1000000;
    std::memcpy(out + 4, kPairs + 2 * (v % 100), 2);
    v /= 100;
    std::memcpy(out + 2, kPairs + 2 * (v % 100), 2);
    std::memcpy(out, kPairs + 2 * (v / 100), 2);
    return out + 6;
  }

  // Decimal digits written from the end, two at a time (half the divisions of one at a time).
  static char* format_u64(std::uint64_t v, char* out) noexcept {
    // Most numbers printed (ASNs, community halves, lengths) have at most 5 digits.
    unsigned n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5;
    for (std::uint64_t t = 100000; n < 20 && v >= t; t *= 10) ++n;
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
  void make_room(std::size_t n);
  bool write_all(const char* p, std::size_t n);
  struct Piece {
    std::unique_ptr<char[]> data;
    std::size_t size, capacity;
  };
  int fd_;
  ChunkPool* pool_ = nullptr;
  std::vector<Piece> full_;  // in memory: the chunks filled before buf_
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t len_ = 0;
  bool failed_ = false;
};

}  // namespace bgpfa::app
