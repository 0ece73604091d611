// Accepts connections on one address:port and hands each to the session of its neighbour.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "bgp/session/session.hpp"

namespace bgpfa::session {

class Speaker {
 public:
  Speaker(boost::asio::io_context& io, SessionSink& sink);
  // Throws std::runtime_error naming the address when it cannot listen.
  void listen(const std::string& address, std::uint16_t port);
  [[nodiscard]] std::uint16_t port() const;  // the bound port (listen on 0 picks one)
  void add(const NeighborConfig& n);
  void remove(const wire::IpAddress& a, const std::string& why);  // every session with this peer
  void resume(const wire::IpAddress& a);  // lifts a maximum-prefix hold-down
  void resume_reading();  // every session the sink's may_read() paused reads again
  // Every session with this peer: Cease/`cease_subcode`, then they start again (a BFD Down).
  void reset(const wire::IpAddress& a, std::uint8_t cease_subcode, const std::string& why);
  void routes_held(const wire::IpAddress& a, const std::optional<wire::IpAddress>& local, std::size_t routes,
                   std::uint16_t afi, std::uint8_t safi);
  // Sessions are keyed "peer" or "peer@local" (a session bound to a gateway-side address).
  [[nodiscard]] static std::string key_of(const wire::IpAddress& a, const std::optional<wire::IpAddress>& local);
  void stop_all(std::uint8_t cease_subcode, const std::string& why);
  [[nodiscard]] std::map<std::string, State> states() const;
  [[nodiscard]] TimerService& timers() noexcept { return timers_; }
  [[nodiscard]] bool has(const wire::IpAddress& a) const;

 private:
  void accept_next();
  boost::asio::io_context& io_;
  SessionSink& sink_;
  std::unique_ptr<TimerService> timers_owner_;
  TimerService& timers_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  boost::asio::steady_timer accept_backoff_;  // accept() failing (EMFILE): retry later, not in a spin
  bool accept_failing_ = false;
  std::map<std::string, std::unique_ptr<Session>> sessions_;  // by address text
};

}  // namespace bgpfa::session
