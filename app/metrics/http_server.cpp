#include "app/metrics/http_server.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace bgpfa::app::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// "host:port" with host IPv4, [IPv6] or localhost; nullopt with `why` set otherwise.
std::optional<tcp::endpoint> endpoint_of(const std::string& address, std::string& why) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    why = "expected IPv4:PORT, [IPv6]:PORT or localhost:PORT";
    return std::nullopt;
  }
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    why = fmt::format("the port \"{}\" is not a number 0-65535", port);
    return std::nullopt;
  }
  if (host == "localhost") host = "127.0.0.1";
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec || ip.is_v6() != bracketed) {
    why = fmt::format("\"{}\" is not an IPv4 address, [IPv6 address] or localhost", address.substr(0, colon));
    return std::nullopt;
  }
  return tcp::endpoint(ip, static_cast<std::uint16_t>(std::stoul(port)));
}

}  // namespace

bool loopback_address(const std::string& address) {
  std::string why;
  const auto e = endpoint_of(address, why);
  return e && e->address().is_loopback();
}

// What a scrape posted to the core shares with the HTTP side: the renderer, and the HTTP
// io_context while it runs (null once stopped, so a late answer is dropped, not posted).
struct Gate {
  std::mutex m;
  asio::io_context* io = nullptr;
  std::function<std::string()> render;
};

struct HttpServer::Impl {
  Impl(asio::io_context& c, std::function<std::string()> r, HttpLimits l) : core(c), limits(l) {
    gate->render = std::move(r);
  }
  asio::io_context& core;
  HttpLimits limits;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<std::size_t> connections{0};
  asio::io_context io;  // after what connections touch: they may end while it is destroyed
  tcp::acceptor acceptor{io};
  std::thread thread;
  bool started = false;

  void accept();
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& s, tcp::socket socket) : s_(s), stream_(std::move(socket)), timer_(s.io) { ++s_.connections; }
  ~Connection() { --s_.connections; }

  void read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(0);
    stream_.expires_after(s_.limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->handle(self->parser_->get());
    });
  }

 private:
  void handle(const http::request<http::empty_body>& req) {
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return respond(http::status::method_not_allowed, "only GET and HEAD\n", "text/plain; charset=utf-8", true);
    }
    if (path == "/") return respond(http::status::ok, "bgpfa: the metrics are at /metrics\n", "text/plain; charset=utf-8");
    if (path != "/metrics") return respond(http::status::not_found, "not found: the metrics are at /metrics\n", "text/plain; charset=utf-8");
    ask_core();
  }

  // The text is rendered on the core's thread; the answer comes back posted to this one. The
  // core's work owns what it touches (a call that timed out leaves nothing dangling behind).
  void ask_core() {
    auto done = std::make_shared<std::atomic<bool>>(false);
    timer_.expires_after(s_.limits.core_timeout);
    timer_.async_wait([self = shared_from_this(), done](beast::error_code ec) {
      if (ec || done->exchange(true)) return;
      self->respond(http::status::service_unavailable, "the analyzer is not answering (busy or shutting down): try again\n",
                    "text/plain; charset=utf-8");
    });
    asio::post(s_.core, [gate = s_.gate, weak = weak_from_this(), done] {
      if (*done) return;  // abandoned: do not spend the core on it
      std::string text;
      try {
        text = gate->render();
      } catch (const std::exception& e) {
        text = std::string("\x01") + e.what();  // an error, told apart from any exposition text
      }
      std::lock_guard lock(gate->m);
      if (!gate->io) return;
      asio::post(*gate->io, [weak, done, text = std::move(text)] {
        auto self = weak.lock();
        if (!self || done->exchange(true)) return;
        self->timer_.cancel();
        if (!text.empty() && text[0] == '\x01')
          return self->respond(http::status::internal_server_error, text.substr(1) + "\n", "text/plain; charset=utf-8");
        self->respond(http::status::ok, text, "text/plain; version=0.0.4; charset=utf-8");
      });
    });
  }

  void respond(http::status status, std::string body, const char* type, bool allow = false) {
    res_ = {};
    res_.result(status);
    res_.version(11);
    res_.set(http::field::server, "bgpfa");
    res_.set(http::field::content_type, type);
    if (allow) res_.set(http::field::allow, "GET, HEAD");
    res_.keep_alive(keep_alive_);
    res_.content_length(body.size());
    if (!head_) res_.body() = std::move(body);
    stream_.expires_after(s_.limits.idle_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  HttpServer::Impl& s_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  asio::steady_timer timer_;
  bool keep_alive_ = false, head_ = false;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      if (connections.load() >= limits.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // a scraper needs one; a flood gets nothing
      } else {
        std::make_shared<Connection>(*this, std::move(socket))->read();
      }
    }
    accept();
  });
}

HttpServer::HttpServer(asio::io_context& core, std::function<std::string()> render, HttpLimits limits)
    : impl_(std::make_shared<Impl>(core, std::move(render), limits)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::start(const std::string& address, bool allow_remote) {
  std::string why;
  const auto endpoint = endpoint_of(address, why);
  if (!endpoint) throw std::runtime_error(fmt::format("metrics: listen \"{}\": {}", address, why));
  if (!endpoint->address().is_loopback() && !allow_remote)
    throw std::runtime_error(fmt::format("metrics: \"{}\" is not a loopback address: serving it needs `allow-remote` in "
                                         "the config's metrics section",
                                         address));
  auto& a = impl_->acceptor;
  boost::system::error_code ec;
  if (!a.open(endpoint->protocol(), ec)) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(*endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close();
    throw std::runtime_error(fmt::format("metrics: cannot listen on \"{}\": {}", address,
                                         ec == asio::error::address_in_use
                                             ? std::string("the address is already in use (another bgpfa serve?)")
                                             : ec.message()));
  }
  const auto bound = a.local_endpoint();
  {
    std::lock_guard lock(impl_->gate->m);
    impl_->gate->io = &impl_->io;
  }
  impl_->accept();
  impl_->started = true;
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  return bound.address().is_v6() ? fmt::format("[{}]:{}", bound.address().to_string(), bound.port())
                                 : fmt::format("{}:{}", bound.address().to_string(), bound.port());
}

void HttpServer::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  {
    std::lock_guard lock(impl_->gate->m);
    impl_->gate->io = nullptr;
  }
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);  // the io thread has ended: the port is free from here
}

}  // namespace bgpfa::app::metrics
