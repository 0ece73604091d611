#include "app/grpc/client.hpp"
#include "app/grpc/path_view.hpp"
#include "app/grpc/path_wire.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "app/render/report_format.hpp"
#include "bgpfa.grpc.pb.h"

namespace bgpfa::app {

namespace {

using Stub = v1::Analyzer::Stub;

std::shared_ptr<grpc::Channel> channel(const ClientOptions& o) {
  if (o.ca.empty()) return grpc::CreateChannel(o.server, grpc::InsecureChannelCredentials());
  std::ifstream f(o.ca, std::ios::binary);
  std::ostringstream pem;
  pem << f.rdbuf();
  if (!f) fmt::print(stderr, "bgpfa: error: --ca {}: {}\n", o.ca, std::strerror(errno));
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = pem.str();
  return grpc::CreateChannel(o.server, grpc::SslCredentials(tls));
}
std::unique_ptr<Stub> stub(const ClientOptions& o) { return v1::Analyzer::NewStub(channel(o)); }

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
  return s.error_code() == grpc::StatusCode::NOT_FOUND ? 1 : 2;
}

void print_json(const google::protobuf::Message& m) {
  std::string s;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &s, opts);
  fmt::print("{}\n", s);
}

std::uint64_t micros(const google::protobuf::Timestamp& t) {
  return static_cast<std::uint64_t>(t.seconds()) * 1'000'000 + static_cast<std::uint64_t>(t.nanos() / 1000);
}
std::string when(const google::protobuf::Timestamp& t) { return rfc3339(micros(t)); }
std::string seconds(const google::protobuf::Duration& d) {
  return fmt::format("{:.3f}s", static_cast<double>(d.seconds()) + d.nanos() / 1e9);
}

const char* kind_text(v1::PathKind k) {
  switch (k) {
    case v1::PATH_KIND_NONE: return "none";
    case v1::PATH_KIND_ER_PRIMARY: return "er-primary";
    case v1::PATH_KIND_ER_SECONDARY: return "er-secondary";
    case v1::PATH_KIND_ER_ECMP: return "er-ecmp";
    case v1::PATH_KIND_VPN: return "vpn";
    case v1::PATH_KIND_SYSTEM: return "system";
    default: return "?";
  }
}

const char* state_text(v1::SessionState s) {
  switch (s) {
    case v1::SESSION_STATE_IDLE: return "Idle";
    case v1::SESSION_STATE_CONNECT: return "Connect";
    case v1::SESSION_STATE_ACTIVE: return "Active";
    case v1::SESSION_STATE_OPEN_SENT: return "OpenSent";
    case v1::SESSION_STATE_OPEN_CONFIRM: return "OpenConfirm";
    case v1::SESSION_STATE_ESTABLISHED: return "Established";
    case v1::SESSION_STATE_REMOVED: return "removed";
    case v1::SESSION_STATE_REPLAYED: return "replayed";
    default: return "?";
  }
}

std::string path_text(const v1::Path& p) {
  std::string s = p.text();
  constexpr std::string_view kVia = " via less specific";  // named below when known
  if (!p.covering_prefix().empty() && s.size() > kVia.size() && s.ends_with(kVia)) s.resize(s.size() - kVia.size());
  const bool er = p.kind() == v1::PATH_KIND_ER_PRIMARY || p.kind() == v1::PATH_KIND_ER_SECONDARY || p.kind() == v1::PATH_KIND_ER_ECMP;
  if (er && p.carrying_size() > 0 && !p.carrying(0).circuit().empty()) s += fmt::format(" [{}]", p.carrying(0).circuit());
  if (!p.covering_prefix().empty()) s += fmt::format(" via {}", p.covering_prefix());
  return s;
}

std::string route_text(const v1::Route& r) {
  std::string path;
  for (const auto& seg : r.as_path()) {
    std::string asns;
    for (auto a : seg.asns()) asns += fmt::format("{}{}", asns.empty() ? "" : seg.type() == v1::AS_PATH_SEGMENT_TYPE_SET ? "," : " ", a);
    path += fmt::format("{}{}", path.empty() ? "" : " ", seg.type() == v1::AS_PATH_SEGMENT_TYPE_SET ? "{" + asns + "}" : asns);
  }
  std::string communities;
  for (const auto& c : r.communities()) communities += " " + c;
  const char* origin = r.origin() == v1::ORIGIN_IGP ? "igp" : r.origin() == v1::ORIGIN_EGP ? "egp" : "incomplete";
  return fmt::format("route {} ({}) {} {} next-hop {} local-pref {}{}{}{}{}", r.peer_address(), r.role(), path.empty() ? "-" : path,
                     origin, r.next_hop(), r.local_pref(), r.has_med() ? fmt::format(" med {}", r.med()) : "",
                     communities.empty() ? "" : " communities" + communities, r.path_id() ? fmt::format(" path-id {}", r.path_id()) : "",
                     r.stale() ? " stale" : "");
}

// Output goes through one buffer, written out per message received: a 1 M-path table is 3 M
// lines, and formatting each into its own string (or its own stdio call) costs more than
// receiving it.
class Out {
 public:
  void append(const char* p, std::size_t n) {
    if (n_ + n > buf_.size()) buf_.resize(std::max(buf_.size() * 2, n_ + n + 4096));
    std::memcpy(buf_.data() + n_, p, n);
    n_ += n;
  }
  void push_back(char c) { append(&c, 1); }
  void write_out() {
    std::fwrite(buf_.data(), 1, n_, stdout);
    n_ = 0;
  }

 private:
  std::vector<char> buf_;
  std::size_t n_ = 0;
};
void put(Out& b, std::string_view s) { b.append(s.data(), s.size()); }
void put_uint(Out& b, std::uint64_t v) {
  const fmt::format_int f(v);
  b.append(f.data(), f.size());
}
void pad(Out& b, std::size_t width, std::size_t used) {
  static constexpr std::string_view kSpaces = "                                ";
  if (used < width) put(b, kSpaces.substr(0, std::min(kSpaces.size(), width - used)));
}
void flush(Out& b) { b.write_out(); }

// path_text() and best_text() into the buffer, byte for byte.
// One formatting for both ways a Path arrives: read in place from the wire (listings) or parsed.
GatewayBestView view_of(const v1::GatewayBest& g) {
  return GatewayBestView{true, g.role(), g.as_path(), g.next_hop(), g.reason(), g.candidates()};
}
PathView view_of(const v1::Path& p) {
  PathView v;
  v.prefix = p.prefix();
  v.text = p.text();
  v.covering_prefix = p.covering_prefix();
  if (p.carrying_size() > 0) v.first_circuit = p.carrying(0).circuit();
  v.kind = static_cast<std::uint64_t>(p.kind());
  if (p.has_expressroute()) v.expressroute = view_of(p.expressroute());
  if (p.has_vpn()) v.vpn = view_of(p.vpn());
  v.has_candidates = p.candidates_size() > 0;
  return v;
}

void put_path_text(Out& b, const PathView& p) {
  std::string_view s = p.text;
  constexpr std::string_view kVia = " via less specific";  // named below when known
  if (!p.covering_prefix.empty() && s.size() > kVia.size() && s.ends_with(kVia)) s.remove_suffix(kVia.size());
  put(b, s);
  const bool er = p.kind == v1::PATH_KIND_ER_PRIMARY || p.kind == v1::PATH_KIND_ER_SECONDARY || p.kind == v1::PATH_KIND_ER_ECMP;
  if (er && !p.first_circuit.empty()) {
    put(b, " [");
    put(b, p.first_circuit);
    put(b, "]");
  }
  if (!p.covering_prefix.empty()) {
    put(b, " via ");
    put(b, p.covering_prefix);
  }
}
void put_best(Out& b, std::string_view gw, const GatewayBestView& g) {
  pad(b, 24, 0);
  put(b, "   ");
  put(b, gw);
  put(b, " ");
  put(b, g.role);
  put(b, " ");
  put(b, g.as_path.empty() ? std::string_view("-") : g.as_path);
  put(b, " via ");
  put(b, g.next_hop);
  put(b, " (");
  put(b, g.reason);
  put(b, ", ");
  put_uint(b, g.candidates);
  put(b, g.candidates == 1 ? " candidate)\n" : " candidates)\n");
}

// A path without its candidates (format_path prints those of a parsed Path after it).
void format_path_head(Out& b, const PathView& p) {
  put(b, p.prefix);
  pad(b, 24, p.prefix.size());
  put(b, " ");
  put_path_text(b, p);
  put(b, "\n");
  if (p.expressroute.present) put_best(b, "ER ", p.expressroute);
  if (p.vpn.present) put_best(b, "VPN", p.vpn);
}

void format_path(Out& b, const v1::Path& p) {
  format_path_head(b, view_of(p));
  for (const auto& r : p.candidates()) {
    pad(b, 24, 0);
    put(b, "     ");
    put(b, route_text(r));
    put(b, "\n");
  }
}

void print_path(const v1::Path& p) {
  Out b;
  format_path(b, p);
  flush(b);
}

// The proto's JSON mapping of a Path, as MessageToJsonString prints it (fields in number order,
// defaults left out, enums by name), written directly: the generic printer walks descriptors and
// costs ~10 us a path. Only for what it covers exactly; false (nothing written) otherwise, and the
// caller uses the generic printer: candidates, an enum value this build does not name, a string
// needing any JSON escape.
bool plain(std::string_view s) {
  static const auto table = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = std::string_view("\"\\<>&'=").find(static_cast<char>(c)) == std::string_view::npos;
    return t;
  }();
  for (const char c : s)
    if (!table[static_cast<unsigned char>(c)]) return false;
  return true;
}
// Enum value names by number, read once from the descriptor (each *_Name() call looks it up).
class EnumNames {
 public:
  explicit EnumNames(const google::protobuf::EnumDescriptor* d) {
    for (int i = 0; i < d->value_count(); ++i) {
      const int v = d->value(i)->number();
      if (v < 0 || v > 255) continue;
      if (static_cast<std::size_t>(v) >= names_.size()) names_.resize(static_cast<std::size_t>(v) + 1);
      names_[static_cast<std::size_t>(v)] = d->value(i)->name();
    }
  }
  [[nodiscard]] std::string_view operator()(int v) const {
    return v >= 0 && static_cast<std::size_t>(v) < names_.size() ? std::string_view(names_[static_cast<std::size_t>(v)]) : "";
  }

 private:
  std::vector<std::string> names_;
};
const EnumNames& family_names() {
  static const EnumNames n(v1::Family_descriptor());
  return n;
}
const EnumNames& kind_names() {
  static const EnumNames n(v1::PathKind_descriptor());
  return n;
}
const EnumNames& gateway_names() {
  static const EnumNames n(v1::Gateway_descriptor());
  return n;
}
const EnumNames& link_names() {
  static const EnumNames n(v1::Link_descriptor());
  return n;
}
struct JsonObject {
  Out& b;
  bool first = true;
  void key(std::string_view k) {
    put(b, first ? "{\"" : ",\"");
    first = false;
    put(b, k);
    put(b, "\":");
  }
  void str(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    put(b, "\"");
    put(b, v);
    put(b, "\"");
  }
  void name(std::string_view k, int v, std::string_view n) {  // an enum
    if (v == 0) return;
    str(k, n);
  }
  void uint(std::string_view k, std::uint64_t v, bool present = false) {
    if (v == 0 && !present) return;
    key(k);
    put_uint(b, v);
  }
  void boolean(std::string_view k, bool v) {
    if (!v) return;
    key(k);
    put(b, "true");
  }
  void end() { put(b, first ? "{}" : "}"); }
};
bool json_ok(const v1::Path& p) {
  if (p.candidates_size() > 0 || !v1::Family_IsValid(p.family()) || !v1::PathKind_IsValid(p.kind())) return false;
  if (!plain(p.prefix()) || !plain(p.covering_prefix()) || !plain(p.text())) return false;
  for (const auto& c : p.carrying())
    if (!v1::Gateway_IsValid(c.gateway()) || !v1::Link_IsValid(c.link()) || !plain(c.circuit()) || !plain(c.site()) ||
        !plain(c.peer_address()) || !plain(c.local_address()))
      return false;
  for (const auto* g : {&p.expressroute(), &p.vpn()})
    if (!v1::Gateway_IsValid(g->gateway()) || !plain(g->peer_address()) || !plain(g->role()) || !plain(g->as_path()) ||
        !plain(g->next_hop()) || !plain(g->reason()))
      return false;
  return true;
}
void json_best(Out& b, std::string_view k, const v1::GatewayBest& g, JsonObject& parent) {
  parent.key(k);
  JsonObject o{b};
  o.name("gateway", g.gateway(), gateway_names()(g.gateway()));
  o.str("peerAddress", g.peer_address());
  o.str("role", g.role());
  o.str("asPath", g.as_path());
  o.uint("localPref", g.local_pref());
  o.str("nextHop", g.next_hop());
  o.str("reason", g.reason());
  o.uint("candidates", g.candidates());
  o.end();
}
bool format_path_json(Out& b, const v1::Path& p) {
  if (!json_ok(p)) return false;
  JsonObject o{b};
  o.str("prefix", p.prefix());
  o.name("family", p.family(), family_names()(p.family()));
  o.name("kind", p.kind(), kind_names()(p.kind()));
  if (p.carrying_size() > 0) {
    o.key("carrying");
    put(b, "[");
    for (int i = 0; i < p.carrying_size(); ++i) {
      const auto& c = p.carrying(i);
      if (i) put(b, ",");
      JsonObject e{b};
      e.name("gateway", c.gateway(), gateway_names()(c.gateway()));
      e.str("circuit", c.circuit());
      e.name("link", c.link(), link_names()(c.link()));
      if (c.has_vpn_instance()) e.uint("vpnInstance", c.vpn_instance(), true);
      e.str("site", c.site());
      e.str("peerAddress", c.peer_address());
      e.str("localAddress", c.local_address());
      e.end();
    }
    put(b, "]");
  }
  o.boolean("viaCovering", p.via_covering());
  o.str("coveringPrefix", p.covering_prefix());
  if (p.has_expressroute()) json_best(b, "expressroute", p.expressroute(), o);
  if (p.has_vpn()) json_best(b, "vpn", p.vpn(), o);
  o.str("text", p.text());
  o.end();
  put(b, "\n");
  return true;
}
void json_line(Out& b, const google::protobuf::Message& m) {
  std::string s;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &s, opts);
  put(b, s);
  put(b, "\n");
}

void print_event(const v1::Event& e) {
  switch (e.kind()) {
    case v1::EVENT_KIND_PEER_STATE: {
      const auto& p = e.peer_state();
      const std::string states = fmt::format("{} -> {}", state_text(p.previous()), state_text(p.current()));
      fmt::print("-- {} peer {} ({}) {}\n", when(e.time()), p.peer_address(), p.role(), p.reason().empty() ? states : p.reason());
      return;
    }
    case v1::EVENT_KIND_EPISODE_START:
      fmt::print("-- {} episode #{} starts: {}\n", when(e.time()), e.episode().id(), e.episode().trigger().text());
      return;
    case v1::EVENT_KIND_EPISODE_END:
      fmt::print("-- {} episode #{} ended: {} prefixes changed since {}\n", when(e.time()), e.episode().id(),
                 e.episode().prefixes_changed(), when(e.episode().start()));
      return;
    default: break;
  }
  fmt::print("#{} {} {:<20} {} -> {}  ({})\n", e.sequence(), when(e.time()), e.prefix(), path_text(e.previous()),
             path_text(e.current()), e.cause());
}

std::string transitions_text(const google::protobuf::RepeatedPtrField<v1::Transition>& ts) {
  std::string s;
  for (const auto& t : ts) s += fmt::format("{}{}->{} x{}", s.empty() ? "" : ", ", kind_text(t.previous()), kind_text(t.current()), t.prefixes());
  return s;
}

void print_episode(const v1::Episode& e) {
  fmt::print("#{} {} .. {}  {}\n", e.id(), when(e.start()), when(e.end()), e.trigger().text());
  fmt::print("   {} prefixes changed; per prefix p50 {} p90 {} p99 {} max {}; {} black-holed ({:.3f} prefix-seconds), {} still "
             "unreachable; {} exploration changes\n",
             e.prefixes_changed(), seconds(e.p50()), seconds(e.p90()), seconds(e.p99()), seconds(e.max()),
             e.blackholed_prefixes(), e.blackhole_prefix_seconds(), e.still_unreachable(), e.path_exploration());
  if (e.transitions_size()) fmt::print("   {}\n", transitions_text(e.transitions()));
  const auto& w = e.failure();
  const auto range = [](const google::protobuf::Duration& a, const google::protobuf::Duration& b) {
    return a.seconds() == b.seconds() && a.nanos() == b.nanos() ? seconds(a) : seconds(a) + "-" + seconds(b);
  };
  switch (w.status()) {
    case v1::WINDOW_STATUS_KNOWN:
      fmt::print("   failure between {} and {}, detected {} later by {}; failover {}\n", when(w.failure_after()),
                 when(w.failure_before()), range(w.detection_min(), w.detection_max()), w.detected_by(),
                 range(w.failover_min(), w.failover_max()));
      break;
    case v1::WINDOW_STATUS_UNKNOWN:
    case v1::WINDOW_STATUS_NOT_OBSERVABLE:
      fmt::print("   failure window {}\n", w.note());
      break;
    default: break;
  }
  if (e.has_prediction()) {
    const auto& p = e.prediction();
    std::string failed;
    for (const auto& f : p.failed()) failed += (failed.empty() ? "" : " and ") + f;
    fmt::print("   predicted for {} failing: {}; {} ended as predicted, {} differed, {} unpredicted\n", failed,
               p.predicted_size() ? transitions_text(p.predicted()) : "no change", p.matched(), p.differed(), p.unpredicted());
    for (const auto& m : p.misses())
      fmt::print("     {} predicted {}, ended {}\n", m.prefix(), kind_text(m.predicted()), kind_text(m.observed()));
  }
}

// One unary call with a deadline; 0, or the exit status after printing the error.
template <class Request, class Response>
int call(const ClientOptions& o, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         const Request& request, Response& response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  const auto s = ((*stub(o)).*method)(&ctx, request, &response);
  return s.ok() ? 0 : failed(o, s);
}

// A server stream, each message to `each` as it arrives (printed at once); 0 or the exit status.
template <class Request, class Item, class F>
int stream(const ClientOptions& o,
           std::unique_ptr<grpc::ClientReader<Item>> (Stub::*method)(grpc::ClientContext*, const Request&),
           const Request& request, F each) {
  grpc::ClientContext ctx;
  auto s = stub(o);
  auto reader = ((*s).*method)(&ctx, request);
  // Each message parsed into an arena that is reset for the next one: parsing into a reused
  // message still allocates every sub-message (Clear() deletes them) and their strings.
  std::vector<char> block(4 << 20);
  google::protobuf::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  google::protobuf::Arena arena(options);
  for (;;) {
    auto* m = google::protobuf::Arena::CreateMessage<Item>(&arena);
    if (!reader->Read(m)) break;
    each(*m);
    std::fflush(stdout);
    arena.Reset();
  }
  const auto status = reader->Finish();
  return status.ok() ? 0 : failed(o, status);
}

// ListPaths' batches as bytes, for the text listing (read in place, see PathView).
int stream_path_bytes(const ClientOptions& o, const v1::ListPathsRequest& request,
                      const std::function<bool(std::string_view)>& each) {
  grpc::ClientContext ctx;
  const auto ch = channel(o);
  // The generated stub's own call (ClientReaderFactory, as bgpfa.grpc.pb.cc makes it), with the
  // messages left as bytes.
  const grpc::internal::RpcMethod method("/bgpfa.v1.Analyzer/ListPaths", grpc::internal::RpcMethod::SERVER_STREAMING, ch);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(ch.get(), method, &ctx, request));
  grpc::ByteBuffer message;
  std::vector<grpc::Slice> slices;
  std::string joined;
  bool damaged = false;
  while (!damaged && reader->Read(&message)) {
    if (!message.Dump(&slices).ok()) {
      damaged = true;
      break;
    }
    std::string_view bytes;
    if (slices.size() == 1) {
      bytes = std::string_view(reinterpret_cast<const char*>(slices[0].begin()), slices[0].size());
    } else {
      joined.clear();
      for (const auto& sl : slices) joined.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
      bytes = joined;
    }
    damaged = !each(bytes);
    std::fflush(stdout);
  }
  if (damaged) {
    ctx.TryCancel();
    (void)reader->Finish();
    fmt::print(stderr, "bgpfa: error: {}: ListPaths sent a message that is not a PathBatch\n", o.server);
    return 2;
  }
  const auto status = reader->Finish();
  return status.ok() ? 0 : failed(o, status);
}

std::optional<v1::PathKind> kind_named(const std::string& k) {
  if (k == "none") return v1::PATH_KIND_NONE;
  if (k == "er-primary") return v1::PATH_KIND_ER_PRIMARY;
  if (k == "er-secondary") return v1::PATH_KIND_ER_SECONDARY;
  if (k == "er-ecmp") return v1::PATH_KIND_ER_ECMP;
  if (k == "vpn") return v1::PATH_KIND_VPN;
  if (k == "system") return v1::PATH_KIND_SYSTEM;
  return std::nullopt;
}

template <class Repeated>
bool add_kinds(const ClientOptions& o, Repeated& out) {
  for (const auto& k : o.kinds) {
    const auto kind = kind_named(k);
    if (!kind) {
      fmt::print(stderr, "bgpfa: error: --kind {}: none, er-primary, er-secondary, er-ecmp, vpn or system\n", k);
      return false;
    }
    out.Add(*kind);
  }
  return true;
}

}  // namespace

namespace {

// "3d04h", "01:02:03" (gobgp's Up/Down): the time since `t`, as of `now`.
std::string age(std::uint64_t us) {
  const std::uint64_t s = us / 1'000'000;
  if (s >= 86'400) return fmt::format("{}d{:02}h", s / 86'400, s % 86'400 / 3600);
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60);
}

std::string capabilities_text(const v1::Capabilities& c) {
  std::string s;
  const auto add = [&](const std::string& x) { s += (s.empty() ? "" : ", ") + x; };
  for (const auto& f : c.families()) add(f);
  if (c.four_octet_as()) add("4-octet-as");
  if (c.route_refresh()) add("route-refresh");
  if (c.enhanced_route_refresh()) add("enhanced-route-refresh");
  if (c.extended_message()) add("extended-message");
  for (const auto& a : c.add_path())
    add(fmt::format("add-path {} {}", a.family(), a.receive() && a.send() ? "send/receive" : a.send() ? "send" : "receive"));
  if (c.has_graceful_restart()) {
    const auto& g = c.graceful_restart();
    std::string fams;
    for (const auto& f : g.families()) fams += " " + f;
    add(fmt::format("graceful-restart {} s{}{}", g.restart_time(), g.restarting() ? " restarting" : "", fams));
  }
  return s.empty() ? "-" : s;
}

std::string notification_text(const v1::Notification& n) {
  std::string s = fmt::format("{} {} ({}/{})", when(n.time()), n.text(), n.code(), n.subcode());
  return s;
}

std::uint64_t duration_us(const google::protobuf::Duration& d) {
  return static_cast<std::uint64_t>(d.seconds()) * 1'000'000 + static_cast<std::uint64_t>(d.nanos() / 1000);
}

// The state to show: a replayed peer's as the capture recorded it.
v1::SessionState shown_state(const v1::Peer& p) {
  return p.state() == v1::SESSION_STATE_REPLAYED && p.recorded_state() ? p.recorded_state() : p.state();
}

void print_peer_details(const v1::Peer& p) {
  fmt::print("BGP neighbor is {}, remote AS {}{}\n", p.address(), p.asn(),
             p.description().empty() ? "" : fmt::format(", \"{}\"", p.description()));
  fmt::print("  Role:              {}{}\n", p.role(), p.local_address().empty() ? "" : ", local address " + p.local_address());
  std::string state = state_text(p.state());
  if (p.state() == v1::SESSION_STATE_REPLAYED && p.recorded_state())
    state = fmt::format("{} (replayed: as the capture last recorded it)", state_text(p.recorded_state()));
  fmt::print("  BGP state:         {}{}\n", state,
             p.has_uptime() ? fmt::format(", up for {}", age(duration_us(p.uptime()))) : "");
  if (p.has_last_state_change())
    fmt::print("  Last state change: {} ({} before): {}\n", when(p.last_state_change()),
               age(duration_us(p.since_last_state_change())), p.last_state_change_reason());
  fmt::print("  Flaps:             {}\n", p.flaps());
  if (p.has_last_message_received()) fmt::print("  Last message:      {}\n", when(p.last_message_received()));
  if (p.hold_time()) fmt::print("  Hold time:         {} s, keepalive {} s (negotiated)\n", p.hold_time(), p.keepalive_time());
  if (p.has_capabilities()) fmt::print("  Capabilities:      {} (negotiated)\n", capabilities_text(p.capabilities()));
  if (p.has_capabilities_received()) fmt::print("    received:        {}\n", capabilities_text(p.capabilities_received()));
  if (p.has_capabilities_sent()) fmt::print("    sent:            {}\n", capabilities_text(p.capabilities_sent()));
  if (p.has_last_notification_sent()) fmt::print("  NOTIFICATION sent: {}\n", notification_text(p.last_notification_sent()));
  if (p.has_last_notification_received())
    fmt::print("  NOTIFICATION rcvd: {}\n", notification_text(p.last_notification_received()));
  fmt::print("  Routes:            received {}, accepted {}, stale {}, most {}\n", p.routes_received(), p.routes_accepted(),
             p.stale_routes(), p.max_routes());
  fmt::print("  Messages:          {:>10} {:>10}\n", "Sent", "Rcvd");
  const auto& in = p.messages_received();
  const auto& out = p.messages_sent();
  fmt::print("    Opens:           {:>10} {:>10}\n", out.open(), in.open());
  fmt::print("    Updates:         {:>10} {:>10}\n", out.update(), in.update());
  fmt::print("    Notifications:   {:>10} {:>10}\n", out.notification(), in.notification());
  fmt::print("    Keepalives:      {:>10} {:>10}\n", out.keepalive(), in.keepalive());
  fmt::print("    Route refresh:   {:>10} {:>10}\n", out.route_refresh(), in.route_refresh());
  fmt::print("    Total:           {:>10} {:>10}\n", out.total(), in.total());
}

}  // namespace

int run_peers(const ClientOptions& o) {
  v1::ListPeersRequest q;
  q.set_address(o.query);
  const bool details = !o.query.empty();
  // Like `gobgp neighbor` / `show bgp summary`: Up/Down is the time since the last state change.
  constexpr const char* kRow = "{:<28} {:<16} {:>10} {:>10} {:<12} {:>10} {:>10}\n";
  if (!o.json && !details) fmt::print(kRow, "Peer", "Role", "AS", "Up/Down", "State", "#Received", "#Accepted");
  bool replayed = false;
  const int rc = stream(o, &Stub::ListPeers, q, [&](const v1::Peer& p) {
    if (o.json) return print_json(p);
    if (details) return print_peer_details(p);
    replayed |= p.state() == v1::SESSION_STATE_REPLAYED;
    const std::string updown = p.has_uptime()                    ? age(duration_us(p.uptime()))
                               : p.has_since_last_state_change() ? age(duration_us(p.since_last_state_change()))
                                                                 : "never";
    fmt::print(kRow, p.address(), p.role(), p.asn(), updown, state_text(shown_state(p)), p.routes_received(), p.routes_accepted());
  });
  if (replayed) fmt::print("(replayed: states as the capture last recorded them, Up/Down on its clock)\n");
  return rc;
}

int run_lookup(const ClientOptions& o) {
  v1::LookupRequest q;
  q.set_address(o.query);
  q.set_vnet(o.vnet);
  v1::Path p;
  if (int rc = call(o, &Stub::Lookup, q, p)) return rc;
  if (o.json) print_json(p);
  else print_path(p);
  return 0;
}

int run_paths(const ClientOptions& o) {
  // An address is its longest match (with --routes: that prefix's routes).
  if (!o.query.empty() && o.query.find('/') == std::string::npos && !o.longer && !o.shorter) {
    if (!o.routes) return run_lookup(o);
    v1::LookupRequest l;
    l.set_address(o.query);
    l.set_vnet(o.vnet);
    v1::Path p;
    if (int rc = call(o, &Stub::Lookup, l, p)) return rc;
    ClientOptions exact = o;
    exact.query = p.prefix();
    return run_paths(exact);
  }
  v1::ListPathsRequest q;
  auto& f = *q.mutable_filter();
  f.set_prefix(o.query);
  f.set_vnet(o.vnet);
  f.set_longer(o.longer);
  f.set_shorter(o.shorter);
  if (!add_kinds(o, *f.mutable_kinds())) return 2;
  if (!o.gateway.empty()) {
    if (o.gateway != "expressroute" && o.gateway != "vpn") {
      fmt::print(stderr, "bgpfa: error: --gateway {}: expressroute or vpn\n", o.gateway);
      return 2;
    }
    f.set_gateway(o.gateway == "vpn" ? v1::GATEWAY_VPN : v1::GATEWAY_EXPRESSROUTE);
  }
  f.set_peer_address(o.peer);
  f.set_origin_asn(o.origin_asn);
  f.set_community(o.community);
  q.set_candidates(o.routes);
  std::size_t n = 0;
  Out out;
  // The text listing reads the batches in place; with candidates (a parsed Path formats them)
  // and for JSON, messages.
  const int rc = !o.json && !o.routes ? stream_path_bytes(o, q, [&](std::string_view batch) {
    const bool ok = for_each_path(batch, [&](const PathView& p) {
      ++n;
      if (!p.has_candidates) return format_path_head(out, p);
      v1::Path parsed;
      if (parsed.ParseFromArray(p.bytes.data(), static_cast<int>(p.bytes.size()))) format_path(out, parsed);
    });
    flush(out);  // each batch as it arrives
    return ok;
  })
                                       : stream(o, &Stub::ListPaths, q, [&](const v1::PathBatch& b) {
                                           for (const auto& p : b.paths()) {
                                             ++n;
                                             if (!o.json) format_path(out, p);
                                             else if (!format_path_json(out, p)) json_line(out, p);
                                           }
                                           flush(out);  // each batch as it arrives
                                         });
  const bool filtered = !o.query.empty() || !o.kinds.empty() || !o.gateway.empty() || !o.peer.empty() || o.origin_asn ||
                        !o.community.empty();
  if (rc == 0 && n == 0 && filtered) {
    fmt::print(stderr, "bgpfa: no prefix matches\n");
    return 1;
  }
  return rc;
}

int run_events(const ClientOptions& o) {
  v1::ListEventsRequest q;
  q.set_since_sequence(o.since.value_or(0));
  q.set_prefix(o.query);
  q.set_limit(o.limit);
  q.set_peer_address(o.peer);
  q.set_marks(o.marks);
  if (!add_kinds(o, *q.mutable_kinds())) return 2;
  std::size_t n = 0;
  const int rc = stream(o, &Stub::ListEvents, q, [&](const v1::EventBatch& b) {
    for (const auto& e : b.events()) {
      ++n;
      if (o.json) print_json(e);
      else print_event(e);
    }
  });
  if (rc == 0 && n == 0 && (!o.query.empty() || !o.peer.empty() || !o.kinds.empty())) {
    fmt::print(stderr, "bgpfa: no change {}in the log matches\n", o.query.empty() ? "" : "of " + o.query + " ");
    return 1;
  }
  return rc;
}

int run_episodes(const ClientOptions& o) {
  v1::ListEpisodesRequest q;
  q.set_limit(o.limit);
  return stream(o, &Stub::ListEpisodes, q, [&](const v1::Episode& e) {
    if (o.json) print_json(e);
    else print_episode(e);
  });
}

int run_episode(const ClientOptions& o) {
  v1::GetEpisodeRequest q;
  q.set_id(o.id);
  v1::EpisodeDetail d;
  if (int rc = call(o, &Stub::GetEpisode, q, d)) return rc;
  if (o.json) return print_json(d), 0;
  print_episode(d.episode());
  for (const auto& t : d.episode().other_triggers()) fmt::print("   also: {}\n", t.text());
  fmt::print("   moved {} prefixes{}\n", d.prefix_count(), d.prefix_count() > static_cast<std::uint64_t>(d.prefixes_size()) ? " (the first listed)" : ":");
  for (const auto& p : d.prefixes()) fmt::print("   {}\n", p);
  return 0;
}

int run_findings(const ClientOptions& o) {
  return stream(o, &Stub::ListFindings, v1::ListFindingsRequest{}, [&](const v1::Finding& f) {
    if (o.json) return print_json(f);
    const char* sev = f.severity() == v1::SEVERITY_ERROR ? "error" : f.severity() == v1::SEVERITY_WARNING ? "warning" : "info";
    fmt::print("{:<8} {}\n", sev, f.text());
  });
}

int run_summary(const ClientOptions& o) {
  v1::Summary s;
  if (int rc = call(o, &Stub::GetSummary, v1::GetSummaryRequest{}, s)) return rc;
  if (o.json) return print_json(s), 0;
  fmt::print("bgpfa {}, up {}\n", s.version(), seconds(s.uptime()));
  fmt::print("peers     {} ({} up)\nprefixes  {}\nroutes    {}\nchanges   {}\nepisodes  {}\nwatchers  {}\n", s.peers(),
             s.peers_up(), s.prefixes(), s.routes(), s.events(), s.episodes(), s.watchers());
  for (const auto& k : s.by_kind()) fmt::print("  {:<14} {}\n", kind_text(k.kind()), k.prefixes());
  if (s.has_last_episode()) {
    fmt::print("last episode:\n");
    print_episode(s.last_episode());
  }
  return 0;
}

int run_report(const ClientOptions& o) {
  v1::GetReportRequest q;
  q.set_format(o.format);
  return stream(o, &Stub::GetReport, q, [](const v1::ReportChunk& c) { std::fwrite(c.data().data(), 1, c.data().size(), stdout); });
}

int run_what_if(const ClientOptions& o) {
  v1::WhatIfRequest q;
  for (const auto& f : o.fail) q.add_fail(f);
  return stream(o, &Stub::WhatIf, q, [&](const v1::WhatIfResponse& r) {
    if (r.has_summary()) {
      if (o.json) return print_json(r.summary());
      std::string failed;
      for (const auto& f : r.summary().failed()) failed += (failed.empty() ? "" : " and ") + f;
      fmt::print("if {} failed: {} prefixes would change their path\n", failed, r.summary().changes());
      for (const auto& t : r.summary().transitions())
        fmt::print("  {}->{} x{}\n", kind_text(t.previous()), kind_text(t.current()), t.prefixes());
      return;
    }
    for (const auto& c : r.changes().changes()) {
      if (o.json) print_json(c);
      else fmt::print("{:<24} {} -> {}\n", c.prefix(), path_text(c.previous()), path_text(c.current()));
    }
  });
}

int run_watch(const ClientOptions& o) {
  v1::WatchRequest q;
  q.set_within(o.query);
  q.set_marks(true);  // session state changes and episodes too
  if (!add_kinds(o, *q.mutable_kinds())) return 2;
  if (o.since) q.set_since_sequence(*o.since);
  std::uint64_t seen = 0;
  bool resumed = false;  // since_sequence is ours (after fell_behind), not the user's
  for (;;) {  // once, and again after falling behind, from where it stopped
    grpc::ClientContext ctx;
    auto reader = stub(o)->Watch(&ctx, q);
    v1::WatchResponse m;
    std::optional<std::uint64_t> resume;
    bool enough = false;
    while (!enough && reader->Read(&m)) {
      switch (m.item_case()) {
        case v1::WatchResponse::kSnapshot:
          for (const auto& p : m.snapshot().paths()) {
            if (!o.snapshot) break;
            if (!o.json) {
              print_path(p);
              continue;
            }
            v1::WatchResponse one;  // one row per line
            *one.mutable_snapshot()->add_paths() = p;
            print_json(one);
          }
          break;
        case v1::WatchResponse::kSnapshotEnd:
          if (o.json) print_json(m);
          else fmt::print("-- snapshot at change #{}; changes follow\n", m.snapshot_end());
          break;
        case v1::WatchResponse::kFellBehind:
          if (o.json) print_json(m);
          else fmt::print("-- fell behind after change #{}: resuming from there\n", m.fell_behind().last_sent());
          resume = m.fell_behind().last_sent();
          break;
        case v1::WatchResponse::kEvents:
          for (const auto& e : m.events().events()) {
            if (o.json) {
              v1::WatchResponse one;
              *one.mutable_events()->add_events() = e;
              print_json(one);
            } else {
              print_event(e);
            }
            const bool change = e.kind() == v1::EVENT_KIND_PATH_CHANGE || e.kind() == v1::EVENT_KIND_UNSPECIFIED;
            if (o.count && change && ++seen >= o.count) {
              enough = true;
              break;
            }
          }
          break;
        case v1::WatchResponse::ITEM_NOT_SET: break;
      }
      std::fflush(stdout);
    }
    if (enough) ctx.TryCancel();
    const auto s = reader->Finish();
    if (enough) return 0;
    if (s.error_code() == grpc::StatusCode::CANCELLED) {  // not by us: the server cut the stream
      fmt::print(stderr, "bgpfa: error: {}: the server ended the stream (it cuts a watcher that reads nothing for a while)\n",
                 o.server);
      return 2;
    }
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION && resumed) {
      // The server's bounded history no longer holds where we stopped: start over from a snapshot.
      if (o.json) fmt::print("{{\"historyLost\":\"{}\"}}\n", q.since_sequence());
      else fmt::print("-- the changes after #{} are no longer kept by the server: a fresh snapshot follows\n", q.since_sequence());
      q.clear_since_sequence();
      resumed = false;
      continue;
    }
    if (!s.ok()) return failed(o, s);
    if (!resume) return 0;
    q.set_since_sequence(*resume);
    resumed = true;
  }
}

}  // namespace bgpfa::app
