// The BFD endpoint over loopback (no root needed): two endpoints come Up over real UDP sockets,
// one goes silent and the other detects it in its detection time; packets with a TTL other than
// 255, malformed ones and ones for unknown discriminators or addresses are discarded.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>
#include <fmt/format.h>

#include "bgp/session/asio_timers.hpp"
#include "bgp/session/bfd_endpoint.hpp"

using namespace bgpfa;
using namespace bgpfa::session::bfd;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct Log final : EndpointListener {
  std::vector<std::pair<std::string, StateChange>> changes;
  std::vector<std::string> lines;
  std::function<void(const PeerConfig&, const StateChange&)> on_change;
  void bfd_state_changed(const PeerConfig& p, const StateChange& c) override {
    changes.emplace_back(p.name, c);
    if (on_change) on_change(p, c);
  }
  void bfd_log(const PeerConfig*, const std::string& line) override { lines.push_back(line); }
};

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch()).count());
}

template <class Pred>
bool run_until(asio::io_context& io, std::chrono::milliseconds limit, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(10ms);
    io.restart();
  }
  return true;
}

PeerConfig peer(const std::string& addr, std::uint16_t port, const std::string& name) {
  PeerConfig p;
  p.address = *wire::parse_address(addr);
  p.port = port;
  p.desired_min_tx = 50ms;
  p.required_min_rx = 50ms;
  p.detect_mult = 3;
  p.name = name;
  return p;
}

void up_then_silence(const std::string& addr, bool v6, bool remove_on_down = false) {
  asio::io_context io;
  session::AsioTimerService timers(io);
  Log la, lb;
  EndpointConfig ec;
  ec.port = 0;
  ec.ipv4 = !v6;
  ec.ipv6 = v6;
  Endpoint a(io, timers, la, ec), b(io, timers, lb, ec);
  a.open();
  b.open();
  const auto afi = v6 ? wire::Afi::Ipv6 : wire::Afi::Ipv4;
  Session& sa = a.add_peer(peer(addr, b.local_port(afi), "b"));
  Session& sb = b.add_peer(peer(addr, a.local_port(afi), "a"));
  CHECK(a.source_port(*wire::parse_address(addr)) >= kSourcePortMin);
  CHECK(a.source_port(*wire::parse_address(addr)) != b.source_port(*wire::parse_address(addr)));
  CHECK(a.source_port(*wire::parse_address("192.0.2.1")) == 0);
  REQUIRE(run_until(io, 6s, [&] { return sa.state() == State::Up && sb.state() == State::Up; }));
  REQUIRE(run_until(io, 2s, [&] { return !sa.poll_active() && !sb.poll_active(); }));
  CHECK(sa.tx_interval() == 50ms);
  CHECK(sa.detection_time() == 150ms);
  CHECK(la.changes.back().second.to == State::Up);
  CHECK(la.changes.back().first == "b");

  if (remove_on_down) {
    // B's AdminDown arrives: A's session, inside receive(), tells the owner, who removes it.
    la.on_change = [&](const PeerConfig& p, const StateChange& c) {
      if (c.to == State::Down) a.remove_peer(p.address);
    };
    sb.admin_down();
    REQUIRE(run_until(io, 2s, [&] { return la.changes.back().second.to == State::Down; }));
    CHECK(la.changes.back().second.diag == Diag::NeighborSignaledSessionDown);
    io.run_for(100ms);
    CHECK(a.session(*wire::parse_address(addr)) == nullptr);
    return;
  }
  const auto silenced = now_us();
  b.remove_peer(*wire::parse_address(addr));
  CHECK(b.session(*wire::parse_address(addr)) == nullptr);
  REQUIRE(run_until(io, 2s, [&] { return sa.state() == State::Down; }));
  const auto detected = now_us();
  const auto& down = la.changes.back().second;
  CHECK(down.diag == Diag::ControlDetectionTimeExpired);
  REQUIRE(down.last_rx_us);
  CHECK(*down.last_rx_us <= silenced);
  CHECK(silenced - *down.last_rx_us < 150'000);
  CHECK(down.at_us - *down.last_rx_us >= 150'000);  // not before the detection time
  CHECK(detected - silenced < 1'000'000);           // generous: 150 ms expected
  CHECK(a.stats().bad_ttl == 0);
  CHECK(a.stats().malformed == 0);
  CHECK(a.stats().received >= 3);
  CHECK(a.stats().sent >= 3);
}

}  // namespace

TEST_CASE("bfd endpoint: IPv4 loopback, Up then a silent peer is detected", "[bfd][endpoint]") {
  up_then_silence("127.0.0.1", false);
}

TEST_CASE("bfd endpoint: the owner may remove the peer from its state-change callback", "[bfd][endpoint]") {
  up_then_silence("127.0.0.1", false, true);
}

TEST_CASE("bfd endpoint: IPv6 loopback, Up then a silent peer is detected", "[bfd][endpoint]") {
  asio::io_context probe;
  asio::ip::udp::socket s(probe);
  boost::system::error_code ec;
  s.open(asio::ip::udp::v6(), ec);
  if (!ec) s.bind({asio::ip::make_address("::1"), 0}, ec);
  if (ec) {
    WARN("skipped: no IPv6 loopback (" << ec.message() << ")");
    return;
  }
  up_then_silence("::1", true);
}

TEST_CASE("bfd endpoint: TTL, malformed, unknown discriminator and unknown address are discarded", "[bfd][endpoint]") {
  asio::io_context io;
  session::AsioTimerService timers(io);
  Log log;
  EndpointConfig ec;
  ec.port = 0;
  ec.ipv6 = false;
  Endpoint a(io, timers, log, ec);
  a.open();
  const auto port = a.local_port(wire::Afi::Ipv4);
  a.add_peer(peer("127.0.0.1", 9, "p"));  // sends to the discard port: nobody answers

  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  Packet p;
  p.state = State::Down;
  p.detect_mult = 3;
  p.my_discriminator = 99;
  p.desired_min_tx_us = 1'000'000;
  p.required_min_rx_us = 1'000'000;
  auto send = [&](const Packet& pk, int ttl) {
    const int fd = s.native_handle();
    REQUIRE(::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0);
    s.send_to(asio::buffer(encode(pk)), to);
  };

  send(p, 64);
  REQUIRE(run_until(io, 2s, [&] { return a.stats().bad_ttl == 1; }));
  CHECK(log.lines.back() == "BFD: packet from 127.0.0.1 with TTL 64 discarded (single hop requires 255)");
  CHECK(a.stats().received == 0);

  s.send_to(asio::buffer(std::array<std::uint8_t, 3>{0x20, 0x40, 3}), to);  // TTL still 64
  REQUIRE(run_until(io, 2s, [&] { return a.stats().bad_ttl == 2; }));
  CHECK(a.stats().malformed == 0);  // the TTL is checked first

  const int ttl = 255;
  REQUIRE(::setsockopt(s.native_handle(), IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0);
  s.send_to(asio::buffer(std::array<std::uint8_t, 3>{0x20, 0x40, 3}), to);
  REQUIRE(run_until(io, 2s, [&] { return a.stats().malformed == 1; }));
  CHECK(log.lines.back() ==
        "BFD: from 127.0.0.1: BFD control packet: 3 octets, the mandatory section is 24 (offset 0)");

  auto unknown = p;
  unknown.state = State::Up;
  unknown.your_discriminator = 1;
  while (a.session(*wire::parse_address("127.0.0.1"))->local_discriminator() == unknown.your_discriminator)
    ++unknown.your_discriminator;
  send(unknown, 255);
  REQUIRE(run_until(io, 2s, [&] { return a.stats().no_session == 1; }));
  CHECK(log.lines.back() == fmt::format("BFD: from 127.0.0.1: no session with discriminator {}", unknown.your_discriminator));

  // The right packet, TTL 255: the session takes it (Down + Down -> Init).
  send(p, 255);
  REQUIRE(run_until(io, 2s, [&] { return a.stats().received == 1; }));
  CHECK(a.session(*wire::parse_address("127.0.0.1"))->state() == State::Init);
  CHECK(a.session(*wire::parse_address("127.0.0.1"))->remote_discriminator() == 99);
}

TEST_CASE("bfd endpoint: duplicate peers and mixed families are refused", "[bfd][endpoint]") {
  asio::io_context io;
  session::AsioTimerService timers(io);
  Log log;
  Endpoint a(io, timers, log, EndpointConfig{0, true, false});
  a.open();
  a.add_peer(peer("127.0.0.1", 9, "p"));
  CHECK_THROWS_WITH(a.add_peer(peer("127.0.0.1", 9, "p")), "BFD: peer 127.0.0.1 is already configured");
  auto mixed = peer("127.0.0.2", 9, "m");
  mixed.local = *wire::parse_address("::1");
  CHECK_THROWS_WITH(a.add_peer(mixed), "BFD: peer 127.0.0.2: local address ::1 is of the other address family");
}
