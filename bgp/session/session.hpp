// One BGP neighbour on Boost.Asio: TCP, message framing, OPEN/capability negotiation, the FSM,
// and a sink that receives decoded UPDATEs, NOTIFICATIONs, state changes and raw messages.
// bgpfa is an observer: it advertises nothing, but it is a polite, correct peer.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "bgp/session/fsm.hpp"
#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::session {

struct NeighborConfig {
  wire::IpAddress address;
  std::uint32_t remote_as = 0;
  std::uint32_t local_as = 0;
  std::uint32_t router_id = 0;
  std::uint16_t hold_time = 90;
  std::uint16_t keepalive_time = 0;  // 0: a third of the negotiated hold time; else at most that
  std::chrono::seconds connect_retry{5};  // ConnectRetryTime
  std::uint16_t port = 179;
  std::uint16_t restart_time = 120;  // advertised in our graceful-restart capability
  std::uint32_t max_prefixes = 0;    // 0: no limit (RFC 4486 Cease/1 above it)
  bool max_prefix_warning_only = false;
  std::chrono::seconds max_prefix_restart{0};  // 0: held down until resume()
  bool passive = false;
  bool add_path_receive = true;
  std::string name;  // for logs
  // The gateway-side address of this session: it dials from it, and an inbound connection to
  // it (from `address`) is this session's. Unset: any local address.
  std::optional<wire::IpAddress> local;
  std::optional<wire::IpAddress> connected_local;  // the current connection's local address (set by the session)
};

// Everything a session learns, with the receive time (µs since the epoch).
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  virtual void state_changed(const NeighborConfig& n, std::uint64_t t, State from, State to) = 0;
  // A message exactly as on the wire (for MRT capture): received, or sent by us (`local`: our
  // OPEN and NOTIFICATIONs). `add_path`: its NLRI carry path identifiers (MRT marks that per
  // message, the session negotiates it per family).
  virtual void message(const NeighborConfig& n, std::uint64_t t, wire::Bytes bytes, bool add_path, bool four_octet_as,
                       bool local) = 0;
  // Returns how many routes the owner now holds from this neighbour (for maximum-prefix), or
  // nothing when the owner counts elsewhere and reports later with Session::routes_held().
  virtual std::optional<std::size_t> update(const NeighborConfig& n, std::uint64_t t, const wire::Update& u,
                             const wire::DecodeContext& ctx, bool withdraw_all) = 0;
  virtual void notification(const NeighborConfig& n, std::uint64_t t, const wire::Notification& note, bool sent) = 0;
  virtual void log(const NeighborConfig& n, const std::string& line) = 0;
  // The messages of one read were all handed over (message(), update()): a sink that collects
  // them to pass on together passes them on now.
  virtual void received_all(const NeighborConfig&) {}
  // Asked before each read: false while the owner is too far behind (what was handed over and
  // not yet handled). The session then reads nothing more, leaving the peer to TCP's flow
  // control, until Session::resume_reading(), which the sink must then have called for.
  [[nodiscard]] virtual bool may_read(const NeighborConfig&) { return true; }
};

class Session final : public FsmActions {
 public:
  Session(boost::asio::io_context& io, TimerService& timers, NeighborConfig cfg, SessionSink& sink);
  ~Session() override;
  void start();
  void stop(std::uint8_t cease_subcode = 2, std::string message = "");  // Cease, with RFC 9003 text
  // Ends the session with Cease/`cease_subcode` (e.g. 10, BFD Down: RFC 9384) and starts it
  // again after the connect-retry interval.
  void reset(std::uint8_t cease_subcode, const std::string& why);
  // Out of a maximum-prefix hold-down (a configuration reload); no effect otherwise.
  void resume();
  [[nodiscard]] bool held_down() const noexcept { return held_down_; }
  // The owner's count of routes from this neighbour after an UPDATE of family (afi, safi), when
  // it counts on another thread: maximum-prefix is checked against it (Established only).
  void routes_held(std::size_t routes, std::uint16_t afi, std::uint8_t safi);
  // Reads again after the sink's may_read() said no (nothing when it did not).
  void resume_reading();
  [[nodiscard]] bool reading_paused() const noexcept { return read_paused_; }
  // An inbound connection from this neighbour (the speaker matched its address).
  void accept(boost::asio::ip::tcp::socket socket);
  [[nodiscard]] State state() const noexcept { return fsm_.state(); }
  [[nodiscard]] const NeighborConfig& config() const noexcept { return cfg_; }

 private:
  // FsmActions
  void connect() override;
  void drop() override;
  void send_open() override;
  void send_keepalive() override;
  void send_end_of_rib();
  void send_notification(std::uint8_t code, std::uint8_t subcode) override;
  void established() override;
  void down(State from, Event why) override;
  void state_changed(State from, State to) override;
  [[nodiscard]] bool reads_paused() const override { return read_paused_; }

  void read_header();
  void read_more();         // receive() from the event loop (never inline: the caller's event comes first)
  void receive();           // reads and handles messages until the socket has no more (then waits for it)
  [[nodiscard]] bool handle_received();  // the complete messages in rx_; false when one ended the session
  void process_received();  // handles the complete messages in rx_, then reads on
  void enable_rx_timestamps();
  // RFC 4271 6.8 connection collisions: an inbound connection while ours is opening.
  struct Contender {
    explicit Contender(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
    boost::asio::ip::tcp::socket socket;
    std::vector<std::uint8_t> rx;
    std::size_t len = 0;
  };
  // Cease/Connection Collision Resolution (7) by default, Cease/Connection Rejected (5) otherwise.
  void refuse(boost::asio::ip::tcp::socket socket, std::string_view why, std::uint8_t cease_subcode = 7);
  void adopt(boost::asio::ip::tcp::socket socket, wire::Bytes already_read);
  void read_contender();
  void resolve_collision(std::uint32_t remote_id);
  static constexpr std::size_t kReadBuffer = 256 * 1024;  // > the largest (extended) message
  void on_message(wire::MessageType type, wire::Bytes whole);
  void reject(Event e, const wire::DecodeError& error);
  void note_local_address();  // NOTIFICATION with the error's code, subcode and data
  std::optional<wire::MessageType> receiving_;  // the message being handled (RFC 6608 FSM error data)
  void send(std::vector<std::uint8_t> bytes);
  void write_next();
  [[nodiscard]] std::uint64_t now_us() const;

  boost::asio::io_context& io_;
  NeighborConfig cfg_;
  SessionSink& sink_;
  Fsm fsm_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  bool outbound_ = false;  // socket_ is the connection we initiated
  std::unique_ptr<Contender> contender_;
  std::uint64_t contender_generation_ = 0;  // stale contender handlers see a different value
  std::uint64_t generation_ = 0;  // bumps on every drop: stale handlers see a different value
  std::vector<std::uint8_t> rx_;
  std::size_t rx_len_ = 0;
  // The kernel's receive time (SO_TIMESTAMPNS) of the read that completed the message in rx_,
  // 0 when it gave none (then the time the message is handled).
  std::uint64_t rx_stamp_us_ = 0;
  std::size_t rx_backlog_ = 0;  // bytes still queued in the socket after the last read (TCP_INQ)
  bool read_paused_ = false;     // the sink's may_read() said no: waiting for resume_reading()
  static constexpr std::size_t kBulkBacklog = 64 * 1024;
  std::deque<std::vector<std::uint8_t>> tx_;
  bool writing_ = false;
  wire::Open local_open_;
  wire::Negotiated negotiated_;
  wire::DecodeContext ctx_;
  std::optional<wire::Notification> pending_notification_;  // set by stop() for its text
  wire::Update update_;
  Timer restart_;
  bool stopped_ = true;
  bool held_down_ = false;      // reset for maximum-prefix: no automatic restart
  bool prefix_warning_ = false;  // warning-only limit already logged for this session
  void check_prefix_limit(std::size_t routes, std::uint16_t afi, std::uint8_t safi);
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace bgpfa::session
