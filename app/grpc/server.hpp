// The gRPC adapter, the only code that knows protobuf types. RPCs run on gRPC's threads and hand
// their work to the io_context thread that owns the analyzer (the single writer), in slices that
// own their data, waiting at most GrpcLimits::core_timeout for each. Streams read the table and
// the change log slice by slice as the client reads, so no answer is ever built whole. Watch
// streams get a snapshot, then the changes in order from one bounded ring shared by all
// watchers: a client further behind is told it fell behind (and may resume from the log), it
// never blocks the core; one that reads nothing at all is cut.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "analyzer/analyzer.hpp"
#include "app/config/model.hpp"
#include "feed/peer_stats.hpp"

namespace bgpfa::app {

// How long and how much the server waits and holds for its clients.
struct GrpcLimits {
  // An RPC waits this long for the io thread, then answers UNAVAILABLE.
  std::chrono::milliseconds core_timeout{10'000};
  // Watch streams at once; one more is refused (RESOURCE_EXHAUSTED).
  std::size_t max_watchers = 64;
  // A stream whose client reads nothing (a Write blocked) this long is ended.
  std::chrono::milliseconds stalled_after{30'000};
  // Changes kept for the watchers (one ring shared by all); one further behind is told it fell
  // behind and may resume from the analyzer's change log.
  std::size_t watch_buffer = 65'536;
  // Rows (or changes) taken from the io thread at a time: what one stream holds.
  std::size_t slice = 1000;
  // Prefix keys one pass over the table collects for a stream's next slices (32 bytes each, with
  // their entries): 4 slices' worth first, 4 times more with each pass while the client reads, up
  // to this many.
  std::size_t key_block = 262'144;
};

// Who may connect. A listen address off loopback needs allow_remote (the config's `grpc
// allow-remote`), and then TLS (`tls cert FILE key FILE`) or an explicit `insecure`.
struct GrpcSecurity {
  bool allow_remote = false;
  std::string tls_cert, tls_key;  // PEM files
  bool insecure = false;
};
[[nodiscard]] GrpcSecurity grpc_security(const config::Config& c);

class GrpcServer {
 public:
  // `state_of(address)`: the session state of a neighbour (called on the io thread).
  GrpcServer(boost::asio::io_context& io, analyzer::Analyzer& a, std::function<std::string(const std::string&)> state_of,
             GrpcLimits limits = {});
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // The feed's per-peer accounting for ListPeers (read on the io thread); `live`: uptimes run to
  // the wall clock (serve), else to the input's last time (replay). Before start().
  void peer_stats(const feed::PeerStats* stats, bool live);
  // Listens (health checking and reflection on); returns the address with the bound port (port
  // 0 picks one). Throws std::runtime_error when it cannot listen or `security` forbids it.
  std::string start(const std::string& address, const GrpcSecurity& security = {});
  // On the io thread: hands the changes logged since the last call to the watchers.
  void publish();
  // Watch streams open now.
  [[nodiscard]] std::size_t watchers() const;
  // Watch streams the server ended: the client fell behind the ring, or read nothing (stalled).
  [[nodiscard]] std::uint64_t watch_fell_behind() const;
  [[nodiscard]] std::uint64_t watch_stalled() const;
  // Ends every stream and stops the server (waits at most a second for calls in progress).
  void shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bgpfa::app
