#include "app/grpc/server.hpp"

#include <algorithm>
#include <functional>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "app/cli/roles.hpp"
#include "app/grpc/convert.hpp"
#include "app/grpc/path_wire.hpp"
#include "app/render/report_format.hpp"
#include "bgpfa.grpc.pb.h"

namespace bgpfa::app {

namespace {

using analyzer::Analyzer;
constexpr const char* kVersion = "0.1.0";

// Changes handed over by publish(), shared by every watcher and bounded (GrpcLimits::watch_buffer):
// one copy however many watch, none per watcher.
struct EventRing {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::uint64_t, analyzer::Event>> events;  // consecutive sequences
  std::uint64_t next = 1;  // the sequence after the last one held
  bool closed = false;
  [[nodiscard]] std::uint64_t first() const { return next - events.size(); }
  std::deque<std::pair<std::size_t, analyzer::Mark>> marks;  // consecutive mark indices
  std::size_t marks_next = 0;  // the mark index after the last one held
  [[nodiscard]] std::size_t marks_first() const { return marks_next - marks.size(); }
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
        for (auto& [ctx, stream] : writing_) {
          if (stream.since && now - *stream.since > limit_) {
            fmt::print(stderr, "bgpfa: gRPC: a stream's client read nothing for {} ms: stream ended\n", limit_.count());
            ctx->TryCancel();
            stream.since.reset();
            stream.cancelled = true;
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
      auto& since = m_.writing_[ctx_].since;
      if (on) since = std::chrono::steady_clock::now();
      else since.reset();
    }
    // The monitor ended this stream.
    [[nodiscard]] bool stalled() const {
      std::lock_guard lock(m_.m_);
      return m_.writing_[ctx_].cancelled;
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
  struct Stream {
    std::optional<std::chrono::steady_clock::time_point> since;  // in a Write since then
    bool cancelled = false;                                      // ended by the monitor
  };
  std::map<grpc::ServerContext*, Stream> writing_;
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
      : io_(io), a_(a), state_of_(std::move(state_of)), limits_(limits), stalls_(limits.stalled_after) {
    // Method 1 of the service is ListPaths; the service owns the handler.
    MarkMethodStreamed(1, std::make_unique<grpc::internal::SplitServerStreamingHandler<v1::ListPathsRequest, grpc::ByteBuffer>>(
                              [this](grpc::ServerContext* ctx, PathStream* w) { return list_paths(ctx, w); })
                              .release());
  }

  // A call posted to the io thread, its result awaited by `await` (or abandoned when dropped).
  template <class R>
  class CoreCall {
   public:
    struct State {
      std::promise<R> done;
      std::atomic<bool> abandoned{false};  // the caller timed out or went away: do not spend the core on it
    };
    CoreCall() = default;
    explicit CoreCall(std::shared_ptr<State> s) : state_(std::move(s)), result_(state_->done.get_future()) {}
    CoreCall(CoreCall&&) noexcept = default;
    CoreCall& operator=(CoreCall&& o) noexcept {
      abandon();
      state_ = std::move(o.state_);
      result_ = std::move(o.result_);
      return *this;
    }
    ~CoreCall() { abandon(); }
    [[nodiscard]] bool pending() const noexcept { return state_ != nullptr; }

   private:
    friend class Impl;
    void abandon() {
      if (state_) state_->abandoned = true;
    }
    std::shared_ptr<State> state_;
    std::future<R> result_;
  };

  // Posts `f` to the io thread. `f` must own everything it touches (capture by value): the caller
  // may give up waiting, and its frame be gone, while `f` is still queued or running there.
  template <class F>
  auto post_core(F f) -> CoreCall<decltype(f())> {
    using R = decltype(f());
    auto state = std::make_shared<typename CoreCall<R>::State>();
    CoreCall<R> call(state);
    if (stopping) return CoreCall<R>{};
    boost::asio::post(io_, [state, f = std::move(f)]() mutable {
      if (state->abandoned) return;
      try {
        state->done.set_value(f());
      } catch (...) {
        state->done.set_exception(std::current_exception());
      }
    });
    return call;
  }
  // Its result; nullopt when the core did not answer in time (the call is then abandoned).
  template <class R>
  std::optional<R> await(CoreCall<R>& call) {
    if (!call.pending()) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + limits_.core_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (call.result_.wait_until(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) ==
          std::future_status::ready) {
        try {
          auto r = call.result_.get();
          call.state_.reset();
          return r;
        } catch (const std::exception& e) {
          fmt::print(stderr, "bgpfa: gRPC: a call failed on the analyzer thread: {}\n", e.what());
          return std::nullopt;
        }
      }
      if (stopping) break;  // the io thread has stopped: nobody will answer
    }
    return std::nullopt;  // abandoned when `call` goes
  }
  // Runs `f` on the io thread and returns its result; nullopt when the core did not answer in time.
  template <class F>
  auto on_core(F f) -> std::optional<decltype(f())> {
    auto call = post_core(std::move(f));
    return await(call);
  }
  static grpc::Status unavailable() {
    return error(grpc::StatusCode::UNAVAILABLE, "the analyzer is not answering (busy or shutting down): try again");
  }
  static std::size_t batch_of(std::uint32_t asked) { return asked == 0 ? 1000 : std::min<std::size_t>(asked, 10'000); }

  // The row of `p`; for a prefix without a route of its own, the route that carries it (its
  // longest covering prefix), marked via_covering, as for the prefixes the table holds. Nullopt
  // when the table has neither.
  [[nodiscard]] std::optional<analyzer::PrefixRow> row_or_covering(const rib::PrefixKey& p) const {
    if (a_.table().find(p)) return a_.row(p);  // the analyzer follows rows that lost their routes itself
    const auto cover = a_.table().longest_covering(p, false);
    if (!cover) return std::nullopt;
    analyzer::PrefixRow r = a_.row(*cover);
    r.prefix = p.to_prefix();
    r.active.via_covering = true;
    r.covering = cover->to_prefix();
    return r;
  }

  // Rows as VNet `vnet` sees them (replay --vnet); on the io thread. A row without a gateway path
  // there shows no gateway bests either.
  void view(std::vector<analyzer::PrefixRow>& rows, int vnet) const {
    if (vnet < 0) return;
    for (auto& r : rows) {
      r.active = a_.in_vnet(rib::PrefixKey::from(r.prefix), r.active, vnet);
      if (r.active.kind == analyzer::PathKind::System || r.active.kind == analyzer::PathKind::None) {
        r.expressroute.reset();
        r.vpn.reset();
      }
    }
  }
  // A VNet's index by name, read on the io thread; nullopt: no answer; -2: no such VNet.
  std::optional<int> vnet_of(const std::string& name) {
    if (name.empty()) return -1;
    auto i = on_core([this, name] { return a_.vnet_index(name); });
    if (!i) return std::nullopt;
    return *i < 0 ? -2 : *i;
  }
  [[nodiscard]] static grpc::Status no_vnet(const std::string& name) {
    return error(grpc::StatusCode::NOT_FOUND, fmt::format("no VNet {} in the configuration", quoted(name)));
  }

  grpc::Status ListPeers(grpc::ServerContext* ctx, const v1::ListPeersRequest* in, grpc::ServerWriter<v1::Peer>* w) override {
    std::string only;
    if (!in->address().empty()) {
      const auto a = address_arg(in->address());
      if (!a) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not an address", quoted(in->address())));
      only = wire::to_string(*a);
    }
    StallMonitor::Guard guard(stalls_, ctx);
    auto peers = on_core([this] {
      std::vector<v1::Peer> out;
      const auto names = names_of(a_);
      const auto summaries = a_.peer_summaries();
      const std::uint64_t now = live_clock_ ? wall_us() : stats_ ? stats_->last_us() : 0;
      for (std::size_t i = 0; i < summaries.size(); ++i) {
        const int k = static_cast<int>(i);
        auto& p = out.emplace_back();
        to_proto(summaries[i], a_.peers()[i], state_of_(summaries[i].address), a_.stale_routes(k), names, p);
        p.set_routes_received(a_.peer_routes(k));
        p.set_routes_accepted(a_.dropped_at_limit(k) ? 0 : a_.peer_routes(k));
        if (const auto* seen = stats_ ? stats_->find(k) : nullptr) peer_details(*seen, now, p);
      }
      return out;
    });
    if (!peers) return unavailable();
    bool any = false;
    for (const auto& p : *peers) {
      if (!only.empty() && p.address() != only) continue;
      any = true;
      if (!write(w, guard, p)) break;
    }
    if (!only.empty() && !any) return error(grpc::StatusCode::NOT_FOUND, fmt::format("no neighbour {} is configured", only));
    return grpc::Status::OK;
  }

  // A ListPaths filter, checked.
  struct Filter {
    std::optional<rib::PrefixKey> prefix;
    bool longer = false, shorter = false;
    std::vector<int> kinds;
    v1::Gateway gateway = v1::GATEWAY_UNSPECIFIED;
    std::string peer;
    std::uint32_t origin_asn = 0;
    std::string community;
    int vnet = -1;  // the VNet whose view the rows are (-1: the hub's, as the analyzer keeps them)
    // Filters on a prefix's own routes, so its candidates are read for them.
    [[nodiscard]] bool needs_routes() const { return origin_asn != 0 || !community.empty(); }
    // The same as keeps(Path) for a row without candidates whose carrying set `names` holds.
    [[nodiscard]] bool keeps(const analyzer::PrefixRow& r, const Names& names) const {
      if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), static_cast<int>(kind_of(r.active.kind))) == kinds.end())
        return false;
      if (gateway == v1::GATEWAY_EXPRESSROUTE && !r.expressroute) return false;
      if (gateway == v1::GATEWAY_VPN && !r.vpn) return false;
      if (!peer.empty()) {
        const auto& set = names.sets[r.active.set];
        if (std::none_of(set.begin(), set.end(), [&](const analyzer::CarryingPath& c) { return c.peer == peer; })) return false;
      }
      return true;
    }
    [[nodiscard]] bool keeps(const v1::Path& p) const {
      const auto any_route = [&](const auto& pred) { return std::any_of(p.candidates().begin(), p.candidates().end(), pred); };
      if (origin_asn && !any_route([&](const v1::Route& r) {
            return r.as_path_size() > 0 && r.as_path(r.as_path_size() - 1).type() == v1::AS_PATH_SEGMENT_TYPE_SEQUENCE &&
                   r.as_path(r.as_path_size() - 1).asns_size() > 0 &&
                   r.as_path(r.as_path_size() - 1).asns(r.as_path(r.as_path_size() - 1).asns_size() - 1) == origin_asn;
          }))
        return false;
      if (!community.empty() && !any_route([&](const v1::Route& r) {
            return std::find(r.communities().begin(), r.communities().end(), community) != r.communities().end();
          }))
        return false;
      if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), static_cast<int>(p.kind())) == kinds.end()) return false;
      if (gateway == v1::GATEWAY_EXPRESSROUTE && !p.has_expressroute()) return false;
      if (gateway == v1::GATEWAY_VPN && !p.has_vpn()) return false;
      if (!peer.empty() && std::none_of(p.carrying().begin(), p.carrying().end(),
                                        [&](const v1::CarryingPath& c) { return c.peer_address() == peer; }))
        return false;
      return true;
    }
  };
  static std::optional<grpc::Status> parse(const v1::PathFilter& in, Filter& f) {
    if (!in.prefix().empty()) {
      const auto p = prefix_arg(in.prefix());
      if (!p) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(in.prefix())));
      f.prefix = rib::PrefixKey::from(*p);
    } else if (in.longer() || in.shorter()) {
      return error(grpc::StatusCode::INVALID_ARGUMENT, "longer and shorter need a prefix");
    }
    f.longer = in.longer();
    f.shorter = in.shorter();
    for (int k : in.kinds()) f.kinds.push_back(k);
    f.gateway = in.gateway();
    if (!in.peer_address().empty()) {
      const auto a = address_arg(in.peer_address());
      if (!a) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not an address", quoted(in.peer_address())));
      f.peer = wire::to_string(*a);
    }
    f.origin_asn = in.origin_asn();
    if (!in.community().empty()) {
      unsigned hi = 0, lo = 0;
      char extra = 0;
      if (in.community().size() > 11 || std::sscanf(in.community().c_str(), "%u:%u%c", &hi, &lo, &extra) != 2 || hi > 65535 ||
          lo > 65535)
        return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a community (ASN:VALUE)", quoted(in.community())));
      f.community = fmt::format("{}:{}", hi, lo);
    }
    return std::nullopt;
  }

  // Rows taken on the io thread, with the names to convert them and (when asked) their routes.
  using Candidates = std::vector<std::vector<v1::Route>>;
  struct Slice {
    std::vector<analyzer::PrefixRow> rows;
    Names names;
    Candidates candidates;
    std::uint64_t keys_sequence = 0;  // the changes up to this one were made when its keys were read
    // Row i into `p`, which may be a reused message: to_proto clears it first.
    void fill(std::size_t i, v1::Path& p) const {
      to_proto(rows[i], names, p);
      if (i < candidates.size())
        for (const auto& r : candidates[i]) *p.add_candidates() = r;
    }
  };

  // One stream's read of the table in prefix order: a pass over the table on the io thread
  // collects the next `key_block` keys with their entries (at most a few MB), then rows come
  // from the io thread `slice` keys at a time. No whole-table copy, and one pass serves many
  // slices. While the table gains or loses no prefix, a slice's rows are read through the
  // entries the pass found (looking 1 M keys up again costs more than the rest of the rows).
  class TableCursor {
   public:
    TableCursor(Impl& s, std::optional<rib::PrefixKey> within, bool candidates, int vnet = -1)
        : s_(s), within_(within), candidates_(candidates), vnet_(vnet) {}
    // The next rows (none at the end); nullopt when the io thread did not answer. The slice
    // after them is asked for before they are returned: the io thread builds it while this
    // thread converts and writes these.
    std::optional<Slice> next() {
      if (!ahead_.pending()) {
        if (at_ == keys_.size()) {
          if (end_) return Slice{};
          if (!next_block()) return std::nullopt;
          if (keys_.empty()) return Slice{};
        }
        ask();
      }
      auto slice = s_.await(ahead_);
      if (!slice) return std::nullopt;
      slice->keys_sequence = ahead_sequence_;
      if (at_ < keys_.size()) ask();  // within this block; a new block's pass waits for the next call
      return slice;
    }

   private:
    // The next `block_` keys in prefix order, from one pass over the table.
    bool next_block() {
      // Blocks grow as the client keeps reading: a frozen client holds a small one, a fast
      // one needs few passes over the table.
      const std::size_t block = block_;
      block_ = std::min(block_ * 4, std::max(s_.limits_.key_block, s_.limits_.slice));
      auto pass = s_.on_core([&a = s_.a_, after = after_, within = within_, block] {
        return std::tuple{a.entries_after(after, block, within), a.event_count(), a.table().generation()};
      });
      if (!pass) return false;
      keys_ = std::move(std::get<0>(*pass));
      keys_sequence_ = std::get<1>(*pass);
      generation_ = std::get<2>(*pass);
      at_ = 0;
      end_ = keys_.size() < block;
      if (!keys_.empty()) after_ = keys_.back().first;
      return true;
    }
    // Posts the rows of the next slice of keys to the io thread.
    void ask() {
      const std::size_t n = std::min(s_.limits_.slice, keys_.size() - at_);
      // A copy: the io thread must not touch this stream's state (the call may time out first).
      std::vector<analyzer::Analyzer::KeyedEntry> take(keys_.begin() + static_cast<std::ptrdiff_t>(at_),
                                                       keys_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
      at_ += n;
      ahead_sequence_ = keys_sequence_;
      ahead_ = s_.post_core([&s = s_, take = std::move(take), candidates = candidates_, vnet = vnet_,
                             generation = generation_] {
        std::vector<analyzer::PrefixRow> rows;
        if (s.a_.table().generation() == generation) {
          rows = s.a_.rows_of(take.data(), take.size());
        } else {  // prefixes came or went since the pass: its entries may have moved
          std::vector<rib::PrefixKey> keys;
          keys.reserve(take.size());
          for (const auto& k : take) keys.push_back(k.first);
          rows = s.a_.rows_for(keys);
        }
        s.view(rows, vnet);
        auto c = candidates ? s.candidates_for(rows) : Candidates{};
        return Slice{std::move(rows), names_of(s.a_), std::move(c)};
      });
    }

   private:
    Impl& s_;
    std::optional<rib::PrefixKey> within_;
    bool candidates_;
    int vnet_;
    std::vector<analyzer::Analyzer::KeyedEntry> keys_;  // dereferenced on the io thread only
    std::size_t at_ = 0;
    std::optional<rib::PrefixKey> after_;
    bool end_ = false;
    std::uint64_t keys_sequence_ = 0;
    std::uint64_t generation_ = 0;
    std::size_t block_ = std::max<std::size_t>(s_.limits_.slice * 4, 1);
    CoreCall<Slice> ahead_;  // the slice asked for, not yet returned
    std::uint64_t ahead_sequence_ = 0;
  };
  [[nodiscard]] Candidates candidates_for(const std::vector<analyzer::PrefixRow>& rows) const {
    Candidates out;
    const auto names = names_of(a_);
    for (const auto& r : rows) out.push_back(r.covering ? std::vector<v1::Route>{} : candidates_of(a_, rib::PrefixKey::from(r.prefix), names));
    return out;
  }

  // ListPaths writes its batches as bytes (app/grpc/path_wire.hpp), so it is served by a
  // split-streaming handler of raw messages: one request read, then any number of writes, which
  // is what the generated code's WithSplitStreamingMethod does for typed ones.
  using PathStream = grpc::ServerSplitStreamer<v1::ListPathsRequest, grpc::ByteBuffer>;
  grpc::Status list_paths(grpc::ServerContext* ctx, PathStream* w) {
    v1::ListPathsRequest request;
    if (!w->Read(&request)) return error(grpc::StatusCode::INVALID_ARGUMENT, "ListPaths: no request");
    const v1::ListPathsRequest* in = &request;
    Filter f;
    if (auto bad = parse(in->filter(), f)) return *bad;
    const auto vnet = vnet_of(in->filter().vnet());
    if (!vnet) return unavailable();
    if (*vnet == -2) return no_vnet(in->filter().vnet());
    f.vnet = *vnet;
    const std::size_t batch_size = batch_of(in->batch_size());
    const bool candidates = in->candidates() || f.needs_routes();
    const bool keep_candidates = in->candidates();
    StallMonitor::Guard guard(stalls_, ctx);
    // A batch is the wire bytes of a PathBatch: rows without candidates are written from the row
    // (PathWire), rows with them through a v1::Path built in an arena reset for each row.
    std::string batch;
    std::size_t in_batch = 0;
    PathWire wire;
    google::protobuf::Arena arena;
    const auto flush = [&] {
      grpc::Slice bytes(batch);
      grpc::ByteBuffer message(&bytes, 1);
      const bool ok = write(w, guard, message);
      batch.clear();
      in_batch = 0;
      return ok;
    };
    const auto emit = [&](const Slice& slice, std::size_t i) {
      const analyzer::PrefixRow& row = slice.rows[i];
      if (!candidates && names_cover(slice.names, row.active)) {
        if (!f.keeps(row, slice.names)) return true;
        wire.append(batch, row, slice.names);
      } else {
        arena.Reset();
        v1::Path& p = *google::protobuf::Arena::CreateMessage<v1::Path>(&arena);
        slice.fill(i, p);
        if (!f.keeps(p)) return true;
        if (!keep_candidates) p.clear_candidates();  // read for the filter only
        PathWire::append(batch, p);
      }
      return ++in_batch < batch_size || flush();
    };
    // Prefixes covering the filter's (shorter), then the prefix itself or everything inside it.
    if (f.prefix && (f.shorter || !f.longer)) {
      const auto key = *f.prefix;
      const bool shorter = f.shorter, exact = !f.longer;
      auto rows = on_core([this, key, shorter, exact, candidates, vnet = f.vnet] {
        std::vector<analyzer::PrefixRow> out;
        if (shorter)
          for (int len = 0; len < key.length; ++len) {
            const auto k = key.truncated(static_cast<std::uint8_t>(len));
            if (a_.table().find(k)) out.push_back(a_.row(k));
          }
        if (exact)
          if (auto r = row_or_covering(key)) out.push_back(std::move(*r));
        view(out, vnet);
        auto c = candidates ? candidates_for(out) : Candidates{};
        return Slice{std::move(out), names_of(a_), std::move(c)};
      });
      if (!rows) return unavailable();
      if (exact && !shorter && rows->rows.empty())
        return error(grpc::StatusCode::NOT_FOUND, fmt::format("no route covers {}", wire::to_string(key.to_prefix())));
      for (std::size_t i = 0; i < rows->rows.size(); ++i)
        if (!emit(*rows, i)) return grpc::Status::OK;
    }
    if (!f.prefix || f.longer) {
      // In slices from the io thread, never the whole table at once.
      TableCursor cursor(*this, f.prefix, candidates, f.vnet);
      for (;;) {
        auto slice = cursor.next();
        if (!slice) return unavailable();
        if (slice->rows.empty()) break;
        for (std::size_t i = 0; i < slice->rows.size(); ++i)
          if (!emit(*slice, i)) return grpc::Status::OK;
      }
    }
    if (in_batch > 0) (void)flush();
    return grpc::Status::OK;
  }

  grpc::Status Lookup(grpc::ServerContext*, const v1::LookupRequest* in, v1::Path* out) override {
    const auto address = address_arg(in->address());
    if (!address) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not an address", quoted(in->address())));
    const auto a = *address;
    const auto vnet = vnet_of(in->vnet());
    if (!vnet) return unavailable();
    if (*vnet == -2) return no_vnet(in->vnet());
    auto row = on_core([this, a, vnet = *vnet]() -> std::optional<std::pair<analyzer::PrefixRow, Names>> {
      // virtual-network/virtual-networks-udr-overview: the VNet's own and peered address spaces
      // win over any BGP route, even a more specific one: an address inside one is theirs.
      std::optional<wire::Prefix> space;
      for (const auto& sp : a_.system_spaces(vnet))
        if (rib::PrefixKey::from(sp.prefix).covers(rib::PrefixKey::from(wire::Prefix{a, static_cast<std::uint8_t>(
                                                       a.afi == wire::Afi::Ipv6 ? 128 : 32)})) &&
            (!space || sp.prefix.length > space->length))
          space = sp.prefix;
      if (space) {
        analyzer::PrefixRow r;
        r.prefix = *space;
        r.active.kind = analyzer::PathKind::System;
        return std::pair{std::move(r), names_of(a_)};
      }
      const auto k = a_.lookup(a);
      if (!k) return std::nullopt;
      std::vector<analyzer::PrefixRow> rows{a_.row(*k)};
      view(rows, vnet);
      return std::pair{std::move(rows.front()), names_of(a_)};
    });
    if (!row) return unavailable();
    if (!*row) return error(grpc::StatusCode::NOT_FOUND, fmt::format("no route covers {}", wire::to_string(a)));
    to_proto((*row)->first, (*row)->second, *out);
    return grpc::Status::OK;
  }

  // Changes of the log from sequence `after` + 1 that `keep` accepts, in batches, until `limit`,
  // the end of the log, or `stop` (given the time of an event) says so. With `keep_mark`, the
  // marks it accepts go at their place among the changes (a mark logged after change k comes
  // after it, whether or not that change is kept).
  template <class Keep, class Stop>
  grpc::Status stream_events(grpc::ServerContext* ctx, grpc::ServerWriter<v1::EventBatch>* w, std::uint64_t after,
                             std::size_t batch_size, std::uint64_t limit, Keep keep, Stop stop,
                             const std::function<bool(const analyzer::Mark&)>& keep_mark = {}) {
    StallMonitor::Guard guard(stalls_, ctx);
    std::uint64_t next = after;  // index into the log = sequence - 1
    std::optional<std::size_t> next_mark;  // index into the mark log; set by the first slice
    std::uint64_t sent = 0;
    v1::EventBatch batch;
    const std::size_t n = limits_.slice;
    const bool with_marks = static_cast<bool>(keep_mark);
    for (bool first_slice = true;; first_slice = false) {
      auto slice = on_core([this, next, n, next_mark, with_marks] {
        const std::uint64_t oldest = a_.first_event();
        const std::uint64_t from = std::max<std::uint64_t>(next, oldest);
        auto events = a_.events_range(from, n);
        std::vector<std::pair<std::size_t, analyzer::Mark>> marks;  // those up to the slice's last change
        const auto& log = a_.marks();
        if (with_marks)
          for (std::size_t i = std::max(next_mark.value_or(log.first_after(from)), log.first());
               i < log.size() && log[i].after <= from + events.size(); ++i)
            marks.emplace_back(i, log[i]);
        return std::tuple{std::move(events), names_of(a_), oldest, std::move(marks)};
      });
      if (!slice) return unavailable();
      const std::uint64_t oldest = std::get<2>(*slice);
      // The history is bounded: never skip what was dropped without saying so.
      if (next < oldest && (next > 0 || !first_slice))
        return error(grpc::StatusCode::FAILED_PRECONDITION,
                     fmt::format("the changes after {} are no longer kept: the oldest held is {} (history events {} in the "
                                 "analyzer section keeps more)",
                                 next, oldest + 1, a_.policy().history_events));
      next = std::max(next, oldest);
      batch.set_oldest_sequence(oldest + 1);
      const auto& slice_events = std::get<0>(*slice);
      const auto& slice_names = std::get<1>(*slice);
      const auto& slice_marks = std::get<3>(*slice);
      if (!slice_marks.empty()) next_mark = slice_marks.back().first + 1;
      const bool end_of_log = slice_events.size() < n;
      bool done = false;
      std::size_t m = 0;
      // Adds one event; false when the stream is over (limit reached, or the client went away).
      const auto add = [&](auto&& fill) {
        fill(*batch.add_events());
        if (limit && ++sent >= limit) done = true;
        if (static_cast<std::size_t>(batch.events_size()) >= batch_size) {
          if (!write(w, guard, batch)) return false;
          batch.Clear();
          batch.set_oldest_sequence(oldest + 1);
        }
        return true;
      };
      // The marks that come before change `sequence` (after the slice's last change: all).
      const auto add_marks = [&](std::uint64_t sequence) {
        for (; m < slice_marks.size() && slice_marks[m].second.after < sequence && !done; ++m) {
          const auto& [index, mark] = slice_marks[m];
          if (stop(mark.time_us)) {
            done = true;
            break;
          }
          if (!keep_mark(mark)) continue;
          if (!add([&](v1::Event& e) { to_proto(mark, index, slice_names, e); })) return false;
        }
        return true;
      };
      for (std::size_t i = 0; i < slice_events.size() && !done; ++i) {
        const auto& e = slice_events[i];
        const std::uint64_t sequence = next + i + 1;
        if (!add_marks(sequence)) return grpc::Status::OK;
        if (done) break;
        if (stop(e.time_us)) {
          done = true;
          break;
        }
        if (!keep(e, slice_names)) continue;
        if (!add([&](v1::Event& out) { to_proto(e, sequence, slice_names, out); })) return grpc::Status::OK;
      }
      if (!done && !add_marks(~std::uint64_t{0})) return grpc::Status::OK;
      done |= end_of_log;
      // An empty answer still says how far back the history goes.
      if (done && (batch.events_size() > 0 || sent == 0) && !write(w, guard, batch)) return grpc::Status::OK;
      if (done || ctx->IsCancelled()) break;
      next += slice_events.size();
    }
    return grpc::Status::OK;
  }

  grpc::Status ListEvents(grpc::ServerContext* ctx, const v1::ListEventsRequest* in, grpc::ServerWriter<v1::EventBatch>* w) override {
    std::optional<rib::PrefixKey> within;
    if (!in->prefix().empty()) {
      const auto p = prefix_arg(in->prefix());
      if (!p) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(in->prefix())));
      within = rib::PrefixKey::from(*p);
    }
    int peer = -1;
    std::string peer_text;
    if (!in->peer_address().empty()) {
      const auto a = address_arg(in->peer_address());
      if (!a) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not an address", quoted(in->peer_address())));
      const auto found = on_core([this, a = *a] {
        const auto& peers = a_.peers();
        for (std::size_t i = 0; i < peers.size(); ++i)
          if (peers[i].address == a) return static_cast<int>(i);
        return -1;
      });
      if (!found) return unavailable();
      if (*found < 0) return error(grpc::StatusCode::NOT_FOUND, fmt::format("{} is not a configured peer", quoted(in->peer_address())));
      peer = *found;
      peer_text = wire::to_string(*a);
    }
    const std::vector<int> kinds(in->kinds().begin(), in->kinds().end());
    const std::uint64_t start = in->has_start() ? micros(in->start()) : 0;
    const std::uint64_t end = in->has_end() ? micros(in->end()) : ~std::uint64_t{0};
    const auto carried_by_peer = [&](const analyzer::ActivePath& p, const Names& names) {
      if (p.set >= names.sets.size()) return false;
      const auto& set = names.sets[p.set];
      return std::any_of(set.begin(), set.end(), [&](const analyzer::CarryingPath& c) { return c.peer == peer_text; });
    };
    std::function<bool(const analyzer::Mark&)> keep_mark;
    if (in->marks())
      keep_mark = [&](const analyzer::Mark& m) {
        return m.time_us >= start && (peer < 0 || m.kind != analyzer::Mark::Kind::PeerState || m.peer == peer);
      };
    return stream_events(
        ctx, w, in->since_sequence(), batch_of(in->batch_size()), in->limit(),
        [&](const analyzer::Event& e, const Names& names) {
          if (e.time_us < start || (within && !within->covers(rib::PrefixKey::from(e.prefix)))) return false;
          if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), kind_of(e.from.kind)) == kinds.end() &&
              std::find(kinds.begin(), kinds.end(), kind_of(e.to.kind)) == kinds.end())
            return false;
          return peer < 0 || carried_by_peer(e.from, names) || carried_by_peer(e.to, names);
        },
        [&](std::uint64_t t) { return t > end; }, keep_mark);
  }

  grpc::Status GetPrefixHistory(grpc::ServerContext* ctx, const v1::GetPrefixHistoryRequest* in,
                                grpc::ServerWriter<v1::EventBatch>* w) override {
    const auto p = prefix_arg(in->prefix());
    if (!p) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(in->prefix())));
    const auto key = rib::PrefixKey::from(*p);
    return stream_events(
        ctx, w, 0, batch_of(in->batch_size()), 0,
        [&](const analyzer::Event& e, const Names&) { return rib::PrefixKey::from(e.prefix) == key; },
        [](std::uint64_t) { return false; });
  }

  grpc::Status ListEpisodes(grpc::ServerContext* ctx, const v1::ListEpisodesRequest* in, grpc::ServerWriter<v1::Episode>* w) override {
    auto episodes = on_core([this] { return std::pair{a_.episodes(), a_.first_episode_id()}; });
    if (!episodes) return unavailable();
    const std::uint64_t first_id = episodes->second;
    StallMonitor::Guard guard(stalls_, ctx);
    const std::uint64_t start = in->has_start() ? micros(in->start()) : 0;
    const std::uint64_t end = in->has_end() ? micros(in->end()) : ~std::uint64_t{0};
    std::uint64_t sent = 0;
    for (std::size_t i = 0; i < episodes->first.size(); ++i) {
      const auto& e = episodes->first[i];
      if (e.start_us < start || e.start_us > end) continue;
      v1::Episode out;
      to_proto(e, first_id + i, out);
      if (!write(w, guard, out)) break;
      if (in->limit() && ++sent >= in->limit()) break;
    }
    return grpc::Status::OK;
  }

  grpc::Status GetEpisode(grpc::ServerContext* ctx, const v1::GetEpisodeRequest* in, v1::EpisodeDetail* out) override {
    const std::uint64_t id = in->id();
    auto episode = on_core([this, id]() -> std::pair<std::optional<analyzer::Episode>, std::uint64_t> {
      const std::uint64_t first = a_.first_episode_id();
      if (id < first || id - first >= a_.episodes().size()) return {std::nullopt, first};
      return {a_.episodes()[id - first], first};
    });
    if (!episode) return unavailable();
    if (id && id < episode->second)
      return error(grpc::StatusCode::NOT_FOUND, fmt::format("episode {} is no longer kept: the oldest held is {} (history "
                                                            "episodes {} in the analyzer section keeps more)",
                                                            id, episode->second, a_.policy().history_episodes));
    if (!episode->first) return error(grpc::StatusCode::NOT_FOUND, fmt::format("no episode {} (episodes are numbered from 1)", id));
    std::optional<analyzer::Episode> found = std::move(episode->first);
    const auto* ep = &found;
    to_proto(**ep, id, *out->mutable_episode());
    // The prefixes it moved: the changes of the log in its time span, read in slices.
    std::set<rib::PrefixKey> moved;
    const std::uint64_t from = (*ep)->start_us, to = (*ep)->end_us;
    const std::size_t n = limits_.slice * 10;
    for (std::size_t next = 0;; next += n) {
      if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
      auto got = on_core([this, next, n] {  // from the oldest change kept
        const std::size_t at = std::max<std::size_t>(next, a_.first_event());
        return std::pair{a_.events_range(at, n), at};
      });
      if (!got) return unavailable();
      next = got->second;
      const auto* slice = &got->first;
      bool past = false;
      for (const auto& e : *slice) {
        if (e.time_us > to) {
          past = true;
          break;
        }
        if (e.time_us >= from) moved.insert(rib::PrefixKey::from(e.prefix));
      }
      if (past || slice->size() < n) break;
    }
    constexpr std::size_t kMaxPrefixes = 100'000;
    for (const auto& k : moved) {
      if (static_cast<std::size_t>(out->prefixes_size()) >= kMaxPrefixes) break;
      out->add_prefixes(wire::to_string(k.to_prefix()));
    }
    out->set_prefix_count(moved.size());
    return grpc::Status::OK;
  }

  grpc::Status ListFindings(grpc::ServerContext* ctx, const v1::ListFindingsRequest*, grpc::ServerWriter<v1::Finding>* w) override {
    auto findings = on_core([this] { return a_.findings(); });
    if (!findings) return unavailable();
    StallMonitor::Guard guard(stalls_, ctx);
    for (const auto& f : *findings) {
      v1::Finding out;
      to_proto(f, out);
      if (!write(w, guard, out)) break;
    }
    return grpc::Status::OK;
  }

  grpc::Status GetSummary(grpc::ServerContext*, const v1::GetSummaryRequest*, v1::Summary* out) override {
    auto s = on_core([this] {
      v1::Summary r;
      std::map<int, std::uint64_t> kinds;
      a_.table().for_each([&](const rib::PrefixKey&, const rib::PrefixEntry& e) { ++kinds[kind_of(analyzer::unpack(e.state).kind)]; });
      for (const auto& [k, n] : kinds) {
        auto& c = *r.add_by_kind();
        c.set_kind(static_cast<v1::PathKind>(k));
        c.set_prefixes(n);
      }
      r.set_prefixes(a_.table().prefixes());
      r.set_routes(a_.routes());
      r.set_peers(a_.peers().size());
      std::uint64_t up = 0;
      for (std::size_t i = 0; i < a_.peers().size(); ++i) {
        const auto state = state_of_(wire::to_string(a_.peers()[i].address));
        up += state == "Established" || (state == "replayed" && a_.peer_routes(static_cast<int>(i)) > 0);
      }
      r.set_peers_up(up);
      r.set_events(a_.event_count());
      const std::uint64_t first_id = a_.first_episode_id();
      r.set_episodes(first_id - 1 + a_.episodes().size());
      if (!a_.episodes().empty()) to_proto(a_.episodes().back(), r.episodes(), *r.mutable_last_episode());
      r.set_oldest_event(a_.first_event() + 1);
      r.set_oldest_episode(first_id);
      r.set_history_events(a_.policy().history_events);
      r.set_history_episodes(a_.policy().history_episodes);
      return r;
    });
    if (!s) return unavailable();
    *out = std::move(*s);
    out->set_version(kVersion);
    set_duration(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - started_)
                                                .count()),
                 *out->mutable_uptime());
    out->set_watchers(watchers_.load());
    return grpc::Status::OK;
  }

  grpc::Status GetReport(grpc::ServerContext* ctx, const v1::GetReportRequest* in, grpc::ServerWriter<v1::ReportChunk>* w) override {
    const std::string format = in->format().empty() ? "text" : in->format();
    if (format != "text" && format != "json" && format != "html")
      return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("format {}: text, json or html", quoted(format)));
    auto body = on_core([this, format] {
      const auto report = a_.report(false);
      const auto& c = a_.policy().circuits;
      return format == "json" ? render_json(report, c) : format == "html" ? render_html(report, c) : render_text(report, c);
    });
    if (!body) return unavailable();
    StallMonitor::Guard guard(stalls_, ctx);
    constexpr std::size_t kChunk = 1 << 20;
    for (std::size_t at = 0; at < body->size() || at == 0; at += kChunk) {
      v1::ReportChunk chunk;
      if (at == 0) chunk.set_format(format);
      chunk.set_data(body->substr(at, kChunk));
      if (!write(w, guard, chunk)) break;
      if (body->empty()) break;
    }
    return grpc::Status::OK;
  }

  grpc::Status WhatIf(grpc::ServerContext* ctx, const v1::WhatIfRequest* in, grpc::ServerWriter<v1::WhatIfResponse>* w) override {
    std::vector<std::string> targets(in->fail().begin(), in->fail().end());
    if (targets.empty()) return error(grpc::StatusCode::INVALID_ARGUMENT, "what-if: name at least one peer or role to fail");
    for (const auto& t : targets)  // no target is that long: do not echo a huge one back
      if (t.size() > 100 || std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("what-if: {} names no configured peer", quoted(t)));
    auto result = on_core([this, targets = std::move(targets)]() -> std::pair<std::optional<analyzer::WhatIf>, std::variant<std::string, Names>> {
      const auto failed = resolve_targets(a_, targets);
      if (!failed.error.empty()) return {std::nullopt, failed.error};
      return {a_.what_if(failed.peers), names_of(a_)};
    });
    if (!result) return unavailable();
    if (!result->first) return error(grpc::StatusCode::INVALID_ARGUMENT, std::get<std::string>(result->second));
    const auto& names = std::get<Names>(result->second);
    const auto& wi = *result->first;
    StallMonitor::Guard guard(stalls_, ctx);
    v1::WhatIfResponse head;
    auto& summary = *head.mutable_summary();
    for (const auto& f : wi.failed) summary.add_failed(f);
    for (const auto& [k, n] : wi.transitions) transition(k, n, *summary.add_transitions());
    summary.set_changes(wi.changes.size());
    if (!write(w, guard, head)) return grpc::Status::OK;
    const std::size_t batch_size = batch_of(in->batch_size());
    v1::WhatIfResponse batch;
    for (std::size_t i = 0; i < wi.changes.size(); ++i) {
      to_proto(wi.changes[i], names, *batch.mutable_changes()->add_changes());
      if (static_cast<std::size_t>(batch.changes().changes_size()) >= batch_size || i + 1 == wi.changes.size()) {
        if (!write(w, guard, batch)) break;
        batch.Clear();
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* in, grpc::ServerWriter<v1::WatchResponse>* w) override {
    std::optional<rib::PrefixKey> within;
    if (!in->within().empty()) {
      auto p = prefix_arg(in->within());
      if (!p) return error(grpc::StatusCode::INVALID_ARGUMENT, fmt::format("{} is not a prefix", quoted(in->within())));
      within = rib::PrefixKey::from(*p);
    }
    std::vector<int> kinds(in->kinds().begin(), in->kinds().end());
    const auto kind_kept = [&](const v1::Path& p) {
      return kinds.empty() || std::find(kinds.begin(), kinds.end(), static_cast<int>(p.kind())) != kinds.end();
    };
    const std::size_t batch_size = batch_of(in->batch_size());
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
    struct CountStall {  // a watcher the stall monitor cut counts as dropped
      StallMonitor::Guard& g;
      std::atomic<std::uint64_t>& n;
      ~CountStall() {
        if (g.stalled()) ++n;
      }
    } count_stall{guard, watch_stalled_};

    const std::optional<std::uint64_t> since =
        in->has_since_sequence() ? std::optional<std::uint64_t>(in->since_sequence()) : std::nullopt;
    // The marks to send: after the snapshot's start, or those that follow change since_sequence on.
    const auto start = on_core([this, since] {
      return std::tuple{a_.event_count(), names_of(a_), a_.first_event(),
                        since ? a_.marks().first_after(*since) : a_.marks().size()};
    });
    if (!start) return unavailable();
    const auto lost = [&](std::uint64_t since, std::uint64_t oldest) {
      return error(grpc::StatusCode::FAILED_PRECONDITION,
                   fmt::format("since_sequence {}: the changes after it are no longer kept (the oldest held is {}; history "
                               "events {} in the analyzer section keeps more): watch again without since_sequence for a "
                               "fresh snapshot",
                               since, oldest + 1, a_.policy().history_events));
    };
    Names names = std::get<1>(*start);
    const std::uint64_t logged = std::get<0>(*start);
    std::vector<std::pair<rib::PrefixKey, std::uint64_t>> seen;
    std::uint64_t last_seen = logged;
    std::uint64_t next = logged + 1;
    bool catching_up = false;  // resuming: the changes after since_sequence come from the log first
    if (in->has_since_sequence()) {
      if (in->since_sequence() > logged)
        return error(grpc::StatusCode::OUT_OF_RANGE,
                     fmt::format("since_sequence {} is beyond the last change, {}", in->since_sequence(), logged));
      if (in->since_sequence() < std::get<2>(*start)) return lost(in->since_sequence(), std::get<2>(*start));
      next = in->since_sequence() + 1;
      last_seen = 0;
      catching_up = true;
    } else {
      // The snapshot, in slices taken from the io thread as the client reads them (never the
      // whole table at once). Each slice is as of its own moment: `seen` keeps, per slice, its
      // last prefix and the changes it already shows, so that no change is sent twice.
      TableCursor cursor(*this, within, false);
      for (;;) {
        auto slice = cursor.next();
        if (!slice) return unavailable();
        const auto& rows = slice->rows;
        if (rows.empty()) break;
        names = slice->names;
        v1::WatchResponse batch;  // fresh for each batch: nothing of a previous row may leak in
        for (const auto& r : rows) {
          v1::Path p;
          to_proto(r, names, p);
          if (!kind_kept(p)) continue;
          *batch.mutable_snapshot()->add_paths() = std::move(p);
          if (static_cast<std::size_t>(batch.snapshot().paths_size()) >= batch_size) {
            if (!write(w, guard, batch)) return grpc::Status::OK;
            batch.Clear();
          }
        }
        if (batch.has_snapshot() && !write(w, guard, batch)) return grpc::Status::OK;
        // The rows were read after their keys: they show at least the changes up to then. (One
        // made between the two may be sent again after the snapshot; it changes nothing there.)
        last_seen = slice->keys_sequence;
        seen.emplace_back(rib::PrefixKey::from(rows.back().prefix), last_seen);
      }
      v1::WatchResponse end;
      end.set_snapshot_end(last_seen);
      if (!write(w, guard, end)) return grpc::Status::OK;
    }
    const auto in_snapshot = [&](std::uint64_t sequence, const rib::PrefixKey& p) {
      const auto it = std::lower_bound(seen.begin(), seen.end(), p, [](const auto& s, const rib::PrefixKey& k) { return s.first < k; });
      return sequence <= (it == seen.end() ? last_seen : it->second);
    };
    const auto keep = [&](const analyzer::Event& e) {
      const auto key = rib::PrefixKey::from(e.prefix);
      if (within && !within->covers(key)) return false;
      return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind_of(e.from.kind)) != kinds.end() ||
             std::find(kinds.begin(), kinds.end(), kind_of(e.to.kind)) != kinds.end();
    };

    // Then the changes in order: from the log while resuming, then from the shared ring; with
    // them, at their place, the session state changes and episode marks.
    std::size_t next_mark = std::get<3>(*start);
    const bool with_marks = in->marks();
    for (;;) {
      std::vector<std::pair<std::uint64_t, analyzer::Event>> batch;
      std::vector<std::pair<std::size_t, analyzer::Mark>> marks;  // those that follow change next - 1 or earlier
      if (catching_up) {
        {
          std::lock_guard lock(ring_.m);
          if (ring_.first() <= next && next < ring_.next && (!with_marks || ring_.marks_first() <= next_mark))
            catching_up = false;  // the ring has it from here
        }
        if (catching_up) {
          const std::uint64_t index = next - 1;
          const std::size_t n = limits_.slice;
          auto slice = on_core([this, index, n, next_mark, with_marks] {
            auto events = a_.events_range(index, n);
            std::vector<std::pair<std::size_t, analyzer::Mark>> m;
            const auto& log = a_.marks();
            for (std::size_t i = std::max(next_mark, log.first()); with_marks && i < log.size() && log[i].after <= index + events.size(); ++i)
              m.emplace_back(i, log[i]);
            return std::tuple{std::move(events), a_.first_event(), std::move(m)};
          });
          if (!slice) return unavailable();
          if (index < std::get<1>(*slice)) return lost(index, std::get<1>(*slice));  // dropped while catching up
          auto& events = std::get<0>(*slice);
          if (events.size() < n) catching_up = false;  // the end of the log: live changes follow
          for (auto& e : events) {
            if (keep(e)) batch.emplace_back(next, std::move(e));
            ++next;
          }
          marks = std::move(std::get<2>(*slice));
          if (!marks.empty()) next_mark = marks.back().first + 1;
        }
      }
      if (!catching_up && batch.empty() && marks.empty()) {
        std::unique_lock lock(ring_.m);
        ring_.cv.wait_for(lock, std::chrono::milliseconds(200),
                          [&] { return ring_.closed || ring_.next > next || (with_marks && ring_.marks_next > next_mark); });
        if (ctx->IsCancelled() || ring_.closed) break;
        if (next < ring_.first() || (with_marks && next_mark < ring_.marks_first())) {  // the ring moved on: this client read too slowly
          lock.unlock();
          v1::WatchResponse behind;
          behind.mutable_fell_behind()->set_last_sent(next - 1);
          ++watch_fell_behind_;
          (void)write(w, guard, behind);
          return grpc::Status::OK;
        }
        if (next < ring_.next)
          for (auto it = ring_.events.begin() + static_cast<std::ptrdiff_t>(next - ring_.first());
               it != ring_.events.end() && batch.size() < batch_size; ++it, ++next) {
            if (!keep(it->second) || in_snapshot(it->first, rib::PrefixKey::from(it->second.prefix))) continue;
            batch.push_back(*it);
          }
        if (with_marks)
          for (auto it = ring_.marks.begin() + static_cast<std::ptrdiff_t>(next_mark - ring_.marks_first());
               it != ring_.marks.end() && it->second.after <= next - 1; ++it, ++next_mark)
            marks.push_back(*it);
      }
      if (batch.empty() && marks.empty()) continue;
      // Circuits and peers are only ever appended (SIGHUP): fetch the names again when one is new.
      const auto known = [&](const analyzer::ActivePath& p) { return names_cover(names, p); };
      if (!std::all_of(batch.begin(), batch.end(), [&](const auto& x) { return known(x.second.from) && known(x.second.to); }) ||
          std::any_of(marks.begin(), marks.end(),
                      [&](const auto& m) { return m.second.peer >= 0 && static_cast<std::size_t>(m.second.peer) >= names.peers.size(); })) {
        if (auto fresh = on_core([this] { return names_of(a_); })) names = std::move(*fresh);
      }
      v1::WatchResponse msg;
      auto& out = *msg.mutable_events();
      std::size_t m = 0;
      for (const auto& [sequence, e] : batch) {
        for (; m < marks.size() && marks[m].second.after < sequence; ++m) to_proto(marks[m].second, marks[m].first, names, *out.add_events());
        to_proto(e, sequence, names, *out.add_events());
      }
      for (; m < marks.size(); ++m) to_proto(marks[m].second, marks[m].first, names, *out.add_events());
      if (!write(w, guard, msg)) return grpc::Status::OK;
    }
    return grpc::Status::OK;
  }

  // On the io thread: the changes since the last call into the ring (only while anyone watches).
  void publish() {
    const std::size_t count = a_.event_count(), mcount = a_.marks().size();
    if (count == published_ && mcount == published_marks_) return;
    const std::size_t keep = limits_.watch_buffer;
    const bool watched = watchers_.load() > 0;
    std::vector<analyzer::Event> fresh;
    // The log keeps at least as much as the ring, unless configured smaller (then its oldest).
    const std::size_t from = std::max(count - published_ > keep ? count - keep : published_, a_.first_event());
    if (watched && count != published_) fresh = a_.events_range(from, count - from);
    std::vector<std::pair<std::size_t, analyzer::Mark>> marks;
    const std::size_t mfrom = std::max(mcount - published_marks_ > keep ? mcount - keep : published_marks_, a_.marks().first());
    if (watched)
      for (std::size_t i = mfrom; i < mcount; ++i) marks.emplace_back(i, a_.marks()[i]);
    {
      std::lock_guard lock(ring_.m);
      if (count != published_) {
        if (fresh.empty() || from != published_) ring_.events.clear();
        for (std::size_t i = 0; i < fresh.size(); ++i) ring_.events.emplace_back(from + i + 1, std::move(fresh[i]));
        while (ring_.events.size() > keep) ring_.events.pop_front();
        ring_.next = count + 1;
      }
      if (mcount != published_marks_) {
        if (marks.empty() || mfrom != published_marks_) ring_.marks.clear();
        for (auto& m : marks) ring_.marks.push_back(std::move(m));
        while (ring_.marks.size() > keep) ring_.marks.pop_front();
        ring_.marks_next = mcount;
      }
    }
    ring_.cv.notify_all();
    published_ = count;
    published_marks_ = mcount;
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

 public:
  const feed::PeerStats* stats_ = nullptr;  // io thread only
  bool live_clock_ = true;

 private:
  static std::uint64_t wall_us() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
  GrpcLimits limits_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

 public:
  StallMonitor stalls_;

 private:
  EventRing ring_;

 public:
  std::atomic<std::size_t> watchers_{0};
  std::atomic<std::uint64_t> watch_fell_behind_{0}, watch_stalled_{0};  // watch streams the server ended

 private:
  std::size_t published_ = 0;  // change-log entries handed to the ring (io thread only)
  std::size_t published_marks_ = 0;
};

GrpcServer::GrpcServer(boost::asio::io_context& io, Analyzer& a, std::function<std::string(const std::string&)> state_of,
                       GrpcLimits limits)
    : impl_(std::make_unique<Impl>(io, a, std::move(state_of), limits)) {}

GrpcServer::~GrpcServer() { shutdown(); }

GrpcSecurity grpc_security(const config::Config& c) {
  return {c.grpc_allow_remote, c.grpc_tls_cert, c.grpc_tls_key, c.grpc_insecure};
}

namespace {

// 127.0.0.0/8, ::1, localhost and Unix sockets (unix:PATH, unix-abstract:NAME: this host only);
// anything else (0.0.0.0, ::, a host's address) reaches further.
bool loopback(const std::string& address) {
  if (address.rfind("unix:", 0) == 0 || address.rfind("unix-abstract:", 0) == 0) return true;
  const auto colon = address.rfind(':');
  std::string host = colon == std::string::npos ? address : address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

std::string read_pem(const std::string& what, const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(fmt::format("gRPC: tls {} {}: {}", what, path, std::strerror(errno)));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::shared_ptr<grpc::ServerCredentials> credentials(const std::string& address, const GrpcSecurity& sec) {
  const bool tls = !sec.tls_cert.empty() || !sec.tls_key.empty();
  if (tls && sec.insecure) throw std::runtime_error("gRPC: tls and insecure exclude each other");
  if (!loopback(address)) {
    if (!sec.allow_remote)
      throw std::runtime_error(fmt::format("gRPC: {} is not a loopback address: serving it needs `allow-remote` in the "
                                           "config's grpc section, and `tls cert FILE key FILE` or `insecure`",
                                           quoted(address)));
    if (!tls && !sec.insecure)
      throw std::runtime_error(fmt::format("gRPC: {} is off loopback: the config's grpc section needs `tls cert FILE key "
                                           "FILE`, or `insecure` to serve it without TLS",
                                           quoted(address)));
  }
  if (!tls) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions opts;
  opts.pem_key_cert_pairs.push_back({read_pem("key", sec.tls_key), read_pem("cert", sec.tls_cert)});
  return grpc::SslServerCredentials(opts);
}

}  // namespace

std::string GrpcServer::start(const std::string& address, const GrpcSecurity& security) {
  const auto creds = credentials(address, security);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC turns SO_REUSEPORT on by default: a second server on a busy port would share it and
  // clients would be answered by either in turn.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(address, creds, &port);
  builder.RegisterService(impl_.get());
  impl_->server = builder.BuildAndStart();
  impl_->stalls_.start();
  if (!impl_->server || port == 0) {
    impl_->server.reset();
    throw std::runtime_error(fmt::format("gRPC: cannot listen on {}: {}", quoted(address), bind_error(address)));
  }
  if (address.rfind("unix", 0) == 0) return address;  // a socket path has no port to fill in
  const auto colon = address.rfind(':');
  return fmt::format("{}:{}", address.substr(0, colon), port);
}

void GrpcServer::publish() { impl_->publish(); }

void GrpcServer::peer_stats(const feed::PeerStats* stats, bool live) {
  impl_->stats_ = stats;
  impl_->live_clock_ = live;
}

std::size_t GrpcServer::watchers() const { return impl_->watchers_.load(); }
std::uint64_t GrpcServer::watch_fell_behind() const { return impl_->watch_fell_behind_.load(); }
std::uint64_t GrpcServer::watch_stalled() const { return impl_->watch_stalled_.load(); }

void GrpcServer::shutdown() {
  if (!impl_->server) return;
  impl_->stopping = true;
  impl_->close_watchers();
  impl_->stalls_.stop();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
}

}  // namespace bgpfa::app
