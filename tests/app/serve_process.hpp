// Test helper: `bgpfa serve` as a background process, and polling for what it writes.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/app/run.hpp"
#include "tests/scripted_peer.hpp"

extern char** environ;

namespace bgpfa::test {

// bgpfa serve (or another long-running subcommand) in the background, stderr to a file.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const std::string& err, const char* subcommand = "serve") {
    std::vector<std::string> argv{BGPFA_BINARY, subcommand};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    REQUIRE(posix_spawn(&pid_, BGPFA_BINARY, &fa, nullptr, c.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Serve() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  // The exit status if the process has ended, without waiting; nullopt while it runs.
  std::optional<int> exited() {
    if (pid_ <= 0) return status_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return status_;
  }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  int wait() {
    if (pid_ <= 0) return status_.value_or(-1);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Up to 15 s: a loaded CI machine running the suite in parallel (and under ASan) can take
// seconds to schedule a process; a condition that holds returns at once.
inline bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 750; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

inline bool contains(const std::string& file, const std::string& what) { return slurp(file).find(what) != std::string::npos; }

inline std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// A scripted neighbour at `from` connects to bgpfa on `port` and gets to Established.
inline boost::asio::ip::tcp::socket established_peer(boost::asio::io_context& io, const char* from, std::uint16_t port,
                                                     std::uint32_t asn, std::uint16_t hold_time = 90,
                                                     const char* to = "127.0.0.1") {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  tcp::socket peer(io);
  peer.open(tcp::v4());
  peer.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  peer.connect(tcp::endpoint(asio::ip::make_address(to), port));
  auto open = peer_open(asio::ip::make_address_v4(from).to_uint(), false, asn);
  open[wire::kHeaderSize + 3] = static_cast<std::uint8_t>(hold_time >> 8);
  open[wire::kHeaderSize + 4] = static_cast<std::uint8_t>(hold_time);
  send(peer, open);
  expect(peer, wire::MessageType::Open);
  expect(peer, wire::MessageType::Keepalive);
  send(peer, keepalive());
  expect(peer, wire::MessageType::Update);  // End-of-RIB
  return peer;
}

}  // namespace bgpfa::test
