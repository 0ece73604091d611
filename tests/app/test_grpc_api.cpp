// Every RPC of the v1 API against `bgpfa replay --serve` of the bundled failover capture (5
// prefixes, 3 peers, 19 active-path changes, 3 episodes: the sessions' first tables are
// baselines), and the CLI's --json and exit codes.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>

#include <cctype>
#include <map>
#include <tuple>
#include <sstream>

#include "app/azure/json.hpp"
#include "bgpfa.grpc.pb.h"
#include "tests/app/serve_process.hpp"

using namespace bgpfa;
using namespace bgpfa::test;
using Stub = v1::Analyzer::Stub;

namespace {

template <class Item, class Request>
std::vector<Item> read_all(Stub& stub, std::unique_ptr<grpc::ClientReader<Item>> (Stub::*method)(grpc::ClientContext*, const Request&),
                           const Request& q, grpc::StatusCode expect = grpc::StatusCode::OK) {
  grpc::ClientContext ctx;
  auto reader = (stub.*method)(&ctx, q);
  std::vector<Item> out;
  Item m;
  while (reader->Read(&m)) out.push_back(m);
  const auto s = reader->Finish();
  INFO(s.error_message());
  CHECK(s.error_code() == expect);
  return out;
}

std::vector<v1::Path> paths(Stub& stub, const v1::PathFilter& f, std::uint32_t batch_size = 0, std::size_t* messages = nullptr,
                            grpc::StatusCode expect = grpc::StatusCode::OK) {
  v1::ListPathsRequest q;
  *q.mutable_filter() = f;
  q.set_batch_size(batch_size);
  const auto batches = read_all(stub, &Stub::ListPaths, q, expect);
  if (messages) *messages = batches.size();
  std::vector<v1::Path> out;
  for (const auto& b : batches) out.insert(out.end(), b.paths().begin(), b.paths().end());
  return out;
}

std::vector<std::string> prefixes(const std::vector<v1::Path>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.prefix());
  return out;
}

std::vector<v1::Event> events(Stub& stub, const v1::ListEventsRequest& q) {
  std::vector<v1::Event> out;
  for (const auto& b : read_all(stub, &Stub::ListEvents, q)) out.insert(out.end(), b.events().begin(), b.events().end());
  return out;
}

// Up to `n` changes from a Watch (after its snapshot, if any); n = 0: the snapshot only.
std::vector<v1::Event> watch_events(Stub& stub, const v1::WatchRequest& q, std::size_t n, std::size_t* snapshot_rows = nullptr) {
  grpc::ClientContext ctx;
  auto reader = stub.Watch(&ctx, q);
  std::vector<v1::Event> out;
  v1::WatchResponse m;
  while ((n == 0 || out.size() < n) && reader->Read(&m)) {
    if (n == 0 && m.item_case() == v1::WatchResponse::kSnapshotEnd) break;  // the snapshot only
    if (m.has_snapshot() && snapshot_rows) *snapshot_rows += static_cast<std::size_t>(m.snapshot().paths_size());
    if (m.has_events()) out.insert(out.end(), m.events().events().begin(), m.events().events().end());
  }
  ctx.TryCancel();
  (void)reader->Finish();
  return out;
}

struct Replayed {
  TempFile err, out;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  std::unique_ptr<Serve> process;
  explicit Replayed(const std::string& config = BGPFA_SOURCE_DIR "/fixtures/failover/bgpfa.conf",
                    const std::string& dump = BGPFA_SOURCE_DIR "/fixtures/failover/capture.mrt") {
    process = std::make_unique<Serve>(std::vector<std::string>{"-c", config, "-o", out.path(), "--serve", address, dump},
                                      err.path(), "replay");
    REQUIRE(eventually([&] { return contains(err.path(), "results are served over gRPC on " + address); }));
  }
  ~Replayed() {
    process->signal(SIGTERM);
    CHECK(process->wait() == 0);
  }
};

}  // namespace

TEST_CASE("gRPC v1: every RPC against replay --serve of the failover capture", "[grpc]") {
  Replayed r;
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));

  SECTION("ListPeers: typed roles and states") {
    const auto peers = read_all(*stub, &Stub::ListPeers, v1::ListPeersRequest{});
    REQUIRE(peers.size() == 3);
    CHECK(peers[0].address() == "192.0.2.1");
    CHECK(peers[0].gateway() == v1::GATEWAY_EXPRESSROUTE);
    CHECK(peers[0].circuit() == "er1");
    CHECK(peers[0].link() == v1::LINK_PRIMARY);
    CHECK_FALSE(peers[0].has_vpn_instance());
    CHECK(peers[0].state() == v1::SESSION_STATE_REPLAYED);
    CHECK(peers[0].description() == "msee-primary");
    CHECK(peers[1].link() == v1::LINK_SECONDARY);
    CHECK(peers[2].gateway() == v1::GATEWAY_VPN);
    CHECK(peers[2].has_vpn_instance());
    CHECK(peers[2].vpn_instance() == 0);
    CHECK(peers[2].routes() == 4);
  }
  SECTION("ListPaths: batches, filters, NOT_FOUND for an uncovered exact prefix") {
    std::size_t messages = 0;
    const auto all = paths(*stub, {}, 2, &messages);
    CHECK(prefixes(all) == std::vector<std::string>{"10.1.0.0/16", "10.1.5.0/24", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"});
    CHECK(messages == 3);  // 2 + 2 + 1
    CHECK(all[0].family() == v1::FAMILY_IPV4);
    CHECK(all[0].kind() == v1::PATH_KIND_ER_PRIMARY);
    REQUIRE(all[0].carrying_size() == 1);
    CHECK(all[0].carrying(0).gateway() == v1::GATEWAY_EXPRESSROUTE);
    CHECK(all[0].carrying(0).circuit() == "er1");
    CHECK(all[0].carrying(0).link() == v1::LINK_PRIMARY);
    CHECK(all[0].carrying(0).peer_address() == "192.0.2.1");
    CHECK(all[0].expressroute().peer_address() == "192.0.2.1");
    CHECK(all[0].vpn().gateway() == v1::GATEWAY_VPN);
    CHECK(all[1].kind() == v1::PATH_KIND_VPN);
    REQUIRE(all[1].carrying_size() == 1);
    CHECK(all[1].carrying(0).vpn_instance() == 0);
    CHECK(all[1].carrying(0).peer_address() == "192.0.2.3");
    CHECK_FALSE(all[4].has_vpn());

    v1::PathFilter f;
    f.add_kinds(v1::PATH_KIND_VPN);
    CHECK(prefixes(paths(*stub, f)) == std::vector<std::string>{"10.1.5.0/24"});
    f.Clear();
    f.set_peer_address("192.0.2.3");
    CHECK(prefixes(paths(*stub, f)) == std::vector<std::string>{"10.1.5.0/24"});
    f.Clear();
    f.set_gateway(v1::GATEWAY_VPN);
    CHECK(paths(*stub, f).size() == 4);
    f.Clear();
    f.set_community("12076:1");  // the ExpressRoute routes carry it, the VPN ones not
    const auto tagged = paths(*stub, f);
    CHECK(prefixes(tagged) == std::vector<std::string>{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"});
    CHECK(tagged[0].candidates_size() == 0);  // read for the filter, not sent unasked
    f.Clear();
    f.set_origin_asn(65100);
    CHECK(paths(*stub, f).size() == 5);
    f.set_origin_asn(65101);
    CHECK(paths(*stub, f).empty());
    f.Clear();
    f.set_community("12076");
    CHECK(paths(*stub, f, 0, nullptr, grpc::StatusCode::INVALID_ARGUMENT).empty());
    f.Clear();
    f.set_prefix("10.1.0.0/16");
    f.set_longer(true);
    CHECK(prefixes(paths(*stub, f)) == std::vector<std::string>{"10.1.0.0/16", "10.1.5.0/24"});
    f.Clear();
    f.set_prefix("10.1.5.0/24");
    f.set_shorter(true);
    CHECK(prefixes(paths(*stub, f)) == std::vector<std::string>{"10.1.0.0/16", "10.1.5.0/24"});
    f.Clear();
    f.set_prefix("10.9.0.0/16");
    CHECK(paths(*stub, f, 0, nullptr, grpc::StatusCode::NOT_FOUND).empty());
    f.set_longer(true);  // a range with nothing in it is no error, just empty
    CHECK(paths(*stub, f).empty());
  }
  SECTION("ListPaths with candidates: every route and its attributes") {
    v1::ListPathsRequest q;
    q.mutable_filter()->set_prefix("10.1.0.0/16");
    q.set_candidates(true);
    const auto batches = read_all(*stub, &Stub::ListPaths, q);
    REQUIRE(batches.size() == 1);
    const auto& p = batches[0].paths(0);
    REQUIRE(p.candidates_size() == 2);
    const v1::Route* er = nullptr;
    for (const auto& r : p.candidates())
      if (r.peer_address() == "192.0.2.1") er = &r;
    REQUIRE(er);
    CHECK(er->role() == "er1 primary");
    CHECK(er->origin() == v1::ORIGIN_IGP);
    CHECK(er->next_hop() == "192.0.2.1");
    REQUIRE(er->as_path_size() == 1);
    CHECK(er->as_path(0).type() == v1::AS_PATH_SEGMENT_TYPE_SEQUENCE);
    CHECK(std::vector<std::uint32_t>(er->as_path(0).asns().begin(), er->as_path(0).asns().end()) ==
          std::vector<std::uint32_t>{12076, 65100});
    REQUIRE(er->communities_size() == 1);
    CHECK(er->communities(0) == "12076:1");
    CHECK_FALSE(er->has_med());
    q.set_candidates(false);
    CHECK(read_all(*stub, &Stub::ListPaths, q)[0].paths(0).candidates_size() == 0);
  }
  SECTION("Lookup") {
    grpc::ClientContext ctx;
    v1::LookupRequest q;
    q.set_address("10.1.5.1");
    v1::Path p;
    REQUIRE(stub->Lookup(&ctx, q, &p).ok());
    CHECK(p.prefix() == "10.1.5.0/24");
    CHECK(p.kind() == v1::PATH_KIND_VPN);
    grpc::ClientContext miss_ctx;
    q.set_address("99.1.1.1");
    CHECK(stub->Lookup(&miss_ctx, q, &p).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  SECTION("ListEvents and GetPrefixHistory") {
    const auto all = events(*stub, {});
    REQUIRE(all.size() == 19);
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].sequence() == i + 1);
    CHECK(all[0].prefix() == "10.1.0.0/16");
    CHECK(all[0].previous().kind() == v1::PATH_KIND_NONE);
    CHECK(all[0].current().kind() == v1::PATH_KIND_ER_PRIMARY);
    CHECK(all[0].time().seconds() == 1'700'000'000);
    CHECK(all[0].time().nanos() == 120'000'000);
    v1::ListEventsRequest q;
    q.set_since_sequence(17);
    const auto tail = events(*stub, q);
    REQUIRE(tail.size() == 2);
    CHECK(tail[0].sequence() == 18);
    q.Clear();
    q.set_limit(3);
    q.set_batch_size(2);
    CHECK(events(*stub, q).size() == 3);
    q.Clear();
    q.set_prefix("10.1.5.0/24");
    const auto one = events(*stub, q);
    REQUIRE_FALSE(one.empty());
    for (const auto& e : one) CHECK(e.prefix() == "10.1.5.0/24");
    q.Clear();
    q.mutable_start()->set_seconds(1'700'000'090);
    for (const auto& e : events(*stub, q)) CHECK(e.time().seconds() >= 1'700'000'090);
    v1::GetPrefixHistoryRequest h;
    h.set_prefix("10.1.5.0/24");
    std::size_t n = 0;
    for (const auto& b : read_all(*stub, &Stub::GetPrefixHistory, h)) n += static_cast<std::size_t>(b.events_size());
    CHECK(n == one.size());
  }
  SECTION("ListEvents with marks, by peer and by kind") {
    v1::ListEventsRequest q;
    q.set_marks(true);
    const auto all = events(*stub, q);
    std::size_t changes = 0, starts = 0, ends = 0, states = 0;
    std::uint64_t last = 0;
    for (const auto& e : all) {
      if (e.kind() == v1::EVENT_KIND_PATH_CHANGE) {
        ++changes;
        CHECK(e.sequence() == last + 1);  // every change, in order, marks between them
        last = e.sequence();
      } else {
        CHECK(e.sequence() == last);  // a mark carries the change it follows
        starts += e.kind() == v1::EVENT_KIND_EPISODE_START;
        ends += e.kind() == v1::EVENT_KIND_EPISODE_END;
        states += e.kind() == v1::EVENT_KIND_PEER_STATE;
      }
    }
    CHECK(changes == 19);
    CHECK(starts == 3);
    CHECK(ends == 3);
    CHECK(states > 0);
    // The same order as a Watch resumed from the start with marks.
    v1::WatchRequest wq;
    wq.set_since_sequence(0);
    wq.set_marks(true);
    const auto watched = watch_events(*stub, wq, all.size());
    REQUIRE(watched.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      INFO("event " << i);
      CHECK(watched[i].kind() == all[i].kind());
      CHECK(watched[i].sequence() == all[i].sequence());
      CHECK(watched[i].mark_sequence() == all[i].mark_sequence());
    }
    // A limit counts marks too.
    q.set_limit(4);
    CHECK(events(*stub, q).size() == 4);
    q.set_limit(0);

    // By peer: changes the VPN peer carried before or after, and its own state changes only.
    q.set_peer_address("192.0.2.3");
    const auto vpn = events(*stub, q);
    std::size_t vpn_changes = 0;
    for (const auto& e : vpn) {
      if (e.kind() == v1::EVENT_KIND_PEER_STATE) CHECK(e.peer_state().peer_address() == "192.0.2.3");
      if (e.kind() != v1::EVENT_KIND_PATH_CHANGE) continue;
      ++vpn_changes;
      bool carried = false;
      for (const auto* p : {&e.previous(), &e.current()})
        for (const auto& c : p->carrying()) carried |= c.peer_address() == "192.0.2.3";
      CHECK(carried);
    }
    CHECK(vpn_changes > 0);
    CHECK(vpn_changes < changes);
    q.set_peer_address("192.0.2.99");
    grpc::ClientContext ctx;
    v1::EventBatch b;
    auto reader = stub->ListEvents(&ctx, q);
    while (reader->Read(&b)) {
    }
    CHECK(reader->Finish().error_code() == grpc::StatusCode::NOT_FOUND);

    // By kind: changes from or to a VPN path, as many as the unfiltered log has.
    v1::ListEventsRequest k;
    k.add_kinds(v1::PATH_KIND_VPN);
    const auto to_vpn = events(*stub, k);
    std::size_t want = 0;
    for (const auto& e : all)
      want += e.kind() == v1::EVENT_KIND_PATH_CHANGE &&
              (e.previous().kind() == v1::PATH_KIND_VPN || e.current().kind() == v1::PATH_KIND_VPN);
    CHECK(to_vpn.size() == want);
    CHECK(want > 0);
    CHECK(run_bgpfa("events --marks --peer 192.0.2.3 -s " + r.address).out.find("-- ") != std::string::npos);
    CHECK(run_bgpfa("events --peer 192.0.2.99 -s " + r.address).status == 1);  // not found
  }
  SECTION("ListEpisodes, GetEpisode: typed") {
    const auto eps = read_all(*stub, &Stub::ListEpisodes, v1::ListEpisodesRequest{});
    REQUIRE(eps.size() == 3);
    CHECK(eps[0].id() == 1);
    CHECK(eps[0].trigger().kind() == v1::TRIGGER_KIND_SESSION_DOWN);
    CHECK(eps[0].trigger().peer_address() == "192.0.2.1");
    CHECK(eps[0].prefixes_changed() == 4);
    CHECK(eps[0].blackholed_prefixes() == 1);
    CHECK(eps[0].end().seconds() >= eps[0].start().seconds());
    CHECK(eps[2].trigger().kind() == v1::TRIGGER_KIND_SESSION_UP);  // the primary's return: a recovery
    CHECK(eps[2].trigger().peer_address() == "192.0.2.1");
    bool ecmp_to_secondary = false;
    for (const auto& t : eps[0].transitions())
      ecmp_to_secondary |= t.previous() == v1::PATH_KIND_ER_ECMP && t.current() == v1::PATH_KIND_ER_SECONDARY && t.prefixes() == 3;
    CHECK(ecmp_to_secondary);
    v1::ListEpisodesRequest limited;
    limited.set_limit(2);
    CHECK(read_all(*stub, &Stub::ListEpisodes, limited).size() == 2);
    grpc::ClientContext ctx;
    v1::GetEpisodeRequest q;
    q.set_id(1);
    v1::EpisodeDetail d;
    REQUIRE(stub->GetEpisode(&ctx, q, &d).ok());
    CHECK(d.episode().id() == 1);
    CHECK(d.prefix_count() == 4);
    CHECK(d.prefixes_size() == 4);
    grpc::ClientContext miss_ctx;
    q.set_id(99);
    CHECK(stub->GetEpisode(&miss_ctx, q, &d).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  SECTION("ListFindings, GetSummary") {
    const auto findings = read_all(*stub, &Stub::ListFindings, v1::ListFindingsRequest{});
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].kind() == v1::FINDING_KIND_VPN_MORE_SPECIFIC);
    CHECK(findings[0].severity() == v1::SEVERITY_WARNING);
    CHECK(findings[0].prefixes(0) == "10.1.5.0/24");
    CHECK(findings[1].kind() == v1::FINDING_KIND_SINGLE_LINK);
    CHECK(findings[1].prefix_count() == 4);
    grpc::ClientContext ctx;
    v1::Summary s;
    REQUIRE(stub->GetSummary(&ctx, {}, &s).ok());
    CHECK(s.prefixes() == 5);
    CHECK(s.events() == 19);
    CHECK(s.episodes() == 3);
    CHECK(s.peers() == 3);
    CHECK(s.last_episode().id() == 3);
    CHECK(s.version() == "0.1.0");
    std::uint64_t by_kind = 0;
    for (const auto& k : s.by_kind()) by_kind += k.prefixes();
    CHECK(by_kind == 5);
  }
  SECTION("WhatIf streamed; GetReport in chunks") {
    v1::WhatIfRequest q;
    q.add_fail("192.0.2.3");
    const auto what_if = read_all(*stub, &Stub::WhatIf, q);
    REQUIRE(what_if.size() == 2);
    REQUIRE(what_if[0].has_summary());
    CHECK(what_if[0].summary().failed(0) == "192.0.2.3 (vpn 0)");
    CHECK(what_if[0].summary().changes() == 1);
    REQUIRE(what_if[1].has_changes());
    CHECK(what_if[1].changes().changes(0).prefix() == "10.1.5.0/24");
    CHECK(what_if[1].changes().changes(0).current().kind() == v1::PATH_KIND_ER_PRIMARY);
    CHECK(what_if[1].changes().changes(0).current().via_covering());
    v1::WhatIfRequest bad;
    bad.add_fail("er9");
    CHECK(read_all(*stub, &Stub::WhatIf, bad, grpc::StatusCode::INVALID_ARGUMENT).empty());
    v1::GetReportRequest rq;
    rq.set_format("json");
    std::string body;
    const auto chunks = read_all(*stub, &Stub::GetReport, rq);
    REQUIRE_FALSE(chunks.empty());
    CHECK(chunks[0].format() == "json");
    for (const auto& c : chunks) body += c.data();
    CHECK_THAT(body, Catch::StartsWith("{"));
    CHECK_THAT(body, Catch::Contains("\"episodes\""));
  }
  SECTION("Watch: resume by since_sequence from the log; two watchers see the same sequence") {
    v1::WatchRequest q;
    q.set_since_sequence(10);
    std::size_t rows = 0;
    const auto resumed = watch_events(*stub, q, 9, &rows);
    CHECK(rows == 0);  // no snapshot when resuming
    REQUIRE(resumed.size() == 9);
    for (std::size_t i = 0; i < resumed.size(); ++i) CHECK(resumed[i].sequence() == 11 + i);
    q.set_since_sequence(0);
    const auto a = watch_events(*stub, q, 19), b = watch_events(*stub, q, 19);
    REQUIRE(a.size() == 19);
    REQUIRE(b.size() == 19);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].DebugString() == b[i].DebugString());
    q.set_since_sequence(20);
    grpc::ClientContext ctx;
    auto reader = stub->Watch(&ctx, q);
    v1::WatchResponse m;
    CHECK_FALSE(reader->Read(&m));
    CHECK(reader->Finish().error_code() == grpc::StatusCode::OUT_OF_RANGE);
    v1::WatchRequest vpn_only;
    vpn_only.add_kinds(v1::PATH_KIND_VPN);
    rows = 0;
    (void)watch_events(*stub, vpn_only, 0, &rows);
    CHECK(rows == 1);  // 10.1.5.0/24
  }
}

TEST_CASE("CLI clients of the v1 API: --json lines parse back, tables, exit codes", "[grpc]") {
  Replayed r;
  const std::string s = " -s " + r.address;
  auto json_paths = run_bgpfa("paths --json" + s);
  CHECK(json_paths.status == 0);
  std::istringstream lines(json_paths.out);
  std::vector<v1::Path> parsed;
  for (std::string line; std::getline(lines, line);) {
    v1::Path p;
    REQUIRE(google::protobuf::util::JsonStringToMessage(line, &p).ok());
    parsed.push_back(p);
  }
  REQUIRE(parsed.size() == 5);
  CHECK(parsed[1].prefix() == "10.1.5.0/24");
  CHECK(parsed[1].kind() == v1::PATH_KIND_VPN);
  {
    // The client writes paths' JSON itself (fast): byte for byte what protobuf's printer writes,
    // for every row of the table, a row via a less specific prefix, and rows with candidates.
    auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));
    const auto expected_lines = [&](const std::string& prefix, bool candidates) {
      v1::ListPathsRequest q;
      q.mutable_filter()->set_prefix(prefix);
      q.set_candidates(candidates);
      std::string out;
      for (const auto& b : read_all(*stub, &Stub::ListPaths, q))
        for (const auto& p : b.paths()) {
          std::string line;
          google::protobuf::util::JsonPrintOptions opts;
          opts.add_whitespace = false;
          REQUIRE(google::protobuf::util::MessageToJsonString(p, &line, opts).ok());
          out += line + "\n";
        }
      return out;
    };
    CHECK(json_paths.out == expected_lines("", false));
    CHECK_THAT(json_paths.out, Catch::Contains("\"vpnInstance\":0"));  // an optional field set to 0
    CHECK(run_bgpfa("paths 10.1.7.0/24 --json" + s).out == expected_lines("10.1.7.0/24", false));
    CHECK(run_bgpfa("paths 10.1.0.0/16 --routes --json" + s).out == expected_lines("10.1.0.0/16", true));
  }
  for (const char* cmd : {"peers", "events", "episodes", "findings", "summary", "lookup 10.1.5.1", "episode 1",
                          "what-if 192.0.2.3", "watch -n 2 --since 0"}) {
    INFO(cmd);
    const auto out = run_bgpfa(std::string(cmd) + " --json" + s);
    CHECK(out.status == 0);
    REQUIRE_FALSE(out.out.empty());
    std::istringstream js(out.out);
    for (std::string line; std::getline(js, line);) CHECK_THAT(line, Catch::StartsWith("{") && Catch::EndsWith("}"));
  }
  const auto episodes = run_bgpfa("episodes" + s);
  CHECK_THAT(episodes.out, Catch::StartsWith("#1 2023-11-14T22:13:50.000000Z .. 2023-11-14T22:13:50.000000Z  session down 192.0.2.1"));
  CHECK_THAT(episodes.out, Catch::Contains("er-ecmp->er-secondary x3, er-primary->none x1"));
  const auto summary = run_bgpfa("summary" + s);
  CHECK_THAT(summary.out, Catch::Contains("prefixes  5\n"));
  CHECK_THAT(run_bgpfa("paths 10.1.7.0/24" + s).out, Catch::StartsWith("10.1.7.0/24              er-primary [er1] via 10.1.0.0/16\n"));
  CHECK(run_bgpfa("paths --kind vpn" + s).out.find("10.1.5.0/24") == 0);
  CHECK_THAT(run_bgpfa("paths 10.1.2.3 --routes" + s).out,
             Catch::Contains("route 192.0.2.1 (er1 primary) 12076 65100 igp next-hop 192.0.2.1 local-pref 100 communities 12076:1\n"));
  CHECK(run_bgpfa("lookup 99.1.1.1" + s).status == 1);           // not found
  CHECK(run_bgpfa("paths 10.9.0.0/16" + s).status == 1);         // not found
  CHECK(run_bgpfa("paths 10.9.0.0/16 --longer" + s).status == 1);  // no match
  CHECK(run_bgpfa("episode 99" + s).status == 1);
  CHECK(run_bgpfa("paths 10.1.0.0/33" + s).status == 2);         // usage
  CHECK(run_bgpfa("paths --kind purple" + s).status == 2);
  CHECK(run_bgpfa("peers -s 127.0.0.1:1").status == 2);           // connection
}

TEST_CASE("gRPC off loopback needs allow-remote, and TLS or an explicit insecure", "[grpc][serve]") {
  const std::string base =
      "router bgp 65515\n neighbor 127.0.0.2 remote-as 65001\n neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 gateway vpn instance 0\n!\ngrpc\n";
  std::vector<std::unique_ptr<TempFile>> confs;  // live as long as the servers read them
  const auto serve_with = [&](const std::string& grpc_lines, const std::string& address, TempFile& err) {
    auto& conf = *confs.emplace_back(std::make_unique<TempFile>());
    const std::string text = base + grpc_lines;
    conf.write({text.begin(), text.end()});
    return std::make_unique<Serve>(std::vector<std::string>{"-c", conf.path(), "--listen", "127.0.0.1", "--port",
                                                            std::to_string(free_port()), "--grpc", address},
                                   err.path());
  };
  const std::string port = std::to_string(free_port());
  const std::string any = "0.0.0.0:" + port, local = "127.0.0.1:" + port;
  {
    TempFile err;
    auto s = serve_with("", any, err);
    CHECK(s->wait() == 2);
    CHECK_THAT(slurp(err.path()), Catch::Contains("\"" + any + "\" is not a loopback address: serving it needs `allow-remote`"));
  }
  {
    TempFile err;
    auto s = serve_with(" allow-remote\n", any, err);
    CHECK(s->wait() == 2);
    CHECK_THAT(slurp(err.path()), Catch::Contains("needs `tls cert FILE key FILE`, or `insecure`"));
  }
  {
    TempFile err;
    auto s = serve_with(" allow-remote\n insecure\n", any, err);
    REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + any); }));
    CHECK(run_bgpfa("peers -s " + local).status == 0);
    s->signal(SIGTERM);
    CHECK(s->wait() == 0);
  }
  {  // A Unix socket reaches this host only: no allow-remote needed (the lab serves on one).
    TempFile err;
    const std::string sock = "unix:" + (std::filesystem::temp_directory_path() / ("bgpfa-grpc-" + std::to_string(::getpid()) + ".sock")).string();
    auto s = serve_with("", sock, err);
    REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + sock); }));
    const auto peers = run_bgpfa("peers -s " + sock);
    CHECK(peers.status == 0);
    CHECK_THAT(peers.out, Catch::Contains("127.0.0.2"));
    s->signal(SIGTERM);
    CHECK(s->wait() == 0);
  }
  // TLS with a self-signed certificate for 127.0.0.1: a client trusting it gets in, a plain one not.
  TempFile cert, key, ssl_log;
  const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
                                "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + key.path() + " -out " + cert.path() +
                                " >" + ssl_log.path() + " 2>&1";
  if (std::system(make_cert.c_str()) != 0) {
    WARN("openssl could not make a certificate: TLS not tested");
    return;
  }
  TempFile err;
  auto s = serve_with(" allow-remote\n tls cert " + cert.path() + " key " + key.path() + "\n", any, err);
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + any); }));
  const auto tls = run_bgpfa("peers --ca " + cert.path() + " -s " + local);
  CHECK(tls.status == 0);
  CHECK_THAT(tls.out, Catch::Contains("127.0.0.2"));
  CHECK(run_bgpfa("peers -s " + local).status == 2);
  s->signal(SIGTERM);
  CHECK(s->wait() == 0);
}

TEST_CASE("gRPC ListPaths and Lookup with a VNet: the answers as that VNet sees them, as replay --vnet", "[grpc][vnet]") {
  // vnet-transit (tools/scenario): hub 10.12.0.0/16 with ExpressRoute and a VNet-to-VNet site;
  // spoke1 uses the hub's gateway, spoke2 does not (virtual-network/virtual-network-peering-overview).
  TempFile dump(".mrt");
  REQUIRE(std::system((std::string(BGPFA_SCENARIO) + " vnet-transit " + dump.path()).c_str()) == 0);
  const std::string conf = BGPFA_SOURCE_DIR "/fixtures/topologies/vnet-transit.conf";
  Replayed r(conf, dump.path());
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));
  auto kinds_of = [&](const std::string& vnet) {
    v1::PathFilter f;
    f.set_vnet(vnet);
    std::map<std::string, v1::PathKind> out;
    for (const auto& p : paths(*stub, f)) out[p.prefix()] = p.kind();
    return out;
  };
  // The same answers as replay --report json --vnet NAME, prefix by prefix.
  for (const std::string vnet : {"", "hub", "spoke1", "spoke2"}) {
    INFO("vnet " << vnet);
    const auto rep = run_bgpfa("replay -q --report json -c " + conf + (vnet.empty() ? "" : " --vnet " + vnet) + " " + dump.path());
    REQUIRE(rep.status == 0);
    auto doc = azure::parse_json(rep.out);
    REQUIRE(std::holds_alternative<azure::JsonValue>(doc));
    std::map<std::string, std::string> want;
    for (const auto& row : std::get<azure::JsonValue>(doc).get("active_paths")->items)
      want[row.get("prefix")->text] = row.get("active")->get("kind")->text;
    std::map<std::string, std::string> got;
    for (const auto& [p, k] : kinds_of(vnet)) {
      std::string name = v1::PathKind_Name(k).substr(10);  // PATH_KIND_ER_ECMP -> ER_ECMP
      for (auto& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      got[p] = name;
    }
    CHECK(got == want);
  }
  const auto spoke2 = kinds_of("spoke2");
  CHECK(spoke2.at("10.60.0.0/16") == v1::PATH_KIND_NONE);    // no gateway transit: no on-premises route
  CHECK(spoke2.at("10.12.5.0/24") == v1::PATH_KIND_SYSTEM);  // inside the peered hub's address space
  CHECK(kinds_of("spoke1").at("10.60.0.0/16") == v1::PATH_KIND_ER_ECMP);

  // A filter applies to the VNet's view, and a row without a path there has no gateway best.
  v1::PathFilter f;
  f.set_vnet("spoke2");
  f.add_kinds(v1::PATH_KIND_ER_ECMP);
  CHECK(paths(*stub, f).empty());
  f.clear_kinds();
  f.set_prefix("10.60.0.0/16");
  const auto one = paths(*stub, f);
  REQUIRE(one.size() == 1);
  CHECK(one[0].carrying_size() == 0);
  CHECK_FALSE(one[0].has_expressroute());
  f.set_vnet("nope");
  CHECK(paths(*stub, f, 0, nullptr, grpc::StatusCode::NOT_FOUND).empty());

  v1::LookupRequest l;
  l.set_address("10.60.1.1");
  v1::Path p;
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->Lookup(&ctx, l, &p).ok());
    CHECK(p.kind() == v1::PATH_KIND_ER_ECMP);
  }
  l.set_vnet("spoke2");
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->Lookup(&ctx, l, &p).ok());
    CHECK(p.kind() == v1::PATH_KIND_NONE);
  }
  // An address inside a VNet address space the VNet sees is its system route, whatever BGP has
  // (here no BGP prefix covers 10.2.0.5, and 10.12.9.9 only the default route, not carried).
  for (const auto& [addr, vnet, prefix] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"10.2.0.5", "", "10.2.0.0/16"}, {"10.2.0.5", "spoke2", "10.2.0.0/16"}, {"10.12.9.9", "", "10.12.0.0/16"},
           {"10.12.9.9", "spoke1", "10.12.0.0/16"}, {"10.1.2.3", "spoke1", "10.1.0.0/16"}}) {
    INFO(addr << " in " << vnet);
    l.set_address(addr);
    l.set_vnet(vnet);
    grpc::ClientContext ctx;
    REQUIRE(stub->Lookup(&ctx, l, &p).ok());
    CHECK(p.kind() == v1::PATH_KIND_SYSTEM);
    CHECK(p.prefix() == prefix);
  }
  l.set_address("10.2.0.5");  // spokes are not peered with each other, and 0.0.0.0/0 is not carried
  l.set_vnet("spoke1");
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->Lookup(&ctx, l, &p).ok());
    CHECK(p.prefix() == "0.0.0.0/0");
    CHECK(p.kind() == v1::PATH_KIND_NONE);
  }
  l.set_address("10.60.1.1");
  l.set_vnet("nope");
  {
    grpc::ClientContext ctx;
    const auto st = stub->Lookup(&ctx, l, &p);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK_THAT(st.error_message(), Catch::Contains("no VNet \"nope\" in the configuration"));
  }

  // The CLI: bgpfa paths --vnet, bgpfa lookup --vnet.
  const std::string s = " -s " + r.address;
  CHECK_THAT(run_bgpfa("paths 10.60.0.0/16 --vnet spoke2" + s).out, Catch::StartsWith("10.60.0.0/16"));
  CHECK_THAT(run_bgpfa("paths 10.60.0.0/16 --vnet spoke2" + s).out, Catch::Contains(" none"));
  CHECK_THAT(run_bgpfa("paths 10.60.0.0/16 --vnet spoke1" + s).out, Catch::Contains("er-ecmp"));
  const auto lj = run_bgpfa("lookup 10.60.1.1 --vnet spoke2 --json" + s);
  REQUIRE(lj.status == 0);
  v1::Path parsed;
  REQUIRE(google::protobuf::util::JsonStringToMessage(lj.out.substr(0, lj.out.find('\n')), &parsed).ok());
  CHECK(parsed.kind() == v1::PATH_KIND_NONE);
  CHECK(run_bgpfa("paths --vnet nope" + s).status == 1);
}

TEST_CASE("replay --serve serves while the replay runs: a watch sees the changes as they are replayed", "[grpc]") {
  const std::string src = BGPFA_SOURCE_DIR;
  TempFile err, out;
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  // 90 s of capture at 20x: about 4.5 s, long enough to connect while it runs.
  Serve process({"-c", src + "/fixtures/failover/bgpfa.conf", "-o", out.path(), "--speed", "20", "--serve", address,
                 src + "/fixtures/failover/capture.mrt"},
                err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + address + " while the replay runs"); }));
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->Watch(&ctx, v1::WatchRequest{});
  std::optional<std::uint64_t> snapshot_end;
  std::vector<v1::Event> seen;
  std::size_t before_end = 0;  // changes that arrived while the replay was still running
  v1::WatchResponse m;
  while ((seen.empty() || seen.back().sequence() < 19) && reader->Read(&m)) {
    if (m.has_snapshot_end()) snapshot_end = m.snapshot_end();
    if (!m.has_events()) continue;
    // Read as each batch arrives: the process has not logged the end, nor written its report.
    const bool running = !contains(err.path(), "replay done") && slurp(out.path()).empty();
    for (const auto& e : m.events().events()) {
      seen.push_back(e);
      before_end += running;
    }
  }
  ctx.TryCancel();
  (void)reader->Finish();
  REQUIRE(snapshot_end);
  CHECK(*snapshot_end < 19);  // connected before the replay had made every change
  CHECK(before_end > 0);
  REQUIRE(seen.size() == 19 - *snapshot_end);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].sequence() == *snapshot_end + 1 + i);  // in order, none lost
  REQUIRE(eventually([&] { return contains(err.path(), "replay done (16 records)"); }));
  // What was watched live is the log the finished replay keeps.
  v1::ListEventsRequest q;
  q.set_since_sequence(*snapshot_end);
  const auto logged = events(*stub, q);
  REQUIRE(logged.size() == seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(logged[i].prefix() == seen[i].prefix());
    CHECK(logged[i].current().kind() == seen[i].current().kind());
    CHECK(logged[i].time().seconds() == seen[i].time().seconds());
  }
  CHECK_THAT(slurp(out.path()), Catch::Contains("episode"));
  process.signal(SIGTERM);  // serving until then, as after any replay
  CHECK(process.wait() == 0);
}

TEST_CASE("replay --serve: a signal during the replay stops it without a report", "[grpc]") {
  const std::string src = BGPFA_SOURCE_DIR;
  TempFile err, out;
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  Serve process({"-c", src + "/fixtures/failover/bgpfa.conf", "-o", out.path(), "--speed", "1", "--serve", address,
                 src + "/fixtures/failover/capture.mrt"},
                err.path(), "replay");
  REQUIRE(eventually([&] { return contains(err.path(), "while the replay runs"); }));
  auto stub = v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::Summary s;
  grpc::ClientContext ctx;
  REQUIRE(stub->GetSummary(&ctx, v1::GetSummaryRequest{}, &s).ok());  // answering mid-replay
  CHECK(s.events() < 19);
  process.signal(SIGTERM);
  CHECK(process.wait() == 128 + SIGTERM);
  CHECK(contains(err.path(), "signal 15 during the replay: stopped after"));
  CHECK(slurp(out.path()).empty());
}
