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
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_streambuf.hpp>
#include <boost/iostreams/read.hpp>
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>

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

// gzip, any number of members one after the other (RFC 1952 2.2), each CRC-32 and ISIZE
// checked, inflated by ISA-L's igzip (several times zlib's speed) into whatever buffer the
// caller gives. Damage is thrown as std::runtime_error (what and where, without the file name),
// after the bytes inflated before it were handed out.
class GzipInflater {
 public:
  explicit GzipInflater(RawFile& f) : f_(f), in_(std::make_unique_for_overwrite<std::uint8_t[]>(kIn)) {
    isal_inflate_init(&st_);
    st_.crc_flag = ISAL_GZIP;
    st_.next_in = in_.get();
    st_.avail_in = 0;
  }

  // Up to n bytes at dst, at least one unless the last member has ended (then 0).
  std::size_t inflate(std::uint8_t* dst, std::size_t n) {
    if (!pending_.empty()) throw std::runtime_error(pending_);
    while (!done_) {
      if (st_.avail_in == 0 || stalled_) refill();
      const std::uint32_t avail_before = st_.avail_in;
      st_.next_out = dst;
      st_.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(n, UINT32_MAX));
      const int rc = isal_inflate(&st_);
      const std::size_t made = static_cast<std::size_t>(st_.next_out - dst);
      if (rc != ISAL_DECOMP_OK) return fail(made, isal_error(rc, members_));
      if (st_.block_state == ISAL_BLOCK_FINISH) {
        ++members_;
        while (st_.avail_in < 2 && refill()) {}
        if (st_.avail_in == 0) {  // the end of the last member is the end of the file
          done_ = true;
          return made;
        }
        if (st_.avail_in < 2 || st_.next_in[0] != 0x1f || st_.next_in[1] != 0x8b)
          return fail(made, fmt::format("the bytes at compressed offset {} after gzip member {} are not a gzip member",
                                        in_pos_ + static_cast<std::uint64_t>(st_.next_in - in_.get()), members_));
        std::uint8_t* next = st_.next_in;
        const std::uint32_t avail = st_.avail_in;
        isal_inflate_reset(&st_);
        st_.crc_flag = ISAL_GZIP;
        st_.next_in = next;
        st_.avail_in = avail;
        stalled_ = false;
        if (made) return made;
        continue;
      }
      // The call used no input and made no output: it needs more input.
      stalled_ = made == 0 && st_.avail_in == avail_before;
      if (stalled_ && (eof_ || st_.avail_in == kIn))
        return fail(made, fmt::format("the file ends inside gzip member {}", members_ + 1));
      if (made) return made;
    }
    return 0;
  }

 private:
  static constexpr std::size_t kIn = 256 << 10;

  // The bytes made before the damage go out now, the error with the next call.
  std::size_t fail(std::size_t made, std::string what) {
    if (made == 0) throw std::runtime_error(what);
    pending_ = std::move(what);
    return made;
  }

  // Keeps the unread input and reads more after it; false at the end of the file.
  bool refill() {
    if (eof_) return false;
    const std::size_t keep = st_.avail_in;
    in_pos_ += static_cast<std::uint64_t>(st_.next_in - in_.get());
    std::memmove(in_.get(), st_.next_in, keep);
    const std::size_t r = f_.read(in_.get() + keep, kIn - keep);
    if (r == 0) eof_ = true;
    st_.next_in = in_.get();
    st_.avail_in = static_cast<std::uint32_t>(keep + r);
    return r > 0;
  }

  static std::string isal_error(int rc, std::uint64_t members) {
    const char* what = rc == ISAL_INVALID_BLOCK        ? "invalid deflate block"
                       : rc == ISAL_INVALID_SYMBOL     ? "invalid deflate symbol"
                       : rc == ISAL_INVALID_LOOKBACK   ? "invalid deflate distance"
                       : rc == ISAL_INVALID_WRAPPER    ? "invalid gzip header"
                       : rc == ISAL_UNSUPPORTED_METHOD ? "gzip compression method is not deflate"
                       : rc == ISAL_INCORRECT_CHECKSUM ? "CRC-32 or length mismatch"
                                                       : "inflate error";
    return fmt::format("{} in gzip member {} (ISA-L code {})", what, members + 1, rc);
  }

  RawFile& f_;
  std::unique_ptr<std::uint8_t[]> in_;
  inflate_state st_;
  std::uint64_t in_pos_ = 0;  // compressed offset of in_[0]
  std::uint64_t members_ = 0;
  bool eof_ = false, done_ = false;
  bool stalled_ = false;
  std::string pending_;
};

std::string damage_message(const RawFile& f, Compression c, std::uint64_t produced, const char* what) {
  return fmt::format("{}: {} stream is corrupt or truncated after {} uncompressed bytes ({})", f.name, to_string(c),
                     produced, what);
}

// Decompresses on a worker thread into a small bounded queue of chunks. Chunk buffers are
// recycled (no allocation or page faults per chunk once the queue is full); gzip goes through
// GzipInflater, the others through Boost.Iostreams.
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
      if (pos_ == cur_.size) {
        if (got > 0) return got;  // hand over what we have instead of waiting for more
        std::unique_lock lk(mu_);
        if (cur_.data) free_.push_back(std::move(cur_));  // back to the worker
        cur_ = Chunk{};
        pos_ = 0;
        cv_.wait(lk, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) {
          if (error_) std::rethrow_exception(error_);
          return got;
        }
        cur_ = std::move(queue_.front());
        queue_.pop_front();
        lk.unlock();
        cv_.notify_all();
      }
      const std::size_t take = std::min(n - got, cur_.size - pos_);
      std::memcpy(dst + got, cur_.data.get() + pos_, take);
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
  static constexpr std::size_t kMaxQueued = 4;

  struct Chunk {
    std::unique_ptr<std::uint8_t[]> data;  // kChunk bytes, not zero-filled
    std::size_t size = 0;
  };
  struct Stopped {};  // the reader went away: the worker ends quietly

  // An empty chunk to fill: a recycled one, else a new one.
  Chunk take_chunk() {
    std::lock_guard lk(mu_);
    if (!free_.empty()) {
      Chunk c = std::move(free_.back());
      free_.pop_back();
      c.size = 0;
      return c;
    }
    return Chunk{std::make_unique_for_overwrite<std::uint8_t[]>(kChunk), 0};
  }
  void push(Chunk& c) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return queue_.size() < kMaxQueued || stop_; });
    if (stop_) throw Stopped{};
    if (c.size) queue_.push_back(std::move(c));
    lk.unlock();
    cv_.notify_all();
  }

  void run() {
    produced_ = 0;
    try {
      if (c_ == Compression::Gzip) run_gzip();
      else run_boost();
    } catch (const Stopped&) {
      return;
    } catch (const std::exception& e) {
      std::lock_guard lk(mu_);
      error_ = std::make_exception_ptr(std::runtime_error(damage_message(*f_, c_, produced_, e.what())));
    }
    {
      std::lock_guard lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
  }

  void run_gzip() {
    GzipInflater inflater(*f_);
    Chunk c = take_chunk();
    try {
      for (;;) {
        const std::size_t made = inflater.inflate(c.data.get() + c.size, kChunk - c.size);
        if (made == 0) break;
        c.size += made;
        produced_ += made;
        if (c.size == kChunk) {
          push(c);
          c = take_chunk();
        }
      }
    } catch (const Stopped&) {
      throw;
    } catch (const std::exception&) {
      push(c);  // the bytes before the damage are read before the error is
      throw;
    }
    push(c);
  }

  void run_boost() {
    namespace io = boost::iostreams;
    io::filtering_streambuf<io::input> in;
    switch (c_) {
      case Compression::Bzip2: in.push(io::bzip2_decompressor()); break;
      case Compression::Xz: in.push(io::lzma_decompressor()); break;
      case Compression::Zstd: in.push(io::zstd_decompressor()); break;
      case Compression::Gzip:
      case Compression::None: break;
    }
    in.push(BoostRawSource{f_.get()}, kChunk);
    for (;;) {
      Chunk c = take_chunk();
      while (c.size < kChunk) {
        const std::streamsize r = io::read(in, reinterpret_cast<char*>(c.data.get() + c.size),
                                           static_cast<std::streamsize>(kChunk - c.size));
        if (r <= 0) break;
        c.size += static_cast<std::size_t>(r);
        produced_ += static_cast<std::size_t>(r);
      }
      const bool last = c.size < kChunk;
      push(c);
      if (last) break;
    }
  }

  std::unique_ptr<RawFile> f_;
  Compression c_;
  std::uint64_t produced_ = 0;  // worker only
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;
  std::vector<Chunk> free_;
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  Chunk cur_;  // reader only
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
