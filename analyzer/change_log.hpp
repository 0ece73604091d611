// The analyzer's change log, bounded: every active-path change in time order, indexed by its
// absolute position (sequence number - 1) however many of the oldest were dropped. Past the
// capacity the oldest go; the drops are counted so that the owner can say so once per burst.
// 40 bytes per change (analyzer::Change without its padding: it is 48; a full table's initial
// load logs a million), in chunks of 4096: no regrowth copies, one allocation per 4096 changes
// (a failover of a full table logs ~100 k at once), whole chunks freed as the oldest go. Changes
// are read back by value.
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
  static constexpr std::size_t kChunk = 4096;
  static constexpr std::size_t kRecordBytes = 40;  // a change as kept

  explicit ChangeLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity ? capacity : 1) {}
  void set_capacity(std::size_t n) {
    capacity_ = n ? n : 1;
    trim();
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  void push_back(const Change& c) {
    if (end_ == base_ + chunks_.size() * kChunk) chunks_.push_back(std::make_unique_for_overwrite<Record[]>(kChunk));
    at(end_++) = Record{c.time_us, c.prefix.hi, c.prefix.lo, c.before, c.after, c.cause, c.prefix.length, c.prefix.v6, c.initial};
    trim();
  }
  // Changes ever logged: the index the next one gets (= the last sequence number).
  [[nodiscard]] std::size_t size() const noexcept { return end_; }
  // The oldest change kept (its index); first() == size() when none is.
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] std::size_t kept() const noexcept { return end_ - first_; }
  // By absolute index, first() <= i < size().
  [[nodiscard]] Change operator[](std::size_t i) const {
    const Record& r = at(i);
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
  [[nodiscard]] Change back() const { return (*this)[end_ - 1]; }
  [[nodiscard]] bool empty() const noexcept { return kept() == 0; }
  [[nodiscard]] std::size_t bytes() const noexcept { return chunks_.size() * kChunk * sizeof(Record); }
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
  [[nodiscard]] Record& at(std::size_t i) const { return chunks_[(i - base_) / kChunk][(i - base_) % kChunk]; }
  void trim() {
    if (kept() <= capacity_) return;
    const std::size_t drop = kept() - capacity_;
    first_ += drop;
    unreported_ += drop;
    while (first_ - base_ >= kChunk) {  // a chunk wholly dropped
      chunks_.pop_front();
      base_ += kChunk;
    }
  }
  std::deque<std::unique_ptr<Record[]>> chunks_;  // chunks_[k] holds indices base_ + k * kChunk onwards
  std::size_t base_ = 0;
  std::size_t first_ = 0;
  std::size_t end_ = 0;
  std::size_t capacity_;
  std::size_t unreported_ = 0;
};

}  // namespace bgpfa::analyzer
