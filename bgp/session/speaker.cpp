#include "bgp/session/speaker.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "bgp/session/asio_address.hpp"
#include "bgp/session/asio_timers.hpp"

namespace bgpfa::session {

namespace asio = boost::asio;
using asio::ip::tcp;


Speaker::Speaker(asio::io_context& io, SessionSink& sink)
    : io_(io), sink_(sink), timers_owner_(std::make_unique<AsioTimerService>(io)), timers_(*timers_owner_), accept_backoff_(io) {}

void Speaker::listen(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(fmt::format("listen address \"{}\" is not an IP address", address));
  tcp::endpoint ep(addr, port);
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && addr.is_v6()) acceptor_->set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) {
    // Accepted connections inherit kernel receive times (Session::enable_rx_timestamps), so the
    // peer's first segments, which may arrive before the session adopts the socket, carry them.
    // Best effort here: the session sets it again and says so when it cannot.
    const int on = 1;
    ::setsockopt(acceptor_->native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  }
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot listen on [{}]:{}: {}", address, port, ec.message()));
  accept_next();
}

std::uint16_t Speaker::port() const {
  boost::system::error_code ec;
  return acceptor_ ? acceptor_->local_endpoint(ec).port() : 0;
}

void Speaker::accept_next() {
  acceptor_->async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (ec) {
      // Out of descriptors (or memory): the pending connection stays in the backlog, so
      // re-arming at once would spin. Wait, say so once, and say when it works again.
      NeighborConfig listener;
      listener.name = "listener";
      if (!accept_failing_) sink_.log(listener, fmt::format("cannot accept connections: {}; retrying every second", ec.message()));
      accept_failing_ = true;
      accept_backoff_.expires_after(std::chrono::seconds(1));
      accept_backoff_.async_wait([this](const boost::system::error_code& e) {
        if (!e) accept_next();
      });
      return;
    }
    if (accept_failing_) {
      NeighborConfig listener;
      listener.name = "listener";
      sink_.log(listener, "accepting connections again");
      accept_failing_ = false;
    }
    boost::system::error_code e2, e3;
    const auto remote = socket.remote_endpoint(e2);
    const auto local = socket.local_endpoint(e3);
    const auto key = e2 ? std::string() : wire::to_string(from_asio(remote.address()));
    // The session (local, peer) first: one on-premises address may peer with two local ones.
    auto it = e2 || e3 ? sessions_.end() : sessions_.find(key + "@" + wire::to_string(from_asio(local.address())));
    if (it == sessions_.end()) it = sessions_.find(key);
    if (it == sessions_.end()) {
      NeighborConfig unknown;
      unknown.name = key;
      sink_.log(unknown, "connection from an unconfigured address refused");
      socket.close(e2);
    } else {
      it->second->accept(std::move(socket));
    }
    accept_next();
  });
}

std::string Speaker::key_of(const wire::IpAddress& a, const std::optional<wire::IpAddress>& local) {
  return local ? wire::to_string(a) + "@" + wire::to_string(*local) : wire::to_string(a);
}

void Speaker::add(const NeighborConfig& n) {
  const auto key = key_of(n.address, n.local);
  auto s = std::make_unique<Session>(io_, timers_, n, sink_);
  s->start();
  sessions_[key] = std::move(s);
}

void Speaker::remove(const wire::IpAddress& a, const std::string& why) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->config().address != a) {
      ++it;
      continue;
    }
    it->second->stop(3, why);  // Cease/Peer De-configured
    it = sessions_.erase(it);
  }
}

void Speaker::reset(const wire::IpAddress& a, std::uint8_t cease_subcode, const std::string& why) {
  for (auto& [k, s] : sessions_)
    if (s->config().address == a) s->reset(cease_subcode, why);
}

void Speaker::resume(const wire::IpAddress& a) {
  for (auto& [k, s] : sessions_)
    if (s->config().address == a) s->resume();
}

void Speaker::resume_reading() {
  for (auto& [k, s] : sessions_) s->resume_reading();
}

void Speaker::routes_held(const wire::IpAddress& a, const std::optional<wire::IpAddress>& local, std::size_t routes,
                          std::uint16_t afi, std::uint8_t safi) {
  if (auto it = sessions_.find(key_of(a, local)); it != sessions_.end()) it->second->routes_held(routes, afi, safi);
}

void Speaker::stop_all(std::uint8_t cease_subcode, const std::string& why) {
  for (auto& [k, s] : sessions_) s->stop(cease_subcode, why);
  accept_backoff_.cancel();
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
  }
}

std::map<std::string, State> Speaker::states() const {
  std::map<std::string, State> out;
  for (const auto& [k, s] : sessions_) out[k] = s->state();
  return out;
}

bool Speaker::has(const wire::IpAddress& a) const {
  return std::any_of(sessions_.begin(), sessions_.end(), [&](const auto& s) { return s.second->config().address == a; });
}

}  // namespace bgpfa::session
