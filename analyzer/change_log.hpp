// The analyzer's change log, bounded: every active-path change in time order, indexed by its
// absolute position (sequence number - 1) however many of the oldest were dropped. Past the
// capacity the oldest go; the drops are counted so that the owner can say so once per burst.
// 48 bytes per change (analyzer::Change), in chunks (std::deque): no regrowth copies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>

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
    log_.push_back(c);
    trim();
  }
  // Changes ever logged: the index the next one gets (= the last sequence number).
  [[nodiscard]] std::size_t size() const noexcept { return first_ + log_.size(); }
  // The oldest change kept (its index); first() == size() when none is.
  [[nodiscard]] std::size_t first() const noexcept { return first_; }
  [[nodiscard]] std::size_t kept() const noexcept { return log_.size(); }
  // By absolute index, first() <= i < size().
  [[nodiscard]] const Change& operator[](std::size_t i) const { return log_[i - first_]; }
  [[nodiscard]] const Change& back() const { return log_.back(); }
  [[nodiscard]] bool empty() const noexcept { return log_.empty(); }
  [[nodiscard]] std::size_t bytes() const noexcept { return log_.size() * sizeof(Change); }
  // Changes dropped since the last call (the owner logs one line per burst).
  [[nodiscard]] std::size_t take_dropped() noexcept {
    const std::size_t n = unreported_;
    unreported_ = 0;
    return n;
  }

 private:
  void trim() {
    while (log_.size() > capacity_) {
      log_.pop_front();
      ++first_;
      ++unreported_;
    }
  }
  std::deque<Change> log_;
  std::size_t first_ = 0;
  std::size_t capacity_;
  std::size_t unreported_ = 0;
};

}  // namespace bgpfa::analyzer
