// BFD for single-hop IPv4 and IPv6 (RFC 5881) on Boost.Asio: control packets are received on
// UDP port 3784 and accepted only with TTL / Hop Limit 255; each session sends from its own
// source port in 49152-65535 with TTL 255. Received packets go to the session named by Your
// Discriminator, or by source address while that is 0. The owner hears of state changes.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "bgp/session/bfd_session.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::session::bfd {

inline constexpr std::uint16_t kControlPort = 3784;    // RFC 5881 4
inline constexpr std::uint16_t kSourcePortMin = 49152;  // RFC 5881 4: source ports 49152-65535
inline constexpr std::uint8_t kTtl = 255;              // RFC 5881 5 (GTSM-style)

struct PeerConfig {
  wire::IpAddress address;                // the neighbour (global or unique-local; no link-local scope)
  std::optional<wire::IpAddress> local;   // our source address; the kernel picks when unset
  Micros desired_min_tx{300'000};
  Micros required_min_rx{300'000};
  std::uint8_t detect_mult = 3;
  std::uint16_t port = kControlPort;      // the peer's receive port
  bool admin_down = false;
  std::string name;  // for logs (default: the address)
};

struct EndpointConfig {
  std::uint16_t port = kControlPort;  // where we receive; 0 picks a free one (tests)
  bool ipv4 = true;
  bool ipv6 = true;
};

class EndpointListener {
 public:
  virtual ~EndpointListener() = default;
  virtual void bfd_state_changed(const PeerConfig& peer, const StateChange& change) = 0;
  // Discarded packets (rate-limited per kind), send errors; `peer` is null when none matched.
  virtual void bfd_log(const PeerConfig* peer, const std::string& line) = 0;
};

struct EndpointStats {
  std::uint64_t received = 0;  // handed to a session
  std::uint64_t sent = 0;
  std::uint64_t bad_ttl = 0;        // TTL / Hop Limit not 255, or not reported
  std::uint64_t malformed = 0;      // decode() refused it
  std::uint64_t no_session = 0;     // no session for its discriminator or source address
  std::uint64_t wrong_source = 0;   // the discriminator's session has another peer address
  std::uint64_t send_errors = 0;
};

class Endpoint {
 public:
  Endpoint(boost::asio::io_context& io, TimerService& timers, EndpointListener& listener, EndpointConfig cfg = {});
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  // Binds the receive sockets. Throws std::system_error naming the socket and address.
  void open();
  // Starts a session to the peer (Down, or AdminDown if configured). Throws std::invalid_argument
  // for a duplicate peer, std::system_error when its send socket cannot be made.
  Session& add_peer(PeerConfig peer);
  // Forgets the peer at once (it will see a detection-time Down; call admin_down() on its
  // session first and wait a detection time for a clean AdminDown). Safe from inside
  // bfd_state_changed: the session is stopped now and freed from the io_context.
  void remove_peer(const wire::IpAddress& address);
  [[nodiscard]] Session* session(const wire::IpAddress& address) noexcept;
  [[nodiscard]] std::uint16_t local_port(wire::Afi afi) const;  // the receive port (after open)
  // The source port of the peer's session (49152-65535); 0 for an unknown peer.
  [[nodiscard]] std::uint16_t source_port(const wire::IpAddress& address) const;
  [[nodiscard]] const EndpointStats& stats() const noexcept { return stats_; }

 private:
  struct Peer;
  void arm(boost::asio::ip::udp::socket& s);
  void drain(boost::asio::ip::udp::socket& s);
  void deliver(std::span<const std::uint8_t> data, const wire::IpAddress& from, std::optional<int> ttl,
               std::uint64_t rx_us);
  void discard(const PeerConfig* peer, const char* kind, const std::string& line);
  [[nodiscard]] std::uint32_t new_discriminator();

  boost::asio::io_context& io_;
  TimerService& timers_;
  EndpointListener& listener_;
  EndpointConfig cfg_;
  std::unique_ptr<boost::asio::ip::udp::socket> rx4_, rx6_;
  std::map<std::array<std::uint8_t, 17>, std::unique_ptr<Peer>> by_address_;
  std::map<std::uint32_t, Peer*> by_discriminator_;
  std::vector<std::unique_ptr<Peer>> retired_;  // removed, freed by a posted handler
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> log_limit_;
  EndpointStats stats_;
  std::mt19937 rng_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace bgpfa::session::bfd
