// Timers behind an interface: Asio in the speaker, a fake clock in tests.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace bgpfa::session {

using Duration = std::chrono::milliseconds;

class TimerService {
 public:
  virtual ~TimerService() = default;
  using Id = std::uint64_t;
  virtual Id schedule(Duration after, std::function<void()> fire) = 0;
  virtual void cancel(Id id) = 0;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point now() const = 0;
};

// A one-shot timer owned by the FSM: restarting replaces the pending expiry.
// A restart that only pushes the expiry later (the hold timer on every UPDATE, BFD's detection
// timer on every packet) just moves the deadline: the expiry already scheduled finds it not yet
// due and schedules the rest. A full table is a million restarts; this keeps each one to a clock
// read instead of a timer allocated, scheduled and cancelled.
class Timer {
 public:
  Timer(TimerService& s, std::function<void()> fire) : s_(s), fire_(std::move(fire)) {}
  ~Timer() { stop(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void start(Duration d) {
    const auto due = s_.now() + d;
    if (running_ && due >= scheduled_) {
      deadline_ = due;
      return;
    }
    stop();
    running_ = true;
    deadline_ = due;
    schedule(d);
  }
  void stop() {
    if (running_) s_.cancel(id_);
    running_ = false;
  }
  [[nodiscard]] bool running() const noexcept { return running_; }

 private:
  void schedule(Duration d) {
    scheduled_ = s_.now() + d;
    id_ = s_.schedule(d, [this] {
      const auto now = s_.now();
      if (now < deadline_) return schedule(std::chrono::ceil<Duration>(deadline_ - now));
      running_ = false;
      fire_();
    });
  }
  TimerService& s_;
  std::function<void()> fire_;
  TimerService::Id id_ = 0;
  bool running_ = false;
  std::chrono::steady_clock::time_point deadline_{}, scheduled_{};  // when it is due; when the pending expiry is
};

// Deterministic clock for tests: advance() fires what is due, in order.
class FakeTimerService final : public TimerService {
 public:
  Id schedule(Duration after, std::function<void()> fire) override {
    const Id id = ++next_;
    ++scheduled_;
    pending_.emplace(id, Entry{now_ + after, std::move(fire)});
    return id;
  }
  void cancel(Id id) override { pending_.erase(id); }
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override { return now_; }
  void advance(Duration d) {
    const auto until = now_ + d;
    for (;;) {
      auto it = std::min_element(pending_.begin(), pending_.end(),
                                 [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
      if (it == pending_.end() || it->second.at > until) break;
      now_ = it->second.at;
      auto fire = std::move(it->second.fire);
      pending_.erase(it);
      fire();
    }
    now_ = until;
  }
  [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }
  [[nodiscard]] std::size_t scheduled() const noexcept { return scheduled_; }  // schedule() calls ever

 private:
  struct Entry {
    std::chrono::steady_clock::time_point at;
    std::function<void()> fire;
  };
  std::map<Id, Entry> pending_;
  Id next_ = 0;
  std::size_t scheduled_ = 0;
  std::chrono::steady_clock::time_point now_{};
};

}  // namespace bgpfa::session
