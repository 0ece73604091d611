#include "app/cli/serve.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <malloc.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "app/cli/peer_lifecycle.hpp"
#include "app/cli/rib_snapshot.hpp"
#include "app/grpc/server.hpp"
#include "app/cli/roles.hpp"
#include "app/render/report_format.hpp"
#include "bgp/mrt/writer.hpp"
#include "bgp/session/speaker.hpp"

namespace bgpfa::app {

namespace {

namespace asio = boost::asio;
using session::NeighborConfig;
using session::State;

// Appends every received message and state change as BGP4MP_ET records; a new file per period.
class Capture {
 public:
  Capture(std::string dir, std::chrono::seconds rotate) : dir_(std::move(dir)), rotate_(rotate) {
    std::filesystem::create_directories(dir_);
  }
  void write(std::uint64_t t_us, const std::vector<std::uint8_t>& record) {
    const std::uint64_t sec = t_us / 1000000;
    if (!out_.is_open() || (rotate_.count() > 0 && sec >= opened_ + static_cast<std::uint64_t>(rotate_.count()))) open(sec);
    out_.write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size()));
    out_.flush();  // a capture is readable (and replayable) while the speaker runs
  }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }

 private:
  void open(std::uint64_t sec) {
    out_.close();
    const std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    gmtime_r(&t, &tm);
    file_ = fmt::format("{}/bgpfa-{:04}{:02}{:02}-{:02}{:02}{:02}.mrt", dir_, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
    out_.open(file_, std::ios::binary | std::ios::app);
    opened_ = sec;
  }
  std::string dir_;
  std::chrono::seconds rotate_;
  std::ofstream out_;
  std::string file_;
  std::uint64_t opened_ = 0;
};

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
  return p;
}

mrt::Timestamp ts(std::uint64_t us) { return {static_cast<std::uint32_t>(us / 1000000), static_cast<std::uint32_t>(us % 1000000)}; }

// RFC 6396 4.4.1 state numbers are the FSM's plus one (Idle = 1).
std::uint16_t mrt_state(State s) { return static_cast<std::uint16_t>(static_cast<int>(s) + 1); }

class LiveSink final : public session::SessionSink {
 public:
  LiveSink(analyzer::Analyzer& a, std::vector<std::string> labels, Capture* capture, std::string state_file)
      : a_(a), lifecycle_(a), labels_(std::move(labels)), capture_(capture), state_file_(std::move(state_file)) {}
  void add_label(std::string label) { labels_.push_back(std::move(label)); }

  // Our own shutdown is not a network event: the report and the capture end with the state
  // the network was in, so a replay of the capture matches the live report.
  bool shutting_down = false;

  void state_changed(const NeighborConfig& n, std::uint64_t t, State from, State to) override {
    const int peer = a_.peer_index(n.address);
    log(n, fmt::format("state {} -> {}", to_string(from), to_string(to)));
    if (shutting_down) return;
    if (capture_) {
      std::vector<std::uint8_t> rec;
      mrt::append_bgp4mp_et_state_change(rec, ts(t), mrt_peer(n), mrt_state(from), mrt_state(to));
      capture_->write(t, rec);
    }
    states_[wire::to_string(n.address)] = to_string(to);
    write_states();
    if (peer < 0) return;
    const std::string why = fmt::format("session {} {} ({}): {} -> {}", to == State::Established ? "up" : "down",
                                        wire::to_string(n.address), label(peer), mrt::bgp_state_name(mrt_state(from)),
                                        mrt::bgp_state_name(mrt_state(to)));
    a_.advance(t);
    if (lifecycle_.state_change(t, peer, mrt_state(from), mrt_state(to), why))
      log(n, fmt::format("graceful restart: {} routes kept as stale for up to {} s", a_.stale_routes(peer),
                         lifecycle_.graceful_restart(peer)->restart_time));
  }
  void message(const NeighborConfig& n, std::uint64_t t, wire::Bytes bytes, bool add_path, bool four_octet_as,
               bool local) override {
    if (shutting_down) return;
    if (capture_) {
      std::vector<std::uint8_t> rec;
      mrt::append_bgp4mp_et_message(rec, ts(t), mrt_peer(n), add_path, bytes, four_octet_as, local);
      capture_->write(t, rec);
    }
    const int peer = a_.peer_index(n.address);
    if (peer >= 0 && bytes.size() >= wire::kHeaderSize)
      lifecycle_.message(peer, static_cast<wire::MessageType>(bytes[18]), bytes.subspan(wire::kHeaderSize), local);
  }
  std::size_t update(const NeighborConfig& n, std::uint64_t t, const wire::Update& u, const wire::DecodeContext& ctx,
                     bool withdraw_all) override {
    const int peer = a_.peer_index(n.address);
    if (peer < 0) return 0;
    a_.advance(t);
    feed_update(a_, t, peer, u, ctx, withdraw_all,
                fmt::format("UPDATE from {} ({})", wire::to_string(n.address), label(peer)));
    a_.update_received(t, peer);
    return a_.peer_routes(peer);
  }
  void notification(const NeighborConfig& n, std::uint64_t t, const wire::Notification& note, bool sent) override {
    const int peer = a_.peer_index(n.address);
    if (peer < 0 || sent) return;
    const bool hold = note.code == wire::notify::kHoldTimerExpired;
    a_.trigger(t, fmt::format("{} from {} ({}): {}", hold ? "hold timer expired:" : "NOTIFICATION",
                              wire::to_string(n.address), label(peer), note.describe()));
  }
  void refresh_states() { write_states(); }
  void log(const NeighborConfig& n, const std::string& line) override {
    const std::string who = n.name.empty() ? wire::to_string(n.address) : n.name;
    fmt::print(stderr, "bgpfa: peer={} {}\n", who, line);
  }

 private:
  std::string label(int peer) const { return labels_.at(static_cast<std::size_t>(peer)); }
  void write_states() {
    if (state_file_.empty()) return;
    std::ofstream f(state_file_ + ".tmp");
    for (const auto& [k, v] : states_) {
      const int peer = a_.peer_index(*wire::parse_address(k));
      f << k << ' ' << v << ' ' << (peer < 0 ? 0 : a_.peer_routes(peer)) << ' ' << (peer < 0 ? 0 : a_.stale_routes(peer))
        << '\n';
    }
    f.close();
    std::filesystem::rename(state_file_ + ".tmp", state_file_);
  }
  analyzer::Analyzer& a_;
  PeerLifecycle lifecycle_;
  std::vector<std::string> labels_;
  Capture* capture_;
  std::string state_file_;
  std::map<std::string, std::string> states_;
};

NeighborConfig neighbor_config(const config::Config& c, const config::Neighbor& n, unsigned port) {
  NeighborConfig s;
  s.address = n.address;
  s.remote_as = n.remote_as;
  s.local_as = c.local_as;
  s.router_id = c.router_id ? c.router_id->v4_value() : 0x7f000001;
  s.port = static_cast<std::uint16_t>(port);
  s.passive = n.passive;
  s.hold_time = n.hold_time ? n.hold_time : 90;
  s.max_prefixes = n.max_prefixes;
  s.max_prefix_warning_only = n.max_prefix_warning_only;
  s.max_prefix_restart = n.max_prefix_restart;
  s.name = wire::to_string(n.address);
  return s;
}

}  // namespace

int run_serve(const ServeOptions& opt) {
  // Large tables grow by doubling: keep big blocks in mmap so the old array is returned to the
  // system when the new one replaces it (glibc's adaptive threshold would otherwise keep it).
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
  auto parsed = config::load_config(opt.config);
  for (const auto& e : parsed.errors) fmt::print(stderr, "{}\n", e.to_string());
  if (!parsed.errors.empty()) return 2;
  const auto policy = policy_from(parsed.config);
  analyzer::Analyzer analyzer(policy, roles_from(parsed.config, policy));
  std::vector<std::string> labels;
  for (const auto& r : analyzer.peers()) labels.push_back(r.label(policy.circuits));
  std::unique_ptr<Capture> capture;
  const std::string capture_dir = opt.capture.empty() ? parsed.config.capture_dir : opt.capture;
  if (!capture_dir.empty()) capture = std::make_unique<Capture>(capture_dir, parsed.config.capture_rotate);

  asio::io_context io;
  LiveSink sink(analyzer, labels, capture.get(), opt.state_file);
  session::Speaker speaker(io, sink);
  try {
    speaker.listen(opt.listen, static_cast<std::uint16_t>(opt.port));
  } catch (const std::exception& e) {
    fmt::print(stderr, "bgpfa: error: {}\n", e.what());
    return 2;
  }
  // gRPC: queries run on this (the io) thread; watchers get new changes every 50 ms.
  const std::string grpc_address = opt.grpc.empty() ? parsed.config.grpc_listen : opt.grpc;
  GrpcServer grpc(io, analyzer, [&speaker](const std::string& address) {
    const auto states = speaker.states();
    const auto it = states.find(address);
    return std::string(it == states.end() ? "removed" : to_string(it->second));
  });
  Periodic publish(io, std::chrono::milliseconds(50), [&grpc] { grpc.publish(); });
  if (grpc_address != "off") {
    try {
      fmt::print(stderr, "bgpfa: gRPC on {} (health and reflection on)\n", grpc.start(grpc_address, grpc_security(parsed.config)));
    } catch (const std::exception& e) {
      fmt::print(stderr, "bgpfa: error: {}\n", e.what());
      return 2;
    }
    publish.start();
  }

  // Neighbours not running yet get their gateway role (and circuit) in the analyzer, then a session.
  auto add_neighbors = [&](const config::Config& c) {
    const auto fresh_policy = policy_from(c);
    const auto fresh_roles = roles_from(c, fresh_policy);
    for (std::size_t i = 0; i < c.neighbors.size(); ++i) {
      const auto& n = c.neighbors[i];
      if (const int known = analyzer.peer_index(n.address); known >= 0) {
        const auto& running = analyzer.peers()[static_cast<std::size_t>(known)];
        const std::string now = running.label(analyzer.policy().circuits);
        const std::string wanted = fresh_roles[i].label(fresh_policy.circuits);
        if (now != wanted)
          fmt::print(stderr, "bgpfa: neighbour {} keeps its role {}: a role change ({}) needs a restart\n",
                     wire::to_string(n.address), now, wanted);
      }
      if (speaker.has(n.address)) continue;
      if (analyzer.peer_index(n.address) < 0) {
        auto role = fresh_roles[i];
        if (role.gateway == analyzer::Gateway::ExpressRoute) {
          const auto c_index = static_cast<std::size_t>(role.circuit);
          role.circuit = analyzer.add_circuit(fresh_policy.circuits[c_index], fresh_policy.weights[c_index]);
        }
        sink.add_label(role.label(analyzer.policy().circuits));
        analyzer.add_peer(role);
        fmt::print(stderr, "bgpfa: neighbour {} added as {}\n", wire::to_string(n.address), role.label(analyzer.policy().circuits));
      }
      speaker.add(neighbor_config(c, n, opt.port));
    }
  };
  add_neighbors(parsed.config);
  fmt::print(stderr, "bgpfa: serving {} neighbours on [{}]:{}{}\n", parsed.config.neighbors.size(), opt.listen, opt.port,
             capture ? ", capturing to " + capture_dir : "");

  // The state file also carries each peer's route count, refreshed every 50 ms.
  Periodic refresh(io, std::chrono::milliseconds(50), [&sink] { sink.refresh_states(); });
  if (!opt.state_file.empty()) refresh.start();
  // The analyzer's clock moves with received messages; this keeps it moving when the network is
  // quiet, so restart timers of gracefully restarting peers run out and quiet episodes close.
  Periodic clock(io, std::chrono::seconds(1), [&analyzer] {
    analyzer.advance(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
  });
  clock.start();
  const std::uint32_t collector_id = parsed.config.router_id ? parsed.config.router_id->v4_value() : 0;
  auto snapshot = [&] {
    if (opt.rib_snapshot.empty()) return;
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    if (auto e = write_rib_snapshot(analyzer, opt.rib_snapshot, now, collector_id); !e.empty())
      fmt::print(stderr, "bgpfa: error: {}\n", e);
    else
      fmt::print(stderr, "bgpfa: RIB snapshot written: {} ({} routes)\n", opt.rib_snapshot, analyzer.routes());
  };
  asio::signal_set snapshot_signal(io, SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_usr1 = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    snapshot();
    snapshot_signal.async_wait(on_usr1);
  };
  snapshot_signal.async_wait(on_usr1);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {  // neighbours added or removed in the file (a running neighbour keeps its role)
      auto fresh = config::load_config(opt.config);
      if (!fresh.errors.empty()) {
        for (const auto& e : fresh.errors) fmt::print(stderr, "{}\n", e.to_string());
        fmt::print(stderr, "bgpfa: SIGHUP: configuration rejected, keeping the running one\n");
      } else {
        for (const auto& n : parsed.config.neighbors)
          if (!fresh.config.find(n.address)) speaker.remove(n.address, "peer de-configured");
        add_neighbors(fresh.config);
        for (const auto& n : fresh.config.neighbors) speaker.resume(n.address);  // maximum-prefix hold-downs
        parsed = std::move(fresh);
        fmt::print(stderr, "bgpfa: SIGHUP: configuration reloaded\n");
      }
      signals.async_wait(on_signal);
      return;
    }
    fmt::print(stderr, "bgpfa: signal {}: sending Cease to every peer and stopping\n", sig);
    sink.shutting_down = true;
    refresh.cancel();
    clock.cancel();
    publish.cancel();
    snapshot_signal.cancel();
    speaker.stop_all(2, "bgpfa shutting down");
    io.stop();
  };
  signals.async_wait(on_signal);
  io.run();
  grpc.shutdown();
  fmt::print(stderr, "bgpfa: stopped: routes={} rib_bytes={} change_log_bytes={} events={}\n", analyzer.routes(),
             analyzer.memory_bytes(), analyzer.log_bytes(), analyzer.event_count());

  snapshot();
  auto report = analyzer.report(true);
  return write_report(report, analyzer.policy().circuits, opt.report, opt.output) ? 0 : 2;
}

int serve_replayed(analyzer::Analyzer& a, const std::string& address, const GrpcSecurity& security) {
  asio::io_context io;
  GrpcServer grpc(io, a, [](const std::string&) { return std::string("replayed"); });
  try {
    fmt::print(stderr, "bgpfa: replay done; its results are served over gRPC on {} until SIGINT or SIGTERM\n",
               grpc.start(address, security));
  } catch (const std::exception& e) {
    fmt::print(stderr, "bgpfa: error: {}\n", e.what());
    return 2;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  grpc.shutdown();
  return 0;
}

}  // namespace bgpfa::app
