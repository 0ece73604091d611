#include "app/render/out_buffer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace bgpfa::app {

bool OutBuffer::write_all(const char* p, std::size_t n) {
  std::size_t off = 0;
  while (off < n && !failed_) {
    const ssize_t r = ::write(fd_, p + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      failed_ = true;  // EPIPE (e.g. `| head`) or a full disk: stop writing, the caller checks
      break;
    }
    off += static_cast<std::size_t>(r);
  }
  return !failed_;
}

void OutBuffer::flush() {
  if (pool_) return;  // in memory: the owner takes the text
  write_all(buf_.get(), len_);
  len_ = 0;
}

void OutBuffer::write_through(std::string_view s) {
  flush();
  if (!pool_) write_all(s.data(), s.size());
}

std::unique_ptr<char[]> ChunkPool::take() {
  {
    std::lock_guard lk(mu_);
    if (!free_.empty()) {
      auto c = std::move(free_.back());
      free_.pop_back();
      return c;
    }
  }
  return std::make_unique_for_overwrite<char[]>(size_);
}

void ChunkPool::give(std::unique_ptr<char[]> chunk) {
  std::lock_guard lk(mu_);
  free_.push_back(std::move(chunk));
}

void OutBuffer::make_room(std::size_t n) {
  if (!pool_) {
    flush();
    if (cap_ < n) {
      buf_ = std::make_unique_for_overwrite<char[]>(n);
      cap_ = n;
    }
    return;
  }
  // In memory: the current chunk joins the text, writing goes on in a fresh one (a line longer
  // than a chunk gets a buffer of its own).
  if (len_) full_.push_back(Piece{std::move(buf_), len_, cap_});
  else if (cap_ == pool_->chunk_size()) pool_->give(std::move(buf_));
  len_ = 0;
  if (n <= pool_->chunk_size()) {
    buf_ = pool_->take();
    cap_ = pool_->chunk_size();
  } else {
    buf_ = std::make_unique_for_overwrite<char[]>(n);
    cap_ = n;
  }
}

std::size_t OutBuffer::size() const noexcept {
  std::size_t n = len_;
  for (const auto& p : full_) n += p.size;
  return n;
}

void OutBuffer::clear() {
  for (auto& p : full_)
    if (pool_ && p.capacity == pool_->chunk_size()) pool_->give(std::move(p.data));
  full_.clear();
  len_ = 0;
}

}  // namespace bgpfa::app
