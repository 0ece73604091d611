// The analyzer's change log, bounded: every active-path change in time order, indexed by its
// absolute position (sequence number - 1) however many of the oldest were dropped. Past the
// capacity the oldest go; the drops are counted so that the owner can say so once per burst.
// 48 bytes per change (analyzer::Change), in chunks of 4096: no regrowth copies, one allocation
// per 4096 changes (a failover of a full table logs ~100 k at once), whole chunks freed as the
// oldest go.
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
  static constexpr std::size_t kChunk = 4096;

  explicit ChangeLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity ? capacity : 1) {}
  void set_capacity(std::size_t n) {
    capacity_ = n ? n : 1;
    trim();
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  void push_back(const Change& c) {
    if (end_ == base_ + chunks_.size() * kChunk) chunks_.push_back(std::make_unique_for_overwrite<Change[]>(kChunk));
    at(end_++) = c;
    trim();
  }
  // Changes ever logged: the index the next one gets (= the last sequence number).
  [[nodiscard]] std::size_t size() const noexcept { return end_; }
  // The oldest change kept (its index); first() == size() when none is.
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] std::size_t kept() const noexcept { return end_ - first_; }
  // By absolute index, first() <= i < size().
  [[nodiscard]] const Change& operator[](std::size_t i) const { return at(i); }
  [[nodiscard]] const Change& back() const { return at(end_ - 1); }
  [[nodiscard]] bool empty() const noexcept { return kept() == 0; }
  [[nodiscard]] std::size_t bytes() const noexcept { return chunks_.size() * kChunk * sizeof(Change); }
  // Changes dropped since the last call (the owner logs one line per burst).
  [[nodiscard]] std::size_t take_dropped() noexcept {
    const std::size_t n = unreported_;
    unreported_ = 0;
    return n;
  }

 private:
  [[nodiscard]] Change& at(std::size_t i) const { return chunks_[(i - base_) / kChunk][(i - base_) % kChunk]; }
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
  std::deque<std::unique_ptr<Change[]>> chunks_;  // chunks_[k] holds indices base_ + k * kChunk onwards
  std::size_t base_ = 0;
  std::size_t first_ = 0;
  std::size_t end_ = 0;
  std::size_t capacity_;
  std::size_t unreported_ = 0;
};

}  // namespace bgpfa::analyzer
