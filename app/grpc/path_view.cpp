#include "app/grpc/path_view.hpp"

namespace bgpfa::app {

namespace {

// Protobuf's wire types (protobuf.dev/programming-guides/encoding).
constexpr std::uint8_t kLength = 2;

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
