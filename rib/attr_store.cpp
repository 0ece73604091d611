#include "rib/attr_store.hpp"

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "bgp/wire/as_path.hpp"

namespace bgpfa::rib {

namespace {

void put32(std::string& s, std::uint32_t v) {
  char b[4];
  wire::store_u32(reinterpret_cast<std::uint8_t*>(b), v);
  s.append(b, 4);
}

// Canonical encoding: fixed header, then the AS path (always 4-octet), communities, large and
// extended communities, aggregator and the raw unknown attributes. Equal routes, equal bytes.
void canonical(const wire::PathAttributes& a, bool four_octet_as, std::string& s, std::uint16_t& path_off,
               std::uint16_t& path_size, std::uint16_t& comm_off, wire::IpAddress& next_hop) {
  using wire::AttrType;
  s.clear();
  std::uint8_t flags = 0;
  flags |= a.has(AttrType::MultiExitDisc) ? 1 : 0;
  flags |= a.has(AttrType::LocalPref) ? 2 : 0;
  flags |= a.has(AttrType::AtomicAggregate) ? 4 : 0;
  flags |= a.has(AttrType::Aggregator) ? 8 : 0;
  flags |= a.has(AttrType::NextHop) || (a.has(AttrType::MpReachNlri) && a.mp_reach.next_hop_length) ? 16 : 0;
  s.push_back(static_cast<char>(flags));
  s.push_back(static_cast<char>(a.has(AttrType::Origin) ? a.origin : 2));
  put32(s, a.med);
  put32(s, a.local_pref);
  // Next hop: MP_REACH_NLRI's when present (IPv6 routes), else NEXT_HOP.
  if (a.has(AttrType::MpReachNlri) && (a.mp_reach.next_hop_length == 16 || a.mp_reach.next_hop_length == 32)) {
    next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv6, a.mp_reach.next_hop.data());
  } else if (a.has(AttrType::MpReachNlri) && a.mp_reach.next_hop_length == 4) {
    next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.mp_reach.next_hop.data());
  } else {
    next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.next_hop.data());
  }
  s.push_back(static_cast<char>(next_hop.afi));
  s.append(reinterpret_cast<const char*>(next_hop.octets.data()), 16);
  auto section = [&](wire::Bytes b) {
    put32(s, static_cast<std::uint32_t>(b.size()));
    const auto off = s.size();
    s.append(reinterpret_cast<const char*>(b.data()), b.size());
    return static_cast<std::uint16_t>(off);
  };
  // The AS path, always with 4-octet ASNs (AS4_PATH merged per RFC 6793 where it applies).
  if (!a.has(AttrType::AsPath)) {
    path_off = section({});
    path_size = 0;
  } else if (!four_octet_as && a.has(AttrType::As4Path)) {
    const auto merged = wire::merge_as4_path(a.as_path, a.as4_path);
    path_off = section(merged);
    path_size = static_cast<std::uint16_t>(merged.size());
  } else if (a.as_path.asn_size == 4) {
    path_off = section(a.as_path.data);
    path_size = static_cast<std::uint16_t>(a.as_path.data.size());
  } else {  // widen 2-octet ASNs in place
    const std::size_t len_at = s.size();
    put32(s, 0);
    path_off = static_cast<std::uint16_t>(s.size());
    a.as_path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
      s.push_back(static_cast<char>(t));
      s.push_back(static_cast<char>(n));
      for (unsigned i = 0; i < n; ++i) put32(s, wire::load_u16(p + 2 * i));
    });
    path_size = static_cast<std::uint16_t>(s.size() - path_off);
    wire::store_u32(reinterpret_cast<std::uint8_t*>(s.data() + len_at), path_size);
  }
  comm_off = section(a.communities);
  section(a.large_communities);
  section(a.extended_communities);
  if (a.has(AttrType::Aggregator)) {
    put32(s, a.aggregator.asn);
    s.append(reinterpret_cast<const char*>(a.aggregator.address.data()), 4);
  }
  for (const auto& raw : a.all) {
    if (wire::descriptor(raw.type).name) continue;
    s.push_back(static_cast<char>(raw.type));
    section(raw.value);
  }
}

}  // namespace

void AttrSet::encode(std::vector<std::uint8_t>& out) const {
  // Walks the canonical layout written by canonical() above.
  const auto* b = reinterpret_cast<const std::uint8_t*>(blob_data.get());
  const std::uint8_t flags = b[0];
  std::size_t at = 2 + 4 + 4 + 1 + 16;
  auto section = [&] {
    const std::uint32_t n = wire::load_u32(b + at);
    wire::Bytes v(b + at + 4, n);
    at += 4 + n;
    return v;
  };
  const wire::Bytes path = section(), comms = section(), large = section(), ext = section();
  wire::encode_attribute(out, 1, wire::Bytes(&origin, 1));
  wire::encode_attribute(out, 2, path);
  const bool has_next_hop = (flags & 16) != 0;
  if (has_next_hop && next_hop.afi == wire::Afi::Ipv4) wire::encode_attribute(out, 3, wire::Bytes(next_hop.octets.data(), 4));
  if (flags & 1) wire::encode_attribute(out, 4, wire::Bytes(b + 2, 4));
  if (flags & 2) wire::encode_attribute(out, 5, wire::Bytes(b + 6, 4));
  if (flags & 4) wire::encode_attribute(out, 6, {});
  if (flags & 8) {
    wire::encode_attribute(out, 7, wire::Bytes(b + at, 8));
    at += 8;
  }
  if (!comms.empty()) wire::encode_attribute(out, 8, comms);
  if (has_next_hop && next_hop.afi == wire::Afi::Ipv6) {  // RFC 6396 4.3.4: the next hop alone
    std::uint8_t mp[17] = {16};
    std::copy_n(next_hop.octets.begin(), 16, mp + 1);
    wire::encode_attribute(out, 14, wire::Bytes(mp, 17));
  }
  if (!ext.empty()) wire::encode_attribute(out, 16, ext);
  if (!large.empty()) wire::encode_attribute(out, 32, large);
  while (at < blob_size) {
    const std::uint8_t type = b[at++];
    wire::encode_attribute(out, type, section());
  }
}

std::string AttrSet::as_path_text() const {
  std::string out;
  as_path().for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
    if (!out.empty()) out += ' ';
    const bool set = t == wire::SegmentType::Set || t == wire::SegmentType::ConfedSet;
    const bool confed = t == wire::SegmentType::ConfedSequence || t == wire::SegmentType::ConfedSet;
    if (confed) out += '(';
    if (set) out += '{';
    for (unsigned i = 0; i < n; ++i) out += fmt::format("{}{}", i ? (set ? "," : " ") : "", wire::load_u32(p + 4 * i));
    if (set) out += '}';
    if (confed) out += ')';
  });
  return out;
}

void AttrRef::release() noexcept {
  if (s_ && --s_->refs == 0) s_->store->release(s_);
  s_ = nullptr;
}

AttrStore::~AttrStore() {
  for (AttrSet* s : sets_) std::unique_ptr<AttrSet>{s};
}

AttrRef AttrStore::intern(const wire::PathAttributes& a, bool four_octet_as) {
  std::uint16_t path_off = 0, path_size = 0, comm_off = 0;
  wire::IpAddress nh;
  canonical(a, four_octet_as, scratch_, path_off, path_size, comm_off, nh);
  if (auto it = sets_.find(std::string_view(scratch_)); it != sets_.end()) return AttrRef(*it);
  auto s = std::make_unique<AttrSet>();
  s->blob_data = std::make_unique_for_overwrite<char[]>(scratch_.size());
  std::memcpy(s->blob_data.get(), scratch_.data(), scratch_.size());
  s->blob_size = static_cast<std::uint32_t>(scratch_.size());
  s->store = this;
  s->origin = a.has(wire::AttrType::Origin) ? a.origin : 2;
  s->has_med = a.has(wire::AttrType::MultiExitDisc);
  s->med = a.med;
  s->has_local_pref = a.has(wire::AttrType::LocalPref);
  s->local_pref = s->has_local_pref ? a.local_pref : 100;
  s->as_path_offset = path_off;
  s->as_path_size = path_size;
  s->communities_offset = comm_off;
  s->communities_size = static_cast<std::uint16_t>(a.communities.size());
  s->next_hop = nh;
  const auto path = s->as_path();
  s->as_path_length = static_cast<std::uint16_t>(path.decision_length());
  s->neighbor_as = path.first_asn();
  s->origin_as = path.origin_asn();
  path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
    if (t != wire::SegmentType::Sequence) return;
    for (unsigned i = 1; i < n; ++i) s->prepended |= wire::load_u32(p + 4 * i) == wire::load_u32(p + 4 * (i - 1));
  });
  bytes_ += sizeof(AttrSet) + s->blob_size;
  AttrSet* raw = s.release();
  sets_.insert(raw);
  return AttrRef(raw);
}

void AttrStore::release(AttrSet* s) noexcept {
  sets_.erase(s);
  bytes_ -= sizeof(AttrSet) + s->blob_size;
  std::unique_ptr<AttrSet>{s};
}

}  // namespace bgpfa::rib
