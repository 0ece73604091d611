#include "app/grpc/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>

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
constexpr std::size_t kWatchQueue = 65536;  // events a watcher may lag before it is cut short

// One Watch stream's queue, filled on the io thread, drained by the stream's gRPC thread.
struct Watcher {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::uint64_t, analyzer::Event>> queue;  // (sequence, change)
  std::uint64_t snapshot_sequence = 0;  // changes up to this one are in the snapshot
  std::uint64_t dropped_up_to = 0;      // set when the queue overflowed
  bool closed = false;
  std::optional<rib::PrefixKey> within;
};

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
      : io_(io), a_(a), state_of_(std::move(state_of)), limits_(limits) {}

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
  static grpc::Status unavailable() { return {grpc::StatusCode::UNAVAILABLE, "the analyzer is not answering (shutting down?)"}; }

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
        prefix = wire::parse_prefix(q);
        if (!prefix) return {grpc::StatusCode::INVALID_ARGUMENT, fmt::format("\"{}\" is not a prefix", q)};
      } else {
        address = wire::parse_address(q);
        if (!address) return {grpc::StatusCode::INVALID_ARGUMENT, fmt::format("\"{}\" is not a prefix or an address", q)};
      }
    }
    auto rows = on_core([this, prefix, address]() -> std::pair<std::vector<analyzer::PrefixRow>, std::vector<std::string>> {
      std::vector<analyzer::PrefixRow> r;
      if (prefix) {
        r.push_back(a_.row(rib::PrefixKey::from(*prefix)));
      } else if (address) {
        if (auto k = a_.lookup(*address)) r.push_back(a_.row(*k));
      } else {
        r = a_.rows();
      }
      return {std::move(r), a_.policy().circuits};
    });
    if (!rows) return unavailable();
    if (address && rows->first.empty()) return {grpc::StatusCode::NOT_FOUND, fmt::format("no route covers {}", q)};
    for (const auto& r : rows->first) to_proto(r, rows->second, *out->add_paths());
    return grpc::Status::OK;
  }

  grpc::Status GetReport(grpc::ServerContext*, const v1::GetReportRequest* in, v1::GetReportResponse* out) override {
    const std::string format = in->format().empty() ? "text" : in->format();
    if (format != "text" && format != "json" && format != "html")
      return {grpc::StatusCode::INVALID_ARGUMENT, fmt::format("format \"{}\": text, json or html", format)};
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
    if (targets.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "what-if: name at least one peer or role to fail"};
    auto result = on_core([this, targets = std::move(targets)]() -> std::pair<std::optional<analyzer::WhatIf>, std::string> {
      const auto failed = resolve_targets(a_, targets);
      if (!failed.error.empty()) return {std::nullopt, failed.error};
      return {a_.what_if(failed.peers), {}};
    });
    if (!result) return unavailable();
    if (!result->first) return {grpc::StatusCode::INVALID_ARGUMENT, result->second};
    const auto circuits = on_core([this] { return a_.policy().circuits; });
    if (!circuits) return unavailable();
    to_proto(*result->first, *circuits, *out);
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* in, grpc::ServerWriter<v1::WatchResponse>* w) override {
    auto watcher = std::make_shared<Watcher>();
    if (!in->within().empty()) {
      auto p = wire::parse_prefix(in->within());
      if (!p) return {grpc::StatusCode::INVALID_ARGUMENT, fmt::format("\"{}\" is not a prefix", in->within())};
      watcher->within = rib::PrefixKey::from(*p);
    }
    // The snapshot and the registration happen together on the io thread: no change falls
    // between them, none is seen twice.
    auto snapshot = on_core([this, watcher] {
      std::lock_guard lock(watchers_m_);
      if (shutting_down_) watcher->closed = true;
      watchers_.push_back(watcher);
      watcher->snapshot_sequence = a_.event_count();
      return std::pair{a_.rows(watcher->within), a_.policy().circuits};
    });
    if (!snapshot) return unavailable();
    for (const auto& r : snapshot->first) {
      v1::WatchResponse row;  // fresh for each row: nothing of the previous prefix may leak in
      to_proto(r, snapshot->second, *row.mutable_path());
      if (!w->Write(row)) return grpc::Status::OK;
    }
    v1::WatchResponse msg;
    msg.set_snapshot_end(watcher->snapshot_sequence);
    if (!w->Write(msg)) return grpc::Status::OK;
    auto circuits = snapshot->second;
    for (;;) {
      std::deque<std::pair<std::uint64_t, analyzer::Event>> batch;
      std::uint64_t dropped = 0;
      {
        std::unique_lock lock(watcher->m);
        watcher->cv.wait_for(lock, std::chrono::milliseconds(200), [&] {
          return watcher->closed || !watcher->queue.empty() || watcher->dropped_up_to;
        });
        if (ctx->IsCancelled()) break;
        if (watcher->closed && watcher->queue.empty()) break;
        batch.swap(watcher->queue);
        dropped = std::exchange(watcher->dropped_up_to, 0);
      }
      if (dropped) {
        msg.Clear();
        msg.set_fell_behind(dropped);
        if (!w->Write(msg)) break;
      }
      // Circuits are only ever appended (SIGHUP): fetch the names again when one is new.
      const auto known = [&](const analyzer::ActivePath& p) { return p.circuit < static_cast<int>(circuits.size()); };
      if (!std::all_of(batch.begin(), batch.end(), [&](const auto& x) { return known(x.second.from) && known(x.second.to); })) {
        if (auto fresh = on_core([this] { return a_.policy().circuits; })) circuits = std::move(*fresh);
      }
      for (const auto& [sequence, e] : batch) {
        msg.Clear();
        to_proto(e, sequence, circuits, *msg.mutable_event());
        if (!w->Write(msg)) return grpc::Status::OK;
      }
    }
    return grpc::Status::OK;
  }

  void publish() {
    const std::size_t count = a_.event_count();
    if (count == published_) return;
    std::lock_guard lock(watchers_m_);
    std::erase_if(watchers_, [](const std::shared_ptr<Watcher>& w) { return w.use_count() == 1; });  // stream gone
    if (!watchers_.empty()) {
      const auto events = a_.events_since(published_);
      for (auto& w : watchers_) {
        std::lock_guard wl(w->m);
        for (std::size_t i = 0; i < events.size(); ++i) {
          const std::uint64_t sequence = published_ + i + 1;
          if (sequence <= w->snapshot_sequence) continue;  // already in its snapshot
          if (w->within && !w->within->covers(rib::PrefixKey::from(events[i].prefix))) continue;
          if (w->queue.size() >= kWatchQueue) {  // cut short: drop what is queued, say so
            w->dropped_up_to = sequence;
            w->queue.clear();
            continue;
          }
          w->queue.emplace_back(sequence, events[i]);
        }
        w->cv.notify_one();
      }
    }
    published_ = count;
  }

  void close_watchers() {
    std::lock_guard lock(watchers_m_);
    shutting_down_ = true;
    for (auto& w : watchers_) {
      std::lock_guard wl(w->m);
      w->closed = true;
      w->cv.notify_one();
    }
  }

  std::unique_ptr<grpc::Server> server;
  std::atomic<bool> stopping{false};

 private:
  boost::asio::io_context& io_;
  Analyzer& a_;
  std::function<std::string(const std::string&)> state_of_;
  GrpcLimits limits_;
  std::mutex watchers_m_;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  bool shutting_down_ = false;
  std::size_t published_ = 0;  // change-log entries handed to watchers (io thread only)
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
  if (!impl_->server || port == 0) {
    impl_->server.reset();
    throw std::runtime_error(fmt::format("gRPC: cannot listen on {}: {}", quoted(address), bind_error(address)));
  }
  const auto colon = address.rfind(':');
  return fmt::format("{}:{}", address.substr(0, colon), port);
}

void GrpcServer::publish() { impl_->publish(); }

void GrpcServer::shutdown() {
  if (!impl_->server) return;
  impl_->stopping = true;
  impl_->close_watchers();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
}

}  // namespace bgpfa::app
