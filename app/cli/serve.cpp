#include "app/cli/serve.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <malloc.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "app/cli/capture.hpp"
#include "app/cli/log.hpp"
#include "app/cli/message_batch.hpp"
#include "app/cli/replay.hpp"
#include "app/cli/systemd_notify.hpp"
#include "app/cli/rib_snapshot.hpp"
#include "app/grpc/server.hpp"
#include "app/metrics/collect.hpp"
#include "app/metrics/http_server.hpp"
#include "app/cli/roles.hpp"
#include "app/render/report_format.hpp"
#include "bgp/mrt/writer.hpp"
#include "bgp/session/bfd_endpoint.hpp"
#include "bgp/session/speaker.hpp"
#include "feed/feed.hpp"

namespace bgpfa::app {

namespace {

namespace asio = boost::asio;
using session::NeighborConfig;
using session::State;

// Runs `tick` every `period` on the io thread, from start() until cancel().
class Periodic {
 public:
  Periodic(asio::io_context& io, std::chrono::milliseconds period, std::function<void()> tick)
      : timer_(io), period_(period), tick_(std::move(tick)) {}
  void start() {
    timer_.expires_after(period_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      tick_();
      start();
    });
  }
  void cancel() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::function<void()> tick_;
};

mrt::Bgp4mpPeer mrt_peer(const NeighborConfig& n) {
  mrt::Bgp4mpPeer p;
  p.peer_as = n.remote_as;
  p.local_as = n.local_as;
  p.afi = n.address.afi == wire::Afi::Ipv6 ? 2 : 1;
  p.peer_ip = n.address;
  p.local_ip.afi = n.address.afi;
  // The connection's own local address: replay tells a VPN neighbour's two instance sessions apart by it.
  if (n.connected_local && n.connected_local->afi == n.address.afi) p.local_ip = *n.connected_local;
  return p;
}

mrt::Timestamp ts(std::uint64_t us) { return {static_cast<std::uint32_t>(us / 1000000), static_cast<std::uint32_t>(us % 1000000)}; }

// RFC 6396 4.4.1 state numbers are the FSM's plus one (Idle = 1).
std::uint16_t mrt_state(State s) { return static_cast<std::uint16_t>(static_cast<int>(s) + 1); }

// The calling thread's CPU time (µs): what the core spent analysing, whatever else runs.
std::uint64_t thread_cpu_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
}

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void log_line(const std::string& who, const std::string& line) { log::say(line, who); }

// Who sent a message, as the core thread needs it: the MRT peer header of its capture records.
struct PeerHeader {
  mrt::Bgp4mpPeer mrt;
  std::optional<wire::IpAddress> local;  // the session's configured gateway-side address
  std::string name;  // for logs
};

// Bounded history: one log line per burst of drops (when it ends, or each minute while it lasts),
// with the count, rather than one per change.
class HistoryDrops {
 public:
  explicit HistoryDrops(analyzer::Analyzer& a) : a_(a) {}
  void tick(std::chrono::steady_clock::time_point now) {
    const auto [events, episodes] = a_.take_history_drops();
    events_ += events;
    episodes_ += episodes;
    if (!events_ && !episodes_) return;
    if (!burst_) since_ = now;
    burst_ = events || episodes;
    if (burst_ && now - since_ < std::chrono::minutes(1)) return;
    const auto& p = a_.policy();
    log::say(fmt::format("warning: history full: dropped the oldest {} changes and {} episodes (keeping {} changes from "
                         "sequence {} and {} episodes from id {}; `history events N episodes N` in the analyzer section)",
                         events_, episodes_, p.history_events, a_.first_event() + 1, p.history_episodes,
                         a_.first_episode_id()));
    events_ = episodes_ = 0;
    since_ = now;
  }

 private:
  analyzer::Analyzer& a_;
  std::size_t events_ = 0, episodes_ = 0;
  bool burst_ = false;
  std::chrono::steady_clock::time_point since_{};
};

// The core thread's side of serve: the capture, the feed into the RIBs and the analyzer, the
// state file. It sees each session's messages and state changes in the order they happened,
// as the capture records them, so that a replay of the capture decides the same.
class LiveCore {
 public:
  LiveCore(analyzer::Analyzer& a, Capture* capture, std::string state_file)
      : a_(a), feed_(a), capture_(capture), state_file_(std::move(state_file)) {
    // Each session's first table is its baseline, not an episode: said once, here and in the report.
    feed_.on_initial_table([](const analyzer::InitialTable& t) {
      log::say(fmt::format("initial table from {} ({}): {} prefixes in {:.1f} ms (ended by {})", t.peer, t.role, t.prefixes,
                           static_cast<double>(t.end_us - t.start_us) / 1e3, t.ended_by),
               t.peer);
    });
  }

  // The clock, when no message moves it (quiet periods end initial tables and episodes).
  void advance(std::uint64_t t) {
    feed_.advance(in_order(t));
    episodes_closed();
  }
  void finish(std::uint64_t t) { feed_.finish(in_order(t)); }

  // maximum-prefix: how many routes a neighbour with a limit now has (handed to its session).
  std::function<void(const PeerHeader&, std::size_t, std::uint16_t, std::uint8_t)> routes_held;

  void set_limit(const std::string& session, std::uint32_t max_prefixes) { limits_[session] = max_prefixes; }
  [[nodiscard]] const feed::Feed& feed() const noexcept { return feed_; }
  [[nodiscard]] const feed::PeerStats& peer_stats() const noexcept { return feed_.stats(); }

  void state_changed(const PeerHeader& h, std::uint64_t t, State from, State to) {
    t = in_order(t);
    if (capture_) {
      std::vector<std::uint8_t> rec;
      mrt::append_bgp4mp_et_state_change(rec, ts(t), h.mrt, mrt_state(from), mrt_state(to));
      capture_->write(t, rec);
    }
    const int peer = feed_.peer_of(h.local, h.mrt.peer_ip);
    if (peer < 0) return;
    const std::uint64_t cpu = thread_cpu_us();
    const bool graceful = feed_.state_change(t, peer, mrt_state(from), mrt_state(to));
    analysed(t, cpu, false);
    if (graceful)
      log_line(h.name, fmt::format("graceful restart: {} routes kept as stale for up to {} s", a_.stale_routes(peer),
                                   feed_.lifecycle().graceful_restart(peer)->restart_time));
  }
  // A session's messages as its thread handed them over, in order.
  void messages(const PeerHeader& h, const MessageBatch& batch) {
    batch.for_each([&](const BatchedMessage& m) { message(h, m.t, m.bytes, m.add_path, m.four_octet_as, m.local); });
  }
  void message(const PeerHeader& h, std::uint64_t t, wire::Bytes bytes, bool add_path, bool four_octet_as, bool local) {
    t = in_order(t);
    if (capture_) {
      std::vector<std::uint8_t> rec;
      mrt::append_bgp4mp_et_message(rec, ts(t), h.mrt, add_path, bytes, four_octet_as, local);
      capture_->write(t, rec);
    }
    const int peer = feed_.peer_of(h.local, h.mrt.peer_ip);
    if (peer < 0) return;
    const bool update = !local && bytes.size() > wire::kHeaderSize && bytes[18] == static_cast<std::uint8_t>(wire::MessageType::Update);
    // An UPDATE of a session's initial table changes paths in no episode, so no episode asks
    // for its CPU, and the thread's CPU clock is a system call (two a message, ~5 % of a table).
    const bool baseline = update && feed_.initial_tables().open_at(peer, t);
    const std::uint64_t cpu = baseline ? 0 : thread_cpu_us();
    feed_.saw_local(peer, h.mrt.local_ip);
    feed_.message(t, peer, bytes, add_path, four_octet_as, local);
    analysed(t, cpu, baseline);
    if (!update) return;
    const auto limit = limits_.find(h.name);
    if (limit == limits_.end() || !limit->second || !routes_held) return;
    const auto& attrs = feed_.last_update().attributes;
    const bool mp = attrs.has(wire::AttrType::MpReachNlri);
    routes_held(h, a_.peer_routes(peer), mp ? attrs.mp_reach.afi : 1, mp ? attrs.mp_reach.safi : 1);
  }
  // Each episode that closed, with bgpfa's own lag: from the receipt of the message that made its
  // last change (the session thread's stamp) to the core having recorded every change it made.
  void episodes_closed() {
    const auto& eps = a_.episodes();
    for (; logged_episodes_ < eps.size(); ++logged_episodes_) {
      const auto& e = eps[logged_episodes_];
      std::string lag;
      for (const auto& d : done_)
        if (d.received_us == e.end_us)
          lag = fmt::format("; its last change came in a message received at {}, analysis complete {:.3f} ms later",
                            rfc3339(d.received_us), static_cast<double>(d.done_us - d.received_us) / 1e3);
      std::uint64_t cpu = 0;  // of the messages that changed paths from the trigger to the last change
      for (const auto& [at, spent] : cpu_spent_)
        if (at >= e.trigger_us && at <= e.end_us) cpu += spent;
      if (!lag.empty()) lag += fmt::format(" ({:.3f} ms of the core's CPU)", static_cast<double>(cpu) / 1e3);
      log::say(fmt::format("episode #{} closed: {}: {} prefixes changed in {:.1f} ms{}", logged_episodes_ + 1, e.trigger,
                           e.prefixes_changed, static_cast<double>(e.end_us - e.trigger_us) / 1e3, lag));
    }
    // What no open episode can still ask for.
    std::erase_if(cpu_spent_, [&](const auto& c) { return c.first < (eps.empty() ? 0 : eps.back().end_us); });
  }

  // `peer state routes stale-routes` lines. A file error is logged (once until it works again);
  // the speaker goes on.
  void write_states(const std::map<std::string, std::string>& states) {
    if (state_file_.empty()) return;
    std::string body;
    for (const auto& [k, v] : states) {  // "peer" or "peer@local"
      const auto at = k.find('@');
      const auto address = wire::parse_address(k.substr(0, at));
      const auto local = at == std::string::npos ? std::nullopt : wire::parse_address(k.substr(at + 1));
      const int peer = address ? a_.peer_index(local, *address) : -1;
      body += fmt::format("{} {} {} {}\n", k, v, peer < 0 ? 0 : a_.peer_routes(peer), peer < 0 ? 0 : a_.stale_routes(peer));
    }
    if (body == written_) return;
    const std::string tmp = state_file_ + ".tmp";
    std::string error;
    if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
      const bool ok = std::fwrite(body.data(), 1, body.size(), f) == body.size();
      const int e = errno;
      if (std::fclose(f) != 0 || !ok) error = fmt::format("cannot write {}: {}", tmp, std::strerror(ok ? errno : e));
    } else {
      error = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
    }
    std::error_code ec;
    if (error.empty()) std::filesystem::rename(tmp, state_file_, ec);
    if (error.empty() && ec) error = fmt::format("cannot rename {} to {}: {}", tmp, state_file_, ec.message());
    if (!error.empty()) {
      if (error != state_error_) log::say(fmt::format("error: state file: {}; retrying", error));
      state_error_ = error;
      return;
    }
    if (!state_error_.empty()) log::say(fmt::format("state file {} written again", state_file_));
    state_error_.clear();
    written_ = std::move(body);
  }

 private:
  analyzer::Analyzer& a_;
  feed::Feed feed_;
  Capture* capture_;
  std::string state_file_;
  std::string written_, state_error_;
  std::map<std::string, std::uint32_t> limits_;
  // Received messages carry the kernel's receive time, which can be earlier than something the
  // core already handled: another session's message read first, or the clock's tick while the
  // message waited in the socket. The analyzer and the capture get them in the order handled,
  // never going back (so that a replay of the capture, which has no ticks, decides the same).
  std::uint64_t clock_us_ = 0;
  [[nodiscard]] std::uint64_t in_order(std::uint64_t t) {
    clock_us_ = std::max(clock_us_, t);
    return clock_us_;
  }
  // When the core finished the last two messages that changed active paths (an episode's last
  // change may be followed by the first of the next one before the close is seen).
  struct Done {
    std::uint64_t received_us = 0, done_us = 0;
  };
  Done done_[2];
  std::size_t events_seen_ = 0, logged_episodes_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cpu_spent_;  // (received, core CPU µs) per message that changed paths
  // `baseline`: the changes were all of an initial table (no episode's), so not recorded: a table
  // of a million routes would have kept 16 MB of them until the first episode.
  void analysed(std::uint64_t t, std::uint64_t cpu_before, bool baseline) {
    if (a_.event_count() == events_seen_) return;
    events_seen_ = a_.event_count();
    if (baseline) return;
    if (done_[1].received_us != t) done_[0] = done_[1];
    done_[1] = {t, now_us()};
    cpu_spent_.emplace_back(t, thread_cpu_us() - cpu_before);
  }
};

// The session thread's side: every session event is handed to the core thread as data the
// posted work owns. Sessions never wait for the analyzer (nor for gRPC work on its thread), so
// KEEPALIVEs and hold timers run on time whatever the API asks for.
class SessionBridge final : public session::SessionSink {
 public:
  SessionBridge(asio::io_context& core, LiveCore& live) : core_(core), live_(live) {}

  // Our own shutdown is not a network event: the report and the capture end with the state
  // the network was in, so a replay of the capture matches the live report.
  std::atomic<bool> shutting_down{false};

  // Known to the state file and ListPeers before the first state change (core thread).
  void added(const std::string& session) {
    std::lock_guard lock(m_);
    states_.try_emplace(session, "Idle");
  }
  void removed(const std::string& session) {
    std::lock_guard lock(m_);
    states_.erase(session);
  }
  // By session name ("peer" or "peer@local"); a bare peer address finds its first session.
  [[nodiscard]] std::string state_of(const std::string& address) const {
    std::lock_guard lock(m_);
    auto it = states_.find(address);
    if (it == states_.end()) it = states_.lower_bound(address + "@");
    if (it != states_.end() && it->first.rfind(address, 0) != 0) it = states_.end();
    return it == states_.end() ? "removed" : it->second;
  }
  [[nodiscard]] std::map<std::string, std::string> states() const {
    std::lock_guard lock(m_);
    return states_;
  }

  void state_changed(const NeighborConfig& n, std::uint64_t t, State from, State to) override {
    log(n, fmt::format("state {} -> {}", to_string(from), to_string(to)));
    {
      std::lock_guard lock(m_);
      if (auto it = states_.find(n.name); it != states_.end()) it->second = to_string(to);
    }
    flush();  // the messages before it go first
    if (shutting_down) return;
    asio::post(core_, [this, h = header(n), t, from, to] { live_.state_changed(h, t, from, to); });
    asio::post(core_, [this] { notify_status(peers_status(states())); });  // systemd, off the session thread
  }
  void message(const NeighborConfig& n, std::uint64_t t, wire::Bytes bytes, bool add_path, bool four_octet_as,
               bool local) override {
    if (shutting_down) return;
    if (&n != batch_of_ || !batch_.fits(bytes.size())) flush();
    if (batch_.capacity() == 0) {
      batch_ = MessageBatch(pool_.take());
      batch_of_ = &n;
      batch_header_ = header(n);
    }
    batch_.add({t, bytes, add_path, four_octet_as, local});
    // Ours (OPEN, KEEPALIVE, NOTIFICATION) are sent outside a read too, from timers: no
    // received_all() follows those.
    if (local) flush();
  }
  // The messages of one read go to the core together.
  void received_all(const NeighborConfig&) override { flush(); }
  // Sessions stop reading while the core has kPauseBytes of messages not yet handled: a table
  // arriving faster than the core takes it waits in TCP (the peer's window), not in this
  // process. They read again when the core is down to half of that, ~100 ms of its work at a
  // full table's rate: a session thread that is slow to wake (two cores, shared) never leaves
  // the core idle (at 1 MiB / 256 KiB a full table came in at 2.2x BIRD's rate, 5x without a limit).
  static constexpr std::size_t kPauseBytes = 16u << 20;
  static constexpr std::size_t kResumeBytes = 8u << 20;
  bool may_read(const NeighborConfig&) override {
    if (in_flight_ < kPauseBytes) return true;
    paused_ = true;
    // The core may have caught up between the two reads of in_flight_ without seeing paused_:
    // then read on (a resume it posts later finds no session paused and does nothing).
    return in_flight_ < kPauseBytes;
  }
  // Posts to the session thread: Speaker::resume_reading() (run_serve sets it).
  std::function<void()> resume_reading;
  // Routes are counted on the core thread (from message()), which reports back for maximum-prefix.
  std::optional<std::size_t> update(const NeighborConfig&, std::uint64_t, const wire::Update&,
                                    const wire::DecodeContext&, bool) override {
    return std::nullopt;
  }
  void notification(const NeighborConfig&, std::uint64_t, const wire::Notification&, bool) override {}
  void log(const NeighborConfig& n, const std::string& line) override {
    log_line(n.name.empty() ? wire::to_string(n.address) : n.name, line);
  }

 private:
  static PeerHeader header(const NeighborConfig& n) {
    return {mrt_peer(n), n.local, n.name.empty() ? wire::to_string(n.address) : n.name};
  }
  void flush() {
    if (batch_.empty()) return;
    in_flight_ += batch_.bytes();
    asio::post(core_, [this, h = std::move(batch_header_), b = std::move(batch_)]() mutable {
      live_.messages(h, b);
      const std::size_t left = in_flight_ -= b.bytes();
      pool_.give(std::move(b).release());
      if (left <= kResumeBytes && paused_.exchange(false) && resume_reading) resume_reading();
    });
    batch_ = MessageBatch();
    batch_of_ = nullptr;
  }
  // The session thread's batch being filled: whose messages, and the header the core needs.
  MessageBatch batch_;
  const NeighborConfig* batch_of_ = nullptr;
  PeerHeader batch_header_;
  BatchPool pool_;
  std::atomic<std::size_t> in_flight_{0};  // bytes of batches posted and not yet handled by the core
  std::atomic<bool> paused_{false};        // may_read() said no since the last resume
  asio::io_context& core_;
  LiveCore& live_;
  mutable std::mutex m_;
  std::map<std::string, std::string> states_;  // address -> FSM state name
};


// BFD on the session thread: a BFD session going Down ends the neighbour's BGP sessions at once
// (Cease/BFD Down, RFC 9384), as the cloud gateway does; the feed then finds the trigger in that
// NOTIFICATION, live and in a replay of the capture alike.
class BfdBridge final : public session::bfd::EndpointListener {
 public:
  explicit BfdBridge(session::Speaker& speaker) : speaker_(speaker) {}
  void bfd_state_changed(const session::bfd::PeerConfig& p, const session::bfd::StateChange& c) override {
    log_line(p.name, fmt::format("BFD {} -> {} ({})", to_string(c.from), to_string(c.to), to_string(c.diag)));
    if (c.from == session::bfd::State::Up && c.to == session::bfd::State::Down)
      speaker_.reset(p.address, 10, fmt::format("BFD down ({})", to_string(c.diag)));
  }
  void bfd_log(const session::bfd::PeerConfig* p, const std::string& line) override {
    log_line(p ? p->name : "bfd", line);
  }

 private:
  session::Speaker& speaker_;
};

}  // namespace

int run_serve(const ServeOptions& opt) {
  log::configure(log::level_named(opt.log_level).value_or(log::Level::Info),
                 opt.log_format == "json" ? log::Format::Json : log::Format::Text);
  // Large tables grow by doubling: keep big blocks in mmap so the old array is returned to the
  // system when the new one replaces it (glibc's adaptive threshold would otherwise keep it).
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
  auto parsed = config::load_config(opt.config);
  // Checked before anything starts, as check-config checks it (--capture: just below).
  if (parsed.errors.empty())
    for (auto& e : config::check_for_serve(parsed.config, opt.capture.empty())) parsed.errors.push_back(std::move(e));
  for (const auto& line : parsed.lines()) fmt::print(stderr, "{}\n", line);
  if (!parsed.errors.empty()) return 2;
  if (auto e = check_output_file(opt.output); !e.empty()) {  // the report is written at exit: fail now, not then
    log::say(fmt::format("error: {}", e));
    return 2;
  }
  if (!opt.capture.empty())
    if (auto why = config::capture_dir_problem(opt.capture)) {
      log::say(fmt::format("error: --capture {}: {}", opt.capture, *why));
      return 2;
    }
  const auto policy = policy_from(parsed.config);
  analyzer::Analyzer analyzer(policy, {});  // add_neighbors() gives each neighbour its role
  std::unique_ptr<Capture> capture;
  const std::string capture_dir = opt.capture.empty() ? parsed.config.capture_dir : opt.capture;
  if (!capture_dir.empty())
    capture = std::make_unique<Capture>(capture_dir, parsed.config.capture_rotate,
                                        [](const std::string& line) { log::say(fmt::format("capture: {}", line)); },
                                        parsed.config.capture_keep);

  // Two threads: the sessions (sockets, FSMs, KEEPALIVEs, hold timers) on their own, and the core
  // (RIBs, analyzer, capture, gRPC answers) on this one. Session events reach the core as posted
  // data; the core talks to sessions only by posting to theirs.
  asio::io_context core_io, session_io;
  auto session_work = asio::make_work_guard(session_io);
  LiveCore live(analyzer, capture.get(), opt.state_file);
  SessionBridge bridge(core_io, live);
  session::Speaker speaker(session_io, bridge);
  bridge.resume_reading = [&] { asio::post(session_io, [&speaker] { speaker.resume_reading(); }); };
  try {
    speaker.listen(opt.listen, static_cast<std::uint16_t>(opt.port));
  } catch (const std::exception& e) {
    log::say(fmt::format("error: {}", e.what()));
    return 2;
  }
  // BFD (RFC 5881 single hop, UDP 3784) when a neighbour asks for it.
  BfdBridge bfd_bridge(speaker);
  std::unique_ptr<session::bfd::Endpoint> bfd;
  if (std::any_of(parsed.config.neighbors.begin(), parsed.config.neighbors.end(), [](const auto& n) { return n.bfd; })) {
    bfd = std::make_unique<session::bfd::Endpoint>(session_io, speaker.timers(), bfd_bridge);
    try {
      bfd->open();
    } catch (const std::exception& e) {
      log::say(fmt::format("error: BFD: {}", e.what()));
      return 2;
    }
  }
  std::set<std::string> bfd_peers;  // core thread's view
  live.routes_held = [&](const PeerHeader& h, std::size_t routes, std::uint16_t afi, std::uint8_t safi) {
    asio::post(session_io, [&speaker, a = h.mrt.peer_ip, local = h.local, routes, afi, safi] {
      speaker.routes_held(a, local, routes, afi, safi);
    });
  };
  // gRPC: queries run on the core thread; watchers get new changes every 50 ms.
  const std::string grpc_address = opt.grpc.empty() ? parsed.config.grpc_listen : opt.grpc;
  GrpcServer grpc(core_io, analyzer, [&bridge](const std::string& address) { return bridge.state_of(address); });
  grpc.peer_stats(&live.peer_stats(), true);
  Periodic publish(core_io, std::chrono::milliseconds(50), [&grpc] { grpc.publish(); });
  if (grpc_address != "off") {
    try {
      log::say(fmt::format("gRPC on {} (health and reflection on)", grpc.start(grpc_address, grpc_security(parsed.config))));
    } catch (const std::exception& e) {
      log::say(fmt::format("error: {}", e.what()));
      return 2;
    }
    publish.start();
  }
  // Prometheus /metrics: rendered on this (the core) thread, served from the HTTP server's own.
  const std::string metrics_address = opt.metrics.empty() ? parsed.config.metrics_listen : opt.metrics;
  const auto serving_since = std::chrono::steady_clock::now();
  metrics::HttpServer metrics_http(core_io, [&] {
    return metrics::render({analyzer, live.feed(), true, now_us(),
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - serving_since).count(),
                            grpc.watchers(), grpc.watch_fell_behind(), grpc.watch_stalled()});
  });
  if (!metrics_address.empty() && metrics_address != "off") {
    try {
      log::say(fmt::format("metrics on http://{}/metrics", metrics_http.start(metrics_address, parsed.config.metrics_allow_remote)));
    } catch (const std::exception& e) {
      log::say(fmt::format("error: {}", e.what()));
      return 2;
    }
  }

  // Neighbours not running yet get their gateway role (and circuit) in the analyzer, then a session.
  std::set<std::string> running;  // neighbours with a session (core thread's view)
  bool starting = true;
  auto add_neighbors = [&](const config::Config& c) {
    const auto fresh_policy = policy_from(c);
    for (const auto& n : c.neighbors) {
      // One session per role: a VPN neighbour that names no instance peers with each instance's
      // address (a session bound to it), as Azure's active-active gateway does.
      for (auto role : roles_of(c, fresh_policy, n)) {
        const std::string key = session::Speaker::key_of(n.address, role.local);
        if (const int known = analyzer.peer_index(role.local, n.address); known >= 0) {
          const auto& current = analyzer.peers()[static_cast<std::size_t>(known)];
          const std::string now = current.label(analyzer.policy().circuits);
          const std::string wanted = role.label(fresh_policy.circuits);
          if (now != wanted)
            log::say(fmt::format("neighbour {} keeps its role {}: a role change ({}) needs a restart", key, now, wanted));
        }
        if (!running.insert(key).second) continue;
        if (analyzer.peer_index(role.local, n.address) < 0 ||
            analyzer.peers()[static_cast<std::size_t>(analyzer.peer_index(role.local, n.address))].local != role.local) {
          if (role.gateway == analyzer::Gateway::ExpressRoute) {
            const auto c_index = static_cast<std::size_t>(role.circuit);
            role.circuit = analyzer.add_circuit(fresh_policy.circuits[c_index], fresh_policy.weights[c_index]);
          }
          analyzer.add_peer(role);
          if (!starting)
            log::say(fmt::format("neighbour {} added as {}", key, role.label(analyzer.policy().circuits)));
        }
        live.set_limit(key, n.max_prefixes);
        bridge.added(key);
        auto cfg = neighbor_config(c, n, opt.port);
        cfg.local = role.local;
        cfg.name = key;
        asio::post(session_io, [&speaker, cfg] { speaker.add(cfg); });
        if (n.bfd && bfd && bfd_peers.insert(wire::to_string(n.address)).second) {
          session::bfd::PeerConfig p;
          p.address = n.address;
          p.local = role.local;
          p.desired_min_tx = p.required_min_rx = std::chrono::milliseconds(n.bfd_interval_ms);
          p.detect_mult = n.bfd_multiplier;
          p.name = wire::to_string(n.address);
          asio::post(session_io, [&bfd, p] {
            try {
              bfd->add_peer(p);
            } catch (const std::exception& e) {
              log_line(p.name, fmt::format("error: BFD: {}", e.what()));
            }
          });
        }
      }
    }
  };
  add_neighbors(parsed.config);
  for (auto& r : roles_from(parsed.config, policy))  // static VPN sites: configured routes, no session
    if (r.static_site) analyzer.add_peer(std::move(r));
  install_static_sites(parsed.config, analyzer);
  starting = false;
  log::say(fmt::format("serving {} neighbours on [{}]:{}{}", parsed.config.neighbors.size(), opt.listen, opt.port,
             capture ? ", capturing to " + capture_dir : ""));
  std::thread sessions([&session_io] { session_io.run(); });
  auto stop_sessions = [&, stopped = false](std::uint8_t cease_subcode, const std::string& why) mutable {
    if (stopped) return;
    stopped = true;
    asio::post(session_io, [&, cease_subcode, why] {
      speaker.stop_all(cease_subcode, why);
      session_work.reset();
      session_io.stop();
    });
    sessions.join();
  };

  // The state file also carries each peer's route count, refreshed every 50 ms; a failing
  // capture retries on the same beat.
  Periodic refresh(core_io, std::chrono::milliseconds(50), [&] {
    live.write_states(bridge.states());
    if (capture) capture->retry(now_us());
  });
  if (!opt.state_file.empty() || capture) refresh.start();
  // The analyzer's clock moves with received messages; this keeps it moving when the network is
  // quiet, so restart timers of gracefully restarting peers run out and quiet episodes close.
  HistoryDrops history_drops(analyzer);
  Periodic clock(core_io, std::chrono::seconds(1), [&live, &history_drops] {
    live.advance(now_us());
    history_drops.tick(std::chrono::steady_clock::now());
  });
  clock.start();
  notify_status(peers_status(bridge.states()));  // then on each state change (SessionBridge)
  notify_ready();  // the BGP listener and gRPC are up
  const std::uint32_t collector_id = parsed.config.router_id ? parsed.config.router_id->v4_value() : 0;
  auto snapshot = [&] {
    if (opt.rib_snapshot.empty()) return;
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    if (auto e = write_rib_snapshot(analyzer, opt.rib_snapshot, now, collector_id); !e.empty())
      log::say(fmt::format("error: {}", e));
    else
      log::say(fmt::format("RIB snapshot written: {} ({} routes)", opt.rib_snapshot, analyzer.routes()));
  };
  asio::signal_set snapshot_signal(core_io, SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_usr1 = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    snapshot();
    snapshot_signal.async_wait(on_usr1);
  };
  snapshot_signal.async_wait(on_usr1);
  asio::signal_set signals(core_io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {  // neighbours added or removed in the file (a running neighbour keeps its role)
      auto fresh = config::load_config(opt.config);
      if (fresh.errors.empty())
        for (auto& e : config::check_for_serve(fresh.config)) fresh.errors.push_back(std::move(e));
      if (!fresh.errors.empty()) {
        for (const auto& line : fresh.lines()) fmt::print(stderr, "{}\n", line);
        log::say("SIGHUP: configuration rejected, keeping the running one");
      } else {
        for (const auto& n : parsed.config.neighbors) {
          if (fresh.config.find(n.address)) continue;
          for (const auto& role : roles_of(parsed.config, policy_from(parsed.config), n)) {
            const std::string key = session::Speaker::key_of(n.address, role.local);
            running.erase(key);
            bridge.removed(key);
          }
          asio::post(session_io, [&speaker, a = n.address] { speaker.remove(a, "peer de-configured"); });
        }
        add_neighbors(fresh.config);
        for (const auto& n : fresh.config.neighbors)  // maximum-prefix hold-downs
          asio::post(session_io, [&speaker, a = n.address] { speaker.resume(a); });
        parsed = std::move(fresh);
        notify_status(peers_status(bridge.states()));  // neighbours removed or added
        log::say("SIGHUP: configuration reloaded");
      }
      signals.async_wait(on_signal);
      return;
    }
    log::say(fmt::format("signal {}: sending Cease to every peer and stopping", sig));
    notify_stopping();
    bridge.shutting_down = true;
    refresh.cancel();
    clock.cancel();
    publish.cancel();
    snapshot_signal.cancel();
    stop_sessions(2, "bgpfa shutting down");
    core_io.stop();
  };
  signals.async_wait(on_signal);
  core_io.run();
  stop_sessions(2, "bgpfa shutting down");
  // What the sessions handed over before they stopped is analysed, not dropped.
  core_io.restart();
  core_io.poll();
  metrics_http.stop();
  grpc.shutdown();
  log::say(fmt::format("stopped: routes={} rib_bytes={} change_log_bytes={} events={}", analyzer.routes(),
             analyzer.memory_bytes(), analyzer.log_bytes(), analyzer.event_count()));

  snapshot();
  live.finish(now_us());
  auto report = analyzer.report(true);
  live.episodes_closed();  // the one the final report closed too
  return write_report(report, analyzer.policy().circuits, opt.report, opt.output) ? 0 : 2;
}

int serve_replay(const ReplayOptions& opt, const std::string& grpc_address, const std::string& metrics_option) {
  int status = 0;
  auto run = ReplayRun::open(opt, status);
  if (!run) return status;
  const config::Config& config = run->config();
  // One thread: the replay runs on it in short steps between the gRPC calls and the metrics'
  // renderings, which are posted to it, so every answer, Watch and scrape sees the analyzer as the
  // replay has it at that moment.
  asio::io_context io;
  GrpcServer grpc(io, run->analyzer(), [](const std::string&) { return std::string("replayed"); });
  grpc.peer_stats(&run->feed().stats(), false);
  const auto serving_since = std::chrono::steady_clock::now();
  metrics::HttpServer metrics_http(io, [&] {
    return metrics::render({run->analyzer(), run->feed(), false, run->analyzer().last_input_us(),
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - serving_since).count(),
                            grpc.watchers(), grpc.watch_fell_behind(), grpc.watch_stalled()});
  });
  std::string bound;
  try {
    bound = grpc.start(grpc_address, grpc_security(config));
    const std::string metrics_address = metrics_option.empty() ? config.metrics_listen : metrics_option;
    if (!metrics_address.empty() && metrics_address != "off")
      log::say(fmt::format("metrics on http://{}/metrics", metrics_http.start(metrics_address, config.metrics_allow_remote)));
  } catch (const std::exception& e) {
    log::say(fmt::format("error: {}", e.what()));
    return 2;
  }
  log::say(fmt::format("gRPC on {} while the replay runs (health and reflection on)", bound));
  Periodic publish(io, std::chrono::milliseconds(50), [&grpc] { grpc.publish(); });
  publish.start();
  bool replaying = true;
  asio::steady_timer pace(io);
  std::function<void()> pump = [&] {
    // A few ms of records at a time: a call waits at most that long for the core.
    const auto step = run->run_for(std::chrono::milliseconds(5));
    if (!step.done) {
      if (step.due) {
        pace.expires_at(*step.due);
        pace.async_wait([&](const boost::system::error_code& ec) {
          if (!ec) pump();
        });
      } else {
        asio::post(io, pump);
      }
      return;
    }
    replaying = false;
    status = run->finish();
    grpc.publish();
    if (status == 2) {
      io.stop();
      return;
    }
    log::say(fmt::format("replay done ({} records); its results are served over gRPC on {} until SIGINT or SIGTERM",
                         run->records(), bound));
  };
  asio::post(io, pump);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (replaying) {  // no report of half the input
      log::say(fmt::format("signal {} during the replay: stopped after {} records, no report", sig, run->records()));
      status = 128 + sig;
    }
    io.stop();
  });
  io.run();
  publish.cancel();
  metrics_http.stop();
  grpc.shutdown();
  return status;
}

}  // namespace bgpfa::app
