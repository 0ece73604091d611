// What grpcurl and grpcui rely on: a running `bgpfa serve` answers the standard health check and
// lists its services through server reflection. Also the typed API from a C++ client.
#include <catch2/catch.hpp>

#include <grpcpp/create_channel.h>

#include "bgpfa.grpc.pb.h"
#include "health.grpc.pb.h"
#include "reflection.grpc.pb.h"
#include "tests/app/serve_process.hpp"

using namespace bgpfa::test;

TEST_CASE("gRPC health check and server reflection", "[serve][grpc]") {
  TempFile conf, err;
  const std::string text =
      "router bgp 65515\n neighbor 127.0.0.2 remote-as 65001\n neighbor 127.0.0.2 passive\n"
      " neighbor 127.0.0.2 gateway vpn instance 0\n";
  conf.write({text.begin(), text.end()});
  const std::string server = "127.0.0.1:" + std::to_string(free_port());
  Serve serve({"-c", conf.path(), "--listen", "127.0.0.1", "--port", std::to_string(free_port()), "--grpc", server},
              err.path());
  REQUIRE(eventually([&] { return contains(err.path(), "gRPC on " + server); }));
  auto channel = grpc::CreateChannel(server, grpc::InsecureChannelCredentials());

  grpc::ClientContext health_ctx;
  grpc::health::v1::HealthCheckResponse health;
  REQUIRE(grpc::health::v1::Health::NewStub(channel)->Check(&health_ctx, {}, &health).ok());
  CHECK(health.status() == grpc::health::v1::HealthCheckResponse::SERVING);

  grpc::ClientContext reflection_ctx;
  auto stream = grpc::reflection::v1alpha::ServerReflection::NewStub(channel)->ServerReflectionInfo(&reflection_ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  REQUIRE(stream->Write(list));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse listed;
  REQUIRE(stream->Read(&listed));
  std::vector<std::string> names;
  for (const auto& s : listed.list_services_response().service()) names.push_back(s.name());
  CHECK(std::find(names.begin(), names.end(), "bgpfa.v1.Analyzer") != names.end());
  CHECK(std::find(names.begin(), names.end(), "grpc.health.v1.Health") != names.end());
  CHECK(stream->Finish().ok());

  grpc::ClientContext peers_ctx;
  auto stub = bgpfa::v1::Analyzer::NewStub(channel);
  auto reader = stub->ListPeers(&peers_ctx, {});
  std::vector<bgpfa::v1::Peer> peers;
  for (bgpfa::v1::Peer p; reader->Read(&p);) peers.push_back(p);
  REQUIRE(reader->Finish().ok());
  REQUIRE(peers.size() == 1);
  CHECK(peers[0].address() == "127.0.0.2");
  CHECK(peers[0].role() == "vpn 0");
  CHECK(peers[0].gateway() == bgpfa::v1::GATEWAY_VPN);
  CHECK(peers[0].vpn_instance() == 0);
  CHECK(peers[0].state() == bgpfa::v1::SESSION_STATE_ACTIVE);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}
