// Prometheus /metrics: the exposition format, the config's metrics section, the HTTP server
// (answers rendered on the core thread, a 503 when it does not answer), and end to end on
// `replay --serve` and `serve`: values checked against the report, `promtool check metrics`
// on the answer when Debian's prometheus package is installed.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "app/config/model.hpp"
#include "app/metrics/exposition.hpp"
#include "app/metrics/http_server.hpp"
#include "bgp/wire/notification.hpp"
#include "tests/app/serve_process.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::test;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One HTTP/1.1 exchange on a fresh connection (Connection: close): status line + headers, body.
struct HttpAnswer {
  int status = 0;
  std::string head, body;
};
HttpAnswer http_request(std::uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(s, asio::buffer(request));
  std::string all;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    all.append(buf, n);
  }
  HttpAnswer a;
  const auto split = all.find("\r\n\r\n");
  a.head = all.substr(0, split);
  a.body = split == std::string::npos ? "" : all.substr(split + 4);
  if (all.size() > 12) a.status = std::stoi(all.substr(9, 3));
  return a;
}
HttpAnswer get(std::uint16_t port, const std::string& path = "/metrics", const std::string& method = "GET") {
  return http_request(port, method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

// "name{labels} value" lines of an exposition, by "name{labels}".
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

// promtool check metrics on `text`; skipped (with a message) without Debian's prometheus package.
void promtool_check(const std::string& text) {
  if (::access("/usr/bin/promtool", X_OK) != 0) {
    WARN("promtool not installed (Debian package prometheus): exposition lint skipped");
    return;
  }
  TempFile in, out;
  in.write({text.begin(), text.end()});
  const std::string cmd = "/usr/bin/promtool check metrics <" + in.path() + " >" + out.path() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(slurp(out.path()));
  CHECK(rc == 0);
  CHECK(slurp(out.path()).empty());  // no lint warnings either
}

std::uint16_t port_of(const std::string& log, const std::string& prefix) {
  const auto at = log.find(prefix);
  if (at == std::string::npos) return 0;
  const auto colon = log.find(':', at + prefix.size());
  return static_cast<std::uint16_t>(std::stoi(log.substr(colon + 1)));
}

}  // namespace

TEST_CASE("metrics: exposition text escapes labels and HELP, writes cumulative histograms", "[metrics]") {
  using app::metrics::Exposition;
  CHECK(app::metrics::escape_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  CHECK(app::metrics::escape_help("x\\y \"q\"\nz") == "x\\\\y \"q\"\\nz");
  CHECK(app::metrics::format_value(3) == "3");
  CHECK(app::metrics::format_value(0.25) == "0.25");
  CHECK(app::metrics::format_value(1e300 * 1e10) == "+Inf");
  Exposition x;
  x.family("t_info", "gauge", "with \\ and\nnewline");
  x.sample({{"peer", "10.0.0.1"}, {"description", "say \"hi\"\\"}}, 1);
  x.family("t_seconds", "histogram", "h");
  x.histogram({{"k", "v"}}, {0.1, 1}, {2, 0, 3}, 7.5);
  CHECK(x.text() ==
        "# HELP t_info with \\\\ and\\nnewline\n# TYPE t_info gauge\n"
        "t_info{peer=\"10.0.0.1\",description=\"say \\\"hi\\\"\\\\\"} 1\n"
        "# HELP t_seconds h\n# TYPE t_seconds histogram\n"
        "t_seconds_bucket{k=\"v\",le=\"0.1\"} 2\nt_seconds_bucket{k=\"v\",le=\"1\"} 2\n"
        "t_seconds_bucket{k=\"v\",le=\"+Inf\"} 5\nt_seconds_sum{k=\"v\"} 7.5\nt_seconds_count{k=\"v\"} 5\n");
  promtool_check(x.text());
  CHECK_THROWS(x.histogram({}, {1}, {1}, 0));  // a count per bound plus the +Inf one
}

TEST_CASE("metrics: the config's metrics section", "[metrics][config]") {
  const std::string base = "router bgp 65515\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 gateway vpn instance 0\n";
  auto none = config::parse_config(base, "t.conf");
  REQUIRE(none.errors.empty());
  CHECK(none.config.metrics_listen.empty());  // no section: no metrics
  auto plain = config::parse_config(base + "metrics\n", "t.conf");
  REQUIRE(plain.errors.empty());
  CHECK(plain.config.metrics_listen == "127.0.0.1:9180");
  CHECK_FALSE(plain.config.metrics_allow_remote);
  auto full = config::parse_config(base + "grpc\n listen 127.0.0.1:50052\nmetrics\n listen [::]:9100\n allow-remote\n", "t.conf");
  REQUIRE(full.errors.empty());
  CHECK(full.config.metrics_listen == "[::]:9100");
  CHECK(full.config.metrics_allow_remote);
  CHECK_FALSE(full.config.grpc_allow_remote);  // each section its own
  CHECK(full.config.grpc_listen == "127.0.0.1:50052");
  auto bad = config::parse_config(base + "metrics\n listen unix:/tmp/m\n tls cert a key b\n", "t.conf");
  REQUIRE(bad.errors.size() == 2);
  CHECK_THAT(bad.errors[0].to_string(), Catch::StartsWith("t.conf:5:9: error: listen \"unix:/tmp/m\": expected IPv4:PORT"));
  CHECK(bad.errors[1].to_string() == "t.conf:6:2: error: unknown statement \"tls\": expected listen, allow-remote or a new section");
}

TEST_CASE("metrics: the HTTP server renders on the core thread, 503 when the core does not answer", "[metrics]") {
  asio::io_context core;
  std::thread::id rendered_on;
  app::metrics::HttpLimits limits;
  limits.core_timeout = std::chrono::milliseconds(300);
  app::metrics::HttpServer server(core, [&] {
    rendered_on = std::this_thread::get_id();
    return std::string("# HELP x y\n# TYPE x gauge\nx 1\n");
  }, limits);
  const auto bound = server.start("127.0.0.1:0", false);
  const auto port = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));

  // Nobody runs the core yet: the scrape is answered 503 after the timeout, and not rendered.
  const auto t0 = std::chrono::steady_clock::now();
  auto busy = get(port);
  CHECK(busy.status == 503);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
  CHECK_THAT(busy.body, Catch::Contains("not answering"));

  auto work = asio::make_work_guard(core);
  std::thread core_thread([&] { core.run(); });
  auto ok = get(port);
  CHECK(ok.status == 200);
  CHECK_THAT(ok.head, Catch::Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  CHECK(ok.body == "# HELP x y\n# TYPE x gauge\nx 1\n");
  CHECK(rendered_on == core_thread.get_id());
  auto head = get(port, "/metrics", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK_THAT(head.head, Catch::Contains("Content-Length: 30"));
  CHECK(get(port, "/metrics?x=1").status == 200);
  CHECK(get(port, "/other").status == 404);
  auto post = get(port, "/metrics", "POST");
  CHECK(post.status == 405);
  CHECK_THAT(post.head, Catch::Contains("Allow: GET, HEAD"));
  // Two requests on one kept-alive connection.
  auto two = http_request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(two.status == 200);
  CHECK_THAT(two.body, Catch::Contains("HTTP/1.1 200 OK"));
  CHECK_THAT(two.body, Catch::Contains("the metrics are at /metrics"));

  // The same port again: refused, with the reason; off loopback: refused without allow-remote.
  app::metrics::HttpServer second(core, [] { return std::string(); });
  CHECK_THROWS_WITH(second.start(bound, false), Catch::Contains("already in use"));
  CHECK_THROWS_WITH(second.start("0.0.0.0:0", false), Catch::Contains("is not a loopback address"));
  CHECK_THROWS_WITH(second.start("unix:/x", false), Catch::StartsWith("metrics: listen \"unix:/x\": "));
  server.stop();
  app::metrics::HttpServer third(core, [] { return std::string(); });  // stopped: the port is free again
  CHECK(third.start(bound, false) == bound);
  third.stop();
  work.reset();
  core_thread.join();
}

TEST_CASE("metrics: replay --serve of the bundled failover, checked against the report and by promtool", "[metrics][replay]") {
  const std::string src = BGPFA_SOURCE_DIR;
  const std::string conf = src + "/fixtures/failover/bgpfa.conf", dump = src + "/fixtures/failover/capture.mrt";
  auto json = run_bgpfa("replay -c " + conf + " " + dump + " --report json");
  REQUIRE(json.status == 0);
  TempFile err;
  const auto metrics_port = free_port();
  Serve replay({"-c", conf, dump, "--serve", "127.0.0.1:0", "--metrics", "127.0.0.1:" + std::to_string(metrics_port)},
               err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "served over gRPC on"); }));
  CHECK(contains(err.path(), "metrics on http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics"));
  const auto answer = get(metrics_port);
  REQUIRE(answer.status == 200);
  const auto m = samples(answer.body);

  // Prefixes per kind: what the report's summary says, kinds it does not list at 0.
  const std::regex by_kind(R"re("active_by_kind":\{([^}]*)\})re");
  std::smatch km;
  REQUIRE(std::regex_search(json.out, km, by_kind));
  std::map<std::string, double> kinds;
  const std::regex pair(R"re("([a-z-]+)":(\d+))re");
  const std::string list = km[1];
  for (std::sregex_iterator it(list.begin(), list.end(), pair), end; it != end; ++it) kinds[(*it)[1]] = std::stod((*it)[2]);
  REQUIRE(kinds.size() >= 2);
  for (const char* k : {"none", "er-primary", "er-secondary", "er-ecmp", "vpn", "system"})
    CHECK(m.at(std::string("bgpfa_prefixes{kind=\"") + k + "\"}") == (kinds.count(k) ? kinds[k] : 0));
  CHECK(m.at("bgpfa_prefixes{kind=\"er-primary\"}") == 4);
  CHECK(m.at("bgpfa_prefixes{kind=\"vpn\"}") == 1);

  // Sessions as the report's peers: state, routes, updates.
  CHECK(m.at("bgpfa_peer_up{peer=\"192.0.2.1\",role=\"er1 primary\"}") == 1);
  CHECK(m.at("bgpfa_peer_state{peer=\"192.0.2.1\",role=\"er1 primary\",state=\"established\"}") == 1);
  CHECK(m.at("bgpfa_peer_state{peer=\"192.0.2.1\",role=\"er1 primary\",state=\"idle\"}") == 0);
  CHECK(m.at("bgpfa_peer_up{peer=\"192.0.2.2\",role=\"er1 secondary\"}") == 0);
  CHECK(m.at("bgpfa_peer_state{peer=\"192.0.2.2\",role=\"er1 secondary\",state=\"idle\"}") == 1);
  CHECK(m.at("bgpfa_peer_routes{peer=\"192.0.2.1\",role=\"er1 primary\"}") == 4);
  CHECK(m.at("bgpfa_peer_routes{peer=\"192.0.2.2\",role=\"er1 secondary\"}") == 0);
  CHECK(m.at("bgpfa_peer_updates_received_total{peer=\"192.0.2.1\",role=\"er1 primary\"}") == 4);
  CHECK(m.at("bgpfa_peer_updates_received_total{peer=\"192.0.2.3\",role=\"vpn 0\"}") == 2);
  // The primary came back 0.8 s before the last record; the VPN session has been up 88.8 s.
  CHECK(m.at("bgpfa_peer_uptime_seconds{peer=\"192.0.2.1\",role=\"er1 primary\"}") == Approx(0.8));
  CHECK(m.at("bgpfa_peer_uptime_seconds{peer=\"192.0.2.3\",role=\"vpn 0\"}") == Approx(88.8));
  CHECK(m.at("bgpfa_peer_info{peer=\"192.0.2.1\",role=\"er1 primary\",asn=\"12076\",description=\"msee-primary\"}") == 1);

  // Episodes, changes and convergence as the report has them.
  const auto count_of = [&](const std::string& key) {
    const std::regex r("\"" + key + "\":(\\d+)");
    std::smatch s;
    REQUIRE(std::regex_search(json.out, s, r));
    return std::stod(s[1]);
  };
  CHECK(m.at("bgpfa_episodes_total") == count_of("episodes"));
  CHECK(m.at("bgpfa_active_path_changes_total") == count_of("events"));
  CHECK(m.at("bgpfa_routes") == count_of("routes"));
  double changed = 0, blackholed = 0;
  const std::regex ep_changed(R"re("prefixes_changed":(\d+))re"), ep_holes(R"re("blackholed_prefixes":(\d+))re");
  for (std::sregex_iterator it(json.out.begin(), json.out.end(), ep_changed), end; it != end; ++it) changed += std::stod((*it)[1]);
  for (std::sregex_iterator it(json.out.begin(), json.out.end(), ep_holes), end; it != end; ++it) blackholed += std::stod((*it)[1]);
  CHECK(changed > 0);
  CHECK(m.at("bgpfa_convergence_seconds_count") == changed);  // one observation per prefix per episode
  CHECK(m.at("bgpfa_convergence_seconds_bucket{le=\"+Inf\"}") == changed);
  CHECK(m.at("bgpfa_episode_blackholed_prefixes_total") == blackholed);
  CHECK(m.at("bgpfa_convergence_seconds_bucket{le=\"0.001\"}") <= m.at("bgpfa_convergence_seconds_bucket{le=\"1\"}"));
  CHECK(m.at("bgpfa_rib_bytes") > 0);
  CHECK(m.at("bgpfa_resident_memory_bytes") > 1e6);
  CHECK(m.at("bgpfa_watch_clients") == 0);
  promtool_check(answer.body);
  replay.signal(SIGTERM);
  CHECK(replay.wait() == 0);
}

TEST_CASE("metrics: a busy or remote metrics address is refused at start, exit 2", "[metrics][serve]") {
  asio::io_context io;
  tcp::acceptor busy(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string taken = "127.0.0.1:" + std::to_string(busy.local_endpoint().port());
  const std::string src = BGPFA_SOURCE_DIR;
  const std::string conf = src + "/fixtures/failover/bgpfa.conf", dump = src + "/fixtures/failover/capture.mrt";
  const std::string port = std::to_string(free_port());
  auto serve = run_bgpfa("serve -c " + conf + " --listen 127.0.0.1 --port " + port + " --grpc off --metrics " + taken);
  CHECK(serve.status == 2);
  CHECK_THAT(serve.err, Catch::Contains("error: metrics: cannot listen on \"" + taken + "\": the address is already in use"));
  auto replay = run_bgpfa("replay -c " + conf + " " + dump + " --serve 127.0.0.1:0 --metrics " + taken);
  CHECK(replay.status == 2);
  CHECK_THAT(replay.err, Catch::Contains("the address is already in use"));
  CHECK(replay.out.empty());  // refused before the replay
  auto remote = run_bgpfa("serve -c " + conf + " --listen 127.0.0.1 --port " + port + " --grpc off --metrics 0.0.0.0:0");
  CHECK(remote.status == 2);
  CHECK_THAT(remote.err, Catch::Contains("\"0.0.0.0:0\" is not a loopback address: serving it needs `allow-remote`"));
  auto usage = run_bgpfa("serve -c " + conf + " --metrics unix:/tmp/x");
  CHECK(usage.status == 2);
  CHECK_THAT(usage.err, Catch::Contains("--metrics unix:/tmp/x: expected IPv4:PORT"));
  auto alone = run_bgpfa("replay -c " + conf + " " + dump + " --metrics 127.0.0.1:0");
  CHECK(alone.status == 2);
  CHECK_THAT(alone.err, Catch::Contains("--metrics requires --serve"));
}

TEST_CASE("metrics: a live serve: session state, routes, NOTIFICATIONs; never the session thread", "[metrics][serve]") {
  TempFile conf, err, state;
  const std::string text =
      "router bgp 65515\n bgp router-id 127.0.0.1\n neighbor 127.0.0.2 remote-as 65001\n neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 description say \"hi\" \\o/\n"
      " neighbor 127.0.0.2 gateway expressroute circuit er1 link primary\n"
      " neighbor 127.0.0.3 remote-as 65002\n neighbor 127.0.0.3 passive\n"
      " neighbor 127.0.0.3 gateway vpn instance 0\nmetrics\n listen 127.0.0.1:0\n";
  conf.write({text.begin(), text.end()});
  const auto port = free_port();
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(port), "--grpc", "off",
               "--state-file", state.path()},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "metrics on http://127.0.0.1:"); }));
  const auto metrics_port = port_of(slurp(err.path()), "metrics on http://127.0.0.1");
  REQUIRE(metrics_port != 0);
  auto before = samples(get(metrics_port).body);
  // A passive session waits in Active; the one state at 1.
  double states = 0;
  for (const char* s : {"idle", "connect", "active", "opensent", "openconfirm", "established"})
    states += before.at(std::string("bgpfa_peer_state{peer=\"127.0.0.2\",role=\"er1 primary\",state=\"") + s + "\"}");
  CHECK(states == 1);
  CHECK(before.at("bgpfa_peer_state{peer=\"127.0.0.2\",role=\"er1 primary\",state=\"active\"}") == 1);
  CHECK(before.at("bgpfa_peer_up{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 0);

  asio::io_context io;
  auto peer = established_peer(io, "127.0.0.2", port, 65001);
  send(peer, route_update(1));
  send(peer, route_update(2));
  REQUIRE(eventually([&] { return contains(state.path(), "127.0.0.2 Established 2"); }));
  const auto answer = get(metrics_port);
  REQUIRE(answer.status == 200);
  auto m = samples(answer.body);
  CHECK(m.at("bgpfa_peer_up{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 1);
  CHECK(m.at("bgpfa_peer_state{peer=\"127.0.0.2\",role=\"er1 primary\",state=\"established\"}") == 1);
  CHECK(m.at("bgpfa_peer_routes{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 2);
  CHECK(m.at("bgpfa_peer_updates_received_total{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 2);
  CHECK(m.at("bgpfa_prefixes{kind=\"er-primary\"}") == 2);
  CHECK(m.at("bgpfa_peer_uptime_seconds{peer=\"127.0.0.2\",role=\"er1 primary\"}") >= 0);
  CHECK(m.at("bgpfa_peer_up{peer=\"127.0.0.3\",role=\"vpn 0\"}") == 0);
  // The description's quote and backslash are escaped in the label.
  CHECK(m.count("bgpfa_peer_info{peer=\"127.0.0.2\",role=\"er1 primary\",asn=\"65001\",description=\"say \\\"hi\\\" \\\\o/\"}") == 1);
  promtool_check(answer.body);

  // The peer ends the session with a NOTIFICATION: counted, the session down, its routes gone.
  send(peer, wire::encode_notification(wire::make_shutdown(2, "maintenance")));
  REQUIRE(eventually([&] {
    const auto now = samples(get(metrics_port).body);
    return now.at("bgpfa_peer_notifications_received_total{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 1 &&
           now.at("bgpfa_peer_up{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 0;
  }));
  m = samples(get(metrics_port).body);
  CHECK(m.at("bgpfa_peer_routes{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 0);
  CHECK(m.at("bgpfa_peer_notifications_sent_total{peer=\"127.0.0.2\",role=\"er1 primary\"}") == 0);
  CHECK(m.at("bgpfa_prefixes{kind=\"none\"}") + m.at("bgpfa_prefixes{kind=\"er-primary\"}") <= 2);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}
