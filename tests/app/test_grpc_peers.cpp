// ListPeers in full and typed episodes with their failure window, against `bgpfa replay --serve`
// of a capture that holds what BGP4MP records: both OPENs, KEEPALIVEs, a hold-timer expiry (a
// NOTIFICATION bgpfa sent), an administrative shutdown with an RFC 9003 message (one received),
// and a session coming back.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>

#include "bgp/mrt/writer.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"
#include "bgpfa.grpc.pb.h"
#include "tests/app/serve_process.hpp"

using namespace bgpfa;
using namespace bgpfa::test;
using Stub = v1::Analyzer::Stub;

namespace {

const std::string kConfig =
    "router bgp 65515\n"
    " neighbor 192.0.2.1 remote-as 12076\n"
    " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
    " neighbor 192.0.2.2 remote-as 12076\n"
    " neighbor 192.0.2.2 gateway expressroute circuit er1 link secondary\n"
    "!\nanalyzer\n quiet-period 5s\n";

constexpr std::uint32_t kPrimary = 0xc0000201, kSecondary = 0xc0000202;

mrt::Bgp4mpPeer peer(std::uint32_t addr) {
  mrt::Bgp4mpPeer p;
  p.peer_as = 12076;
  p.local_as = 65515;
  p.peer_ip = wire::IpAddress::v4(addr);
  p.local_ip = wire::IpAddress::v4(0xc0000264);  // 192.0.2.100
  return p;
}

std::vector<std::uint8_t> open(std::uint16_t hold, bool local) {
  wire::Open o;
  o.my_as = local ? 65515 : 12076;
  o.hold_time = hold;
  o.bgp_id = local ? 0xc0000264 : 0x01010101;
  o.caps.four_octet_as = o.my_as;
  o.caps.route_refresh = true;
  o.caps.extended_message = true;
  o.caps.graceful_restart = true;
  o.caps.gr.restart_time = local ? 60 : 120;
  o.caps.gr.families = {{1, 1, true}};
  o.caps.add_path = {{wire::Afi::Ipv4, wire::Safi::Unicast, local, !local}};  // we receive, the peer sends
  return wire::encode_open(o);
}

std::vector<std::uint8_t> keepalive() {
  std::vector<std::uint8_t> m(wire::kHeaderSize, 0xff);
  m[16] = 0;
  m[17] = wire::kHeaderSize;
  m[18] = static_cast<std::uint8_t>(wire::MessageType::Keepalive);
  return m;
}

// 10.<n>.0.0/16, AS path 12076 65100 (prepended: 12076 65100 65100).
std::vector<std::uint8_t> announce(std::uint8_t n, bool prepended) {
  std::vector<std::uint8_t> a;
  const std::uint8_t origin = 0;
  wire::encode_attribute(a, 1, wire::Bytes(&origin, 1));
  std::vector<std::uint8_t> seg{2, static_cast<std::uint8_t>(prepended ? 3 : 2), 0, 0, 0x2f, 0x2c, 0, 0, 0xfe, 0x4c};
  if (prepended) seg.insert(seg.end(), {0, 0, 0xfe, 0x4c});
  wire::encode_attribute(a, 2, seg);
  const std::uint8_t nh[4] = {192, 0, 2, 1};
  wire::encode_attribute(a, 3, wire::Bytes(nh, 4));
  const std::uint8_t nlri[3] = {16, 10, n};
  return wire::encode_update({}, a, wire::Bytes(nlri, 3));
}

struct Capture {
  std::vector<std::uint8_t> bytes;
  void msg(std::uint32_t t, std::uint32_t who, const std::vector<std::uint8_t>& m, bool local = false) {
    mrt::append_bgp4mp_et_message(bytes, {t, 0}, peer(who), false, m, true, local);
  }
  void state(std::uint32_t t, std::uint32_t who, std::uint16_t from, std::uint16_t to) {
    mrt::append_bgp4mp_et_state_change(bytes, {t, 0}, peer(who), from, to);
  }
};

// Both up at 1000 (hold 90 offered, 30 asked: 30); the primary has 10.1/16 and 10.2/16, the
// secondary 10.2/16 (prepended) and 10.3/16. The secondary's last KEEPALIVE is at 1005 and
// bgpfa's hold timer fires at 1020: the failure was in [1005, 1015]. At 1040 the primary shuts
// down with "maintenance"; the secondary is back at 1050, heard from at 1060.
std::vector<std::uint8_t> capture() {
  Capture c;
  for (auto who : {kPrimary, kSecondary}) {
    c.msg(1000, who, open(90, true), true);
    c.msg(1000, who, open(30, false));
    c.msg(1000, who, keepalive(), true);
    c.msg(1000, who, keepalive());
    c.state(1000, who, 5, 6);
  }
  c.msg(1001, kPrimary, announce(1, false));
  c.msg(1001, kPrimary, announce(2, false));
  c.msg(1001, kSecondary, announce(2, true));
  c.msg(1001, kSecondary, announce(3, false));
  c.msg(1005, kSecondary, keepalive());
  c.msg(1020, kSecondary, wire::encode_notification({wire::notify::kHoldTimerExpired, 0, {}}), true);
  c.state(1020, kSecondary, 6, 1);
  c.msg(1040, kPrimary, wire::encode_notification(wire::make_shutdown(2, "maintenance")));
  c.state(1040, kPrimary, 6, 1);
  c.msg(1050, kSecondary, open(90, true), true);
  c.msg(1050, kSecondary, open(30, false));
  c.state(1050, kSecondary, 5, 6);
  c.msg(1060, kSecondary, keepalive());
  return c.bytes;
}

struct Replayed {
  TempFile conf, dump, err, out;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  std::unique_ptr<Serve> process;
  Replayed() {
    conf.write({kConfig.begin(), kConfig.end()});
    dump.write(capture());
    process = std::make_unique<Serve>(std::vector<std::string>{"-q", "-c", conf.path(), "-o", out.path(), "--serve", address, dump.path()},
                                      err.path(), "replay");
    REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + address); }));
  }
  ~Replayed() {
    process->signal(SIGTERM);
    CHECK(process->wait() == 0);
  }
};

std::vector<v1::Peer> list_peers(Stub& stub, const std::string& address = "", grpc::StatusCode expect = grpc::StatusCode::OK) {
  grpc::ClientContext ctx;
  v1::ListPeersRequest q;
  q.set_address(address);
  auto reader = stub.ListPeers(&ctx, q);
  std::vector<v1::Peer> out;
  v1::Peer p;
  while (reader->Read(&p)) out.push_back(p);
  CHECK(reader->Finish().error_code() == expect);
  return out;
}

}  // namespace

TEST_CASE("ListPeers from a replayed capture: states and reasons, NOTIFICATIONs, capabilities, counters", "[grpc]") {
  Replayed r;
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));
  const auto peers = list_peers(*stub);
  REQUIRE(peers.size() == 2);
  const auto& primary = peers[0];
  const auto& secondary = peers[1];

  CHECK(primary.address() == "192.0.2.1");
  CHECK(primary.local_address() == "192.0.2.100");
  CHECK(primary.state() == v1::SESSION_STATE_REPLAYED);
  CHECK(primary.recorded_state() == v1::SESSION_STATE_IDLE);
  CHECK(primary.previous_state() == v1::SESSION_STATE_ESTABLISHED);
  CHECK_FALSE(primary.has_uptime());
  CHECK(primary.last_state_change().seconds() == 1040);
  CHECK(primary.last_state_change_reason() ==
        "Established -> Idle: NOTIFICATION received: Cease/Administrative Shutdown: \"maintenance\"");
  CHECK(primary.since_last_state_change().seconds() == 20);  // on the replay's clock: the last record is at 1060
  REQUIRE(primary.has_last_notification_received());
  const auto& n = primary.last_notification_received();
  CHECK(n.time().seconds() == 1040);
  CHECK(n.code() == 6);
  CHECK(n.subcode() == 2);
  CHECK(n.code_name() == "Cease");
  CHECK(n.subcode_name() == "Administrative Shutdown");
  CHECK(n.shutdown_communication() == "maintenance");
  CHECK_FALSE(primary.has_last_notification_sent());
  CHECK(primary.hold_time() == 30);  // the smaller of 90 and 30
  CHECK(primary.keepalive_time() == 10);
  CHECK(primary.remote_router_id_v4() == 0x01010101);
  REQUIRE(primary.has_capabilities());
  const auto& caps = primary.capabilities();
  CHECK(std::vector<std::string>(caps.families().begin(), caps.families().end()) == std::vector<std::string>{"ipv4-unicast"});
  CHECK(caps.four_octet_as());
  CHECK(caps.route_refresh());
  CHECK(caps.extended_message());
  CHECK_FALSE(caps.enhanced_route_refresh());
  CHECK(caps.graceful_restart().restart_time() == 120);  // the peer's: it applies to its restarts
  REQUIRE(caps.add_path_size() == 1);
  CHECK(caps.add_path(0).family() == "ipv4-unicast");
  CHECK(caps.add_path(0).receive());
  CHECK_FALSE(caps.add_path(0).send());
  CHECK(primary.capabilities_sent().graceful_restart().restart_time() == 60);
  CHECK(primary.capabilities_received().add_path(0).send());
  const auto& in = primary.messages_received();
  CHECK(in.open() == 1);
  CHECK(in.update() == 2);
  CHECK(in.keepalive() == 1);
  CHECK(in.notification() == 1);
  CHECK(in.route_refresh() == 0);
  CHECK(in.total() == 5);
  CHECK(primary.messages_sent().open() == 1);
  CHECK(primary.messages_sent().keepalive() == 1);
  CHECK(primary.messages_sent().total() == 2);
  CHECK(primary.updates() == 2);
  CHECK(primary.flaps() == 1);
  CHECK(primary.routes_received() == 0);  // withdrawn at the shutdown
  CHECK(primary.max_routes() == 2);

  CHECK(secondary.recorded_state() == v1::SESSION_STATE_ESTABLISHED);
  CHECK(secondary.established_since().seconds() == 1050);
  CHECK(secondary.uptime().seconds() == 10);
  CHECK(secondary.last_state_change_reason() == "OpenConfirm -> Established");
  REQUIRE(secondary.has_last_notification_sent());
  CHECK(secondary.last_notification_sent().code() == 4);
  CHECK(secondary.last_notification_sent().code_name() == "Hold Timer Expired");
  CHECK(secondary.messages_received().open() == 2);
  CHECK(secondary.messages_received().keepalive() == 3);
  CHECK(secondary.messages_sent().notification() == 1);
  CHECK(secondary.flaps() == 1);
  CHECK(secondary.last_message_received().seconds() == 1060);

  const auto one = list_peers(*stub, "192.0.2.2");
  REQUIRE(one.size() == 1);
  CHECK(one[0].address() == "192.0.2.2");
  CHECK(list_peers(*stub, "192.0.2.9", grpc::StatusCode::NOT_FOUND).empty());
  CHECK(list_peers(*stub, "nonsense", grpc::StatusCode::INVALID_ARGUMENT).empty());

  SECTION("the CLI: a gobgp-like table, details, --json") {
    const std::string s = " -s " + r.address;
    const auto table = run_bgpfa("peers" + s);
    CHECK(table.status == 0);
    CHECK_THAT(table.out, Catch::StartsWith("Peer                         Role                     AS    Up/Down State         #Received  #Accepted\n"));
    CHECK_THAT(table.out, Catch::Contains("192.0.2.1                    er1 primary           12076   00:00:20 Idle                  0          0\n"));
    CHECK_THAT(table.out, Catch::Contains("192.0.2.2                    er1 secondary         12076   00:00:10 Established           0          0\n"));
    const auto details = run_bgpfa("peers 192.0.2.1" + s);
    CHECK(details.status == 0);
    CHECK_THAT(details.out, Catch::Contains("BGP neighbor is 192.0.2.1, remote AS 12076"));
    CHECK_THAT(details.out, Catch::Contains("NOTIFICATION rcvd: 1970-01-01T00:17:20.000000Z Cease/Administrative Shutdown: \"maintenance\" (6/2)"));
    CHECK_THAT(details.out, Catch::Contains("Hold time:         30 s, keepalive 10 s (negotiated)"));
    CHECK_THAT(details.out, Catch::Contains("ipv4-unicast, 4-octet-as, route-refresh, extended-message, add-path ipv4-unicast receive, graceful-restart 120 s ipv4-unicast (negotiated)"));
    CHECK_THAT(details.out, Catch::Contains("    Keepalives:               1          1\n"));
    CHECK(run_bgpfa("peers 192.0.2.9" + s).status == 1);
    const auto json = run_bgpfa("peers 192.0.2.2 --json" + s);
    CHECK_THAT(json.out, Catch::Contains("\"lastNotificationSent\":{"));
    CHECK_THAT(json.out, Catch::Contains("\"uptime\":\"10s\""));
  }
}

TEST_CASE("Episodes over gRPC: the failure window, the detecting mechanism, prediction versus outcome", "[grpc]") {
  Replayed r;
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->ListEpisodes(&ctx, v1::ListEpisodesRequest{});
  std::vector<v1::Episode> eps;
  v1::Episode e;
  while (reader->Read(&e)) eps.push_back(e);
  REQUIRE(reader->Finish().ok());
  REQUIRE(eps.size() == 2);  // the sessions' first establishments are initial tables, no episode

  const auto& hold = eps[0];  // the secondary's hold timer
  CHECK(hold.trigger().kind() == v1::TRIGGER_KIND_HOLD_TIMER_EXPIRED);
  const auto& w = hold.failure();
  CHECK(w.status() == v1::WINDOW_STATUS_KNOWN);
  CHECK(w.mechanism() == v1::DETECTION_MECHANISM_HOLD_TIMER);
  CHECK(w.detected_by() == "the hold timer");
  CHECK(w.failure_after().seconds() == 1005);  // the last KEEPALIVE
  CHECK(w.failure_before().seconds() == 1015);  // the next was due a third of 30 s later
  CHECK(w.detection_min().seconds() == 5);
  CHECK(w.detection_max().seconds() == 15);
  CHECK(w.failover_min().seconds() == 5);
  CHECK(w.failover_max().seconds() == 15);
  REQUIRE(hold.has_prediction());
  CHECK(hold.prediction().failed(0) == "192.0.2.2 (er1 secondary)");
  CHECK(hold.prediction().matched() == 1);  // 10.3/16: er-secondary -> none, as predicted
  REQUIRE(hold.prediction().predicted_size() == 1);
  CHECK(hold.prediction().predicted(0).previous() == v1::PATH_KIND_ER_SECONDARY);
  CHECK(hold.prediction().predicted(0).current() == v1::PATH_KIND_NONE);
  REQUIRE(hold.prediction().observed_size() == 1);
  CHECK(hold.prediction().observed(0).current() == v1::PATH_KIND_NONE);

  const auto& shutdown = eps[1];
  CHECK(shutdown.trigger().kind() == v1::TRIGGER_KIND_NOTIFICATION);
  CHECK(shutdown.failure().status() == v1::WINDOW_STATUS_KNOWN);
  CHECK(shutdown.failure().mechanism() == v1::DETECTION_MECHANISM_NOTIFICATION_RECEIVED);
  CHECK(shutdown.failure().failure_after().seconds() == 1040);
  CHECK(shutdown.failure().failure_before().seconds() == 1040);
  CHECK(shutdown.prediction().failed(0) == "192.0.2.1 (er1 primary)");
  CHECK(shutdown.prediction().matched() == 2);
  CHECK(shutdown.prediction().differed() == 0);

  grpc::ClientContext one_ctx;
  v1::GetEpisodeRequest q;
  q.set_id(1);
  v1::EpisodeDetail d;
  REQUIRE(stub->GetEpisode(&one_ctx, q, &d).ok());
  CHECK(d.episode().failure().DebugString() == w.DebugString());

  const std::string s = " -s " + r.address;
  const auto text = run_bgpfa("episodes" + s);
  CHECK_THAT(text.out, Catch::Contains("   failure between 1970-01-01T00:16:45.000000Z and 1970-01-01T00:16:55.000000Z, detected "
                                       "5.000s-15.000s later by the hold timer; failover 5.000s-15.000s\n"));
  CHECK_THAT(text.out, Catch::Contains("   predicted for 192.0.2.2 (er1 secondary) failing: er-secondary->none x1; 1 ended as "
                                       "predicted, 0 differed, 0 unpredicted\n"));
  CHECK_THAT(run_bgpfa("episode 1" + s).out, Catch::Contains("by the hold timer"));
}

TEST_CASE("Episodes over gRPC: unknown and not observable failure windows say why", "[grpc]") {
  TempFile err, out;
  const std::string src = BGPFA_SOURCE_DIR;
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  Serve p({"-q", "-c", src + "/fixtures/failover/bgpfa.conf", "-o", out.path(), "--serve", address,
           src + "/fixtures/failover/capture.mrt"},
          err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + address); }));
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->ListEpisodes(&ctx, v1::ListEpisodesRequest{});
  std::vector<v1::Episode> eps;
  v1::Episode e;
  while (reader->Read(&e)) eps.push_back(e);
  REQUIRE(reader->Finish().ok());
  REQUIRE(eps.size() == 3);
  CHECK(eps[0].failure().status() == v1::WINDOW_STATUS_UNKNOWN);  // no KEEPALIVEs in the capture
  CHECK(eps[0].failure().mechanism() == v1::DETECTION_MECHANISM_TCP_CLOSE);
  CHECK_THAT(eps[0].failure().note(), Catch::StartsWith("unknown: the input holds no KEEPALIVEs from 192.0.2.1"));
  CHECK_FALSE(eps[0].failure().has_failure_after());
  CHECK(eps[1].failure().status() == v1::WINDOW_STATUS_NOT_OBSERVABLE);
  CHECK(eps[1].prediction().unpredicted() == 3);
  p.signal(SIGTERM);
  CHECK(p.wait() == 0);
}

TEST_CASE("Bounded history: the oldest changes and episodes go, and a resume from before them fails", "[grpc][config]") {
  const std::string src = BGPFA_SOURCE_DIR;
  std::string conf_text = slurp(src + "/fixtures/failover/bgpfa.conf");
  const std::string quiet = " quiet-period 5s\n";
  REQUIRE(conf_text.find(quiet) != std::string::npos);
  TempFile bad;
  for (const char* wrong : {" history\n", " history events 0\n", " history episodes\n", " history events 5 events\n"}) {
    INFO(wrong);
    std::string t = conf_text;
    t.replace(t.find(quiet), quiet.size(), quiet + wrong);
    bad.write({t.begin(), t.end()});
    const auto checked = run_bgpfa("check-config " + bad.path());
    CHECK(checked.status == 1);
    CHECK_THAT(checked.err, Catch::Contains(":17:") && Catch::Contains(": error: "));
  }
  conf_text.replace(conf_text.find(quiet), quiet.size(), quiet + " history events 5 episodes 2\n");
  TempFile conf, err, out;
  conf.write({conf_text.begin(), conf_text.end()});
  CHECK(run_bgpfa("check-config " + conf.path()).status == 0);
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  Serve p({"-c", conf.path(), "-o", out.path(), "--serve", address, src + "/fixtures/failover/capture.mrt"}, err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + address); }));
  // 19 changes, 3 episodes: the last 5 and the last 2 are kept, and the replay said so once.
  CHECK_THAT(slurp(err.path()), Catch::Contains("warning: history full: the oldest 14 changes and 1 episodes were dropped"));
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));

  const auto list_events = [&](std::uint64_t since, grpc::StatusCode expect, std::uint64_t* oldest = nullptr) {
    grpc::ClientContext ctx;
    v1::ListEventsRequest q;
    q.set_since_sequence(since);
    auto reader = stub->ListEvents(&ctx, q);
    std::vector<std::uint64_t> seqs;
    v1::EventBatch b;
    while (reader->Read(&b)) {
      if (oldest) *oldest = b.oldest_sequence();
      for (const auto& e : b.events()) seqs.push_back(e.sequence());
    }
    const auto s = reader->Finish();
    INFO(s.error_message());
    CHECK(s.error_code() == expect);
    if (expect == grpc::StatusCode::FAILED_PRECONDITION) CHECK_THAT(s.error_message(), Catch::Contains("the oldest held is 15"));
    return seqs;
  };
  std::uint64_t oldest = 0;
  CHECK(list_events(0, grpc::StatusCode::OK, &oldest) == std::vector<std::uint64_t>{15, 16, 17, 18, 19});
  CHECK(oldest == 15);
  CHECK(list_events(14, grpc::StatusCode::OK) == std::vector<std::uint64_t>{15, 16, 17, 18, 19});
  CHECK(list_events(17, grpc::StatusCode::OK) == std::vector<std::uint64_t>{18, 19});
  CHECK(list_events(10, grpc::StatusCode::FAILED_PRECONDITION).empty());  // 11..14 are gone: said, not skipped

  const auto watch_from = [&](std::uint64_t since) {
    grpc::ClientContext ctx;
    v1::WatchRequest q;
    q.set_since_sequence(since);
    auto reader = stub->Watch(&ctx, q);
    std::vector<std::uint64_t> seqs;
    v1::WatchResponse m;
    bool ended = false;
    while (seqs.size() < 19 - since && !(ended = !reader->Read(&m)))
      for (const auto& e : m.events().events()) seqs.push_back(e.sequence());
    if (!ended) ctx.TryCancel();
    return std::pair{seqs, reader->Finish()};
  };
  const auto [lost, lost_status] = watch_from(10);
  CHECK(lost.empty());
  CHECK(lost_status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(lost_status.error_message(), Catch::Contains("watch again without since_sequence"));
  CHECK(watch_from(14).first == std::vector<std::uint64_t>{15, 16, 17, 18, 19});

  grpc::ClientContext ectx;
  auto reader = stub->ListEpisodes(&ectx, v1::ListEpisodesRequest{});
  std::vector<v1::Episode> eps;
  v1::Episode e;
  while (reader->Read(&e)) eps.push_back(e);
  REQUIRE(reader->Finish().ok());
  REQUIRE(eps.size() == 2);
  CHECK(eps[0].id() == 2);  // ids stay those of the whole run
  CHECK(eps[1].id() == 3);
  CHECK(eps[1].prefixes_changed() == 4);
  grpc::ClientContext gctx;
  v1::GetEpisodeRequest g;
  g.set_id(1);
  v1::EpisodeDetail d;
  const auto gs = stub->GetEpisode(&gctx, g, &d);
  CHECK(gs.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK_THAT(gs.error_message(), Catch::Contains("episode 1 is no longer kept: the oldest held is 2"));
  grpc::ClientContext g4ctx;
  g.set_id(3);
  REQUIRE(stub->GetEpisode(&g4ctx, g, &d).ok());
  CHECK(d.episode().id() == 3);
  CHECK(d.prefix_count() == 4);
  grpc::ClientContext sctx;
  v1::Summary s;
  REQUIRE(stub->GetSummary(&sctx, {}, &s).ok());
  CHECK(s.events() == 19);
  CHECK(s.oldest_event() == 15);
  CHECK(s.episodes() == 3);
  CHECK(s.oldest_episode() == 2);
  CHECK(s.last_episode().id() == 3);
  CHECK(s.history_events() == 5);
  CHECK(s.history_episodes() == 2);
  CHECK(run_bgpfa("events --since 10 -s " + address).status == 2);
  p.signal(SIGTERM);
  CHECK(p.wait() == 0);
}

TEST_CASE("Watch carries session state changes and episode starts and ends, in order, numbered", "[grpc]") {
  TempFile err, out;
  const std::string src = BGPFA_SOURCE_DIR;
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  Serve p({"-q", "-c", src + "/fixtures/failover/bgpfa.conf", "-o", out.path(), "--serve", address,
           src + "/fixtures/failover/capture.mrt"},
          err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + address); }));
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  // Everything after change `since`, up to the end of episode 3 (the last item there is; the
  // sessions' first establishments are initial tables, no episode).
  const auto watch = [&](std::uint64_t since) {
    grpc::ClientContext ctx;
    v1::WatchRequest q;
    q.set_since_sequence(since);
    q.set_marks(true);
    auto reader = stub->Watch(&ctx, q);
    std::vector<v1::Event> got;
    v1::WatchResponse m;
    bool done = false;
    while (!done && reader->Read(&m))
      for (const auto& e : m.events().events()) {
        got.push_back(e);
        done |= e.kind() == v1::EVENT_KIND_EPISODE_END && e.episode().id() == 3;
      }
    ctx.TryCancel();
    (void)reader->Finish();
    return got;
  };
  const auto all = watch(0);
  REQUIRE(all.size() > 19);
  std::uint64_t changes = 0, last_mark = 0;
  std::vector<std::string> order;
  for (const auto& e : all) {
    if (e.kind() == v1::EVENT_KIND_PATH_CHANGE) {
      CHECK(e.sequence() == ++changes);
      continue;
    }
    CHECK(e.sequence() == changes);  // a mark carries the sequence of the change it follows
    CHECK(e.mark_sequence() == ++last_mark);
    if (e.kind() == v1::EVENT_KIND_PEER_STATE)
      order.push_back(fmt::format("{}:peer {} {}->{}", e.sequence(), e.peer_state().peer_address(),
                                  static_cast<int>(e.peer_state().previous()), static_cast<int>(e.peer_state().current())));
    else
      order.push_back(fmt::format("{}:{} {}", e.sequence(), e.kind() == v1::EVENT_KIND_EPISODE_START ? "start" : "end", e.episode().id()));
  }
  CHECK(changes == 19);
  CHECK(order == std::vector<std::string>{"0:peer 192.0.2.1 5->6", "4:peer 192.0.2.2 5->6", "7:peer 192.0.2.3 5->6",
                                          "8:peer 192.0.2.1 6->1", "8:start 1", "12:end 1", "12:start 2",
                                          "15:peer 192.0.2.2 6->1", "15:end 2", "15:peer 192.0.2.1 5->6", "15:start 3", "19:end 3"});
  for (const auto& e : all)
    if (e.kind() == v1::EVENT_KIND_PEER_STATE && e.peer_state().current() == v1::SESSION_STATE_IDLE) {
      CHECK(e.peer_state().role() != "");
      CHECK_THAT(e.peer_state().reason(), Catch::Contains("Established -> Idle: the TCP connection closed without a NOTIFICATION"));
    }
    else if (e.kind() == v1::EVENT_KIND_EPISODE_END && e.episode().id() == 1) {
      CHECK(e.episode().prefixes_changed() == 4);
      CHECK(e.episode().trigger().kind() == v1::TRIGGER_KIND_SESSION_DOWN);
    }
  // A resume after change 12 sends again what follows it: episode 1's end, then episode 2's start.
  const auto resumed = watch(12);
  REQUIRE(resumed.size() >= 3);
  CHECK(resumed[0].kind() == v1::EVENT_KIND_EPISODE_END);
  CHECK(resumed[0].mark_sequence() == 6);
  CHECK(resumed[1].kind() == v1::EVENT_KIND_EPISODE_START);
  CHECK(resumed[2].sequence() == 13);
  grpc::ClientContext plain_ctx;  // without asking for marks: path changes only, as before
  v1::WatchRequest plain;
  plain.set_since_sequence(0);
  auto plain_reader = stub->Watch(&plain_ctx, plain);
  std::vector<std::uint64_t> seqs;
  v1::WatchResponse pm;
  while (seqs.size() < 19 && plain_reader->Read(&pm))
    for (const auto& e : pm.events().events()) {
      CHECK(e.kind() == v1::EVENT_KIND_PATH_CHANGE);
      seqs.push_back(e.sequence());
    }
  plain_ctx.TryCancel();
  (void)plain_reader->Finish();
  CHECK(seqs.size() == 19);
  CHECK(seqs.back() == 19);
  const auto cli = run_bgpfa("watch --since 11 -n 4 -s " + address);
  CHECK_THAT(cli.out, Catch::Contains("#12 2023-11-14T22:13:50.000000Z 10.4.0.0/16          er-primary [er1] -> none"));
  CHECK_THAT(cli.out, Catch::Contains("-- 2023-11-14T22:13:50.000000Z episode #1 ended: 4 prefixes changed since 2023-11-14T22:13:50.000000Z\n"
                                      "-- 2023-11-14T22:14:20.000000Z episode #2 starts: first update after a quiet period\n"));
  p.signal(SIGTERM);
  CHECK(p.wait() == 0);
}
