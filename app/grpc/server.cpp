#include "app/grpc/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <map>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>

#include "app/cli/roles.hpp"
#include "app/grpc/convert.hpp"
#include "app/render/report_format.hpp"
#include "bgpfa.grpc.pb.h"

namespace bgpfa::app {

namespace {

using analyzer::Analyzer;
// Changes handed over by publish(), shared by every watcher and bounded (GrpcLimits::watch_buffer):
// one copy however many watch, none per watcher.
struct EventRing {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::uint64_t, analyzer::Event>> events;  // consecutive sequences
  std::uint64_t next = 1;  // the sequence after the last one held
  bool closed = false;
  [[nodiscard]] std::uint64_t first() const { return next - events.size(); }
};

// Streams whose client has stopped reading: a Write blocked longer than the limit is cancelled,
// so a frozen client holds its stream's buffers only that long.
class StallMonitor {
 public:
  explicit StallMonitor(std::chrono::milliseconds limit) : limit_(limit) {}
  ~StallMonitor() { stop(); }
  void start() {
    thread_ = std::thread([this] {
      std::unique_lock lock(m_);
      while (!stopping_) {
        cv_.wait_for(lock, std::max(std::chrono::milliseconds(10), limit_ / 4));
        const auto now = std::chrono::steady_clock::now();
        for (auto& [ctx, since] : writing_) {
          if (since && now - *since > limit_) {
            fmt::print(stderr, "bgpfa: gRPC: a stream's client read nothing for {} ms: stream ended\n", limit_.count());
            ctx->TryCancel();
            since.reset();
          }
        }
      }
    });
  }
  void stop() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // One stream, for its lifetime; around each Write: writing(true) ... writing(false).
  class Guard {
   public:
    Guard(StallMonitor& m, grpc::ServerContext* ctx) : m_(m), ctx_(ctx) {
      std::lock_guard lock(m_.m_);
      m_.writing_[ctx_];
    }
    ~Guard() {
      std::lock_guard lock(m_.m_);
      m_.writing_.erase(ctx_);
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    void writing(bool on) {
      std::lock_guard lock(m_.m_);
      auto& since = m_.writing_[ctx_];
      if (on) since = std::chrono::steady_clock::now();
      else since.reset();
    }

   private:
    StallMonitor& m_;
    grpc::ServerContext* ctx_;
  };

 private:
  std::chrono::milliseconds limit_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<grpc::ServerContext*, std::optional<std::chrono::steady_clock::time_point>> writing_;
  std::thread thread_;
};

// Writes one message, timed by the stall monitor.
template <class Writer, class Message>
bool write(Writer* w, StallMonitor::Guard& guard, const Message& m) {
  guard.writing(true);
  const bool ok = w->Write(m);
  guard.writing(false);
  return ok;
}


// User input as error messages quote it: in double quotes, control bytes escaped, at most ~100
// bytes of it (a 1 MB query must not come back in grpc-message).
std::string quoted(std::string_view in) {
  constexpr std::size_t kMax = 100;
  std::string out = "\"";
  for (std::size_t i = 0; i < in.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '"' || c == '\\') out += fmt::format("\\{}", static_cast<char>(c));
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  out += '"';
  if (in.size() > kMax) out += fmt::format(" (first {} of {} bytes)", kMax, in.size());
  return out;
}

// An error from bgpfa itself: the details carry a google.rpc.Status (code 1, message 2) so that a
// client can tell the server's own UNAVAILABLE ("the analyzer is not answering") from a
// server it could not reach.
grpc::Status error(grpc::StatusCode code, const std::string& message) {
  std::string details;
  const auto varint = [&](std::uint64_t v) {
    do {
      details += static_cast<char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    } while (v);
  };
  details += '\x08';
  varint(static_cast<std::uint64_t>(code));
  details += '\x12';
  varint(message.size());
  details += message;
  return {code, message, details};
}

// Request text as a prefix or an address; nullopt for anything else (inet_pton would stop at an
// embedded NUL and take "10.0.0.0\0junk/8" for 10.0.0.0/8).
std::optional<wire::Prefix> prefix_arg(const std::string& s) {
  if (s.find('\0') != std::string::npos) return std::nullopt;
  return wire::parse_prefix(s);
}
std::optional<wire::IpAddress> address_arg(const std::string& s) {
  if (s.find('\0') != std::string::npos) return std::nullopt;
  return wire::parse_address(s);
}

// Why `address` ("host:port", "[v6]:port") cannot be listened on, as the system says it.
std::string bind_error(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return "expected HOST:PORT";
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, address.substr(colon + 1), ec);
  if (ec) return ec.message();
  for (const auto& e : endpoints) {
    boost::asio::ip::tcp::acceptor a(io);
    if (!a.open(e.endpoint().protocol(), ec) && !a.bind(e.endpoint(), ec)) continue;
    return ec == boost::asio::error::address_in_use ? "the address is already in use (another bgpfa serve?)" : ec.message();
  }
  return "gRPC refused it (see its log line above)";
}

}  // namespace

class GrpcServer::Impl final : public v1::Analyzer::Service {
 public:
  Impl(boost::asio::io_context& io, Analyzer& a, std::function<std::string(const std::string&)> state_of, GrpcLimits limits)
      : io_(io), a_(a), state_of_(std::move(state_of)), limits_(limits), stalls_(limits.stalled_after) {}

  // Runs `f` on the io thread and returns its result; nullopt when the core did not answer in
  // time. `f` must own everything it touches (capture by value): after a timeout this call
  // returns and its frame is gone, while `f` may still be queued or running on the io thread.
  template <class F>
  auto on_core(F f) -> std::optional<decltype(f())> {
    using R = decltype(f());
    struct Call {
      std::promise<R> done;
      std::atomic<bool> abandoned{false};  // the caller timed out: do not spend the core on it
    };
    auto call = std::make_shared<Call>();
    auto result = call->done.get_future();
    if (stopping) return std::nullopt;
    boost::asio::post(io_, [call, f = std::move(f)]() mutable {
      if (call->abandoned) return;
      try {
        call->done.set_value(f());
      } catch (...) {
        call->done.set_exception(std::current_exception());
      }
    });
    const auto deadline = std::chrono::steady_clock::now() + limits_.core_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (result.wait_until(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) ==
          std::future_status::ready) {
        try {
          return result.get();
        } catch (const std::exception& e) {
          fmt::print(stderr, "bgpfa: gRPC: a call failed on the analyzer thread: {}\n", e.what());
          return std::nullopt;
        }
      }
      if (stopping) break;  // the io thread has stopped: nobody will answer
    }
    call->abandoned = true;
    return std::nullopt;
  }
  // The row of `p`; for a prefix without a route of its own, the route that carries it (its
  // longest covering prefix), marked via_covering, as for the prefixes the table holds.
  [[nodiscard]] analyzer::PrefixRow row_or_covering(const rib::PrefixKey& p) const {
    if (a_.table().find(p)) return a_.row(p);  // the analyzer follows rows that lost their routes itself
    const auto cover = a_.table().longest_covering(p, false);
    if (!cover) return a_.row(p);
    analyzer::PrefixRow r = a_.row(*cover);
    r.prefix = p.to_prefix();
    r.active.via_covering = true;
    r.covering = cover->to_prefix();
    return r;
  }

  static grpc::Status unavailable() {
    return error(grpc::StatusCode::UNAVAILABLE, "the analyzer is not answering (busy or shutting down): try again");
  }

  grpc::Status ListPeers(grpc::ServerContext*, const v1::ListPeersRequest*, v1::ListPeersResponse* out) override {
    auto peers = on_core([this] {
      auto summaries = a_.peer_summaries();
      std::vector<std::pair<analyzer::PeerSummary, std::pair<std::string, std::size_t>>> rows;
      for (std::size_t i = 0; i < summaries.size(); ++i)
        rows.push_back({summaries[i], {state_of_(summaries[i].address), a_.stale_routes(static_cast<int>(i))}});
      return rows;
    });
    if (!peers) return unavailable();
    for (const auto& [s, extra] : *peers) to_proto(s, extra.first, extra.second, *out->add_peers());
    return grpc::Status::OK;
  }

  grpc::Status GetPaths(grpc::ServerContext*, const v1::GetPathsRequest* in, v1::GetPathsResponse* out) override {
    const std::string& q = in->query();
    std::optional<wire::Prefix> prefix;
    std::optional<wire::IpAddress> address;
    if (!q.empty()) {
      if (q.find('/') != std::string::npos) {
        prefix = prefix_arg(q);
        if (!prefix) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(q)));
      } else {
        address = address_arg(q);
        if (!address) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix or an address", quoted(q)));
      }
    }
    auto rows = on_core([this, prefix, address]() -> std::pair<std::vector<analyzer::PrefixRow>, std::vector<std::string>> {
      std::vector<analyzer::PrefixRow> r;
      if (prefix) {
        r.push_back(row_or_covering(rib::PrefixKey::from(*prefix)));
      } else if (address) {
        if (auto k = a_.lookup(*address)) r.push_back(a_.row(*k));
      } else {
        r = a_.rows();
      }
      return {std::move(r), a_.policy().circuits};
    });
    if (!rows) return unavailable();
    if (address && rows->first.empty()) return error(grpc::StatusCode::NOT_FOUND, fmt::format("no route covers {}", q));
    for (const auto& r : rows->first) to_proto(r, rows->second, *out->add_paths());
    return grpc::Status::OK;
  }

  grpc::Status GetReport(grpc::ServerContext*, const v1::GetReportRequest* in, v1::GetReportResponse* out) override {
    const std::string format = in->format().empty() ? "text" : in->format();
    if (format != "text" && format != "json" && format != "html")
      return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("format {}: text, json or html", quoted(format)));
    auto body = on_core([this, format] {
      const auto report = a_.report(false);
      const auto& c = a_.policy().circuits;
      return format == "json" ? render_json(report, c) : format == "html" ? render_html(report, c) : render_text(report, c);
    });
    if (!body) return unavailable();
    out->set_format(format);
    out->set_body(std::move(*body));
    return grpc::Status::OK;
  }

  grpc::Status WhatIf(grpc::ServerContext*, const v1::WhatIfRequest* in, v1::WhatIfResponse* out) override {
    std::vector<std::string> targets(in->fail().begin(), in->fail().end());
    if (targets.empty()) return error(grpc::StatusCode::INVALID_ARGUMENT, "what-if: name at least one peer or role to fail");
    for (const auto& t : targets)  // no target is that long: do not echo a huge one back
      if (t.size() > 100 || std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("what-if: {} names no configured peer", quoted(t)));
    auto result = on_core([this, targets = std::move(targets)]() -> std::pair<std::optional<analyzer::WhatIf>, std::string> {
      const auto failed = resolve_targets(a_, targets);
      if (!failed.error.empty()) return {std::nullopt, failed.error};
      return {a_.what_if(failed.peers), {}};
    });
    if (!result) return unavailable();
    if (!result->first) return error(grpc::StatusCode::INVALID_ARGUMENT, result->second);
    const auto circuits = on_core([this] { return a_.policy().circuits; });
    if (!circuits) return unavailable();
    to_proto(*result->first, *circuits, *out);
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* in, grpc::ServerWriter<v1::WatchResponse>* w) override {
    std::optional<rib::PrefixKey> within;
    if (!in->within().empty()) {
      auto p = prefix_arg(in->within());
      if (!p) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(in->within())));
      within = rib::PrefixKey::from(*p);
    }
    struct Slot {  // this stream, counted against the watcher limit
      std::atomic<std::size_t>& count;
      std::size_t mine;
      explicit Slot(std::atomic<std::size_t>& c) : count(c), mine(++c) {}
      ~Slot() { --count; }
    } slot(watchers_);
    if (slot.mine > limits_.max_watchers)
      return error(grpc::StatusCode::RESOURCE_EXHAUSTED,
              fmt::format("{} watchers already, the server's limit: try again when one has ended", limits_.max_watchers));
    StallMonitor::Guard guard(stalls_, ctx);

    // The snapshot, in slices taken from the io thread as the client reads them (never the whole
    // table at once). Each slice is as of its own moment: `seen` keeps, per slice, its last prefix
    // and the changes it already reflects, so that no change is sent twice.
    const auto start = on_core([this] { return a_.event_count(); });
    if (!start) return unavailable();
    std::vector<std::pair<rib::PrefixKey, std::uint64_t>> seen;
    std::uint64_t last_seen = *start;
    std::vector<std::string> circuits;
    std::optional<rib::PrefixKey> cursor;
    for (;;) {
      const std::size_t n = limits_.slice;
      auto slice = on_core([this, cursor, within, n] {
        return std::tuple{a_.rows_after(cursor, n, within), a_.event_count(), a_.policy().circuits};
      });
      if (!slice) return unavailable();
      auto& [rows, sequence, names] = *slice;
      circuits = std::move(names);
      for (const auto& r : rows) {
        v1::WatchResponse row;  // fresh for each row: nothing of the previous prefix may leak in
        to_proto(r, circuits, *row.mutable_path());
        if (!write(w, guard, row)) return grpc::Status::OK;
      }
      last_seen = sequence;
      if (rows.size() < n) break;
      cursor = rib::PrefixKey::from(rows.back().prefix);
      seen.emplace_back(*cursor, sequence);
    }
    v1::WatchResponse end;
    end.set_snapshot_end(last_seen);
    if (!write(w, guard, end)) return grpc::Status::OK;
    const auto in_snapshot = [&](std::uint64_t sequence, const rib::PrefixKey& p) {
      const auto it = std::lower_bound(seen.begin(), seen.end(), p, [](const auto& s, const rib::PrefixKey& k) { return s.first < k; });
      return sequence <= (it == seen.end() ? last_seen : it->second);
    };

    // Then the changes after the first slice, in order, from the shared ring.
    std::uint64_t next = *start + 1;
    for (;;) {
      std::vector<std::pair<std::uint64_t, analyzer::Event>> batch;
      {
        std::unique_lock lock(ring_.m);
        ring_.cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return ring_.closed || ring_.next > next; });
        if (ctx->IsCancelled() || ring_.closed) break;
        if (next < ring_.first()) {  // the ring moved on: this client read too slowly
          lock.unlock();
          v1::WatchResponse behind;
          behind.set_fell_behind(next - 1);
          (void)write(w, guard, behind);
          return grpc::Status::OK;
        }
        if (next >= ring_.next) continue;  // nothing new yet (or not yet published)
        for (auto it = ring_.events.begin() + static_cast<std::ptrdiff_t>(next - ring_.first());
             it != ring_.events.end() && batch.size() < limits_.slice; ++it, ++next) {
          const auto key = rib::PrefixKey::from(it->second.prefix);
          if ((within && !within->covers(key)) || in_snapshot(it->first, key)) continue;
          batch.push_back(*it);
        }
      }
      // Circuits are only ever appended (SIGHUP): fetch the names again when one is new.
      const auto known = [&](const analyzer::ActivePath& p) { return p.circuit < static_cast<int>(circuits.size()); };
      if (!std::all_of(batch.begin(), batch.end(), [&](const auto& x) { return known(x.second.from) && known(x.second.to); })) {
        if (auto fresh = on_core([this] { return a_.policy().circuits; })) circuits = std::move(*fresh);
      }
      for (const auto& [sequence, e] : batch) {
        v1::WatchResponse msg;
        to_proto(e, sequence, circuits, *msg.mutable_event());
        if (!write(w, guard, msg)) return grpc::Status::OK;
      }
    }
    return grpc::Status::OK;
  }

  // On the io thread: the changes since the last call into the ring (only while anyone watches).
  void publish() {
    const std::size_t count = a_.event_count();
    if (count == published_) return;
    const std::size_t keep = limits_.watch_buffer;
    std::vector<analyzer::Event> fresh;
    const std::size_t from = count - published_ > keep ? count - keep : published_;
    if (watchers_.load() > 0) fresh = a_.events_range(from, count - from);
    {
      std::lock_guard lock(ring_.m);
      if (fresh.empty() || from != published_) ring_.events.clear();
      for (std::size_t i = 0; i < fresh.size(); ++i) ring_.events.emplace_back(from + i + 1, std::move(fresh[i]));
      while (ring_.events.size() > keep) ring_.events.pop_front();
      ring_.next = count + 1;
    }
    ring_.cv.notify_all();
    published_ = count;
  }

  void close_watchers() {
    {
      std::lock_guard lock(ring_.m);
      ring_.closed = true;
    }
    ring_.cv.notify_all();
  }

  std::unique_ptr<grpc::Server> server;
  std::atomic<bool> stopping{false};

 private:
  boost::asio::io_context& io_;
  Analyzer& a_;
  std::function<std::string(const std::string&)> state_of_;
  GrpcLimits limits_;

 public:
  StallMonitor stalls_;

 private:
  EventRing ring_;

 public:
  std::atomic<std::size_t> watchers_{0};

 private:
  std::size_t published_ = 0;  // change-log entries handed to the ring (io thread only)
};

GrpcServer::GrpcServer(boost::asio::io_context& io, Analyzer& a, std::function<std::string(const std::string&)> state_of,
                       GrpcLimits limits)
    : impl_(std::make_unique<Impl>(io, a, std::move(state_of), limits)) {}

GrpcServer::~GrpcServer() { shutdown(); }

std::string GrpcServer::start(const std::string& address) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC turns SO_REUSEPORT on by default: a second server on a busy port would share it and
  // clients would be answered by either in turn.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(impl_.get());
  impl_->server = builder.BuildAndStart();
  impl_->stalls_.start();
  if (!impl_->server || port == 0) {
    impl_->server.reset();
    throw std::runtime_error(fmt::format("gRPC: cannot listen on {}: {}", quoted(address), bind_error(address)));
  }
  const auto colon = address.rfind(':');
  return fmt::format("{}:{}", address.substr(0, colon), port);
}

void GrpcServer::publish() { impl_->publish(); }

std::size_t GrpcServer::watchers() const { return impl_->watchers_.load(); }

void GrpcServer::shutdown() {
  if (!impl_->server) return;
  impl_->stopping = true;
  impl_->close_watchers();
  impl_->stalls_.stop();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
}

}  // namespace bgpfa::app
