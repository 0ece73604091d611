// What serve's session thread hands the core thread: the messages of one session, as many as one
// read brought, in one buffer (a record each: receive time, flags, length, the message as on the
// wire), posted once. One allocation and one posted handler per message made the hand-over cost
// about as much as the RIB's work on a full table, and a table arriving faster than the core
// handled it left ~190 B a message of freed but unreturned heap on the session thread's arena.
// The buffers come from a pool both threads share: the core gives back what it emptied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include "bgp/wire/bytes.hpp"

namespace bgpfa::app {

struct BatchedMessage {
  std::uint64_t t = 0;  // receive (or send) time, µs since the epoch
  wire::Bytes bytes;    // the whole message, header included
  bool add_path = false, four_octet_as = true, local = false;
};

class MessageBatch {
 public:
  static constexpr std::size_t kRecordHeader = 8 + 2 + 1;  // time, length, flags
  MessageBatch() = default;
  // An empty batch in `buffer` (its capacity is the batch's).
  explicit MessageBatch(std::vector<std::uint8_t> buffer) : buf_(std::move(buffer)) { buf_.clear(); }
  // Whether a message of `length` bytes still fits in the buffer's capacity.
  [[nodiscard]] bool fits(std::size_t length) const noexcept { return buf_.size() + kRecordHeader + length <= buf_.capacity(); }
  // The caller checked fits(); a BGP message is at most 65,535 bytes (RFC 8654).
  void add(const BatchedMessage& m) {
    const std::size_t at = buf_.size();
    buf_.resize(at + kRecordHeader + m.bytes.size());
    std::uint8_t* p = buf_.data() + at;
    const auto length = static_cast<std::uint16_t>(m.bytes.size());
    const auto flags = static_cast<std::uint8_t>((m.add_path ? 1 : 0) | (m.four_octet_as ? 2 : 0) | (m.local ? 4 : 0));
    std::memcpy(p, &m.t, 8);
    std::memcpy(p + 8, &length, 2);
    p[10] = flags;
    if (!m.bytes.empty()) std::memcpy(p + kRecordHeader, m.bytes.data(), m.bytes.size());
    ++messages_;
  }
  // Each message, in the order added.
  template <class F>
  void for_each(F&& f) const {
    std::size_t at = 0;
    while (at < buf_.size()) {
      const std::uint8_t* p = buf_.data() + at;
      BatchedMessage m;
      std::uint16_t length = 0;
      std::memcpy(&m.t, p, 8);
      std::memcpy(&length, p + 8, 2);
      m.add_path = (p[10] & 1) != 0;
      m.four_octet_as = (p[10] & 2) != 0;
      m.local = (p[10] & 4) != 0;
      m.bytes = wire::Bytes(p + kRecordHeader, length);
      f(m);
      at += kRecordHeader + length;
    }
  }
  [[nodiscard]] std::size_t messages() const noexcept { return messages_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return buf_.size(); }  // records, headers included
  [[nodiscard]] std::size_t capacity() const noexcept { return buf_.capacity(); }
  [[nodiscard]] bool empty() const noexcept { return messages_ == 0; }
  // The buffer, for the pool.
  [[nodiscard]] std::vector<std::uint8_t> release() && {
    messages_ = 0;
    return std::move(buf_);
  }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t messages_ = 0;
};

// Batch buffers of kBytes, shared by the thread that fills them and the one that empties them.
// Spares past kSpares are freed: at kBytes each is its own mapping (serve's M_MMAP_THRESHOLD),
// so freeing one returns it to the system.
class BatchPool {
 public:
  static constexpr std::size_t kBytes = 256 * 1024;  // a bulk read's worth (the session's buffer)
  static constexpr std::size_t kSpares = 4;
  [[nodiscard]] std::vector<std::uint8_t> take() {
    {
      std::lock_guard lock(m_);
      if (!spares_.empty()) {
        auto b = std::move(spares_.back());
        spares_.pop_back();
        return b;
      }
    }
    std::vector<std::uint8_t> b;
    b.reserve(kBytes);
    return b;
  }
  void give(std::vector<std::uint8_t> b) {
    if (b.capacity() < kBytes) return;
    b.clear();
    std::lock_guard lock(m_);
    if (spares_.size() < kSpares) spares_.push_back(std::move(b));
  }
  [[nodiscard]] std::size_t spares() const {
    std::lock_guard lock(m_);
    return spares_.size();
  }

 private:
  mutable std::mutex m_;
  std::vector<std::vector<std::uint8_t>> spares_;
};

}  // namespace bgpfa::app
