// The gRPC server in-process, on the analyzer of the bundled failover capture, with its limits
// made small: timeouts of a blocked owner thread, watchers that stop reading, busy ports.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <grpcpp/create_channel.h>

#include "app/cli/replay.hpp"
#include "app/cli/rib_snapshot.hpp"
#include "app/grpc/server.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgpfa.grpc.pb.h"
#include "tests/app/serve_process.hpp"
#include "tests/temp_file.hpp"

using namespace bgpfa;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// The bundled failover capture replayed in-process; then `f` with its analyzer.
void with_failover(const std::function<void(analyzer::Analyzer&)>& f) {
  const std::string src = BGPFA_SOURCE_DIR;
  test::TempFile out;
  app::ReplayOptions o;
  o.config = src + "/fixtures/failover/bgpfa.conf";
  o.dumps = {src + "/fixtures/failover/capture.mrt"};
  o.output = out.path();
  o.quiet = true;
  o.then = [&](analyzer::Analyzer& a) {
    f(a);
    return 0;
  };
  REQUIRE(app::run_replay(o) == 0);
}

std::string replayed(const std::string&) { return "replayed"; }

std::unique_ptr<v1::Analyzer::Stub> stub_for(const std::string& address) {
  return v1::Analyzer::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

// Every message of a server stream, and its status.
template <class Item, class Request>
std::pair<std::vector<Item>, grpc::Status> read_all(
    v1::Analyzer::Stub& stub, std::unique_ptr<grpc::ClientReader<Item>> (v1::Analyzer::Stub::*method)(grpc::ClientContext*, const Request&),
    const Request& q) {
  grpc::ClientContext ctx;
  auto reader = (stub.*method)(&ctx, q);
  std::vector<Item> out;
  Item m;
  while (reader->Read(&m)) out.push_back(m);
  return {std::move(out), reader->Finish()};
}

// ListPaths with a prefix filter (empty: all), its batches flattened.
std::pair<std::vector<v1::Path>, grpc::Status> list_paths(v1::Analyzer::Stub& stub, const std::string& prefix,
                                                          bool longer = false, std::uint32_t batch_size = 0) {
  v1::ListPathsRequest q;
  q.mutable_filter()->set_prefix(prefix);
  q.mutable_filter()->set_longer(longer);
  q.set_batch_size(batch_size);
  auto [batches, status] = read_all(stub, &v1::Analyzer::Stub::ListPaths, q);
  std::vector<v1::Path> paths;
  for (const auto& b : batches) paths.insert(paths.end(), b.paths().begin(), b.paths().end());
  return {std::move(paths), status};
}

// The io thread, running until the guard goes.
struct IoThread {
  explicit IoThread(asio::io_context& io) : io(io), guard(io.get_executor()), thread([&io] { io.run(); }) {}
  ~IoThread() {
    guard.reset();
    io.stop();
    thread.join();
  }
  asio::io_context& io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::thread thread;
};

}  // namespace

TEST_CASE("gRPC: a call that times out leaves no work behind that touches its frame", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;  // not running yet: the owner thread is busy elsewhere
    app::GrpcLimits limits;
    limits.core_timeout = 100ms;
    app::GrpcServer server(io, a, replayed, limits);
    const auto address = server.start("127.0.0.1:0");
    auto stub = stub_for(address);
    // Calls of every kind whose work needs their request's data, at once.
    std::atomic<int> unavailable{0};
    std::vector<std::thread> calls;
    for (int i = 0; i < 3; ++i) {
      calls.emplace_back([&] {
        v1::WhatIfRequest q;
        q.add_fail("192.0.2.3");
        q.add_fail("er1 secondary");
        if (read_all(*stub, &v1::Analyzer::Stub::WhatIf, q).second.error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
      calls.emplace_back([&] {
        if (list_paths(*stub, "10.1.5.0/24").second.error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
      calls.emplace_back([&] {
        v1::GetReportRequest q;
        q.set_format("json");
        if (read_all(*stub, &v1::Analyzer::Stub::GetReport, q).second.error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
      calls.emplace_back([&] {
        grpc::ClientContext ctx;
        v1::WatchRequest q;
        q.set_within("10.0.0.0/8");
        auto reader = stub->Watch(&ctx, q);
        v1::WatchResponse m;
        while (reader->Read(&m)) {
        }
        if (reader->Finish().error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
    }
    for (auto& t : calls) t.join();
    CHECK(unavailable == 12);
    // The owner thread gets to the queued work only now, long after those calls returned.
    io.poll();
    io.restart();
    IoThread running(io);
    grpc::ClientContext ctx;
    v1::LookupRequest q;
    q.set_address("10.1.5.1");
    v1::Path r;
    REQUIRE(stub->Lookup(&ctx, q, &r).ok());
    CHECK(r.prefix() == "10.1.5.0/24");
    server.shutdown();
  });
}

TEST_CASE("gRPC Watch: the snapshot equals ListPaths row by row (10.4.0.0/16 has no VPN route)", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;
    app::GrpcServer server(io, a, replayed);
    const auto address = server.start("127.0.0.1:0");
    IoThread running(io);
    auto stub = stub_for(address);
    const auto [all, status] = list_paths(*stub, "");
    REQUIRE(status.ok());
    for (std::uint32_t batch_size : {0u, 1u, 2u}) {  // batches of every size carry the same rows
      grpc::ClientContext watch_ctx;
      v1::WatchRequest q;
      q.set_batch_size(batch_size);
      auto reader = stub->Watch(&watch_ctx, q);
      std::vector<v1::Path> snapshot;
      v1::WatchResponse m;
      while (reader->Read(&m) && m.item_case() == v1::WatchResponse::kSnapshot) {
        CHECK((batch_size == 0 || m.snapshot().paths_size() <= static_cast<int>(batch_size)));
        snapshot.insert(snapshot.end(), m.snapshot().paths().begin(), m.snapshot().paths().end());
      }
      CHECK(m.item_case() == v1::WatchResponse::kSnapshotEnd);
      watch_ctx.TryCancel();
      (void)reader->Finish();
      REQUIRE(snapshot.size() == all.size());
      for (std::size_t i = 0; i < all.size(); ++i) {
        INFO(all[i].prefix());
        CHECK(snapshot[i].DebugString() == all[i].DebugString());
      }
    }
    bool without_vpn = false;
    for (const auto& p : all) without_vpn |= !p.has_vpn();
    CHECK(without_vpn);
    server.shutdown();
  });
}

TEST_CASE("gRPC: a second server on a busy port is refused", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;
    app::GrpcServer first(io, a, replayed);
    const auto address = first.start("127.0.0.1:0");
    app::GrpcServer second(io, a, replayed);
    try {
      (void)second.start(address);
      FAIL("the second server listened on " << address);
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("cannot listen on \"" + address + "\": the address is already in use"));
    }
    first.shutdown();
  });
}

namespace {

// `n` /24s from 10.0.0.0 on, announced by peer 0 (one attribute set).
void add_prefixes(analyzer::Analyzer& a, std::size_t first, std::size_t n) {
  std::vector<std::uint8_t> bytes;
  const std::uint8_t origin = 0;
  wire::encode_attribute(bytes, 1, wire::Bytes(&origin, 1));
  const std::vector<std::uint8_t> path{2, 2, 0, 0, 0x2f, 0x2c, 0, 0, 0xfd, 0xec};  // 12076 65004
  wire::encode_attribute(bytes, 2, path);
  const std::uint8_t nh[4] = {192, 0, 2, 1};
  wire::encode_attribute(bytes, 3, wire::Bytes(nh, 4));
  wire::PathAttributes decoded;
  REQUIRE_FALSE(wire::decode_path_attributes(bytes, wire::DecodeContext{}, true, decoded));
  const auto attrs = a.intern(decoded, true);
  for (std::size_t i = first; i < first + n; ++i) {
    wire::Prefix p;
    p.address = wire::IpAddress::v4(0x0a000000 + static_cast<std::uint32_t>(i << 8));
    p.length = 24;
    a.announce(1'000'000 + i, 0, p, 0, attrs, "UPDATE from 192.0.2.1 (er1 primary)");
  }
}

// An analyzer holding `n` /24s from one ExpressRoute peer (the table a frozen watcher would pin).
std::unique_ptr<analyzer::Analyzer> big_table(std::size_t n) {
  analyzer::Policy policy;
  policy.circuits = {"er1"};
  policy.weights = {0};
  analyzer::PeerRole er;
  er.address = wire::IpAddress::v4(0xc0000201);
  er.asn = 12076;
  er.circuit = 0;
  auto a = std::make_unique<analyzer::Analyzer>(policy, std::vector<analyzer::PeerRole>{er});
  add_prefixes(*a, 0, n);
  return a;
}

// A channel of its own (its own connection), with the plain 64 KB flow-control window (no
// BDP probing growing it), so that a client that reads nothing blocks the server's writes soon.
std::unique_ptr<v1::Analyzer::Stub> own_stub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  return v1::Analyzer::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

// A Watch whose client reads nothing.
struct Frozen {
  explicit Frozen(const std::string& address) : stub(own_stub(address)) {
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);  // a failing test ends
    reader = stub->Watch(&ctx, {});
  }
  std::unique_ptr<v1::Analyzer::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader;
};

std::size_t read_snapshot(const std::string& address) {
  auto stub = own_stub(address);
  grpc::ClientContext ctx;
  auto reader = stub->Watch(&ctx, {});
  std::size_t rows = 0;
  v1::WatchResponse m;
  while (reader->Read(&m) && m.item_case() == v1::WatchResponse::kSnapshot) rows += static_cast<std::size_t>(m.snapshot().paths_size());
  ctx.TryCancel();
  (void)reader->Finish();
  return rows;
}

bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 500 && !f(); ++i) std::this_thread::sleep_for(10ms);
  return f();
}

std::size_t rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

}  // namespace

TEST_CASE("gRPC Watch: watchers are limited in number, and one that reads nothing is cut after a while", "[grpc]") {
  constexpr std::size_t kPrefixes = 200'000;
  auto a = big_table(kPrefixes);
  asio::io_context io;
  app::GrpcLimits limits;
  limits.max_watchers = 4;
  limits.stalled_after = 1s;
  app::GrpcServer server(io, *a, replayed, limits);
  const auto address = server.start("127.0.0.1:0");
  IoThread running(io);
  REQUIRE(read_snapshot(address) == kPrefixes);
  REQUIRE(eventually([&] { return server.watchers() == 0; }));
  std::vector<std::unique_ptr<Frozen>> frozen;
  for (int i = 0; i < 4; ++i) frozen.push_back(std::make_unique<Frozen>(address));
  REQUIRE(eventually([&] { return server.watchers() == 4; }));
  // A fifth is refused while they last, and is told why.
  {
    auto stub = own_stub(address);
    grpc::ClientContext ctx;
    auto reader = stub->Watch(&ctx, {});
    v1::WatchResponse m;
    CHECK_FALSE(reader->Read(&m));
    const auto s = reader->Finish();
    CHECK(s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK_THAT(s.error_message(), Catch::Contains("4 watchers already"));
  }
  // A second on, the frozen ones are cut (the server stops writing to them) and their places are
  // free again; they read what reached them, then the end of the stream.
  REQUIRE(eventually([&] { return server.watchers() == 0; }));
  CHECK(server.watch_stalled() == 4);  // counted as dropped (bgpfa_watch_drops_total)
  CHECK(server.watch_fell_behind() == 0);
  for (auto& f : frozen) {
    std::size_t rows = 0;
    v1::WatchResponse m;
    while (f->reader->Read(&m)) ++rows;
    CHECK(rows < kPrefixes);
    CHECK(f->reader->Finish().error_code() == grpc::StatusCode::CANCELLED);
  }
  CHECK(read_snapshot(address) == kPrefixes);
  server.shutdown();
}

TEST_CASE("gRPC Watch: watchers that read nothing keep the server's memory bounded", "[grpc]") {
  // replay --serve of a 200k-prefix table; its RSS with 8 frozen full-table watchers.
  constexpr std::size_t kPrefixes = 200'000;
  test::TempFile dump, conf, err;
  {
    auto a = big_table(kPrefixes);
    REQUIRE(app::write_rib_snapshot(*a, dump.path(), 1'700'000'000, 1).empty());
  }
  const std::string text = "router bgp 65515\n neighbor 192.0.2.1 remote-as 12076\n"
                           " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n";
  conf.write({text.begin(), text.end()});
  const std::string address = "127.0.0.1:" + std::to_string(test::free_port());
  test::Serve replay({"-c", conf.path(), "-o", "/dev/null", "--serve", address, dump.path()}, err.path(), "replay");
  REQUIRE(test::eventually([&] { return test::contains(err.path(), "results are served over gRPC on " + address); }));
  REQUIRE(read_snapshot(address) == kPrefixes);  // the whole table through once (warms the allocator)
  const std::size_t before = rss_kb(replay.pid());
  std::vector<std::unique_ptr<Frozen>> frozen;
  for (int i = 0; i < 8; ++i) frozen.push_back(std::make_unique<Frozen>(address));
  std::this_thread::sleep_for(1500ms);  // long enough for a server that copies every snapshot at once
  const std::size_t during = rss_kb(replay.pid());
  // A snapshot held whole is some 300 bytes a row here (60 MB per watcher); a slice of rows and a
  // flow-control window are well under 1 MB.
  INFO("server RSS before " << before << " kB, with 8 frozen watchers " << during << " kB");
#ifdef __SANITIZE_ADDRESS__
  constexpr std::size_t kLimitKb = 96 * 1024;  // ASan's redzones and quarantine (CI saw +27 MB); copies would be +480 MB
#else
  constexpr std::size_t kLimitKb = 24 * 1024;
#endif
  CHECK(during < before + kLimitKb);
  replay.signal(SIGTERM);
  CHECK(replay.wait() == 0);
}

TEST_CASE("gRPC client: the server's own UNAVAILABLE is not 'not reachable'", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;  // never run: the analyzer does not answer
    app::GrpcLimits limits;
    limits.core_timeout = 100ms;
    app::GrpcServer server(io, a, replayed, limits);
    const auto address = server.start("127.0.0.1:0");
    const auto busy = test::run_bgpfa("paths -s " + address + " 10.1.5.1");
    CHECK(busy.status == 2);
    CHECK_THAT(busy.err, Catch::Contains(address + ": the server is up but unavailable: the analyzer is not answering"));
    CHECK_THAT(busy.err, !Catch::Contains("not reachable"));
    server.shutdown();
    const auto gone = test::run_bgpfa("paths -s " + address + " 10.1.5.1");
    CHECK(gone.status == 2);
    CHECK_THAT(gone.err, Catch::Contains(address + ": not reachable (is bgpfa serve running with gRPC?)"));
  });
}

TEST_CASE("gRPC: bad input is refused, quoting at most 100 bytes of it; NUL bytes are no end of input", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;
    app::GrpcServer server(io, a, replayed);
    const auto address = server.start("127.0.0.1:0");
    IoThread running(io);
    auto stub = stub_for(address);
    const std::string huge(1 << 20, '1');
    const auto paths = [&](const std::string& q) { return list_paths(*stub, q).second; };
    const auto lookup = [&](const std::string& q) {
      grpc::ClientContext ctx;
      v1::LookupRequest r;
      r.set_address(q);
      v1::Path out;
      return stub->Lookup(&ctx, r, &out);
    };
    for (const auto& s : {paths(huge + "/8"), paths(huge), paths(std::string("10.0.0.0\0garbage/8", 18)), lookup(huge),
                          lookup(std::string("10.1.5.1\0x", 10))}) {
      CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(s.error_message().size() < 200);
    }
    CHECK_THAT(paths(huge).error_message(), Catch::Contains("(first 100 of 1048576 bytes)"));
    CHECK_THAT(paths(std::string("10.0.0.0\0garbage/8", 18)).error_message(),
               Catch::Contains("\"10.0.0.0\\x00garbage/8\" is not a prefix"));
    {
      v1::WhatIfRequest r;
      r.add_fail(huge);
      const auto s = read_all(*stub, &v1::Analyzer::Stub::WhatIf, r).second;
      CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(s.error_message().size() < 200);
    }
    {
      grpc::ClientContext ctx;
      v1::WatchRequest r;
      r.set_within(huge);
      auto reader = stub->Watch(&ctx, r);
      v1::WatchResponse m;
      while (reader->Read(&m)) {
      }
      const auto s = reader->Finish();
      CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(s.error_message().size() < 200);
    }
    {
      v1::GetReportRequest r;
      r.set_format(huge);
      const auto s = read_all(*stub, &v1::Analyzer::Stub::GetReport, r).second;
      CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(s.error_message().size() < 200);
    }
    server.shutdown();
  });
}

TEST_CASE("gRPC ListPaths: a prefix without a route of its own gets the route that carries it", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;
    app::GrpcServer server(io, a, replayed);
    const auto address = server.start("127.0.0.1:0");
    IoThread running(io);
    auto stub = stub_for(address);
    const auto get = [&](const std::string& q) {
      const auto [paths, status] = list_paths(*stub, q);
      REQUIRE(status.ok());
      REQUIRE(paths.size() == 1);
      return paths[0];
    };
    const auto cover = get("10.1.0.0/16");
    REQUIRE(cover.kind() != v1::PATH_KIND_NONE);
    const auto inside = get("10.1.7.0/24");  // no route of its own; 10.1.0.0/16 carries it
    CHECK(inside.prefix() == "10.1.7.0/24");
    CHECK(inside.kind() == cover.kind());
    CHECK(inside.via_covering());
    CHECK(inside.covering_prefix() == "10.1.0.0/16");
    CHECK_THAT(inside.text(), Catch::EndsWith("via less specific"));
    CHECK(inside.expressroute().DebugString() == cover.expressroute().DebugString());
    CHECK(list_paths(*stub, "192.168.0.0/16").second.error_code() == grpc::StatusCode::NOT_FOUND);  // nothing covers it
    const auto cli = test::run_bgpfa("paths -s " + address + " 10.1.7.0/24");
    CHECK(cli.status == 0);
    CHECK_THAT(cli.out, Catch::StartsWith("10.1.7.0/24"));
    CHECK_THAT(cli.out, Catch::Contains("via 10.1.0.0/16"));
    server.shutdown();
  });
}

TEST_CASE("gRPC Watch: a watcher that falls behind is told where, and resumes with nothing lost", "[grpc]") {
  auto a = big_table(10);
  asio::io_context io;
  app::GrpcLimits limits;
  limits.watch_buffer = 8;  // changes the ring holds for all watchers
  app::GrpcServer server(io, *a, replayed, limits);
  const auto address = server.start("127.0.0.1:0");
  IoThread running(io);
  auto stub = stub_for(address);
  // Changes made on the io thread, as a live session would, then handed to the watchers.
  const auto change = [&](std::size_t first, std::size_t n) {
    std::promise<void> done;
    asio::post(io, [&] {
      add_prefixes(*a, first, n);
      server.publish();
      done.set_value();
    });
    done.get_future().wait();
  };
  grpc::ClientContext ctx;
  auto reader = stub->Watch(&ctx, {});
  v1::WatchResponse m;
  std::size_t rows = 0;
  while (reader->Read(&m) && m.has_snapshot()) rows += static_cast<std::size_t>(m.snapshot().paths_size());
  CHECK(rows == 10);
  REQUIRE(m.snapshot_end() == 10);
  change(10, 100);  // 100 changes at once, more than the ring holds
  REQUIRE(reader->Read(&m));
  REQUIRE(m.has_fell_behind());
  CHECK(m.fell_behind().last_sent() == 10);
  CHECK_FALSE(reader->Read(&m));  // the stream ends there
  CHECK(reader->Finish().ok());
  CHECK(server.watch_fell_behind() == 1);
  CHECK(server.watch_stalled() == 0);

  // Resumed from there: the 100 from the change log, then live ones from the ring, in order.
  grpc::ClientContext resumed_ctx;
  v1::WatchRequest q;
  q.set_since_sequence(10);
  auto resumed = stub->Watch(&resumed_ctx, q);
  std::vector<std::uint64_t> sequences;
  while (sequences.size() < 100 && resumed->Read(&m)) {
    REQUIRE(m.has_events());
    for (const auto& e : m.events().events()) sequences.push_back(e.sequence());
  }
  change(110, 5);
  while (sequences.size() < 105 && resumed->Read(&m)) {
    REQUIRE(m.has_events());
    for (const auto& e : m.events().events()) sequences.push_back(e.sequence());
  }
  REQUIRE(sequences.size() == 105);
  for (std::size_t i = 0; i < sequences.size(); ++i) CHECK(sequences[i] == 11 + i);
  resumed_ctx.TryCancel();
  (void)resumed->Finish();
  server.shutdown();
}

TEST_CASE("bgpfa watch resumes by itself after falling behind, losing nothing", "[grpc]") {
  auto a = big_table(10);
  asio::io_context io;
  app::GrpcLimits limits;
  limits.watch_buffer = 8;
  app::GrpcServer server(io, *a, replayed, limits);
  const auto address = server.start("127.0.0.1:0");
  IoThread running(io);
  test::TempFile out;
  const std::string cmd = std::string(BGPFA_BINARY) + " watch --no-snapshot -n 100 -s " + address + " >" + out.path() + " 2>&1";
  std::thread watcher([&] { CHECK(std::system(cmd.c_str()) == 0); });
  REQUIRE(test::eventually([&] { return test::contains(out.path(), "-- snapshot at change #10"); }));
  std::promise<void> done;
  asio::post(io, [&] {
    add_prefixes(*a, 10, 100);  // more at once than the ring holds
    server.publish();
    done.set_value();
  });
  done.get_future().wait();
  watcher.join();
  const auto text = test::slurp(out.path());
  CHECK_THAT(text, Catch::Contains("-- fell behind after change #10: resuming from there\n"));
  std::istringstream lines(text);
  std::vector<std::uint64_t> sequences;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind('#', 0) == 0) sequences.push_back(std::stoull(line.substr(1)));
  REQUIRE(sequences.size() == 100);
  for (std::size_t i = 0; i < sequences.size(); ++i) CHECK(sequences[i] == 11 + i);
  server.shutdown();
}

TEST_CASE("bgpfa watch says so when the server cut it for reading nothing", "[grpc]") {
  auto a = big_table(200'000);
  asio::io_context io;
  app::GrpcLimits limits;
  limits.stalled_after = 1s;
  app::GrpcServer server(io, *a, replayed, limits);
  const auto address = server.start("127.0.0.1:0");
  IoThread running(io);
  // Its output goes to a pipe nobody reads for now: it blocks printing, so it stops reading.
  int out[2];
  REQUIRE(::pipe(out) == 0);
  test::TempFile err;
  std::vector<std::string> args{BGPFA_BINARY, "watch", "-s", address};
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addopen(&fa, 2, err.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, BGPFA_BINARY, &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  REQUIRE(eventually([&] { return server.watchers() == 1; }));
  REQUIRE(eventually([&] { return server.watchers() == 0; }));  // cut
  char buf[65536];
  while (::read(out[0], buf, sizeof buf) > 0) {  // now let it print what it had, and finish
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(test::slurp(err.path()), Catch::Contains("the server ended the stream"));
  server.shutdown();
}
