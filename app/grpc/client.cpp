#include "app/grpc/client.hpp"

#include <chrono>
#include <cstdio>
#include <map>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>

#include "bgpfa.grpc.pb.h"

namespace bgpfa::app {

namespace {

std::unique_ptr<v1::Analyzer::Stub> stub(const std::string& server) {
  return v1::Analyzer::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
}

int failed(const ClientOptions& o, const grpc::Status& s) {
  // bgpfa's own errors carry details; an UNAVAILABLE without them comes from the channel: no server.
  const bool from_server = !s.error_details().empty();
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE && !from_server)
    fmt::print(stderr, "bgpfa: error: {}: not reachable (is bgpfa serve running with gRPC?): {}\n", o.server,
               s.error_message());
  else if (s.error_code() == grpc::StatusCode::UNAVAILABLE)
    fmt::print(stderr, "bgpfa: error: {}: the server is up but unavailable: {}\n", o.server, s.error_message());
  else
    fmt::print(stderr, "bgpfa: error: {}: {}\n", o.server, s.error_message());
  return s.error_code() == grpc::StatusCode::NOT_FOUND || s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 1 : 2;
}

std::string path_text(const v1::ActivePath& p) {
  std::string s = p.text();
  if (!p.circuit().empty()) s += fmt::format(" [{}]", p.circuit());
  if (!p.covering_prefix().empty()) s += fmt::format(" via {}", p.covering_prefix());
  return s;
}

std::string best_text(const char* gw, const v1::GatewayBest& b) {
  return fmt::format("{} {} {} via {} ({}, {} candidate{})", gw, b.role(), b.as_path().empty() ? "-" : b.as_path(),
                     b.next_hop(), b.reason(), b.candidates(), b.candidates() == 1 ? "" : "s");
}

void print_path(const v1::PrefixPath& p) {
  fmt::print("{:<24} {}\n", p.prefix(), path_text(p.active()));
  if (p.has_expressroute()) fmt::print("{:<24}   {}\n", "", best_text("ER ", p.expressroute()));
  if (p.has_vpn()) fmt::print("{:<24}   {}\n", "", best_text("VPN", p.vpn()));
}

// One unary call with a deadline; 0, or the exit status after printing the error.
template <class Request, class Response>
int call(const ClientOptions& o,
         grpc::Status (v1::Analyzer::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         const Request& request, Response& response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  const auto s = ((*stub(o.server)).*method)(&ctx, request, &response);
  return s.ok() ? 0 : failed(o, s);
}

}  // namespace

int run_peers(const ClientOptions& o) {
  v1::ListPeersResponse r;
  if (int rc = call(o, &v1::Analyzer::Stub::ListPeers, v1::ListPeersRequest{}, r)) return rc;
  fmt::print("{:<28} {:<16} {:>10} {:<12} {:>9} {:>7} {:>9}\n", "peer", "role", "asn", "state", "routes", "stale", "updates");
  for (const auto& p : r.peers())
    fmt::print("{:<28} {:<16} {:>10} {:<12} {:>9} {:>7} {:>9}\n", p.address(), p.role(), p.asn(), p.state(), p.routes(),
               p.stale_routes(), p.updates());
  return 0;
}

int run_paths(const ClientOptions& o) {
  v1::GetPathsRequest q;
  q.set_query(o.query);
  v1::GetPathsResponse r;
  if (int rc = call(o, &v1::Analyzer::Stub::GetPaths, q, r)) return rc;
  for (const auto& p : r.paths()) print_path(p);
  return 0;
}

int run_report(const ClientOptions& o) {
  v1::GetReportRequest q;
  q.set_format(o.format);
  v1::GetReportResponse r;
  if (int rc = call(o, &v1::Analyzer::Stub::GetReport, q, r)) return rc;
  std::fwrite(r.body().data(), 1, r.body().size(), stdout);
  return 0;
}

int run_what_if(const ClientOptions& o) {
  v1::WhatIfRequest q;
  for (const auto& f : o.fail) q.add_fail(f);
  v1::WhatIfResponse r;
  if (int rc = call(o, &v1::Analyzer::Stub::WhatIf, q, r)) return rc;
  std::string failed;
  for (const auto& f : r.failed()) failed += (failed.empty() ? "" : " and ") + f;
  fmt::print("if {} failed: {} prefixes would change their path\n", failed, r.changes_size());
  std::map<std::string, std::uint64_t> transitions(r.transitions().begin(), r.transitions().end());
  for (const auto& [k, n] : transitions) fmt::print("  {} x{}\n", k, n);
  for (const auto& c : r.changes()) fmt::print("{:<24} {} -> {}\n", c.prefix(), path_text(c.from()), path_text(c.to()));
  return 0;
}

int run_watch(const ClientOptions& o) {
  grpc::ClientContext ctx;
  v1::WatchRequest q;
  q.set_within(o.query);
  auto reader = stub(o.server)->Watch(&ctx, q);
  v1::WatchResponse m;
  std::uint64_t seen = 0;
  while (reader->Read(&m)) {
    switch (m.item_case()) {
      case v1::WatchResponse::kPath:
        if (o.snapshot) print_path(m.path());
        break;
      case v1::WatchResponse::kSnapshotEnd:
        fmt::print("-- snapshot at change #{}; changes follow\n", m.snapshot_end());
        break;
      case v1::WatchResponse::kFellBehind:
        fmt::print("-- fell behind: changes up to #{} were dropped\n", m.fell_behind());
        break;
      case v1::WatchResponse::kEvent: {
        const auto& e = m.event();
        fmt::print("#{} {} {:<20} {} -> {}  ({})\n", e.sequence(), e.time(), e.prefix(), path_text(e.from()),
                   path_text(e.to()), e.cause());
        break;
      }
      case v1::WatchResponse::ITEM_NOT_SET: break;
    }
    std::fflush(stdout);
    if (m.item_case() == v1::WatchResponse::kEvent && o.count && ++seen >= o.count) {
      ctx.TryCancel();
      break;
    }
  }
  auto s = reader->Finish();
  if (!s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) return failed(o, s);
  return 0;
}

}  // namespace bgpfa::app
