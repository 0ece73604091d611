// TimerService on a Boost.Asio io_context (steady_timer per pending expiry).
#pragma once
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bgp/session/timers.hpp"

namespace bgpfa::session {

class AsioTimerService final : public TimerService {
 public:
  explicit AsioTimerService(boost::asio::io_context& io) : io_(io) {}
  Id schedule(Duration after, std::function<void()> fire) override {
    const Id id = ++next_;
    auto t = std::make_unique<boost::asio::steady_timer>(io_, after);
    t->async_wait([this, id, fire = std::move(fire)](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled
      timers_.erase(id);
      fire();
    });
    timers_.emplace(id, std::move(t));
    return id;
  }
  void cancel(Id id) override {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    it->second->cancel();
    // The handler still runs (with operation_aborted); keep the timer alive until then.
    retired_.push_back(std::move(it->second));
    timers_.erase(it);
    if (retired_.size() > 64) retired_.erase(retired_.begin(), retired_.begin() + 32);
  }
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }

 private:
  boost::asio::io_context& io_;
  std::map<Id, std::unique_ptr<boost::asio::steady_timer>> timers_;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> retired_;
  Id next_ = 0;
};

}  // namespace bgpfa::session
