#include "bgp/session/bfd_endpoint.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace bgpfa::session::bfd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct Endpoint::Peer final : SessionActions {
  Peer(Endpoint& ep, PeerConfig c) : ep(ep), cfg(std::move(c)), socket(ep.io_) {}
  void send(const Packet& p) override {
    const auto bytes = encode(p);
    boost::system::error_code ec;
    socket.send_to(asio::buffer(bytes), dest, 0, ec);
    if (ec) {
      ++ep.stats_.send_errors;
      ep.discard(&cfg, "send", fmt::format("BFD {}: sending to {}: {}", cfg.name, dest.address().to_string(), ec.message()));
      return;
    }
    ++ep.stats_.sent;
  }
  void state_changed(const StateChange& c) override { ep.listener_.bfd_state_changed(cfg, c); }

  Endpoint& ep;
  PeerConfig cfg;
  udp::socket socket;
  udp::endpoint dest;
  std::unique_ptr<Session> session;
};

namespace {

std::array<std::uint8_t, 17> key(const wire::IpAddress& a) {
  std::array<std::uint8_t, 17> k{};
  k[0] = static_cast<std::uint8_t>(a.afi);
  std::copy(a.octets.begin(), a.octets.end(), k.begin() + 1);
  return k;
}

asio::ip::address to_asio(const wire::IpAddress& a) {
  if (a.afi == wire::Afi::Ipv4) {
    asio::ip::address_v4::bytes_type b;
    std::copy_n(a.octets.begin(), 4, b.begin());
    return asio::ip::address_v4(b);
  }
  asio::ip::address_v6::bytes_type b;
  std::copy_n(a.octets.begin(), 16, b.begin());
  return asio::ip::address_v6(b);
}

void set_int(int fd, int level, int name, int value, const std::string& what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
    throw std::system_error(errno, std::generic_category(), what);
}

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

Endpoint::Endpoint(asio::io_context& io, TimerService& timers, EndpointListener& listener, EndpointConfig cfg)
    : io_(io), timers_(timers), listener_(listener), cfg_(cfg), rng_(std::random_device{}()) {}

Endpoint::~Endpoint() {
  *alive_ = false;
  by_discriminator_.clear();
  by_address_.clear();
  retired_.clear();  // sessions first: their timers are cancelled
}

void Endpoint::open() {
  auto bind_rx = [&](bool v6) {
    auto s = std::make_unique<udp::socket>(io_);
    const udp::endpoint at(v6 ? asio::ip::address(asio::ip::address_v6::any()) : asio::ip::address(asio::ip::address_v4::any()),
                           cfg_.port);
    const std::string where = fmt::format("BFD receive socket {}", v6 ? fmt::format("[::]:{}", cfg_.port)
                                                                      : fmt::format("0.0.0.0:{}", cfg_.port));
    boost::system::error_code ec;
    s->open(at.protocol(), ec);
    if (ec) throw std::system_error(ec.value(), std::generic_category(), where + ": socket");
    const int fd = s->native_handle();
    if (v6) {
      set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, where + ": IPV6_V6ONLY");
      set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, where + ": IPV6_RECVHOPLIMIT");
    } else {
      set_int(fd, IPPROTO_IP, IP_RECVTTL, 1, where + ": IP_RECVTTL");
    }
    set_int(fd, SOL_SOCKET, SO_TIMESTAMP, 1, where + ": SO_TIMESTAMP");  // kernel receive time
    s->bind(at, ec);
    if (ec) throw std::system_error(ec.value(), std::generic_category(), where + ": bind");
    s->non_blocking(true);
    arm(*s);
    return s;
  };
  if (cfg_.ipv4) rx4_ = bind_rx(false);
  if (cfg_.ipv6) rx6_ = bind_rx(true);
}

std::uint16_t Endpoint::local_port(wire::Afi afi) const {
  const auto& s = afi == wire::Afi::Ipv4 ? rx4_ : rx6_;
  if (!s) throw std::logic_error("BFD endpoint: no receive socket for that family (open() first)");
  return s->local_endpoint().port();
}

void Endpoint::arm(udp::socket& s) {
  s.async_wait(udp::socket::wait_read, [this, &s, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    const auto a = alive.lock();
    if (ec || !a || !*a) return;
    drain(s);
    arm(s);
  });
}

void Endpoint::drain(udp::socket& s) {
  for (;;) {
    std::array<std::uint8_t, 512> buf;  // a control packet is 24 octets; room for an auth section
    sockaddr_storage from{};
    alignas(cmsghdr) std::array<char, 256> control;
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(s.native_handle(), &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        discard(nullptr, "recv", fmt::format("BFD: receiving: {}", std::strerror(errno)));
      if (errno == EINTR) continue;
      return;
    }
    std::optional<int> ttl;
    std::uint64_t rx_us = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
          (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
        int v;
        std::memcpy(&v, CMSG_DATA(c), sizeof v);
        ttl = v;
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
        timeval tv;
        std::memcpy(&tv, CMSG_DATA(c), sizeof tv);
        rx_us = static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(tv.tv_usec);
      }
    }
    if (rx_us == 0) rx_us = now_us();
    wire::IpAddress src;
    if (from.ss_family == AF_INET) {
      sockaddr_in sin;
      std::memcpy(&sin, &from, sizeof sin);
      src = wire::IpAddress::from_bytes(wire::Afi::Ipv4, reinterpret_cast<const std::uint8_t*>(&sin.sin_addr));
    } else if (from.ss_family == AF_INET6) {
      sockaddr_in6 sin6;
      std::memcpy(&sin6, &from, sizeof sin6);
      src = wire::IpAddress::from_bytes(wire::Afi::Ipv6, sin6.sin6_addr.s6_addr);
    } else {
      continue;
    }
    deliver(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)), src, ttl, rx_us);
  }
}

void Endpoint::deliver(std::span<const std::uint8_t> data, const wire::IpAddress& from, std::optional<int> ttl,
                       std::uint64_t rx_us) {
  const auto it = by_address_.find(key(from));
  const PeerConfig* known = it == by_address_.end() ? nullptr : &it->second->cfg;
  // RFC 5881 5: without authentication, anything but 255 may come from off the link.
  if (ttl != kTtl) {
    ++stats_.bad_ttl;
    discard(known, "ttl",
            ttl ? fmt::format("BFD: packet from {} with TTL {} discarded (single hop requires 255)", wire::to_string(from), *ttl)
                : fmt::format("BFD: packet from {} without a TTL discarded", wire::to_string(from)));
    return;
  }
  const auto r = decode(data);
  if (!r) {
    ++stats_.malformed;
    discard(known, "decode", fmt::format("BFD: from {}: {}", wire::to_string(from), r.error().what));
    return;
  }
  const Packet& p = r.value();
  Peer* peer = nullptr;
  if (p.your_discriminator != 0) {
    const auto d = by_discriminator_.find(p.your_discriminator);
    if (d == by_discriminator_.end()) {
      ++stats_.no_session;
      discard(known, "discriminator",
              fmt::format("BFD: from {}: no session with discriminator {}", wire::to_string(from), p.your_discriminator));
      return;
    }
    peer = d->second;
    if (!(peer->cfg.address == from)) {
      ++stats_.wrong_source;
      discard(&peer->cfg, "source",
              fmt::format("BFD: packet for discriminator {} (peer {}) came from {}", p.your_discriminator,
                          wire::to_string(peer->cfg.address), wire::to_string(from)));
      return;
    }
  } else {
    if (it == by_address_.end()) {
      ++stats_.no_session;
      discard(nullptr, "address", fmt::format("BFD: packet from {}, which is not a configured peer", wire::to_string(from)));
      return;
    }
    peer = it->second.get();
  }
  ++stats_.received;
  (void)peer->session->receive(p, rx_us);  // the discriminator was checked above
}

void Endpoint::discard(const PeerConfig* peer, const char* kind, const std::string& line) {
  // At most one line per kind every 10 s, with the count of the ones not shown.
  auto& [last, suppressed] = log_limit_[kind];
  const auto now = std::chrono::steady_clock::now();
  if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::seconds(10)) {
    ++suppressed;
    return;
  }
  listener_.bfd_log(peer, suppressed ? fmt::format("{} ({} more like it not shown)", line, suppressed) : line);
  last = now;
  suppressed = 0;
}

std::uint32_t Endpoint::new_discriminator() {
  for (;;) {
    const std::uint32_t d = rng_();
    if (d != 0 && !by_discriminator_.contains(d)) return d;
  }
}

Session& Endpoint::add_peer(PeerConfig pc) {
  const auto k = key(pc.address);
  if (by_address_.contains(k)) throw std::invalid_argument("BFD: peer " + wire::to_string(pc.address) + " is already configured");
  if (pc.local && pc.local->afi != pc.address.afi)
    throw std::invalid_argument("BFD: peer " + wire::to_string(pc.address) + ": local address " + wire::to_string(*pc.local) +
                                " is of the other address family");
  if (pc.name.empty()) pc.name = wire::to_string(pc.address);
  auto peer = std::make_unique<Peer>(*this, pc);
  const bool v6 = pc.address.afi == wire::Afi::Ipv6;
  const std::string where = "BFD send socket for " + pc.name;
  peer->dest = udp::endpoint(to_asio(pc.address), pc.port);
  boost::system::error_code ec;
  peer->socket.open(v6 ? udp::v6() : udp::v4(), ec);
  if (ec) throw std::system_error(ec.value(), std::generic_category(), where + ": socket");
  const int fd = peer->socket.native_handle();
  if (v6) {
    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kTtl, where + ": IPV6_UNICAST_HOPS");
    set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, 0xc0, where + ": IPV6_TCLASS");  // CS6, network control
  } else {
    set_int(fd, IPPROTO_IP, IP_TTL, kTtl, where + ": IP_TTL");
    set_int(fd, IPPROTO_IP, IP_TOS, 0xc0, where + ": IP_TOS");
  }
  // RFC 5881 4: one source port per session, from 49152-65535.
  const auto local = pc.local ? to_asio(*pc.local)
                              : (v6 ? asio::ip::address(asio::ip::address_v6::any()) : asio::ip::address(asio::ip::address_v4::any()));
  std::uniform_int_distribution<int> port(kSourcePortMin, 65535);
  for (int attempt = 0;; ++attempt) {
    const auto p = static_cast<std::uint16_t>(port(rng_));
    peer->socket.bind(udp::endpoint(local, p), ec);
    if (!ec) break;
    if (ec != boost::asio::error::address_in_use || attempt == 100)
      throw std::system_error(ec.value(), std::generic_category(),
                              fmt::format("{}: bind {} port {}", where, local.to_string(), p));
  }
  peer->socket.non_blocking(true);

  SessionConfig sc;
  sc.local_discriminator = new_discriminator();
  sc.desired_min_tx = pc.desired_min_tx;
  sc.required_min_rx = pc.required_min_rx;
  sc.detect_mult = pc.detect_mult;
  sc.admin_down = pc.admin_down;
  peer->session = std::make_unique<Session>(timers_, *peer, sc);
  Peer& ref = *peer;
  by_discriminator_.emplace(sc.local_discriminator, &ref);
  by_address_.emplace(k, std::move(peer));
  ref.session->start();
  return *ref.session;
}

void Endpoint::remove_peer(const wire::IpAddress& address) {
  const auto it = by_address_.find(key(address));
  if (it == by_address_.end()) return;
  by_discriminator_.erase(it->second->session->local_discriminator());
  it->second->session->stop();
  // Its session may be on the stack (remove_peer from a state-change callback): free it later.
  retired_.push_back(std::move(it->second));
  by_address_.erase(it);
  asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (const auto a = alive.lock(); a && *a) retired_.clear();
  });
}

std::uint16_t Endpoint::source_port(const wire::IpAddress& address) const {
  const auto it = by_address_.find(key(address));
  return it == by_address_.end() ? 0 : it->second->socket.local_endpoint().port();
}

Session* Endpoint::session(const wire::IpAddress& address) noexcept {
  const auto it = by_address_.find(key(address));
  return it == by_address_.end() ? nullptr : it->second->session.get();
}

}  // namespace bgpfa::session::bfd
