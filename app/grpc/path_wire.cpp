#include "app/grpc/path_wire.hpp"

#include <cassert>
#include <cstring>

#include "analyzer/active_path.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::app {

namespace {

// Protobuf's wire format (protobuf.dev/programming-guides/encoding): a tag is (field << 3 | wire
// type), integers are base-128 varints, strings and messages length-prefixed. Every field here is
// below 16, so every tag is one byte.
constexpr std::uint8_t kVarint = 0, kLength = 2;

// Writes through a pointer into room reserved up front (the caller bounds the size): a row is a
// few dozen small fields, and a capacity check per byte would cost more than the bytes.
struct Out {
  char* p;
  void byte(std::uint8_t b) { *p++ = static_cast<char>(b); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      byte(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    byte(static_cast<std::uint8_t>(v));
  }
  void bytes(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  // proto3 leaves out fields at their default (0, empty), as protobuf's serializer does.
  void uint_field(std::uint8_t field, std::uint64_t v) {
    if (!v) return;
    byte(static_cast<std::uint8_t>(field << 3 | kVarint));
    varint(v);
  }
  void string_field(std::uint8_t field, std::string_view s) {
    if (s.empty()) return;
    byte(static_cast<std::uint8_t>(field << 3 | kLength));
    varint(s.size());
    bytes(s);
  }
};

constexpr std::size_t kVarintMax = 10;
[[nodiscard]] std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}
[[nodiscard]] std::size_t string_size(std::string_view s) { return s.empty() ? 0 : 1 + varint_size(s.size()) + s.size(); }
[[nodiscard]] std::size_t uint_size(std::uint64_t v) { return v ? 1 + varint_size(v) : 0; }

[[nodiscard]] std::size_t best_size(const analyzer::GatewayBest& g) {
  return 2 + string_size(g.peer) + string_size(g.role) + string_size(g.as_path) + uint_size(g.local_pref) +
         string_size(g.next_hop) + string_size(g.reason) + uint_size(static_cast<std::uint32_t>(g.candidates));
}

void best(Out& out, std::uint8_t field, const analyzer::GatewayBest& g, v1::Gateway gateway, std::size_t size) {
  out.byte(static_cast<std::uint8_t>(field << 3 | kLength));
  out.varint(size);
  out.uint_field(1, static_cast<std::uint32_t>(gateway));
  out.string_field(2, g.peer);
  out.string_field(3, g.role);
  out.string_field(4, g.as_path);
  out.uint_field(5, g.local_pref);
  out.string_field(6, g.next_hop);
  out.string_field(7, g.reason);
  out.uint_field(8, static_cast<std::uint32_t>(g.candidates));
}

void encode_active(const analyzer::ActivePath& p, const Names& names, std::string& head, std::string& text) {
  v1::Path only;  // protobuf's own encoding of these fields, done once per set
  to_proto(p, names, only);
  text.assign(kVarintMax + 1 + only.text().size(), '\0');
  Out t{text.data()};
  t.string_field(9, only.text());
  text.resize(static_cast<std::size_t>(t.p - text.data()));
  only.clear_text();
  head = only.SerializeAsString();
}

}  // namespace

const PathWire::Active& PathWire::active(const analyzer::ActivePath& p, const Names& names) {
  if (!names_cover(names, p)) {
    encode_active(p, names, uncached_.head, uncached_.text);
    return uncached_;
  }
  auto [it, fresh] = active_.try_emplace(analyzer::pack(p));
  if (fresh) encode_active(p, names, it->second.head, it->second.text);
  return it->second;
}

void PathWire::append(std::string& batch, const analyzer::PrefixRow& row, const Names& names) {
  char text[2][wire::kPrefixTextMax];
  const std::string_view prefix(text[0], wire::format_prefix(row.prefix, text[0]));
  const std::string_view covering = row.covering ? std::string_view(text[1], wire::format_prefix(*row.covering, text[1])) : "";
  const Active& a = active(row.active, names);
  const std::size_t er = row.expressroute ? best_size(*row.expressroute) : 0, vpn = row.vpn ? best_size(*row.vpn) : 0;
  const std::size_t size = string_size(prefix) + 2 + a.head.size() + string_size(covering) +
                           (row.expressroute ? 1 + varint_size(er) + er : 0) + (row.vpn ? 1 + varint_size(vpn) + vpn : 0) +
                           a.text.size();
  const std::size_t at = batch.size();
  batch.resize(at + 1 + kVarintMax + size);
  Out out{batch.data() + at};
  out.byte(1 << 3 | kLength);  // PathBatch.paths
  out.varint(size);
  [[maybe_unused]] char* const start = out.p;
  out.string_field(1, prefix);
  out.uint_field(2, row.prefix.address.afi == wire::Afi::Ipv6 ? v1::FAMILY_IPV6 : v1::FAMILY_IPV4);
  out.bytes(a.head);
  out.string_field(6, covering);
  if (row.expressroute) best(out, 7, *row.expressroute, v1::GATEWAY_EXPRESSROUTE, er);
  if (row.vpn) best(out, 8, *row.vpn, v1::GATEWAY_VPN, vpn);
  out.bytes(a.text);
  assert(static_cast<std::size_t>(out.p - start) == size);
  batch.resize(static_cast<std::size_t>(out.p - batch.data()));
}

void PathWire::append(std::string& batch, const v1::Path& path) {
  const std::size_t size = path.ByteSizeLong(), at = batch.size();
  batch.resize(at + 1 + kVarintMax);
  Out out{batch.data() + at};
  out.byte(1 << 3 | kLength);
  out.varint(size);
  batch.resize(static_cast<std::size_t>(out.p - batch.data()));
  path.AppendToString(&batch);
}

}  // namespace bgpfa::app
