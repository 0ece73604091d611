#include "bgp/session/session.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "bgp/session/asio_address.hpp"
#include "bgp/wire/header.hpp"

namespace bgpfa::session {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

tcp::endpoint endpoint_of(const wire::IpAddress& a, std::uint16_t port) { return {to_asio(a), port}; }

}  // namespace

Session::Session(asio::io_context& io, TimerService& timers, NeighborConfig cfg, SessionSink& sink)
    : io_(io), cfg_(std::move(cfg)), sink_(sink), fsm_(timers, *this,
           FsmConfig{cfg_.connect_retry, std::chrono::minutes(4), cfg_.passive, std::chrono::seconds(cfg_.keepalive_time)}),
      restart_(timers, [this] {
        if (stopped_) return;
        held_down_ = false;
        fsm_.handle(cfg_.passive ? Event::ManualStartPassive : Event::ManualStart);
      }) {
  local_open_.my_as = cfg_.local_as > 0xffff ? wire::kAsTrans : static_cast<std::uint16_t>(cfg_.local_as);
  local_open_.hold_time = cfg_.hold_time;
  local_open_.bgp_id = cfg_.router_id;
  local_open_.caps.multiprotocol = {{1, 1}, {2, 1}};
  local_open_.caps.route_refresh = true;
  local_open_.caps.four_octet_as = cfg_.local_as;
  local_open_.caps.extended_message = true;
  // Graceful restart as a receiving speaker (RFC 4724 4.2): no families, since bgpfa keeps no
  // forwarding state of its own; a restarting peer's routes are kept as stale by the owner.
  local_open_.caps.graceful_restart = true;
  local_open_.caps.gr.restart_time = std::min<std::uint16_t>(cfg_.restart_time, 4095);
  if (cfg_.add_path_receive)
    local_open_.caps.add_path = {wire::AddPathFamily{wire::Afi::Ipv4, wire::Safi::Unicast, true, false},
                                 wire::AddPathFamily{wire::Afi::Ipv6, wire::Safi::Unicast, true, false}};
}

Session::~Session() {
  *alive_ = false;
  stopped_ = true;
  if (socket_) {
    boost::system::error_code ec;
    socket_->close(ec);
  }
}

std::uint64_t Session::now_us() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void Session::start() {
  stopped_ = false;
  fsm_.handle(cfg_.passive ? Event::ManualStartPassive : Event::ManualStart);
}

void Session::stop(std::uint8_t cease_subcode, std::string message) {
  stopped_ = true;
  restart_.stop();
  pending_notification_ = message.empty() ? wire::Notification{wire::notify::kCease, cease_subcode, {}}
                                          : wire::make_shutdown(cease_subcode, message);
  fsm_.handle(Event::ManualStop, std::pair{wire::notify::kCease, cease_subcode});
  pending_notification_.reset();
}

void Session::reset(std::uint8_t cease_subcode, const std::string& why) {
  if (stopped_ || fsm_.state() == State::Idle) return;
  sink_.log(cfg_, fmt::format("{}: session reset", why));
  pending_notification_ = wire::Notification{wire::notify::kCease, cease_subcode, {}};
  fsm_.handle(Event::ManualStop, std::pair{wire::notify::kCease, cease_subcode});
  pending_notification_.reset();
  restart_.start(cfg_.connect_retry);  // and it starts again, as after any reset
}

void Session::resume() {
  if (!held_down_ || stopped_) return;
  held_down_ = false;
  restart_.stop();
  sink_.log(cfg_, "maximum-prefix hold-down lifted");
  fsm_.handle(cfg_.passive ? Event::ManualStartPassive : Event::ManualStart);
}

void Session::resume_reading() {
  if (!read_paused_) return;
  read_paused_ = false;
  if (socket_) read_more();
}

void Session::routes_held(std::size_t routes, std::uint16_t afi, std::uint8_t safi) {
  if (fsm_.state() == State::Established) check_prefix_limit(routes, afi, safi);
}

void Session::check_prefix_limit(std::size_t routes, std::uint16_t afi, std::uint8_t safi) {
  if (!cfg_.max_prefixes || routes <= cfg_.max_prefixes) {
    if (routes <= cfg_.max_prefixes) prefix_warning_ = false;
    return;
  }
  if (cfg_.max_prefix_warning_only) {
    if (!prefix_warning_)
      sink_.log(cfg_, fmt::format("warning: {} routes, above maximum-prefix {}", routes, cfg_.max_prefixes));
    prefix_warning_ = true;
    return;
  }
  // RFC 4486 4: the family (of the UPDATE that crossed the limit) and the limit itself.
  const std::uint32_t limit = cfg_.max_prefixes;
  std::vector<std::uint8_t> data = {static_cast<std::uint8_t>(afi >> 8), static_cast<std::uint8_t>(afi), safi,
                                    static_cast<std::uint8_t>(limit >> 24), static_cast<std::uint8_t>(limit >> 16),
                                    static_cast<std::uint8_t>(limit >> 8), static_cast<std::uint8_t>(limit)};
  sink_.log(cfg_, fmt::format("{} routes, above maximum-prefix {}: session reset{}", routes, limit,
                              cfg_.max_prefix_restart.count() ? fmt::format(", restart in {} s", cfg_.max_prefix_restart.count())
                                                              : ", held down until the configuration is reloaded"));
  held_down_ = true;
  pending_notification_ = wire::Notification{wire::notify::kCease, 1, std::move(data)};
  fsm_.handle(Event::ManualStop, std::pair{wire::notify::kCease, std::uint8_t{1}});
  pending_notification_.reset();
  if (cfg_.max_prefix_restart.count()) restart_.start(cfg_.max_prefix_restart);
}

void Session::accept(tcp::socket socket) {
  const State s = fsm_.state();
  if (stopped_) return refuse(std::move(socket), "the neighbour is being removed");
  if (held_down_) return refuse(std::move(socket), "held down after exceeding maximum-prefix", 5);
  if (s == State::Established) {
    if (!negotiated_.peer_graceful_restart)  // RFC 4271 6.8: the established session stays
      return refuse(std::move(socket), "collision with the established session");
    // RFC 4724 4.2: a new connection from a peer that can restart gracefully means it has
    // restarted: the old session ends as if its TCP connection had failed (routes kept as stale).
    sink_.log(cfg_, "new connection while established: the peer restarted (graceful restart)");
    fsm_.handle(Event::TcpConnectionFails);
  } else if (s == State::OpenSent || s == State::OpenConfirm) {
    // RFC 4271 6.8: both sides connected at once. The newcomer's OPEN carries the peer's BGP
    // Identifier, which decides which connection survives (resolve_collision).
    if (contender_) return refuse(std::move(socket), "a colliding connection is already being resolved");
    contender_ = std::make_unique<Contender>(std::move(socket));
    contender_->rx.resize(4096);  // an OPEN is at most 4096 octets (RFC 8654 keeps that limit)
    ++contender_generation_;
    return read_contender();
  }
  adopt(std::move(socket), {});
}

void Session::refuse(tcp::socket socket, std::string_view why, std::uint8_t cease_subcode) {
  const wire::Notification n{wire::notify::kCease, cease_subcode, {}};
  const auto note = wire::encode_notification(n);
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(note), ec);
  socket.close(ec);
  sink_.log(cfg_, fmt::format("inbound connection refused with {}: {} (state {})", n.describe(), why, to_string(fsm_.state())));
}

void Session::adopt(tcp::socket socket, wire::Bytes already_read) {
  if (fsm_.state() == State::Idle) {  // the automatic restart would do this a little later
    restart_.stop();
    fsm_.handle(Event::ManualStartPassive);
  }
  if (socket_) {  // an outbound attempt in progress loses to the accepted connection
    boost::system::error_code ec;
    socket_->close(ec);
  }
  ++generation_;
  socket_ = std::make_unique<tcp::socket>(std::move(socket));
  outbound_ = false;
  note_local_address();
  enable_rx_timestamps();
  if (rx_.size() < kReadBuffer) rx_.resize(kReadBuffer);
  std::copy(already_read.begin(), already_read.end(), rx_.begin());
  rx_len_ = already_read.size();
  rx_stamp_us_ = 0;  // read by the contender: no kernel time kept for it
  fsm_.handle(Event::TcpConnectionUp);
  if (fsm_.state() != State::OpenSent) return;
  process_received();
}

void Session::read_contender() {
  auto& c = *contender_;
  std::weak_ptr<bool> alive = alive_;
  c.socket.async_read_some(asio::buffer(c.rx.data() + c.len, c.rx.size() - c.len),
                           [this, alive, gen = contender_generation_](const boost::system::error_code& ec, std::size_t n) {
    if (alive.expired() || !contender_ || gen != contender_generation_) return;
    auto& c = *contender_;
    if (ec) {
      sink_.log(cfg_, fmt::format("colliding connection closed by the peer: {}", ec.message()));
      contender_.reset();
      return;
    }
    c.len += n;
    if (c.len < wire::kHeaderSize) return read_contender();
    auto h = wire::decode_header(wire::Bytes(c.rx.data(), c.len), false);
    if (!h || h->type != wire::MessageType::Open) {
      sink_.log(cfg_, "colliding connection did not start with an OPEN: closed");
      boost::system::error_code e2;
      const auto note = wire::encode_notification(wire::Notification{wire::notify::kFsmError, 1, {}});
      asio::write(c.socket, asio::buffer(note), e2);
      contender_.reset();
      return;
    }
    if (c.len < h->length) return read_contender();
    auto o = wire::decode_open(wire::Bytes(c.rx.data() + wire::kHeaderSize, h->length - wire::kHeaderSize), wire::kHeaderSize);
    if (!o || o->asn() != cfg_.remote_as) {
      // Let the normal path answer it with the right NOTIFICATION: adopt it only if nothing else runs.
      sink_.log(cfg_, "colliding connection sent an unacceptable OPEN: closed");
      boost::system::error_code e2;
      const auto note = wire::encode_notification(
          o ? wire::Notification{wire::notify::kOpenMessageError, wire::open_error::kBadPeerAs, {}}
            : wire::Notification{o.error().code, o.error().subcode, o.error().data});
      asio::write(c.socket, asio::buffer(note), e2);
      contender_.reset();
      return;
    }
    resolve_collision(o->bgp_id);
  });
}

void Session::resolve_collision(std::uint32_t remote_id) {
  const State s = fsm_.state();
  bool newcomer_wins = true;  // the existing connection is gone or still connecting
  if (s == State::OpenSent || s == State::OpenConfirm) {
    // RFC 4271 6.8: the lower BGP Identifier gives up the connection it initiated (compared as
    // host-order integers). Two connections both from the peer: the newer one is its choice.
    newcomer_wins = !outbound_ || cfg_.router_id < remote_id;
  }
  auto c = std::move(contender_);
  if (!newcomer_wins) {
    refuse(std::move(c->socket), fmt::format("local BGP Identifier {} is higher than the peer's {}",
                                             wire::to_string(wire::IpAddress::v4(cfg_.router_id)),
                                             wire::to_string(wire::IpAddress::v4(remote_id))));
    return;
  }
  sink_.log(cfg_, fmt::format("connection collision: the peer's connection wins (local BGP Identifier {} {} {})",
                              wire::to_string(wire::IpAddress::v4(cfg_.router_id)), outbound_ ? "<" : "vs",
                              wire::to_string(wire::IpAddress::v4(remote_id))));
  if (s == State::OpenSent || s == State::OpenConfirm) fsm_.handle(Event::OpenCollisionDump);
  adopt(std::move(c->socket), wire::Bytes(c->rx.data(), c->len));
}

void Session::connect() {
  ++generation_;
  outbound_ = true;
  socket_ = std::make_unique<tcp::socket>(io_);
  const auto gen = generation_;
  std::weak_ptr<bool> alive = alive_;
  {
    boost::system::error_code ec;
    socket_->open(endpoint_of(cfg_.address, 0).protocol(), ec);
    if (ec) sink_.log(cfg_, fmt::format("cannot open a socket: {}", ec.message()));
    if (!ec) enable_rx_timestamps();  // before the first segment arrives
    if (!ec && cfg_.local) {  // this session is (local, peer): dial from the gateway-side address
      socket_->bind(endpoint_of(*cfg_.local, 0), ec);
      if (ec) sink_.log(cfg_, fmt::format("cannot bind to {}: {}", wire::to_string(*cfg_.local), ec.message()));
    }
  }
  socket_->async_connect(endpoint_of(cfg_.address, cfg_.port), [this, gen, alive](const boost::system::error_code& ec) {
    if (alive.expired() || gen != generation_) return;
    if (ec) {
      sink_.log(cfg_, fmt::format("connect failed: {}", ec.message()));
      fsm_.handle(Event::TcpConnectionFails);
      return;
    }
    note_local_address();
    read_header();
    fsm_.handle(Event::TcpConnectionUp);
  });
}

void Session::note_local_address() {
  boost::system::error_code ec;
  const auto ep = socket_->local_endpoint(ec);
  if (!ec) cfg_.connected_local = from_asio(ep.address());
}

void Session::drop() {
  ++generation_;
  if (socket_) {
    boost::system::error_code ec;
    socket_->shutdown(tcp::socket::shutdown_both, ec);
    socket_->close(ec);
    socket_.reset();
  }
  tx_.clear();
  writing_ = false;
  read_paused_ = false;  // a new connection reads from its start
  ctx_ = {};
}

void Session::send_open() {
  auto m = wire::encode_open(local_open_);
  sink_.message(cfg_, now_us(), m, false, true, true);
  send(std::move(m));
}

void Session::send_end_of_rib() {
  // RFC 4724 2: our initial update (empty: bgpfa advertises nothing) is complete per family.
  static constexpr std::uint8_t kIpv6Unreach[] = {0x80, 15, 3, 0, 2, 1};
  for (const auto& [afi, safi] : negotiated_.families) {
    if (safi != 1 || (afi != 1 && afi != 2)) continue;
    auto m = afi == 1 ? wire::encode_update({}, {}, {}) : wire::encode_update({}, kIpv6Unreach, {});
    sink_.message(cfg_, now_us(), m, false, true, true);  // counted and captured like every message sent
    send(std::move(m));
  }
}

void Session::send_keepalive() {
  std::vector<std::uint8_t> m(wire::kHeaderSize);
  wire::encode_header(m.data(), wire::kHeaderSize, wire::MessageType::Keepalive);
  sink_.message(cfg_, now_us(), m, false, true, true);
  send(std::move(m));
}

void Session::send_notification(std::uint8_t code, std::uint8_t subcode) {
  wire::Notification n{code, subcode, {}};
  if (pending_notification_ && pending_notification_->code == code && pending_notification_->subcode == subcode)
    n = *pending_notification_;
  else if (code == wire::notify::kFsmError && subcode >= 1 && subcode <= 3 && receiving_)
    n.data = {static_cast<std::uint8_t>(*receiving_)};  // RFC 6608 4: the unexpected message's type
  const auto bytes = wire::encode_notification(n);
  const std::uint64_t t = now_us();
  sink_.message(cfg_, t, bytes, false, true, true);
  sink_.notification(cfg_, t, n, true);
  sink_.log(cfg_, fmt::format("sending NOTIFICATION {}", n.describe()));
  if (!socket_) return;
  // Written synchronously: the FSM drops the connection right after.
  boost::system::error_code ec;
  asio::write(*socket_, asio::buffer(bytes), ec);
}

void Session::established() {
  const auto& gr = negotiated_.peer_graceful_restart;
  sink_.log(cfg_, fmt::format("established: hold time {} s, 4-octet AS {}, ADD-PATH receive {}, graceful restart {}",
                              negotiated_.hold_time, negotiated_.four_octet_as ? "yes" : "no",
                              negotiated_.add_path_rx.empty() ? "no" : "yes",
                              gr ? fmt::format("yes (restart time {} s{})", gr->restart_time, gr->restarting ? ", peer restarted" : "")
                                 : std::string("no")));
  send_end_of_rib();
  if (contender_) {  // RFC 4271 6.8: a collision with an established session closes the newcomer
    auto c = std::move(contender_);
    refuse(std::move(c->socket), "collision with the established session");
  }
}

void Session::down(State, Event why) { sink_.log(cfg_, fmt::format("session down ({})", to_string(why))); }

void Session::state_changed(State from, State to) {
  sink_.state_changed(cfg_, now_us(), from, to);
  // Automatic restart after a failure (RFC 4271 8.1.1, IdleHoldTime-like pause).
  if (to == State::Idle && !stopped_ && !held_down_) restart_.start(std::chrono::seconds(5));
}

void Session::enable_rx_timestamps() {
  // The kernel stamps each segment when it arrives (the time a packet capture on the interface
  // shows); a read returns the stamp of the last segment it took bytes from. Without it, a
  // message's time is when this thread got to it, later by however long it waited to run.
  const int on = 1;
  if (::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
    sink_.log(cfg_, fmt::format("cannot enable kernel receive times (SO_TIMESTAMPNS): {}; messages are timed when read",
                                std::strerror(errno)));
  // Each read also says how much is still queued (the backlog that decides the next read's size);
  // without it every read is message by message.
  (void)::setsockopt(socket_->native_handle(), IPPROTO_TCP, TCP_INQ, &on, sizeof on);
  rx_backlog_ = 0;
}

void Session::read_header() {
  if (rx_.size() < kReadBuffer) rx_.resize(kReadBuffer);
  rx_len_ = 0;
  read_more();
}

void Session::read_more() {
  const auto gen = generation_;
  std::weak_ptr<bool> alive = alive_;
  asio::post(io_, [this, gen, alive] {
    if (alive.expired() || gen != generation_ || !socket_) return;
    receive();
  });
}

void Session::receive() {
  const auto gen = generation_;
  // Per turn at most this much, then timers and the other sessions run (a full table is read in
  // many turns, as before with one 256 KiB read per turn).
  std::size_t budget = kReadBuffer;
  for (;;) {
    if (!sink_.may_read(cfg_)) {  // the owner is behind: TCP holds the rest until it catches up
      read_paused_ = true;
      return;
    }
    // A read ends where the message being assembled ends (its header first, then the rest): it
    // never takes bytes of the next message, so the time it carries is that of the segment that
    // completed this one (segments that arrive apart stay apart). Behind by kBulkBacklog or more
    // (a table arriving faster than it is handled), one read takes as much as fits instead and its
    // messages share the last segment's time: the kernel merges segments that wait in the socket
    // anyway (keeping the last one's time), and reading message by message would double the
    // system calls (README `bgpfa serve` has the figures).
    std::size_t want = wire::kHeaderSize - std::min(rx_len_, wire::kHeaderSize);
    if (rx_backlog_ >= kBulkBacklog) {
      want = rx_.size() - rx_len_;
    } else if (want == 0) {
      const auto h = wire::decode_header(wire::Bytes(rx_.data(), rx_len_), negotiated_.extended_message);
      want = h->length - rx_len_;  // handle_received() checked the header; the message is incomplete
    }
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(int))> control{};
    iovec iov{rx_.data() + rx_len_, want};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(socket_->native_handle(), &msg, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Drained: the next segment makes the (edge-triggered) reactor report the socket again.
      std::weak_ptr<bool> alive = alive_;
      socket_->async_wait(tcp::socket::wait_read, [this, gen, alive](const boost::system::error_code& ec) {
        if (alive.expired() || gen != generation_ || !socket_) return;
        if (ec) {
          sink_.log(cfg_, fmt::format("connection lost: {}", ec.message()));
          fsm_.handle(Event::TcpConnectionFails);
          return;
        }
        receive();
      });
      return;
    }
    if (n <= 0) {
      const boost::system::error_code ec = n == 0 ? boost::system::error_code(asio::error::eof)
                                                  : boost::system::error_code(errno, asio::error::get_system_category());
      sink_.log(cfg_, fmt::format("connection lost: {}", ec.message()));
      fsm_.handle(Event::TcpConnectionFails);
      return;
    }
    rx_stamp_us_ = 0;
    rx_backlog_ = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        rx_stamp_us_ = static_cast<std::uint64_t>(ts.tv_sec) * 1000000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
      } else if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
        int queued = 0;
        std::memcpy(&queued, CMSG_DATA(c), sizeof queued);
        rx_backlog_ = queued > 0 ? static_cast<std::size_t>(queued) : 0;
      }
    }
    rx_len_ += static_cast<std::size_t>(n);
    if (!handle_received() || gen != generation_ || !socket_) return;
    if (budget <= static_cast<std::size_t>(n)) return read_more();
    budget -= static_cast<std::size_t>(n);
  }
}

void Session::process_received() {
  if (handle_received()) read_more();
}

bool Session::handle_received() {
  const auto gen = generation_;
  std::size_t pos = 0;
  struct Handed {  // however this ends
    SessionSink& sink;
    const NeighborConfig& cfg;
    ~Handed() { sink.received_all(cfg); }
  } handed{sink_, cfg_};
  while (rx_len_ - pos >= wire::kHeaderSize) {
    auto h = wire::decode_header(wire::Bytes(rx_.data() + pos, rx_len_ - pos), negotiated_.extended_message);
    if (!h) {
      sink_.log(cfg_, wire::describe(h.error()));
      reject(Event::BgpHeaderErr, h.error());
      return false;
    }
    if (rx_len_ - pos < h->length) break;
    on_message(h->type, wire::Bytes(rx_.data() + pos, h->length));
    receiving_.reset();
    if (gen != generation_ || !socket_) return false;  // the message ended the session
    pos += h->length;
  }
  std::memmove(rx_.data(), rx_.data() + pos, rx_len_ - pos);
  rx_len_ -= pos;
  return true;
}

void Session::reject(Event e, const wire::DecodeError& error) {
  // RFC 4271 6.1/6.2, RFC 7606: the NOTIFICATION carries the decoder's Data (the bad length,
  // type, version or attribute).
  pending_notification_ = wire::Notification{error.code, error.subcode, error.data};
  fsm_.handle(e, std::pair{error.code, error.subcode});
  pending_notification_.reset();
}

void Session::on_message(wire::MessageType type, wire::Bytes whole) {
  const std::uint64_t t = rx_stamp_us_ ? rx_stamp_us_ : now_us();
  receiving_ = type;
  const wire::Bytes body = whole.subspan(wire::kHeaderSize);
  const bool add_path = !negotiated_.add_path_rx.empty();
  switch (type) {
    case wire::MessageType::Open: {
      sink_.message(cfg_, t, whole, add_path, true, false);
      auto o = wire::decode_open(body, wire::kHeaderSize);
      if (!o) {
        sink_.log(cfg_, wire::describe(o.error()));
        return reject(Event::BgpOpenMsgErr, o.error());
      }
      if (o->asn() != cfg_.remote_as) {
        sink_.log(cfg_, fmt::format("OPEN from AS {} but the configuration says {}", o->asn(), cfg_.remote_as));
        return fsm_.handle(Event::BgpOpenMsgErr, std::pair{wire::notify::kOpenMessageError, wire::open_error::kBadPeerAs});
      }
      negotiated_ = wire::negotiate(local_open_, o.value());
      ctx_ = {};
      ctx_.four_octet_as = negotiated_.four_octet_as;
      for (const auto& f : negotiated_.add_path_rx) ctx_.set_add_path(f.afi, f.safi, true);
      fsm_.set_hold_time(negotiated_.hold_time);
      return fsm_.handle(Event::BgpOpen);
    }
    case wire::MessageType::Keepalive:
      sink_.message(cfg_, t, whole, add_path, true, false);  // a sign of life: failure windows start at the last one
      return fsm_.handle(Event::KeepAliveMsg);
    case wire::MessageType::Update: {
      wire::DecodeContext ctx = ctx_;
      ctx.base_offset = wire::kHeaderSize;
      auto fatal = wire::decode_update(body, ctx, update_);
      // Path identifiers are negotiated per family; MRT marks the whole message.
      const auto& a = update_.attributes;
      const bool legacy = !update_.nlri.empty() || !update_.withdrawn.empty();
      auto family_ap = [&](std::uint16_t afi, std::uint8_t safi) {
        return (afi == 1 || afi == 2) && safi >= 1 && safi <= 3 && ctx_.add_path(static_cast<wire::Afi>(afi), static_cast<wire::Safi>(safi));
      };
      const bool ap = (legacy && ctx_.add_path(wire::Afi::Ipv4, wire::Safi::Unicast)) ||
                      (a.has(wire::AttrType::MpReachNlri) && family_ap(a.mp_reach.afi, a.mp_reach.safi)) ||
                      (a.has(wire::AttrType::MpUnreachNlri) && family_ap(a.mp_unreach.afi, a.mp_unreach.safi));
      sink_.message(cfg_, t, whole, fatal ? add_path : ap, ctx_.four_octet_as, false);
      if (fatal) {
        sink_.log(cfg_, fmt::format("UPDATE rejected: {}", wire::describe(*fatal)));
        return reject(Event::UpdateMsgErr, *fatal);
      }
      bool withdraw_all = false;
      for (const auto& e : update_.attributes.errors) {
        sink_.log(cfg_, fmt::format("UPDATE: {}", wire::describe(e)));
        withdraw_all |= e.action == wire::ErrorAction::TreatAsWithdraw;
      }
      const bool was_established = fsm_.state() == State::Established;
      fsm_.handle(Event::UpdateMsg);
      if (!was_established) return;
      if (const auto routes = sink_.update(cfg_, t, update_, ctx_, withdraw_all)) {
        const bool mp = a.has(wire::AttrType::MpReachNlri);
        check_prefix_limit(*routes, mp ? a.mp_reach.afi : 1, mp ? a.mp_reach.safi : 1);
      }
      return;
    }
    case wire::MessageType::Notification: {
      sink_.message(cfg_, t, whole, add_path, true, false);
      if (auto n = wire::decode_notification(body)) {
        sink_.notification(cfg_, t, n.value(), false);
        sink_.log(cfg_, fmt::format("received NOTIFICATION {}", n->describe()));
      }
      return fsm_.handle(Event::NotifMsg);
    }
    case wire::MessageType::RouteRefresh: return;  // we advertise nothing, so nothing to resend
  }
}

void Session::send(std::vector<std::uint8_t> bytes) {
  if (!socket_) return;
  tx_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void Session::write_next() {
  if (tx_.empty() || !socket_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  const auto gen = generation_;
  std::weak_ptr<bool> alive = alive_;
  asio::async_write(*socket_, asio::buffer(tx_.front()), [this, gen, alive](const boost::system::error_code& ec, std::size_t) {
    if (alive.expired() || gen != generation_) return;
    if (ec) {
      writing_ = false;
      fsm_.handle(Event::TcpConnectionFails);
      return;
    }
    tx_.pop_front();
    write_next();
  });
}

}  // namespace bgpfa::session
