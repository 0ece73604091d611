// A small HTTP/1.1 server (Boost.Beast) for GET /metrics, on its own thread. The text is
// rendered on the io_context that owns the analyzer: a scrape posts its work there and the answer
// comes back as posted data, so the HTTP thread never blocks and never touches the analyzer; a
// core that does not answer in time gets a 503. serve's session thread is never involved.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace bgpfa::app::metrics {

struct HttpLimits {
  std::chrono::milliseconds core_timeout{5'000};   // then 503
  std::chrono::milliseconds idle_timeout{30'000};  // a connection silent this long is closed
  std::size_t max_connections = 16;                // more are closed at once
};

class HttpServer {
 public:
  // `render` runs on `core`'s thread and returns the exposition text.
  HttpServer(boost::asio::io_context& core, std::function<std::string()> render, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds IPv4:PORT, [IPv6]:PORT or localhost:PORT (port 0 picks one) and starts serving; returns
  // the bound address. Throws std::runtime_error with the reason (busy port: "already in use");
  // an address off loopback needs `allow_remote`.
  std::string start(const std::string& address, bool allow_remote);
  // Stops accepting and closes every connection (idempotent).
  void stop();

  struct Impl;  // the .cpp's (its connections use it)

 private:
  std::shared_ptr<Impl> impl_;
};

// Whether an address ("host:port", "[v6]:port", "localhost:port") stays on this host.
[[nodiscard]] bool loopback_address(const std::string& address);

}  // namespace bgpfa::app::metrics
