// `bgpfa serve` under trouble: file-system errors, an unwritable report file, API load while
// sessions run, descriptor exhaustion. The sessions must go on through all of it.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/app/serve_process.hpp"

using namespace bgpfa;
using namespace bgpfa::test;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

const std::string kConf =
    "router bgp 65515\n"
    " bgp router-id 127.0.0.1\n"
    " neighbor 127.0.0.2 remote-as 65001\n"
    " neighbor 127.0.0.2 passive\n"
    " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n";

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("bgpfa-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(d);
  return d;
}

// One UPDATE announcing `count` /24s from 10.<block>.<k>.0 on (count <= 256).
std::vector<std::uint8_t> block_update(std::uint16_t block, int count) {
  std::vector<std::uint8_t> a, nlri;
  std::uint8_t path[6] = {2, 1};
  wire::store_u32(path + 2, 65001);
  const std::uint8_t origin = 0, nh[] = {127, 0, 0, 1};
  wire::encode_attribute(a, 1, wire::Bytes(&origin, 1));
  wire::encode_attribute(a, 2, path);
  wire::encode_attribute(a, 3, nh);
  for (int k = 0; k < count; ++k) {
    nlri.insert(nlri.end(), {24, static_cast<std::uint8_t>(10 + (block >> 8)), static_cast<std::uint8_t>(block),
                             static_cast<std::uint8_t>(k)});
  }
  return wire::encode_update({}, a, nlri);
}

}  // namespace

TEST_CASE("serve: file-system errors are logged with path and errno; the sessions go on", "[serve][robust]") {
  TempFile conf, err;
  conf.write({kConf.begin(), kConf.end()});
  const auto state_dir = temp_dir("state");
  std::filesystem::create_directories(state_dir);
  const std::string state = (state_dir / "peers").string();
  const auto capture_dir = temp_dir("capture");
  const std::string capture = capture_dir.string();
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--state-file", state,
               "--capture", capture, "--grpc", "off"},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "serving 1 neighbours"); }));

  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  send(peer, route_update(1));
  REQUIRE(eventually([&] { return contains(state, "127.0.0.2 Established 1 0"); }));

  // The capture's directory goes away and a file takes its name: capture cannot go on.
  std::filesystem::remove_all(capture_dir);
  { std::ofstream(capture) << "x"; }
  std::filesystem::remove_all(state_dir);  // the state file's directory goes away under the speaker
  send(peer, route_update(2));
  REQUIRE(eventually([&] { return contains(err.path(), "was removed; records are kept in memory"); }));
  REQUIRE(eventually([&] { return contains(err.path(), "error: state file: cannot write " + state + ".tmp: No such file or directory"); }));
  std::filesystem::create_directories(state_dir);
  REQUIRE(eventually([&] { return contains(state, "127.0.0.2 Established 2 0"); }));
  CHECK(contains(err.path(), "state file " + state + " written again"));
  send(peer, keepalive());  // waits in memory while the capture cannot write
  std::filesystem::remove(capture);  // the capture recovers, with what waited
  const bool recovered = eventually([&] { return contains(err.path(), "capture: writing to " + capture + "/"); });
  INFO(slurp(err.path()));
  REQUIRE(recovered);

  // The session survived all of it: nothing was sent to end it, and it still takes routes.
  send(peer, route_update(3));
  REQUIRE(eventually([&] { return contains(state, "127.0.0.2 Established 3 0"); }));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  CHECK_FALSE(contains(err.path(), "terminate called"));
  std::filesystem::remove_all(state_dir);
  std::filesystem::remove_all(capture_dir);
}

TEST_CASE("serve and replay: an unwritable -o is refused at start, not at exit", "[serve][replay][robust]") {
  TempFile conf;
  conf.write({kConf.begin(), kConf.end()});
  TempFile err;
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(free_port()), "--grpc", "off", "-o",
               "/nonexistent-dir/report.txt"},
              err.path());
  REQUIRE(eventually([&] { return serve.exited().has_value(); }));
  CHECK(serve.exited() == 2);
  CHECK(contains(err.path(), "cannot write the report to /nonexistent-dir/report.txt: directory /nonexistent-dir does not exist"));
  auto replay = run_bgpfa("replay -c " + conf.path() + " -o /nonexistent-dir/x " + BGPFA_SOURCE_DIR "/fixtures/failover/capture.mrt");
  CHECK(replay.status == 2);
  CHECK_THAT(replay.err, Catch::Contains("cannot write the report to /nonexistent-dir/x"));
  CHECK(replay.out.empty());
}

TEST_CASE("serve: KEEPALIVEs stay on time while the API builds big reports", "[serve][robust][grpc]") {
  TempFile conf, err, state;
  conf.write({kConf.begin(), kConf.end()});
  const auto port = free_port(), grpc_port = free_port();
  const std::string server = "127.0.0.1:" + std::to_string(grpc_port);
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", server,
               "--state-file", state.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + server); }));
  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001, 3);  // hold 3 s: KEEPALIVEs every second
  constexpr int kBlocks = 800;                                     // 800 x 250 = 200,000 prefixes
  for (std::uint16_t b = 0; b < kBlocks; ++b) send(peer, block_update(b, 250));
  send(peer, keepalive());
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Established 200000 0"); }));

  // The peer keeps its side (a KEEPALIVE a second) and records bgpfa's.
  std::atomic<bool> done{false};
  std::mutex m;
  std::vector<std::chrono::steady_clock::time_point> keepalives;
  bool notified = false;
  std::thread reader([&] {
    while (!done) {
      auto msg = read_message(peer);
      if (!msg) continue;
      std::lock_guard lock(m);
      if (msg->type == wire::MessageType::Keepalive) keepalives.push_back(std::chrono::steady_clock::now());
      if (msg->type == wire::MessageType::Notification) {
        notified = true;
        return;
      }
    }
  });
  std::thread writer([&] {
    const auto k = keepalive();
    while (!done) {
      boost::system::error_code ec;
      asio::write(peer, asio::buffer(k), ec);
      if (ec) return;  // bgpfa closed the session
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  // Sixteen clients ask for the whole JSON report at once: seconds of work for the core thread.
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i)
    clients.emplace_back([&] { (void)run_bgpfa("report --format json -s " + server); });
  for (auto& c : clients) c.join();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  done = true;
  writer.join();
  reader.join();

  std::lock_guard lock(m);
  CHECK_FALSE(notified);  // no Hold Timer Expired, no reset
  REQUIRE(keepalives.size() >= 2);
  std::chrono::steady_clock::duration widest{};
  for (std::size_t i = 1; i < keepalives.size(); ++i) widest = std::max(widest, keepalives[i] - keepalives[i - 1]);
  // RFC 4271 4.4: KEEPALIVEs often enough that the hold time (3 s) never runs out.
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(widest).count() < 3000);
  CHECK(contains(state.path(), "127.0.0.2 Established 200000 0"));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}

TEST_CASE("serve --log-format json: every line is a timestamped JSON object with a level", "[serve][log]") {
  TempFile conf, err;
  conf.write({kConf.begin(), kConf.end()});
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", "off", "--log-format",
               "json", "-o", "/dev/null"},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "serving 1 neighbours"); }));
  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  send(peer, wire::encode_notification(wire::make_shutdown(2, "bye\n{\"level\":\"error\"}")));  // peer text in a JSON line
  REQUIRE(eventually([&] { return contains(err.path(), "received NOTIFICATION"); }));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const std::regex line(R"re(\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z","level":"(debug|info|warning|error)"(,"peer":"[^"]*")?,"msg":"([^"\\]|\\.)*"\})re");
  std::istringstream in(slurp(err.path()));
  std::size_t n = 0;
  for (std::string l; std::getline(in, l); ++n) {
    INFO(l);
    CHECK(std::regex_match(l, line));
  }
  CHECK(n > 5);
  CHECK(contains(err.path(), R"("peer":"127.0.0.2","msg":"state OpenConfirm -> Established")"));
}

TEST_CASE("serve logs: timestamped text lines with levels; --log-level warning keeps only warnings and errors", "[serve][log]") {
  TempFile conf, err;
  conf.write({kConf.begin(), kConf.end()});
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", "off", "--log-level",
               "warning", "-o", "/dev/null", "--state-file", "/nonexistent-dir/state"},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "state file"); }));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const auto text = slurp(err.path());
  CHECK_THAT(text, !Catch::Contains("serving 1 neighbours"));  // info: not shown
  CHECK(std::regex_search(text, std::regex(R"re(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z error   bgpfa: error: state file: cannot write)re")));
}
