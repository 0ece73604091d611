// `bgpfa serve` end to end on loopback, no root needed: SIGHUP adds a neighbour (with a gateway
// role on a new circuit) to the running analyzer, the neighbour's routes land on that role, and
// SIGTERM writes the report; the gRPC client subcommands against it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/app/serve_process.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::test;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

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
               "--report", "json", "-o", report.path(), "--grpc", "off"},
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
  auto peer = established_peer(io, "127.0.0.3", port, 65002);
  send(peer, route_update(7, 65002));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.3 Established 1 0"); }));

  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const auto json = slurp(report.path());
  CHECK_THAT(json, Catch::Contains(R"({"prefix":"10.7.0.0/16","active":{"kind":"er-primary","circuits":["er2"],"vpn_instances":[],"paths":[{"gateway":"expressroute","circuit":"er2","link":"primary","peer":"127.0.0.3"}],"via_covering":false})"));
  CHECK_THAT(json, Catch::Contains(R"("address":"127.0.0.3","role":"er2 primary","asn":65002)"));
  auto m = read_message(peer);  // bgpfa said goodbye
  REQUIRE(m);
  CHECK(m->type == wire::MessageType::Notification);
}

TEST_CASE("gRPC: peers, paths, report and watch of a running serve", "[serve][grpc]") {
  TempFile conf, err, state;
  const std::string text = kBase + " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n";
  conf.write({text.begin(), text.end()});
  const auto port = free_port(), grpc_port = free_port();
  const std::string server = "127.0.0.1:" + std::to_string(grpc_port);
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", server,
               "--state-file", state.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + server); }));

  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  send(peer, route_update(1));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Established 1"); }));

  auto peers = run_bgpfa("peers -s " + server);
  CHECK(peers.status == 0);
  CHECK_THAT(peers.out, Catch::Matches("(.|\n)*127\\.0\\.0\\.2 +er1 primary +65001 +00:00:[0-9][0-9] Established +1 +1\n(.|\n)*"));
  // The details come from what the feed saw of the live session: both OPENs, the messages each way.
  const auto details = run_bgpfa("peers 127.0.0.2 --json -s " + server);
  CHECK(details.status == 0);
  CHECK_THAT(details.out, Catch::Contains("\"localAddress\":\"127.0.0.1\""));
  CHECK_THAT(details.out, Catch::Contains("\"recordedState\":\"SESSION_STATE_ESTABLISHED\""));
  CHECK_THAT(details.out, Catch::Contains("\"lastStateChangeReason\":\"OpenConfirm -\\u003e Established\""));
  CHECK_THAT(details.out, Catch::Contains("\"holdTime\":90,\"keepaliveTime\":30"));
  CHECK_THAT(details.out, Catch::Contains("\"messagesReceived\":{\"open\":\"1\",\"update\":\"1\","));
  // What bgpfa sent, as its sessions hand it to the feed (and the capture): its OPEN, its End-of-RIB
  // (an UPDATE) and its KEEPALIVEs (at least the one that confirmed the OPEN).
  CHECK_THAT(details.out, Catch::Matches("(.|\n)*\"messagesSent\":\\{\"open\":\"1\",\"update\":\"1\",\"keepalive\":\"[1-9][0-9]*\",(.|\n)*"));
  CHECK_THAT(details.out, Catch::Contains("\"uptime\":\""));
  CHECK_THAT(details.out, Catch::Contains("\"capabilities\":{\"families\":[\"ipv4-unicast\"]"));
  auto paths = run_bgpfa("paths -s " + server + " 10.1.2.3");  // longest match
  CHECK(paths.status == 0);
  CHECK_THAT(paths.out, Catch::StartsWith("10.1.0.0/16              er-primary [er1]\n"));
  CHECK_THAT(paths.out, Catch::Contains("ER  er1 primary 65001 via 127.0.0.1 (only-path, 1 candidate)"));
  auto miss = run_bgpfa("paths -s " + server + " 192.0.2.1");
  CHECK(miss.status == 1);
  CHECK_THAT(miss.err, Catch::Contains("no route covers 192.0.2.1"));
  auto bad = run_bgpfa("paths -s " + server + " 10.1.0.0/33");
  CHECK(bad.status == 2);  // a usage error
  CHECK_THAT(bad.err, Catch::Contains("\"10.1.0.0/33\" is not a prefix"));
  auto what_if = run_bgpfa("what-if -s " + server + " \"er1 primary\"");
  CHECK(what_if.status == 0);
  CHECK_THAT(what_if.out, Catch::Contains("if 127.0.0.2 (er1 primary) failed: 1 prefixes would change their path\n"
                                          "  er-primary->none x1\n10.1.0.0/16              er-primary [er1] -> none\n"));
  auto report = run_bgpfa("report --format json -s " + server);
  CHECK(report.status == 0);
  CHECK_THAT(report.out, Catch::Contains(R"({"prefix":"10.1.0.0/16","active":{"kind":"er-primary","circuits":["er1"],"vpn_instances":[],"paths":[{"gateway":"expressroute","circuit":"er1","link":"primary","peer":"127.0.0.2"}],"via_covering":false})"));

  // watch: the snapshot, then the two changes the next UPDATEs make, in order.
  TempFile watch_out;
  const std::string watch_cmd = std::string(BGPFA_BINARY) + " watch -n 2 -s " + server + " >" + watch_out.path() + " 2>&1";
  std::thread watcher([&] { CHECK(std::system(watch_cmd.c_str()) == 0); });
  // A second watcher, of 10.1.0.0/16 only: its one change keeps the global sequence number.
  TempFile within_out;
  const std::string within_cmd =
      std::string(BGPFA_BINARY) + " watch -n 1 -s " + server + " 10.1.0.0/16 >" + within_out.path() + " 2>&1";
  std::thread within([&] { CHECK(std::system(within_cmd.c_str()) == 0); });
  REQUIRE(eventually([&] { return contains(watch_out.path(), "-- snapshot at change #1; changes follow"); }));
  REQUIRE(eventually([&] { return contains(within_out.path(), "-- snapshot at change #1; changes follow"); }));
  send(peer, route_update(2));
  send(peer, wire::encode_update(std::vector<std::uint8_t>{16, 10, 1}, {}, {}));  // withdraw 10.1/16
  watcher.join();
  within.join();
  const auto only = slurp(within_out.path());
  CHECK(only.find("10.2.0.0/16") == std::string::npos);
  CHECK_THAT(only, Catch::Contains("#3 "));
  CHECK_THAT(only, Catch::Contains("10.1.0.0/16          er-primary [er1] -> none"));
  const auto w = slurp(watch_out.path());
  CHECK_THAT(w, Catch::StartsWith("10.1.0.0/16              er-primary [er1]\n"));
  CHECK_THAT(w, Catch::Contains("#2 "));
  CHECK_THAT(w, Catch::Contains("10.2.0.0/16          none -> er-primary [er1]  (UPDATE from 127.0.0.2 (er1 primary))"));
  CHECK_THAT(w, Catch::Contains("#3 "));
  CHECK_THAT(w, Catch::Contains("10.1.0.0/16          er-primary [er1] -> none  (UPDATE from 127.0.0.2 (er1 primary))"));

  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  auto gone = run_bgpfa("peers -s " + server);
  CHECK(gone.status == 2);
  CHECK_THAT(gone.err, Catch::Contains("not reachable"));
}

TEST_CASE("replay --serve: the replayed results over gRPC", "[replay][grpc]") {
  TempFile err, out;
  const std::string server = "127.0.0.1:" + std::to_string(free_port());
  const std::string src = BGPFA_SOURCE_DIR;
  Serve replay({"-c", src + "/fixtures/failover/bgpfa.conf", "-o", out.path(), "--serve", server,
                src + "/fixtures/failover/capture.mrt"},
               err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + server); }));
  CHECK(contains(out.path(), "CONVERGENCE EPISODES"));  // the report was written first
  auto paths = run_bgpfa("paths -s " + server + " 10.1.5.1");
  CHECK(paths.status == 0);
  CHECK_THAT(paths.out, Catch::StartsWith("10.1.5.0/24              vpn (instance 0)\n"));
  auto peers = run_bgpfa("peers -s " + server);
  CHECK_THAT(peers.out, Catch::Contains("192.0.2.2"));
  CHECK_THAT(peers.out, Catch::Contains("replayed"));
  auto what_if = run_bgpfa("what-if -s " + server + " 192.0.2.3");
  CHECK_THAT(what_if.out, Catch::Contains("10.1.5.0/24              vpn (instance 0) -> er-primary via less specific [er1]"));
  replay.signal(SIGTERM);
  CHECK(replay.wait() == 0);
}

// vpn-gateway/about-active-active-gateways: one on-premises BGP address peers with both
// instances' BGP addresses; serve keeps two sessions, both carry, and the capture replays alike.
TEST_CASE("serve: active-active VPN, one on-premises address peering with both instance addresses", "[serve][azure]") {
  TempFile conf, err, state, report;
  const std::string text =
      "router bgp 65515\n"
      " bgp router-id 127.0.0.1\n"
      " neighbor 127.0.0.2 remote-as 65050\n"
      " neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 gateway vpn site hq\n"
      "!\n"
      "vpn-gateway\n"
      " instance 0 bgp-address 127.0.0.11\n"
      " instance 1 bgp-address 127.0.0.12\n";
  conf.write({text.begin(), text.end()});
  const auto capture = std::filesystem::temp_directory_path() / ("bgpfa-test-aa-" + std::to_string(::getpid()));
  std::filesystem::remove_all(capture);
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "0.0.0.0", "--port", std::to_string(port), "--state-file", state.path(),
               "--grpc", "off", "--report", "json", "-o", report.path(), "--capture", capture.string()},
              err.path());
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2@127.0.0.12 Active"); }));
  asio::io_context io;
  auto to0 = established_peer(io, "127.0.0.2", port, 65050, 90, "127.0.0.11");
  auto to1 = established_peer(io, "127.0.0.2", port, 65050, 90, "127.0.0.12");
  send(to0, route_update(1, 65050));
  send(to1, route_update(1, 65050));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2@127.0.0.11 Established 1 0"); }));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2@127.0.0.12 Established 1 0"); }));
  to1.close();  // instance 1 in maintenance: instance 0 still carries
  REQUIRE(eventually([&] { return !contains(state.path(), "127.0.0.2@127.0.0.12 Established"); }));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const auto live = slurp(report.path());
  CHECK_THAT(live, Catch::Contains(R"({"prefix":"10.1.0.0/16","active":{"kind":"vpn","circuits":[],"vpn_instances":[0],)"));
  // While both were up, both carried: the event that took instance 1 out names both before.
  CHECK_THAT(live, Catch::Contains(R"("vpn_instances":[0,1],"paths":[{"gateway":"vpn","instance":0,"site":"hq","peer":"127.0.0.2","local":"127.0.0.11"},{"gateway":"vpn","instance":1,"site":"hq","peer":"127.0.0.2","local":"127.0.0.12"}])"));
  // The capture records each connection's local address: its replay tells the sessions apart.
  std::string files;
  for (const auto& f : std::filesystem::directory_iterator(capture)) files += " " + f.path().string();
  auto replayed = run_bgpfa("replay -q -c " + conf.path() + " --report json" + files);
  CHECK(replayed.status == 0);
  CHECK_THAT(replayed.out, Catch::Contains(R"({"prefix":"10.1.0.0/16","active":{"kind":"vpn","circuits":[],"vpn_instances":[0],)"));
  CHECK_THAT(replayed.out, Catch::Contains(R"("vpn_instances":[0,1],)"));
  std::filesystem::remove_all(capture);
}

TEST_CASE("replay --serve: a gRPC address already in use is refused with a non-zero exit", "[replay][grpc]") {
  TempFile err, out;
  const std::string server = "127.0.0.1:" + std::to_string(free_port());
  const std::string src = BGPFA_SOURCE_DIR;
  const std::string conf = src + "/fixtures/failover/bgpfa.conf", dump = src + "/fixtures/failover/capture.mrt";
  Serve first({"-c", conf, "-o", out.path(), "--serve", server, dump}, err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + server); }));
  auto second = run_bgpfa("replay -c " + conf + " -o /dev/null --serve " + server + " " + dump);
  CHECK(second.status == 2);
  CHECK_THAT(second.err, Catch::Contains("cannot listen on \"" + server + "\": the address is already in use"));
  first.signal(SIGTERM);
  CHECK(first.wait() == 0);
}

namespace {

// The part of a JSON report between `from` and `to` (both included / excluded), or "" when absent.
std::string section(const std::string& json, const std::string& from, const std::string& to) {
  const auto a = json.find(from);
  if (a == std::string::npos) return {};
  const auto b = json.find(to, a);
  return b == std::string::npos ? std::string() : json.substr(a, b - a);
}

std::string capture_files(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) out += " " + f;
  return out;
}

// A scripted neighbour with graceful restart (IPv4 unicast, forwarding preserved) to Established.
tcp::socket gr_peer(asio::io_context& io, const char* from, std::uint16_t port, bool restarting) {
  tcp::socket peer(io);
  peer.open(tcp::v4());
  peer.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  peer.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  wire::Open o;
  o.my_as = 65001;
  o.hold_time = 90;
  o.bgp_id = asio::ip::make_address_v4(from).to_uint();
  o.caps.four_octet_as = 65001;
  o.caps.graceful_restart = true;
  o.caps.gr.restarting = restarting;
  o.caps.gr.restart_time = 120;
  o.caps.gr.families = {{1, 1, true}};
  send(peer, wire::encode_open(o));
  expect(peer, wire::MessageType::Open);
  expect(peer, wire::MessageType::Keepalive);
  send(peer, keepalive());
  expect(peer, wire::MessageType::Update);  // End-of-RIB
  return peer;
}

const std::vector<std::uint8_t> kEndOfRib = wire::encode_update({}, {}, {});

}  // namespace

// Issue 10: the episodes of serve's report — trigger, time and text — are those of a replay of
// its capture, on a hold-timer expiry, a NOTIFICATION received, a TCP reset and a graceful
// restart; and each session's first table is a baseline in both, said once.
TEST_CASE("serve: replay of the capture gives the live episodes (hold timer, NOTIFICATION, TCP reset, graceful restart)",
          "[serve][replay-equals-live]") {
  TempFile conf, err, state, report;
  const std::string text =
      "router bgp 65515\n"
      " bgp router-id 127.0.0.1\n"
      " neighbor 127.0.0.2 remote-as 65001\n neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n"
      " neighbor 127.0.0.3 remote-as 65001\n neighbor 127.0.0.3 passive\n"
      " neighbor 127.0.0.3 gateway expressroute circuit er1 link secondary\n"
      " neighbor 127.0.0.4 remote-as 65001\n neighbor 127.0.0.4 passive\n"
      " neighbor 127.0.0.4 gateway vpn instance 0\n"
      " neighbor 127.0.0.5 remote-as 65001\n neighbor 127.0.0.5 passive\n"
      " neighbor 127.0.0.5 gateway expressroute circuit er2 link primary\n"
      "analyzer\n"
      " quiet-period 300ms\n"
      " azure-timers expressroute hold 180 bfd 300x3\n"
      " azure-timers vpn hold 30\n";
  conf.write({text.begin(), text.end()});
  const auto capture = std::filesystem::temp_directory_path() / ("bgpfa-test-rel-" + std::to_string(::getpid()));
  std::filesystem::remove_all(capture);
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--state-file", state.path(),
               "--grpc", "off", "--report", "json", "-o", report.path(), "--capture", capture.string()},
              err.path());
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.5 Active"); }));
  asio::io_context io;
  // Every session's first table, each ended by its End-of-RIB: baselines, no episode.
  auto primary = established_peer(io, "127.0.0.2", port, 65001, 3);  // hold 3 s: it will go silent
  auto secondary = established_peer(io, "127.0.0.3", port, 65001);
  auto vpn = established_peer(io, "127.0.0.4", port, 65001);
  auto restarter = gr_peer(io, "127.0.0.5", port, false);
  for (auto* p : {&primary, &secondary, &vpn}) send(*p, route_update(1));
  send(vpn, route_update(4));
  send(restarter, route_update(5));
  send(restarter, route_update(6));
  for (auto* p : {&primary, &secondary, &vpn, &restarter}) send(*p, kEndOfRib);
  REQUIRE(eventually([&] { return contains(err.path(), "initial table from 127.0.0.5 (er2 primary): 2 prefixes in "); }));
  for (const char* who : {"127.0.0.2 (er1 primary): 1 prefixes", "127.0.0.3 (er1 secondary): 1 prefixes",
                          "127.0.0.4 (vpn 0): 2 prefixes"})
    CHECK(contains(err.path(), std::string("initial table from ") + who));
  CHECK(contains(err.path(), "(ended by End-of-RIB)"));

  // 1. The primary says nothing more: bgpfa's hold timer (3 s) expires.
  REQUIRE(eventually([&] { return contains(err.path(), "Hold Timer Expired"); }));
  REQUIRE(eventually([&] { return !contains(state.path(), "127.0.0.2 Established"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the quiet period: a new episode
  // 2. The secondary says goodbye with a NOTIFICATION (Cease/Administrative Shutdown).
  send(secondary, wire::encode_notification(wire::make_shutdown(2, "maintenance")));
  REQUIRE(eventually([&] { return !contains(state.path(), "127.0.0.3 Established"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  // 3. The VPN device's connection is reset (RST: linger 0), no NOTIFICATION.
  vpn.set_option(asio::socket_base::linger(true, 0));
  vpn.close();
  REQUIRE(eventually([&] { return !contains(state.path(), "127.0.0.4 Established"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  // 4. The graceful restarter drops its connection, comes back, re-announces 10.5/16 only and
  // ends with End-of-RIB: 10.6/16 goes then, 10.5/16 never moves.
  restarter.close();
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.5 Active 2 2"); }));
  auto back = gr_peer(io, "127.0.0.5", port, true);
  send(back, route_update(5));
  send(back, kEndOfRib);
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.5 Established 1 0"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);

  const auto live = slurp(report.path());
  auto replayed = run_bgpfa("replay -q -c " + conf.path() + " --report json" + capture_files(capture));
  CHECK(replayed.status == 0);
  const auto episodes = section(live, "\"events\":[", "\n\"findings\"");
  REQUIRE_FALSE(episodes.empty());
  CHECK(episodes == section(replayed.out, "\"events\":[", "\n\"findings\""));  // every event and episode, to the µs
  const auto tables = section(live, "\"initial_tables\":[", "],");
  CHECK(tables == section(replayed.out, "\"initial_tables\":[", "],"));
  CHECK(std::count(tables.begin(), tables.end(), '{') == 4);  // once per session, not per establishment
  CHECK(tables.find("\"ended_by\":\"End-of-RIB\"") != std::string::npos);
  // The four failures are the episodes, the first tables are not.
  CHECK_THAT(live, Catch::Contains("\"episodes\":4,"));
  CHECK_THAT(episodes, Catch::Contains("{\"trigger\":\"hold timer expired: to 127.0.0.2 (er1 primary): Hold Timer Expired"));
  CHECK_THAT(episodes, Catch::Contains("{\"trigger\":\"NOTIFICATION from 127.0.0.3 (er1 secondary): Cease/Administrative Shutdown"));
  CHECK_THAT(episodes, Catch::Contains("{\"trigger\":\"session down 127.0.0.4 (vpn 0): Established -> Idle"));
  CHECK_THAT(episodes, Catch::Contains("{\"trigger\":\"session up 127.0.0.5 (er2 primary)"));
  CHECK(episodes.find("\"session up 127.0.0.2") == std::string::npos);  // no first establishment is an episode
  // 10.5/16 kept through the restart: its one event is its arrival in the first table.
  const std::string p5 = "\"prefix\":\"10.5.0.0/16\"";
  CHECK(episodes.find(p5) != std::string::npos);
  CHECK(episodes.find(p5) == episodes.rfind(p5));
  // The silent failures carry the projection with Azure's timers; the NOTIFICATION does not.
  CHECK_THAT(episodes, Catch::Contains("\"projection\":{\"label\":\"projection with Azure's timers\",\"gateway\":\"expressroute\","
                                       "\"timers\":\"hold 180 s\",\"detected_by\":\"Azure's hold timer (this session runs no BFD)\","
                                       "\"detection_min_ms\":120000.000,\"detection_max_ms\":180000.000,"));
  CHECK_THAT(episodes, Catch::Contains("\"projection\":{\"label\":\"projection with Azure's timers\",\"gateway\":\"vpn\","
                                       "\"timers\":\"hold 30 s\",\"detected_by\":\"the TCP connection closing"));
  // The text reports agree too.
  auto live_text = run_bgpfa("replay -q -c " + conf.path() + capture_files(capture));
  CHECK_THAT(live_text.out, Catch::Contains("initial table from 127.0.0.2 (er1 primary): 1 prefixes in "));
  CHECK_THAT(live_text.out, Catch::Contains("     projection with Azure's timers (expressroute hold 180 s): detected 120.0 s-180.0 s"));
  auto html = run_bgpfa("replay -q -c " + conf.path() + " --report html" + capture_files(capture));
  CHECK_THAT(html.out, Catch::Contains("<p class=\"initial\">Initial table from 127.0.0.5 (er2 primary): 2 prefixes in "));
  CHECK_THAT(html.out, Catch::Contains("<p class=\"projection\"><b>Projection with Azure's timers</b> (expressroute hold 180 s): "
                                       "detected 120.0 s\u2013180.0 s after the failure by Azure's hold timer"));
  CHECK_THAT(html.out, Catch::Contains("<p>Failure between "));
  std::filesystem::remove_all(capture);
}

TEST_CASE("serve: an initial table without End-of-RIB ends at its first quiet period, said once", "[serve][initial-table]") {
  TempFile conf, err, state, report;
  const std::string text = kBase +
                           " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n"
                           "analyzer\n quiet-period 300ms\n";
  conf.write({text.begin(), text.end()});
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--state-file", state.path(),
               "--grpc", "off", "--report", "json", "-o", report.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Active"); }));
  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  send(peer, route_update(1));
  send(peer, route_update(2));
  // No End-of-RIB: serve's clock (a tick a second) ends the table once 300 ms pass without an UPDATE.
  REQUIRE(eventually([&] { return contains(err.path(), "initial table from 127.0.0.2 (er1 primary): 2 prefixes in "); }));
  CHECK(contains(err.path(), "(ended by quiet period)"));
  send(peer, route_update(3));  // after the table: news, an episode
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Established 3"); }));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  const auto json = slurp(report.path());
  CHECK_THAT(json, Catch::Contains("\"initial_tables\":[{\"peer\":\"127.0.0.2\",\"role\":\"er1 primary\","));
  CHECK_THAT(json, Catch::Contains("\"prefixes\":2,"));
  CHECK_THAT(json, Catch::Contains("\"ended_by\":\"quiet period\"}]"));
  CHECK_THAT(json, Catch::Contains("\"episodes\":1,"));
  CHECK_THAT(json, Catch::Contains("{\"trigger\":\"first update after a quiet period\""));
  CHECK(slurp(err.path()).find("initial table from") == slurp(err.path()).rfind("initial table from"));  // once
  // Each closed episode is logged with bgpfa's own lag, receipt of its last change to analysis done.
  CHECK_THAT(slurp(err.path()), Catch::Matches("(.|\n)*episode #1 closed: first update after a quiet period: 1 prefixes changed "
                                               "in 0\\.0 ms; its last change came in a message received at [-0-9T:.]+Z, analysis "
                                               "complete [0-9.]+ ms later \\([0-9.]+ ms of the core's CPU\\)\n(.|\n)*"));
}

TEST_CASE("serve: bounded history logs one line per burst of drops, with the count", "[serve][grpc]") {
  TempFile conf, err, state;
  const std::string text = kBase + " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n!\nanalyzer\n history events 1\n";
  conf.write({text.begin(), text.end()});
  const auto port = free_port(), grpc_port = free_port();
  const std::string server = "127.0.0.1:" + std::to_string(grpc_port);
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", server,
               "--state-file", state.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + server); }));
  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  for (std::uint8_t i = 1; i <= 3; ++i) send(peer, route_update(i));  // 3 changes: the first 2 go
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Established 3"); }));
  REQUIRE(eventually([&] { return contains(err.path(), "warning: history full: dropped the oldest 2 changes and 0 episodes"); }));
  const auto log = slurp(err.path());
  CHECK(log.find("history full") == log.rfind("history full"));  // once for the burst
  CHECK_THAT(log, Catch::Contains("keeping 1 changes from sequence 3"));
  CHECK(run_bgpfa("events --since 1 -s " + server).status == 2);  // change 2 is gone: said, not skipped
  const auto kept = run_bgpfa("events -s " + server);
  CHECK(kept.status == 0);
  CHECK_THAT(kept.out, Catch::StartsWith("#3 "));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}
