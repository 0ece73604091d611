// The gRPC server in-process, on the analyzer of the bundled failover capture, with its limits
// made small: timeouts of a blocked owner thread, watchers that stop reading, busy ports.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <grpcpp/create_channel.h>

#include "app/cli/replay.hpp"
#include "app/grpc/server.hpp"
#include "bgpfa.grpc.pb.h"
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
        grpc::ClientContext ctx;
        v1::WhatIfRequest q;
        q.add_fail("192.0.2.3");
        q.add_fail(std::string(4096, 'x'));
        v1::WhatIfResponse r;
        if (stub->WhatIf(&ctx, q, &r).error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
      calls.emplace_back([&] {
        grpc::ClientContext ctx;
        v1::GetPathsRequest q;
        q.set_query("10.1.5.0/24");
        v1::GetPathsResponse r;
        if (stub->GetPaths(&ctx, q, &r).error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
      });
      calls.emplace_back([&] {
        grpc::ClientContext ctx;
        v1::GetReportRequest q;
        q.set_format("json");
        v1::GetReportResponse r;
        if (stub->GetReport(&ctx, q, &r).error_code() == grpc::StatusCode::UNAVAILABLE) ++unavailable;
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
    v1::GetPathsRequest q;
    q.set_query("10.1.5.1");
    v1::GetPathsResponse r;
    REQUIRE(stub->GetPaths(&ctx, q, &r).ok());
    REQUIRE(r.paths_size() == 1);
    CHECK(r.paths(0).prefix() == "10.1.5.0/24");
    server.shutdown();
  });
}

TEST_CASE("gRPC Watch: the snapshot equals GetPaths row by row (10.4.0.0/16 has no VPN route)", "[grpc]") {
  with_failover([](analyzer::Analyzer& a) {
    asio::io_context io;
    app::GrpcServer server(io, a, replayed);
    const auto address = server.start("127.0.0.1:0");
    IoThread running(io);
    auto stub = stub_for(address);
    grpc::ClientContext paths_ctx;
    v1::GetPathsResponse all;
    REQUIRE(stub->GetPaths(&paths_ctx, {}, &all).ok());
    grpc::ClientContext watch_ctx;
    auto reader = stub->Watch(&watch_ctx, {});
    std::vector<v1::PrefixPath> snapshot;
    v1::WatchResponse m;
    while (reader->Read(&m) && m.item_case() == v1::WatchResponse::kPath) snapshot.push_back(m.path());
    CHECK(m.item_case() == v1::WatchResponse::kSnapshotEnd);
    watch_ctx.TryCancel();
    (void)reader->Finish();
    REQUIRE(static_cast<int>(snapshot.size()) == all.paths_size());
    bool without_vpn = false;
    for (int i = 0; i < all.paths_size(); ++i) {
      INFO(all.paths(i).prefix());
      CHECK(snapshot[static_cast<std::size_t>(i)].DebugString() == all.paths(i).DebugString());
      without_vpn |= !all.paths(i).has_vpn();
    }
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
