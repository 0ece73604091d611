// serve under systemd's Type=notify: READY=1 once listening, STATUS with the peers established,
// STOPPING=1 at shutdown, read from a NOTIFY_SOCKET as systemd would.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>

#include "app/cli/systemd_notify.hpp"
#include "tests/app/serve_process.hpp"
#include "tests/scripted_peer.hpp"
#include "tests/temp_file.hpp"

using namespace bgpfa;
using namespace bgpfa::test;

namespace {
// A datagram socket at a path, as systemd's notification socket; unset at scope exit.
class NotifySocket {
 public:
  NotifySocket() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    REQUIRE(path_.path().size() < sizeof sa.sun_path);
    std::strcpy(sa.sun_path, path_.path().c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
    ::setenv("NOTIFY_SOCKET", path_.path().c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  // The next datagram, or "" after 5 s.
  std::string next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return "";
    char buf[512];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  // Datagrams until one equals `what` (true) or none comes for 5 s (false); `seen` gets them all.
  bool until(const std::string& what, std::vector<std::string>& seen) {
    for (std::string m = next(); !m.empty(); m = next()) {
      seen.push_back(m);
      if (m == what) return true;
    }
    return false;
  }

 private:
  TempFile path_{".notify"};
  int fd_ = -1;
};
}  // namespace

TEST_CASE("peers_status counts established sessions", "[serve][systemd]") {
  CHECK(app::peers_status({}) == "0 of 0 peers established");
  CHECK(app::peers_status({{"192.0.2.1", "Established"}, {"192.0.2.2", "Active"}, {"192.0.2.3", "Established"}}) ==
        "2 of 3 peers established");
}

TEST_CASE("serve tells systemd READY, the peers established as they change, and STOPPING", "[serve][systemd]") {
  NotifySocket notify;
  TempFile conf, err;
  const std::string head =
      "router bgp 65515\n bgp router-id 127.0.0.1\n neighbor 127.0.0.2 remote-as 65001\n neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n";
  const std::string second =
      " neighbor 127.0.0.3 remote-as 65001\n neighbor 127.0.0.3 passive\n"
      " neighbor 127.0.0.3 gateway expressroute circuit er1 link secondary\n";
  auto write_conf = [&](const std::string& text) { conf.write({text.begin(), text.end()}); };
  write_conf(head + second);
  const auto port = free_port(), grpc_port = free_port();
  const std::string grpc = "127.0.0.1:" + std::to_string(grpc_port);
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", grpc}, err.path());
  std::vector<std::string> seen;
  REQUIRE(notify.until("READY=1", seen));
  CHECK(seen == std::vector<std::string>{"STATUS=0 of 2 peers established", "READY=1"});
  // Ready means listening: the BGP port and gRPC are up by now.
  CHECK(contains(err.path(), "gRPC on " + grpc));
  CHECK(contains(err.path(), "serving 2 neighbours"));

  // Each state change updates the status at once (there is no periodic resend).
  boost::asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  REQUIRE(notify.until("STATUS=1 of 2 peers established", seen));
  write_conf(head);  // 127.0.0.3 removed
  serve.signal(SIGHUP);
  REQUIRE(notify.until("STATUS=1 of 1 peers established", seen));

  serve.signal(SIGTERM);
  REQUIRE(notify.until("STOPPING=1", seen));
  CHECK(serve.wait() == 0);
  // Each STATUS is sent once per change.
  CHECK(std::count(seen.begin(), seen.end(), "STATUS=1 of 2 peers established") == 1);
  CHECK(seen.back() == "STOPPING=1");
}
