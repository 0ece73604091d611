// The analyzer's change log, bounded: every active-path change in time order, indexed by its
// absolute position (sequence number - 1) however many of the oldest were dropped. Past the
// capacity the oldest go; the drops are counted so that the owner can say so once per burst.
// 48 bytes per change (analyzer::Change), in chunks of 1,024 (48 KiB): no regrowth copies, and
// malloc's 16 bytes once per chunk (std::deque's 480-byte nodes cost 3 % more).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

struct Change {
  std::uint64_t time_us;
  rib::PrefixKey prefix;
  std::uint32_t before, after;  // packed ActivePaths
  std::uint32_t cause;          // index into the analyzer's cause strings
  std::uint8_t initial = 0;     // part of a session's initial table: an event, not in any episode
  [[nodiscard]] std::uint32_t from() const noexcept { return before; }
  [[nodiscard]] std::uint32_t to() const noexcept { return after; }
};
static_assert(sizeof(Change) <= 48, "the initial flag lives in what was padding");

class ChangeLog {
 public:
  // Enough for a day of a busy table (a few failovers of a full table and its churn): ~96 MB.
  static constexpr std::size_t kDefaultCapacity = 2'000'000;

  explicit ChangeLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity ? capacity : 1) {}
  void set_capacity(std::size_t n) {
    capacity_ = n ? n : 1;
    trim();
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  void push_back(const Change& c) {
    const std::size_t at = head_ + kept_;
    if (at == chunks_.size() * kChunk) chunks_.push_back(std::make_unique_for_overwrite<Chunk>());
    chunks_[at / kChunk]->c[at % kChunk] = c;
    ++kept_;
    trim();
  }
  // Changes ever logged: the index the next one gets (= the last sequence number).
  [[nodiscard]] std::size_t size() const noexcept { return first_ + kept_; }
  // The oldest change kept (its index); first() == size() when none is.
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] std::size_t kept() const noexcept { return kept_; }
  // By absolute index, first() <= i < size().
  [[nodiscard]] const Change& operator[](std::size_t i) const {
    const std::size_t at = i - first_ + head_;
    return chunks_[at / kChunk]->c[at % kChunk];
  }
  [[nodiscard]] const Change& back() const { return (*this)[size() - 1]; }
  [[nodiscard]] bool empty() const noexcept { return kept_ == 0; }
  // The memory held: whole chunks (the newest partly filled, the oldest partly dropped).
  [[nodiscard]] std::size_t bytes() const noexcept { return chunks_.size() * sizeof(Chunk); }
  static constexpr std::size_t kChunk = 1024;  // changes a chunk
  // Changes dropped since the last call (the owner logs one line per burst).
  [[nodiscard]] std::size_t take_dropped() noexcept {
    const std::size_t n = unreported_;
    unreported_ = 0;
    return n;
  }

 private:
  struct Chunk {
    Change c[kChunk];
  };
  void trim() {
    while (kept_ > capacity_) {
      --kept_;
      ++first_;
      ++unreported_;
      if (++head_ == kChunk) {
        chunks_.pop_front();
        head_ = 0;
      }
    }
  }
  std::deque<std::unique_ptr<Chunk>> chunks_;
  std::size_t head_ = 0;  // the oldest kept change's place in chunks_.front()
  std::size_t kept_ = 0;
  std::size_t first_ = 0;
  std::size_t capacity_;
  std::size_t unreported_ = 0;
};

}  // namespace bgpfa::analyzer
