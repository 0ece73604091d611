// Mirrors bgpdump.c / bgpdump_lib.c 1.6 behaviour. Each quirk kept on purpose is marked QUIRK.
#include "app/render/bgpdump_format.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include <fmt/format.h>

#include "bgp/wire/nlri.hpp"

namespace bgpfa::app {

using wire::AttrType;
using wire::PathAttributes;

namespace {

constexpr std::size_t kBufsiz = 8192;  // bgpdump builds community strings in a BUFSIZ buffer

char* put_u32(std::uint32_t v, char* p) { return OutBuffer::format_u64(v, p); }

char* put_i32(std::uint32_t v, char* p) {  // printf("%d") of an unsigned value
  const auto s = static_cast<std::int32_t>(v);
  if (s < 0) {
    *p++ = '-';
    return OutBuffer::format_u64(static_cast<std::uint64_t>(-static_cast<std::int64_t>(s)), p);
  }
  return OutBuffer::format_u64(static_cast<std::uint64_t>(s), p);
}

// bgpdump's fmt_ipv6: v4-mapped and v4-compatible addresses in dotted form; any run of zero
// groups (even a single one) compressed, the first longest run winning.
char* bgpdump_ipv6(const std::uint8_t* o, char* out) {
  static constexpr char hex[] = "0123456789abcdef";
  bool zero96 = true;
  for (int i = 0; i < 10; ++i) zero96 &= o[i] == 0;
  const bool mapped = zero96 && o[10] == 0xff && o[11] == 0xff;
  const bool compat = zero96 && o[10] == 0 && o[11] == 0 && wire::load_u32(o + 12) > 1;
  if (mapped || compat) {
    *out++ = ':';
    *out++ = ':';
    if (mapped) {
      std::memcpy(out, "ffff:", 5);
      out += 5;
    }
    return wire::format_ipv4(o + 12, out);
  }
  int run[8];
  for (int i = 7, j = 0; i >= 0; --i) {
    j = wire::load_u16(o + 2 * i) == 0 ? j + 1 : 0;
    run[i] = j;
  }
  int best = -1, best_len = 0;
  for (int i = 0; i < 8; ++i)
    if (run[i] > best_len) { best = i; best_len = run[i]; }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      if (i == 0) *out++ = ':';
      *out++ = ':';
      i += best_len - 1;
      continue;
    }
    const unsigned v = wire::load_u16(o + 2 * i);
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nib = (v >> shift) & 0xf;
      if (nib || started || shift == 0) { *out++ = hex[nib]; started = true; }
    }
    if (i != 7) *out++ = ':';
  }
  return out;
}

// "/0" .. "/128", padded to 4 bytes: prefix lines copy 4 and advance by the size.
struct LengthText {
  char text[4];
  std::uint8_t size;
};
constexpr std::array<LengthText, 129> make_length_texts() {
  std::array<LengthText, 129> t{};
  for (unsigned b = 0; b <= 128; ++b) {
    LengthText& x = t[b];
    x.text[0] = '/';
    std::uint8_t n = 1;
    if (b >= 100) x.text[n++] = static_cast<char>('0' + b / 100);
    if (b >= 10) x.text[n++] = static_cast<char>('0' + b / 10 % 10);
    x.text[n++] = static_cast<char>('0' + b % 10);
    x.size = n;
  }
  return t;
}
constexpr std::array<LengthText, 129> kLengthText = make_length_texts();

char* put_text(char* p, std::string_view v) {
  std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

char* put_addr(const wire::IpAddress& a, bool v6, char* p) {
  return v6 ? bgpdump_ipv6(a.octets.data(), p) : wire::format_ipv4(a.octets.data(), p);
}

// bgpdump's view of an AS path before and after its AS4 merge.
struct Seg {
  std::uint8_t type;
  std::uint8_t count;
  const std::uint8_t* asns;
  std::uint8_t size;
};

unsigned bgpdump_count(const wire::AsPathView& p) {  // sequences count each AS, sets count 1
  unsigned n = 0;
  p.for_each_segment([&](wire::SegmentType t, const std::uint8_t*, unsigned c) {
    n += (t == wire::SegmentType::Sequence || t == wire::SegmentType::ConfedSequence) ? c : 1;
  });
  return n;
}

// Writes at `out` (room: kPathTextMax bytes) and returns the end.
constexpr std::size_t kPathTextMax = 8000;
static_assert(BgpdumpFormat::kPathTextRoom >= kPathTextMax + 64);
// One segment's ASNs of Size octets, `sep` between them; false when the text reached bgpdump's
// limit (QUIRK: it stops at its 8000-byte buffer with "...").
template <unsigned Size>
bool put_asns(const std::uint8_t* asns, unsigned count, char sep, char*& s, const char* begin) {
  for (unsigned i = 0; i < count; ++i) {
    if (i) *s++ = sep;
    s = OutBuffer::format_u64(Size == 4 ? wire::load_u32(asns + 4 * i) : wire::load_u16(asns + 2 * i), s);
    if (static_cast<std::size_t>(s - begin) > kPathTextMax - 100) {
      std::memcpy(s, "...", 3);
      s += 3;
      return false;
    }
  }
  return true;
}

char* path_text(const wire::AsPathView& p, char* const begin) {
  // process_attr_aspath_string: the delimiters of each segment type, set members joined by ','.
  auto open = [](unsigned t) { return t == 1 ? '{' : t == 4 ? '[' : t == 3 ? '(' : ' '; };
  auto close = [](unsigned t) { return t == 1 ? '}' : t == 4 ? ']' : t == 3 ? ')' : ' '; };
  char* s = begin;
  unsigned prev = 2;
  bool space = false;
  bool any = false;
  bool truncated = false;
  p.for_each_segment([&](wire::SegmentType st, const std::uint8_t* asns, unsigned count) {
    if (truncated) return;
    const unsigned t = static_cast<unsigned>(st);
    any = true;
    if (prev != 2) *s++ = close(prev);
    if (space) *s++ = ' ';
    if (t != 2) *s++ = open(t);
    space = count > 0;
    const char sep = t == 1 || t == 4 ? ',' : ' ';
    if (!(p.asn_size == 4 ? put_asns<4>(asns, count, sep, s, begin) : put_asns<2>(asns, count, sep, s, begin))) {
      truncated = true;
      return;
    }
    prev = t;
  });
  if (any && !truncated && prev != 2) *s++ = close(prev);
  return s;
}

// QUIRK: bgpdump's asn32_merge_paths never advances past the first AS_PATH segment, so it
// copies that segment again until enough ASes are taken, then appends AS4_PATH.
void bgpdump_merge(const wire::AsPathView& path, const wire::AsPathView& as4, std::vector<std::uint8_t>& out) {
  out.clear();
  const int target = static_cast<int>(bgpdump_count(path)) - static_cast<int>(bgpdump_count(as4));
  if (target > 0 && path.data.size() >= 2) {
    const std::uint8_t type = path.data[0];
    const std::uint8_t count = path.data[1];
    int merged = 0;
    while (merged < target) {
      std::uint8_t len = count;
      merged += (type == 1 || type == 4) ? 1 : count;
      if (type != 1 && type != 4 && merged > target) len = static_cast<std::uint8_t>(count - (merged - target));
      out.push_back(type);
      out.push_back(len);
      for (unsigned i = 0; i < len; ++i) {
        std::uint8_t b[4];
        wire::store_u32(b, path.asn_at(path.data.data() + 2 + i * path.asn_size));
        out.insert(out.end(), b, b + 4);
      }
    }
  }
  out.insert(out.end(), as4.data.begin(), as4.data.end());
}

// bgpdump's community string, built in a BUFSIZ buffer (strlcat): returns its length in buf.
std::size_t community_text(wire::Bytes c, char (&buf)[kBufsiz]) {
  std::size_t n = 0;
  char piece[32];
  for (std::size_t i = 0; i + 4 <= c.size(); i += 4) {
    const std::uint32_t v = wire::load_u32(&c[i]);
    std::string_view known;
    if (v == 0xFFFFFF01) known = " no-export";
    else if (v == 0xFFFFFF02) known = " no-advertise";
    else if (v == 0xFFFFFF03) known = " local-AS";
    if (!known.empty()) {
      if (n + known.size() < kBufsiz) {  // QUIRK: strlcat drops what does not fit
        std::memcpy(buf + n, known.data(), known.size());
        n += known.size();
      }
      continue;
    }
    char* e = piece;
    *e++ = ' ';
    e = OutBuffer::format_u64(v >> 16, e);
    *e++ = ':';
    e = OutBuffer::format_u64(v & 0xffff, e);
    const std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(e - piece), kBufsiz - 1 - std::min(n, kBufsiz - 1));
    std::memcpy(buf + n, piece, take);
    n += take;
  }
  return n;
}

void append_large_community_text(std::string& s, wire::Bytes c) {
  char buf[40];
  for (std::size_t i = 0; i + 12 <= c.size(); i += 12) {
    char* e = buf;
    *e++ = ' ';
    e = OutBuffer::format_u64(wire::load_u32(&c[i]), e);
    *e++ = ':';
    e = OutBuffer::format_u64(wire::load_u32(&c[i + 4]), e);
    *e++ = ':';
    e = OutBuffer::format_u64(wire::load_u32(&c[i + 8]), e);
    s.append(buf, std::min<std::size_t>(static_cast<std::size_t>(e - buf), kBufsiz - 1 - std::min(s.size(), kBufsiz - 1)));
  }
}

const wire::RawAttribute* find_raw(const PathAttributes& a, AttrType t) {
  if (!a.seen.test(static_cast<std::uint8_t>(t))) return nullptr;  // most lookups: absent
  for (const auto& raw : a.all)
    if (raw.type == static_cast<std::uint8_t>(t)) return &raw;
  return nullptr;
}

wire::Aggregator raw_aggregator(const wire::RawAttribute& raw, std::size_t asn_size) {
  std::uint8_t buf[8] = {};
  std::memcpy(buf, raw.value.data(), std::min<std::size_t>(raw.value.size(), asn_size + 4));
  wire::Aggregator g;
  g.asn = asn_size == 4 ? wire::load_u32(buf) : wire::load_u16(buf);
  std::memcpy(g.address.data(), buf + asn_size, 4);
  return g;
}

bool bgpdump_knows(std::uint8_t type) {
  return (type >= 1 && type <= 10) || type == 14 || type == 15 || type == 17 || type == 18 || type == 32;
}

const char* origin_text(const PathAttributes& a) {
  if (!a.has(AttrType::Origin)) return "INCOMPLETE";  // bgpdump's origin defaults to -1
  return a.origin == 0 ? "IGP" : a.origin == 1 ? "EGP" : "INCOMPLETE";
}

}  // namespace

std::string BgpdumpFormat::as_path_text(const PathAttributes& a, bool four_octet_as) {
  std::string s;
  as_path_text(a, four_octet_as, s);
  return s;
}

void BgpdumpFormat::as_path_text(const PathAttributes& a, bool four_octet_as, std::string& s) {
  char buf[kPathTextRoom];
  s.assign(buf, as_path_into(a, four_octet_as, buf));
}

char* BgpdumpFormat::as_path_into(const PathAttributes& a, bool four_octet_as, char* buf) {
  if (!a.has(AttrType::AsPath)) return buf;
  // process_asn32_trans: only for 2-octet sessions; an AGGREGATOR that is not AS_TRANS with an
  // AS4_AGGREGATOR beside it makes bgpdump return before merging AS4_PATH (QUIRK).
  if (!four_octet_as && a.has(AttrType::As4Path)) {
    const auto* agg = find_raw(a, AttrType::Aggregator);
    const bool early_return = agg && find_raw(a, AttrType::As4Aggregator) && raw_aggregator(*agg, 2).asn != 23456;
    if (!early_return && bgpdump_count(a.as_path) >= bgpdump_count(a.as4_path)) {
      std::vector<std::uint8_t> merged;
      bgpdump_merge(a.as_path, a.as4_path, merged);
      return path_text(wire::AsPathView{merged, 4}, buf);
    }
  }
  return path_text(a.as_path, buf);
}

const std::string& BgpdumpFormat::community_text_cached(wire::Bytes c) {
  if (community_cache_.empty()) community_cache_.resize(256);
  std::uint32_t h = static_cast<std::uint32_t>(c.size());
  for (std::size_t i = 0; i + 4 <= c.size(); i += 4) h = (h ^ wire::load_u32(c.data() + i)) * 0x9e3779b1u;
  CommunityText& slot = community_cache_[(h ^ (h >> 15)) & (community_cache_.size() - 1)];
  if (slot.valid && slot.key.size() == c.size() && std::memcmp(c.data(), slot.key.data(), c.size()) == 0)
    return slot.text;
  char buf[kBufsiz];
  const std::size_t n = community_text(c, buf);
  slot.valid = true;
  slot.key.assign(c.begin(), c.end());
  if (n > 0) slot.text.assign(buf + 1, n - 1);  // bgpdump prints str+1
  else slot.text.clear();
  return slot.text;
}

void BgpdumpFormat::attribute_texts(const PathAttributes& a, bool four_octet_as, bool aggregator_by_length) {
  as_path_ = std::string_view(as_path_buf_.get(), static_cast<std::size_t>(
                                                     as_path_into(a, four_octet_as, as_path_buf_.get()) - as_path_buf_.get()));
  communities_.clear();
  if (a.has(AttrType::Communities)) communities_ = community_text_cached(a.communities);
  large_communities_.clear();
  if (a.has(AttrType::LargeCommunities)) {
    append_large_community_text(large_communities_, a.large_communities);
    if (!large_communities_.empty()) large_communities_.erase(0, 1);
  }
  aggregator_.clear();
  if (const auto* raw = find_raw(a, AttrType::Aggregator)) {
    // bgpdump reads whatever the attribute holds (e.g. OpenBGPD's 8-octet AGGREGATOR in 2-octet
    // TABLE_DUMP records), zero-filling a short one, where bgpfa's decoder discards it.
    wire::Aggregator g = raw_aggregator(*raw, four_octet_as || (aggregator_by_length && raw->value.size() == 8) ? 4 : 2);
    const auto* raw4 = find_raw(a, AttrType::As4Aggregator);
    if (!four_octet_as && raw4 && g.asn == 23456) g = raw_aggregator(*raw4, 4);
    if (wire::load_u32(g.address.data()) != 0xFFFFFFFF) {  // QUIRK: INADDR_NONE means "absent"
      char buf[32];
      char* e = OutBuffer::format_u64(g.asn, buf);
      *e++ = ' ';
      e = wire::format_ipv4(g.address.data(), e);
      aggregator_.assign(buf, e);
    }
  }
  unknown_.clear();
  if (opt_.unknown_attributes) {
    bool first = true;
    for (const auto& raw : a.all) {
      if (bgpdump_knows(raw.type)) continue;
      if (!first) unknown_.push_back(' ');
      first = false;
      fmt::format_to(std::back_inserter(unknown_), "{:02x}:{:02x}:", raw.type, raw.flags);
      for (std::uint8_t b : raw.value) fmt::format_to(std::back_inserter(unknown_), "{:02x}", b);
    }
  }
}

void BgpdumpFormat::time_text(std::uint32_t seconds, std::uint32_t usec, bool et) {
  if (time_len_ && seconds == time_seconds_ && usec == time_usec_ && et == time_et_) return;
  // The seconds text changes once a second at most: keep it and rewrite only the microseconds.
  if (!time_len_ || seconds != time_seconds_) {
    char* e;
    if (opt_.human_time) {
      const std::time_t t = seconds;
      std::tm tm{};
      gmtime_r(&t, &tm);
      e = fmt::format_to(time_buf_, "{:02}/{:02}/{:02} {:02}:{:02}:{:02}", tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100,
                         tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else {
      e = OutBuffer::format_u64(seconds, time_buf_);
    }
    time_seconds_len_ = static_cast<std::uint8_t>(e - time_buf_);
  }
  time_seconds_ = seconds;
  time_usec_ = usec;
  time_et_ = et;
  char* e = time_buf_ + time_seconds_len_;
  if (et) {
    *e++ = '.';
    e = OutBuffer::format_6_digits(usec, e);
  }
  time_len_ = static_cast<std::uint8_t>(e - time_buf_);
}

void BgpdumpFormat::line_start(const char* format, std::uint32_t seconds, std::uint32_t usec, bool et,
                               const char* kind) {
  if (format == head_format_ && kind == head_kind_ && seconds == head_seconds_ && usec == head_usec_ &&
      et == head_et_ && (!opt_.packet_index || packet_index == head_index_) && !head_.empty())
    return;
  head_format_ = format;
  head_kind_ = kind;
  head_seconds_ = seconds;
  head_usec_ = usec;
  head_et_ = et;
  head_index_ = packet_index;
  time_text(seconds, usec, et);
  char buf[kHeadMax];
  head_.assign(buf, put_head(buf, format, kind));
}

char* BgpdumpFormat::put_head(char* p, std::string_view format, std::string_view kind) const {
  std::memcpy(p, format.data(), format.size());
  p += format.size();
  *p++ = '|';
  if (opt_.packet_index) {
    p = OutBuffer::format_u64(packet_index, p);
    *p++ = '|';
  }
  std::memcpy(p, time_buf_, time_len_);
  p += time_len_;
  *p++ = '|';
  std::memcpy(p, kind.data(), kind.size());
  p += kind.size();
  *p++ = '|';
  return p;
}

BgpdumpFormat::TailCacheEntry& BgpdumpFormat::tail_slot(wire::Bytes block, std::uint8_t variant, bool& hit) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ (static_cast<std::uint64_t>(variant) << 1) ^ block.size();
  std::size_t i = 0;
  for (; i + 8 <= block.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, block.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < block.size() && block.size() >= 8) {  // the last 1-7 bytes: one load ending at the block's end
    std::uint64_t w;
    std::memcpy(&w, block.data() + block.size() - 8, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
  } else {
    for (; i < block.size(); ++i) h = (h ^ block[i]) * 0x100000001b3ull;
  }
  h ^= h >> 29;
  // Direct-mapped; 32 Ki slots hold a 2002 RIS dump's 21 k distinct tails with few evictions.
  if (tail_cache_.empty()) tail_cache_.resize(32768);
  TailCacheEntry& slot = tail_cache_[h & (tail_cache_.size() - 1)];
  hit = slot.valid && slot.hash == h && slot.variant == variant && slot.key.size() == block.size() &&
        std::equal(block.begin(), block.end(), slot.key.begin());
  if (!hit) slot.hash = h;
  return slot;
}

bool BgpdumpFormat::table_dump_cached(const mrt::Record& r, const mrt::TableDumpRoute& t) {
  const bool v6 = r.header.subtype == 2;
  bool hit = false;
  const TailCacheEntry& slot = tail_slot(t.attributes, tail_variant(v6 ? TailKind::TableDumpV6 : TailKind::TableDumpV4,
                                                                   t.four_octet_as, false), hit);
  if (!hit || !slot.clean) return false;
  table_dump_line(r, t, slot.text);
  return true;
}

bool BgpdumpFormat::rib_entry_cached(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e,
                                     const mrt::PeerEntry& peer) {
  const std::uint16_t st = r.header.subtype;
  if (!(st == 2 || st == 4 || st == 8 || st == 10)) return false;
  bool hit = false;
  const TailCacheEntry& slot = tail_slot(e.attributes, tail_variant(TailKind::TableDumpV2, true, rib.add_path), hit);
  if (!hit || !slot.clean) return false;
  rib_entry_line(r, rib, e, peer, slot.text);
  return true;
}

const std::string& BgpdumpFormat::rib_tail(const PathAttributes& a, bool four_octet_as, TailKind kind, bool add_path) {
  // Identical attribute blocks render identically: cache the text after "prefix|[path id|]".
  bool hit = false;
  const std::uint8_t variant = tail_variant(kind, four_octet_as, add_path);
  TailCacheEntry& slot = tail_slot(a.block, variant, hit);
  if (hit) return slot.text;
  slot.valid = true;
  slot.variant = variant;
  // Only a block that decoded without any problem may be rendered again without decoding.
  slot.clean = a.errors.empty();
  slot.key.assign(a.block.begin(), a.block.end());
  std::string& s = slot.text;
  s.clear();
  attribute_texts(a, four_octet_as, kind == TailKind::Bgp4mpEntry);
  s.reserve(as_path_.size() + communities_.size() + large_communities_.size() + aggregator_.size() + unknown_.size() + 160);
  s += as_path_;
  s += '|';
  s += origin_text(a);
  if (opt_.human_time) {
    s += '\n';
    return s;
  }
  s += '|';
  char buf[128];
  char* p = buf;
  const auto& m = a.mp_reach;
  static constexpr std::uint8_t kNone[4] = {255, 255, 255, 255};
  if (kind == TailKind::TableDumpV6 || kind == TailKind::TableDumpV4) {
    if (a.has(AttrType::MpReachNlri) && (m.abbreviated || (m.afi == 2 && m.safi == 1)))
      p = bgpdump_ipv6(m.next_hop.data(), p);  // QUIRK: formatted as IPv6 whatever its length
    else
      p = wire::format_ipv4(a.has(AttrType::NextHop) ? a.next_hop.data() : kNone, p);
  } else {
    const bool mp = a.has(AttrType::MpReachNlri) && (m.abbreviated || ((m.afi == 1 || m.afi == 2) && m.safi == 1));
    if (mp && m.next_hop_length == 4) p = wire::format_ipv4(m.next_hop.data(), p);
    else if (mp && (m.next_hop_length == 16 || m.next_hop_length == 32)) p = bgpdump_ipv6(m.next_hop.data(), p);
    else if (!mp) p = wire::format_ipv4(a.has(AttrType::NextHop) ? a.next_hop.data() : kNone, p);
  }
  *p++ = '|';
  p = put_u32(a.has(AttrType::LocalPref) ? a.local_pref : 0, p);
  *p++ = '|';
  p = put_u32(a.has(AttrType::MultiExitDisc) ? a.med : 0, p);
  *p++ = '|';
  s.append(buf, p);
  append_tail_after_next_hop(s, a);
  return s;
}

void BgpdumpFormat::append_tail_after_next_hop(std::string& s, const PathAttributes& a) {
  const std::size_t at = s.size();
  s.resize(at + communities_.size() + large_communities_.size() + aggregator_.size() + unknown_.size() + 16);
  s.resize(static_cast<std::size_t>(put_tail_after_next_hop(s.data() + at, a) - s.data()));
}

// Room: the four texts' sizes + 16.
char* BgpdumpFormat::put_tail_after_next_hop(char* p, const PathAttributes& a) const {
  p = put_text(p, communities_);
  *p++ = '|';
  if (opt_.large_communities) {
    p = put_text(p, large_communities_);
    *p++ = '|';
  }
  p = put_text(p, find_raw(a, AttrType::AtomicAggregate) ? std::string_view("AG|") : std::string_view("NAG|"));
  p = put_text(p, aggregator_);
  *p++ = '|';
  if (opt_.unknown_attributes) {
    p = put_text(p, unknown_);
    *p++ = '|';
  }
  *p++ = '\n';
  return p;
}

void BgpdumpFormat::table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const PathAttributes& a) {
  // QUIRK: only subtype 2 prints IPv6; the 4-octet-AS IPv6 subtype prints the first 4 octets.
  const bool v6 = r.header.subtype == 2;
  table_dump_line(r, t, rib_tail(a, t.four_octet_as, v6 ? TailKind::TableDumpV6 : TailKind::TableDumpV4, false));
}

void BgpdumpFormat::table_dump_line(const mrt::Record& r, const mrt::TableDumpRoute& t, const std::string& tail) {
  line_start("TABLE_DUMP", opt_.change_time ? t.originated : r.header.seconds, 0, false, "B");
  const bool v6 = r.header.subtype == 2;
  char* p = out_.reserve(head_.size() + 128 + tail.size());
  std::memcpy(p, head_.data(), head_.size());
  p += head_.size();
  p = put_addr(t.peer_ip, v6, p);
  *p++ = '|';
  p = put_u32(t.peer_as, p);
  *p++ = '|';
  p = put_addr(t.prefix.address, v6, p);
  *p++ = '/';
  p = put_u32(t.prefix.length, p);
  *p++ = '|';
  std::memcpy(p, tail.data(), tail.size());
  out_.advance(p + tail.size());
}

void BgpdumpFormat::rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e,
                              const mrt::PeerEntry& peer, const PathAttributes& a) {
  // bgpdump decodes only the unicast RIB subtypes; RIB_GENERIC and multicast print nothing.
  const std::uint16_t st = r.header.subtype;
  if (!(st == 2 || st == 4 || st == 8 || st == 10)) return;
  rib_entry_line(r, rib, e, peer, rib_tail(a, true, TailKind::TableDumpV2, rib.add_path));
}

void BgpdumpFormat::rib_entry_line(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e,
                                   const mrt::PeerEntry& peer, const std::string& tail) {
  // Not a kept quirk: bgpdump 1.6's -t change for TABLE_DUMP_V2 reads a dangling stack slot
  // (it prints 0 or garbage); we print the origination time it meant to.
  line_start(rib.add_path ? "TABLE_DUMP2_AP" : "TABLE_DUMP2", opt_.change_time ? e.originated : r.header.seconds, 0,
             false, "B");
  char* p = out_.reserve(head_.size() + 160 + tail.size());
  std::memcpy(p, head_.data(), head_.size());
  p += head_.size();
  p = put_addr(peer.ip, peer.type & 1, p);
  *p++ = '|';
  p = put_u32(peer.asn, p);
  *p++ = '|';
  p = put_addr(rib.prefix.address, rib.afi == 2, p);
  *p++ = '/';
  p = put_u32(rib.prefix.length, p);
  *p++ = '|';
  if (rib.add_path) {
    p = put_u32(e.path_id, p);
    *p++ = '|';
  }
  std::memcpy(p, tail.data(), tail.size());
  out_.advance(p + tail.size());
}

void BgpdumpFormat::bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const PathAttributes& a) {
  // bgpdump rejects BGP4MP_ENTRY. A unicast route gets the line bgpdump prints for the same
  // route in a TABLE_DUMP_V2 RIB (what OpenBGPD's table-v2 dump of the same RIB gives), with
  // the AS path of a 2-octet record (AS4_PATH merged as bgpdump merges it).
  if (!e.interpreted() || e.safi != 1) return;
  line_start("TABLE_DUMP2", opt_.change_time ? e.originated : r.header.seconds, 0, false, "B");
  const std::string& tail = rib_tail(a, false, TailKind::Bgp4mpEntry, false);
  char* p = out_.reserve(head_.size() + 160 + tail.size());
  std::memcpy(p, head_.data(), head_.size());
  p += head_.size();
  p = put_addr(e.peer.peer_ip, e.peer.afi == 2, p);
  *p++ = '|';
  p = put_u32(e.peer.peer_as, p);
  *p++ = '|';
  p = put_addr(e.prefix.address, e.afi == 2, p);
  *p++ = '/';
  p = put_u32(e.prefix.length, p);
  *p++ = '|';
  std::memcpy(p, tail.data(), tail.size());
  out_.advance(p + tail.size());
}

void BgpdumpFormat::state_change(const mrt::Record& r, const mrt::StateChange& s, bool mrtd) {
  const bool et = r.header.type == static_cast<std::uint16_t>(mrt::Type::Bgp4mpEt);
  line_start(mrtd ? "BGP" : et ? "BGP4MP_ET" : "BGP4MP", r.header.seconds, r.header.microseconds, et, "STATE");
  char* p = out_.reserve(head_.size() + 96);
  std::memcpy(p, head_.data(), head_.size());
  p += head_.size();
  p = put_addr(s.peer.peer_ip, s.peer.afi == 2, p);
  *p++ = '|';
  p = put_u32(s.peer.peer_as, p);
  *p++ = '|';
  p = put_u32(s.old_state, p);
  *p++ = '|';
  p = put_u32(s.new_state, p);
  *p++ = '\n';
  out_.advance(p);
}

void BgpdumpFormat::prefix_lines(std::string_view head, wire::Bytes field, wire::Afi afi, bool add_path,
                                 const std::string_view* tail) {
  const bool v6 = afi == wire::Afi::Ipv6;
  const std::size_t room = head.size() + 64 + (tail ? tail->size() : 0);
  // The field was validated by the UPDATE's decoding (wire::NlriReader's reading, inline: this
  // runs once per printed line). Trailing bits past the length are masked, as NlriReader does.
  const std::uint8_t* q = field.data();
  const std::uint8_t* const end = q + field.size();
  while (q < end) {
    std::uint32_t path_id = 0;
    if (add_path) {
      path_id = wire::load_u32(q);
      q += 4;
    }
    const unsigned bits = *q++;
    const unsigned octets = (bits + 7) / 8;
    std::uint8_t addr[16] = {};
    if (!v6) {  // constant-size copies: no memcpy call per line
      switch (octets) {
        case 4: std::memcpy(addr, q, 4); break;
        case 3: std::memcpy(addr, q, 3); break;
        case 2: std::memcpy(addr, q, 2); break;
        case 1: addr[0] = q[0]; break;
        default: break;
      }
    } else {
      std::memcpy(addr, q, octets);
    }
    if (bits % 8) addr[octets - 1] &= static_cast<std::uint8_t>(0xff00u >> (bits % 8));
    q += octets;
    char* p = out_.reserve(room);
    std::memcpy(p, head.data(), head.size());
    p += head.size();
    p = v6 ? bgpdump_ipv6(addr, p) : wire::format_ipv4(addr, p);
    const LengthText& lt = kLengthText[bits];
    std::memcpy(p, lt.text, 4);
    p += lt.size;
    if (!tail) {  // withdrawal: optional path id, end of line
      if (add_path) {
        *p++ = '|';
        p = put_u32(path_id, p);
      }
      *p++ = '\n';
      out_.advance(p);
      continue;
    }
    *p++ = '|';
    if (add_path) {
      p = put_u32(path_id, p);
      *p++ = '|';
    }
    std::memcpy(p, tail->data(), tail->size());
    out_.advance(p + tail->size());
  }
}

void BgpdumpFormat::update(const UpdateInfo& u) {
  const mrt::Record& r = u.record;
  const PathAttributes& a = u.update.attributes;
  const bool et = r.header.type == static_cast<std::uint16_t>(mrt::Type::Bgp4mpEt);
  using namespace std::string_view_literals;  // lengths known here, not strlen per line head
  const std::string_view format = u.mrtd ? "BGP"sv
                                  : et   ? (u.local ? (u.add_path ? "BGP4MP_ET_LOCAL_AP"sv : "BGP4MP_ET_LOCAL"sv)
                                                    : (u.add_path ? "BGP4MP_ET_AP"sv : "BGP4MP_ET"sv))
                                         : (u.local ? (u.add_path ? "BGP4MP_LOCAL_AP"sv : "BGP4MP_LOCAL"sv)
                                                    : (u.add_path ? "BGP4MP_AP"sv : "BGP4MP"sv));
  const bool v6_transport = u.peer.afi == 2 && !u.mrtd;
  auto known = [](std::uint16_t afi, std::uint8_t safi) { return afi >= 1 && afi <= 2 && safi >= 1 && safi <= 3; };
  const bool have_mp_reach = a.has(AttrType::MpReachNlri) && known(a.mp_reach.afi, a.mp_reach.safi);
  const bool have_mp_unreach = a.has(AttrType::MpUnreachNlri) && known(a.mp_unreach.afi, a.mp_unreach.safi);

  // The line head with "peer|as|" as bgpdump prints it for each kind of line, built in one go
  // (the time text changes with every BGP4MP_ET record: no head is reused).
  time_text(r.header.seconds, r.header.microseconds, et);
  auto head_for = [&](LineHead& h, std::string_view kind, bool as_v6, bool v4_octets_as_v6) -> std::string_view {
    char* p = put_head(h.text, format, kind);
    p = v4_octets_as_v6 ? bgpdump_ipv6(u.peer.peer_ip.octets.data(), p) : put_addr(u.peer.peer_ip, as_v6, p);
    *p++ = '|';
    p = put_u32(u.peer.peer_as, p);
    *p++ = '|';
    h.size = static_cast<std::size_t>(p - h.text);
    return h.view();
  };

  // Withdrawals: legacy field, then MP_UNREACH_NLRI (and, under treat-as-withdraw, the announced
  // prefixes too). QUIRK: an IPv6 prefix over IPv4 transport in a *_LOCAL record gets the IPv4
  // peer octets formatted as IPv6.
  const bool any_withdraw = !u.update.withdrawn.empty() || (have_mp_unreach && !a.mp_unreach.nlri.empty()) ||
                            (u.withdraw_all && (!u.update.nlri.empty() || (have_mp_reach && !a.mp_reach.nlri.empty())));
  if (any_withdraw) {
    const std::string_view w4 = head_for(head_w4_, "W", v6_transport, false);
    const std::string_view w6 = head_for(head_w6_, "W", v6_transport, !v6_transport && u.local && !u.mrtd);
    auto withdraw = [&](wire::Bytes field, wire::Afi afi) {
      if (!field.empty()) prefix_lines(afi == wire::Afi::Ipv6 ? w6 : w4, field, afi, u.add_path, nullptr);
    };
    withdraw(u.update.withdrawn, wire::Afi::Ipv4);
    if (have_mp_unreach) withdraw(a.mp_unreach.nlri, static_cast<wire::Afi>(a.mp_unreach.afi));
    if (u.withdraw_all) {  // RFC 7606 treat-as-withdraw: the announced routes are withdrawn
      withdraw(u.update.nlri, wire::Afi::Ipv4);
      if (have_mp_reach) withdraw(a.mp_reach.nlri, static_cast<wire::Afi>(a.mp_reach.afi));
      return;
    }
  }
  const bool mp_announce = have_mp_reach && !a.mp_reach.nlri.empty();
  if (u.update.nlri.empty() && !mp_announce) return;

  attribute_texts(a, u.four_octet_as);
  const std::string_view head = head_for(head_a_, "A", v6_transport, false);
  const char* origin = origin_text(a);
  static constexpr std::uint8_t kNone[4] = {255, 255, 255, 255};

  // The tails are written in place into tail_buf_, room for the longest they can be (it only
  // grows, and is never zero-filled: no allocation or clearing per message).
  const std::size_t bound = as_path_.size() + communities_.size() + large_communities_.size() + aggregator_.size() +
                            unknown_.size() + 160;
  if (tail_cap_ < bound) {
    tail_cap_ = std::max(bound, 2 * tail_cap_);
    tail_buf_ = std::make_unique_for_overwrite<char[]>(tail_cap_);
  }
  char* const t = tail_buf_.get();

  // Legacy IPv4 NLRI: table_line_announce (mrtd_table_line_announce for the MRTD type).
  if (!u.update.nlri.empty()) {
    char* p = put_text(t, as_path_);
    *p++ = '|';
    p = put_text(p, origin);
    if (opt_.human_time) {
      *p++ = '\n';
    } else {
      *p++ = '|';
      p = wire::format_ipv4(a.has(AttrType::NextHop) ? a.next_hop.data() : kNone, p);
      *p++ = '|';
      p = put_pref_med(p, a, false);
      if (u.mrtd) {  // no -l / -u columns
        p = put_text(p, communities_);
        p = put_text(p, find_raw(a, AttrType::AtomicAggregate) ? std::string_view("|AG|") : std::string_view("|NAG|"));
        p = put_text(p, aggregator_);
        p = put_text(p, "|\n");
      } else {
        p = put_tail_after_next_hop(p, a);
      }
    }
    const std::string_view tail(t, static_cast<std::size_t>(p - t));
    prefix_lines(head, u.update.nlri, wire::Afi::Ipv4, u.add_path, &tail);
  }
  if (!mp_announce) return;

  const auto& m = a.mp_reach;
  const bool nh_ok = m.next_hop_length == 4 || m.next_hop_length == 16 || m.next_hop_length == 32;
  const bool v6 = m.afi == 2;
  char* p = t;
  if (opt_.human_time) {
    p = put_text(p, as_path_);
    *p++ = '|';
    p = put_text(p, origin);
    *p++ = '\n';
  } else {
    // table_line_announce6 prints aspath..med only with a known next-hop length;
    // table_line_announce_1 (IPv4) always prints aspath and origin, and %d numbers.
    if (!v6 || nh_ok) {
      p = put_text(p, as_path_);
      *p++ = '|';
      p = put_text(p, origin);
      *p++ = '|';
    }
    if (nh_ok) {
      p = m.next_hop_length == 4 ? wire::format_ipv4(m.next_hop.data(), p) : bgpdump_ipv6(m.next_hop.data(), p);
      *p++ = '|';
      p = put_pref_med(p, a, !v6);
    }
    p = put_tail_after_next_hop(p, a);
  }
  const std::string_view tail(t, static_cast<std::size_t>(p - t));
  prefix_lines(head, m.nlri, static_cast<wire::Afi>(m.afi), u.add_path, &tail);
}

char* BgpdumpFormat::put_pref_med(char* p, const PathAttributes& a, bool signed_fmt) {
  const std::uint32_t pref = a.has(AttrType::LocalPref) ? a.local_pref : 0;
  const std::uint32_t med = a.has(AttrType::MultiExitDisc) ? a.med : 0;
  p = signed_fmt ? put_i32(pref, p) : put_u32(pref, p);
  *p++ = '|';
  p = signed_fmt ? put_i32(med, p) : put_u32(med, p);
  *p++ = '|';
  return p;
}

}  // namespace bgpfa::app
