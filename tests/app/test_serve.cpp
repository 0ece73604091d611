// `bgpfa serve` end to end on loopback, no root needed: SIGHUP adds a neighbour (with a gateway
// role on a new circuit) to the running analyzer, the neighbour's routes land on that role, and
// SIGTERM writes the report.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "tests/app/run.hpp"
#include "tests/scripted_peer.hpp"

extern char** environ;

using namespace bgpfa;
using namespace bgpfa::test;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// bgpfa serve in the background, stderr to a file.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const std::string& err) {
    std::vector<std::string> argv{BGPFA_BINARY, "serve"};
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
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 250; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool contains(const std::string& file, const std::string& what) { return slurp(file).find(what) != std::string::npos; }

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

const std::string kBase =
    "router bgp 65515\n"
    " bgp router-id 127.0.0.1\n"
    " neighbor 127.0.0.2 remote-as 65001\n"
    " neighbor 127.0.0.2 passive\n";

}  // namespace

TEST_CASE("serve: SIGHUP adds a neighbour with its gateway role; SIGTERM writes the report", "[serve]") {
  TempFile conf, state, err, report;
  auto write_conf = [&](const std::string& text) { conf.write({text.begin(), text.end()}); };
  write_conf(kBase + " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n");
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--state-file", state.path(),
               "--report", "json", "-o", report.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Active"); }));

  // A new neighbour on a new circuit, and a role change for the running one (which keeps its role).
  write_conf(kBase + " neighbor 127.0.0.2 gateway expressroute circuit er1 link secondary\n" +
             " neighbor 127.0.0.3 remote-as 65002\n neighbor 127.0.0.3 passive\n"
             " neighbor 127.0.0.3 gateway expressroute circuit er2 link primary\n"
             "analyzer\n connection-weight er2 100\n");
  serve.signal(SIGHUP);
  REQUIRE(eventually([&] { return contains(err.path(), "neighbour 127.0.0.3 added as er2 primary"); }));
  CHECK(contains(err.path(), "neighbour 127.0.0.2 keeps its role er1 primary: a role change (er1 secondary) needs a restart"));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.3 Active"); }));

  // The new neighbour connects from its own address and announces 10.7.0.0/16.
  asio::io_context io;
  tcp::socket peer(io);
  peer.open(tcp::v4());
  peer.bind(tcp::endpoint(asio::ip::make_address("127.0.0.3"), 0));
  peer.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  send(peer, peer_open(0x7f000003, false, 65002));
  expect(peer, wire::MessageType::Open);
  expect(peer, wire::MessageType::Keepalive);
  send(peer, keepalive());
  expect(peer, wire::MessageType::Update);  // End-of-RIB
  send(peer, route_update(7, 65002));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.3 Established 1 0"); }));

  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const auto json = slurp(report.path());
  CHECK_THAT(json, Catch::Contains(R"({"prefix":"10.7.0.0/16","active":{"kind":"er-primary","circuit":"er2"})"));
  CHECK_THAT(json, Catch::Contains(R"("address":"127.0.0.3","role":"er2 primary","asn":65002)"));
  auto m = read_message(peer);  // bgpfa said goodbye
  REQUIRE(m);
  CHECK(m->type == wire::MessageType::Notification);
}
