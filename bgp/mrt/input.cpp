#include "bgp/mrt/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_streambuf.hpp>
#include <boost/iostreams/read.hpp>
#include <fmt/format.h>

namespace bgpfa::mrt {

const char* to_string(Compression c) noexcept {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Bzip2: return "bzip2";
    case Compression::Xz: return "xz";
    case Compression::Zstd: return "zstd";
  }
  return "?";
}

Compression detect_compression(const std::uint8_t* h, std::size_t n) noexcept {
  if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) return Compression::Gzip;
  if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') return Compression::Bzip2;
  if (n >= 6 && std::memcmp(h, "\xFD" "7zXZ\0", 6) == 0) return Compression::Xz;
  if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd) return Compression::Zstd;
  return Compression::None;
}

namespace {

// A file descriptor whose first bytes were already read to sniff the compression.
struct RawFile {
  int fd = -1;
  bool owned = false;
  std::string name;
  std::uint8_t head[8]{};
  std::size_t head_len = 0, head_pos = 0;
  std::uint64_t size = 0;
  std::atomic<std::uint64_t> consumed{0};

  ~RawFile() {
    if (owned && fd >= 0) ::close(fd);
  }
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    std::size_t got = 0;
    if (head_pos < head_len) {
      got = std::min(n, head_len - head_pos);
      std::memcpy(dst, head + head_pos, got);
      head_pos += got;
      if (got == n) return got;
    }
    for (;;) {
      const ssize_t r = ::read(fd, dst + got, n - got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw std::runtime_error(fmt::format("{}: read failed: {}", name, std::strerror(errno)));
      consumed.fetch_add(static_cast<std::uint64_t>(r), std::memory_order_relaxed);
      return got + static_cast<std::size_t>(r);
    }
  }
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<RawFile> f) : f_(std::move(f)) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      const std::size_t r = f_->read(dst + got, n - got);
      if (r == 0) break;
      got += r;
    }
    return got;
  }
  Compression compression() const noexcept override { return Compression::None; }
  std::uint64_t stored_size() const noexcept override { return f_->size; }
  std::uint64_t stored_consumed() const noexcept override { return f_->consumed.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<RawFile> f_;
};

// Boost.Iostreams Source adapter over RawFile.
struct BoostRawSource {
  using char_type = char;
  using category = boost::iostreams::source_tag;
  RawFile* f;
  std::streamsize read(char* s, std::streamsize n) {
    const std::size_t r = f->read(reinterpret_cast<std::uint8_t*>(s), static_cast<std::size_t>(n));
    return r == 0 ? -1 : static_cast<std::streamsize>(r);
  }
};

// Decompresses on a worker thread into a small bounded queue of chunks.
class CompressedSource final : public ByteSource {
 public:
  CompressedSource(std::unique_ptr<RawFile> f, Compression c) : f_(std::move(f)), c_(c) {
    worker_ = std::thread([this] { run(); });
  }
  ~CompressedSource() override {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      if (pos_ == cur_.size()) {
        if (got > 0) return got;  // hand over what we have instead of waiting for more
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) {
          if (error_) std::rethrow_exception(error_);
          return got;
        }
        cur_ = std::move(queue_.front());
        queue_.pop_front();
        pos_ = 0;
        lk.unlock();
        cv_.notify_all();
      }
      const std::size_t take = std::min(n - got, cur_.size() - pos_);
      std::memcpy(dst + got, cur_.data() + pos_, take);
      pos_ += take;
      got += take;
    }
    return got;
  }
  Compression compression() const noexcept override { return c_; }
  std::uint64_t stored_size() const noexcept override { return f_->size; }
  std::uint64_t stored_consumed() const noexcept override { return f_->consumed.load(std::memory_order_relaxed); }

 private:
  static constexpr std::size_t kChunk = 256 << 10;
  static constexpr std::size_t kMaxQueued = 16;

  void run() {
    namespace io = boost::iostreams;
    std::uint64_t produced = 0;
    try {
      io::filtering_streambuf<io::input> in;
      switch (c_) {
        case Compression::Gzip: in.push(io::gzip_decompressor(io::zlib::default_window_bits, kChunk), kChunk); break;
        case Compression::Bzip2: in.push(io::bzip2_decompressor()); break;
        case Compression::Xz: in.push(io::lzma_decompressor()); break;
        case Compression::Zstd: in.push(io::zstd_decompressor()); break;
        case Compression::None: break;
      }
      in.push(BoostRawSource{f_.get()}, kChunk);
      for (;;) {
        std::vector<std::uint8_t> chunk(kChunk);
        std::size_t filled = 0;
        while (filled < kChunk) {
          const std::streamsize r = io::read(in, reinterpret_cast<char*>(chunk.data() + filled),
                                             static_cast<std::streamsize>(kChunk - filled));
          if (r <= 0) break;
          filled += static_cast<std::size_t>(r);
        }
        produced += filled;
        chunk.resize(filled);
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return queue_.size() < kMaxQueued || stop_; });
        if (stop_) return;
        if (filled) queue_.push_back(std::move(chunk));
        if (filled < kChunk) break;
        lk.unlock();
        cv_.notify_all();
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu_);
      error_ = std::make_exception_ptr(std::runtime_error(
          fmt::format("{}: {} stream is corrupt or truncated after {} uncompressed bytes ({})", f_->name,
                      to_string(c_), produced, e.what())));
    }
    {
      std::lock_guard lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
  }

  std::unique_ptr<RawFile> f_;
  Compression c_;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<std::uint8_t>> queue_;
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  std::vector<std::uint8_t> cur_;
  std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_input(const std::string& path) {
  auto f = std::make_unique<RawFile>();
  f->name = path == "-" ? "<stdin>" : path;
  if (path == "-") {
    f->fd = STDIN_FILENO;
  } else {
    f->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    f->owned = true;
    struct stat st{};
    if (::fstat(f->fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) throw std::runtime_error(fmt::format("{}: is a directory", path));
      f->size = static_cast<std::uint64_t>(st.st_size);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  // Sniff the magic bytes; short reads on pipes are fine, we keep what came.
  std::size_t n = 0;
  while (n < sizeof f->head) {
    const ssize_t r = ::read(f->fd, f->head + n, sizeof f->head - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw std::runtime_error(fmt::format("{}: read failed: {}", f->name, std::strerror(errno)));
    if (r == 0) break;
    n += static_cast<std::size_t>(r);
  }
  f->head_len = n;
  f->consumed = n;
  const Compression c = detect_compression(f->head, n);
  if (c == Compression::None) return std::make_unique<PlainSource>(std::move(f));
  return std::make_unique<CompressedSource>(std::move(f), c);
}

}  // namespace bgpfa::mrt
