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

namespace {

// One field at a time out of a message's bytes.
class Fields {
 public:
  explicit Fields(std::string_view b) : p_(b.data()), end_(b.data() + b.size()) {}
  struct Field {
    std::uint32_t number = 0;
    std::uint8_t type = 0;
    std::uint64_t value = 0;  // a varint's
    std::string_view bytes;   // a length-delimited field's
  };
  // The next field; false at the end, or on damage (then ok() is false).
  bool next(Field& f) {
    if (p_ == end_) return false;
    std::uint64_t tag = 0;
    if (!varint(tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) return fail();
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.type = static_cast<std::uint8_t>(tag & 7);
    switch (f.type) {
      case 0: return varint(f.value) || fail();
      case 1: return skip(8);
      case 5: return skip(4);
      case 2: {
        std::uint64_t n = 0;
        if (!varint(n) || n > static_cast<std::uint64_t>(end_ - p_)) return fail();
        f.bytes = std::string_view(p_, static_cast<std::size_t>(n));
        p_ += n;
        return true;
      }
      default: return fail();  // groups (3, 4) are not in this API
    }
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const auto b = static_cast<std::uint8_t>(*p_++);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool skip(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) return fail();
    p_ += n;
    return true;
  }
  bool fail() {
    ok_ = false;
    p_ = end_;
    return false;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

bool read_best(std::string_view bytes, GatewayBestView& g) {
  g = GatewayBestView{};
  g.present = true;
  Fields in(bytes);
  Fields::Field f;
  while (in.next(f)) {
    const bool len = f.type == kLength;
    switch (f.number) {
      case 3: if (len) g.role = f.bytes; break;
      case 4: if (len) g.as_path = f.bytes; break;
      case 6: if (len) g.next_hop = f.bytes; break;
      case 7: if (len) g.reason = f.bytes; break;
      case 8: if (!len) g.candidates = f.value; break;
      default: break;
    }
  }
  return in.ok();
}

bool read_path(std::string_view bytes, PathView& p) {
  p = PathView{};
  p.bytes = bytes;
  Fields in(bytes);
  Fields::Field f;
  bool first_carrying = true;
  while (in.next(f)) {
    const bool len = f.type == kLength;
    switch (f.number) {
      case 1: if (len) p.prefix = f.bytes; break;
      case 3: if (!len) p.kind = f.value; break;
      case 4:
        if (len && first_carrying) {  // the circuit of the first carrying path
          first_carrying = false;
          Fields c(f.bytes);
          Fields::Field cf;
          while (c.next(cf))
            if (cf.number == 2 && cf.type == kLength) p.first_circuit = cf.bytes;
          if (!c.ok()) return false;
        }
        break;
      case 6: if (len) p.covering_prefix = f.bytes; break;
      case 7: if (len && !read_best(f.bytes, p.expressroute)) return false; break;
      case 8: if (len && !read_best(f.bytes, p.vpn)) return false; break;
      case 9: if (len) p.text = f.bytes; break;
      case 10: p.has_candidates = true; break;
      default: break;
    }
  }
  return in.ok();
}

}  // namespace

bool for_each_path(std::string_view batch, const std::function<void(const PathView&)>& each) {
  Fields in(batch);
  Fields::Field f;
  PathView p;
  while (in.next(f)) {
    if (f.number != 1 || f.type != kLength) continue;
    if (!read_path(f.bytes, p)) return false;
    each(p);
  }
  return in.ok();
}

}  // namespace bgpfa::app
