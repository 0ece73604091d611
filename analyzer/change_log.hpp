// The analyzer's change log, bounded: every active-path change in time order, indexed by its
// absolute position (sequence number - 1) however many of the oldest were dropped. Past the
// capacity the oldest go; the drops are counted so that the owner can say so once per burst.
// A change is kept in 40 bytes (analyzer::Change is 48 with its padding; a full table's initial
// load is a million of them), in chunks of 1,024 (40 KiB): no regrowth copies, and malloc's 16
// bytes once per chunk (std::deque's nodes of 480 bytes cost 3 % more). Changes are read back
// by value.
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
static_assert(sizeof(Change) == 48 && sizeof(rib::PrefixKey) == 24,
              "a field added to Change or PrefixKey must be kept in ChangeLog::Record too");

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
    chunks_[at / kChunk]->c[at % kChunk] = Record{c.time_us, c.prefix.hi, c.prefix.lo, c.before, c.after, c.cause,
                                                  c.prefix.length, c.prefix.v6, c.initial};
    ++kept_;
    trim();
  }
  // Changes ever logged: the index the next one gets (= the last sequence number).
  [[nodiscard]] std::size_t size() const noexcept { return first_ + kept_; }
  // The oldest change kept (its index); first() == size() when none is.
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] std::size_t kept() const noexcept { return kept_; }
  // By absolute index, first() <= i < size().
  [[nodiscard]] Change operator[](std::size_t i) const {
    const std::size_t at = i - first_ + head_;
    const Record& r = chunks_[at / kChunk]->c[at % kChunk];
    Change c{};
    c.time_us = r.time_us;
    c.prefix.hi = r.hi;
    c.prefix.lo = r.lo;
    c.prefix.length = r.length;
    c.prefix.v6 = r.v6;
    c.before = r.before;
    c.after = r.after;
    c.cause = r.cause;
    c.initial = r.initial;
    return c;
  }
  [[nodiscard]] Change back() const { return (*this)[size() - 1]; }
  [[nodiscard]] bool empty() const noexcept { return kept_ == 0; }
  // The memory held: whole chunks (the newest partly filled, the oldest partly dropped).
  [[nodiscard]] std::size_t bytes() const noexcept { return chunks_.size() * sizeof(Chunk); }
  static constexpr std::size_t kChunk = 1024;  // changes a chunk
  static constexpr std::size_t kRecordBytes = 40;
  static constexpr std::size_t kChunkBytes = kChunk * kRecordBytes;
  // Changes dropped since the last call (the owner logs one line per burst).
  [[nodiscard]] std::size_t take_dropped() noexcept {
    const std::size_t n = unreported_;
    unreported_ = 0;
    return n;
  }

 private:
  struct Record {  // a Change without its padding
    std::uint64_t time_us, hi, lo;
    std::uint32_t before, after, cause;
    std::uint8_t length, v6, initial;
  };
  static_assert(sizeof(Record) == kRecordBytes);
  struct Chunk {
    Record c[kChunk];
  };
  static_assert(sizeof(Chunk) == kChunkBytes);
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
