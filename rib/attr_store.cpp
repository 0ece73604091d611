#include "rib/attr_store.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "bgp/wire/as_path.hpp"

namespace bgpfa::rib {

namespace {

constexpr std::size_t kIdentityAt = offsetof(AttrSet, origin);
constexpr std::size_t kHeader = sizeof(AttrSet) - kIdentityAt;  // identity bytes before the runs
static_assert(kHeader == 1 + 4 + 4 + 4 + sizeof(wire::IpAddress) + 2 + 2 + 1 + 1 + 1 + 3, "no padding in the identity");

void put32(std::string& s, std::uint32_t v) {
  char b[4];
  wire::store_u32(reinterpret_cast<std::uint8_t*>(b), v);
  s.append(b, 4);
}

std::uint16_t run_size(std::size_t n, const char* what) {
  if (n > 0xffff) throw std::length_error(fmt::format("attribute set: {} of {} bytes, over 65535", what, n));
  return static_cast<std::uint16_t>(n);
}

// The identity of a set into `s`: the fixed fields as AttrSet lays them out from `origin`, then
// the AS path (always 4-octet), COMMUNITIES, and the rest: large and extended communities (each
// with a 4-byte length), AGGREGATOR, and the unknown attributes (type, 4-byte length, value).
void canonical(const wire::PathAttributes& a, bool four_octet_as, std::string& s) {
  using wire::AttrType;
  AttrSet h;
  s.assign(kHeader, '\0');
  // The AS path, always with 4-octet ASNs (AS4_PATH merged per RFC 6793 where it applies).
  if (!a.has(AttrType::AsPath)) {
  } else if (!four_octet_as && a.has(AttrType::As4Path)) {
    const auto merged = wire::merge_as4_path(a.as_path, a.as4_path);
    s.append(reinterpret_cast<const char*>(merged.data()), merged.size());
  } else if (a.as_path.asn_size == 4) {
    s.append(reinterpret_cast<const char*>(a.as_path.data.data()), a.as_path.data.size());
  } else {  // widen 2-octet ASNs
    a.as_path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
      s.push_back(static_cast<char>(t));
      s.push_back(static_cast<char>(n));
      for (unsigned i = 0; i < n; ++i) put32(s, wire::load_u16(p + 2 * i));
    });
  }
  h.as_path_size = run_size(s.size() - kHeader, "AS path");
  s.append(reinterpret_cast<const char*>(a.communities.data()), a.communities.size());
  h.communities_size = run_size(a.communities.size(), "COMMUNITIES");
  const std::size_t rest_at = s.size();
  auto section = [&](wire::Bytes b) {
    put32(s, static_cast<std::uint32_t>(b.size()));
    s.append(reinterpret_cast<const char*>(b.data()), b.size());
  };
  if (!a.large_communities.empty() || !a.extended_communities.empty() || a.has(AttrType::Aggregator)) {
    section(a.large_communities);
    section(a.extended_communities);
  }
  if (a.has(AttrType::Aggregator)) {
    put32(s, a.aggregator.asn);
    s.append(reinterpret_cast<const char*>(a.aggregator.address.data()), 4);
  }
  for (const auto& raw : a.all) {
    if (wire::descriptor(raw.type).name) continue;
    if (s.size() == rest_at) {  // the two community sections come first
      section({});
      section({});
    }
    s.push_back(static_cast<char>(raw.type));
    section(raw.value);
  }
  h.rest_size = static_cast<std::uint32_t>(s.size() - rest_at);

  h.has_med = a.has(AttrType::MultiExitDisc);
  h.has_local_pref = a.has(AttrType::LocalPref);
  h.flags |= h.has_med ? AttrSet::kHasMed : 0;
  h.flags |= h.has_local_pref ? AttrSet::kHasLocalPref : 0;
  h.flags |= a.has(AttrType::AtomicAggregate) ? AttrSet::kAtomicAggregate : 0;
  h.flags |= a.has(AttrType::Aggregator) ? AttrSet::kHasAggregator : 0;
  const bool mp_next_hop = a.has(AttrType::MpReachNlri) && a.mp_reach.next_hop_length;
  h.flags |= a.has(AttrType::NextHop) || mp_next_hop ? AttrSet::kHasNextHop : 0;
  h.origin = a.has(AttrType::Origin) ? a.origin : 2;
  h.med = a.med;
  h.local_pref = h.has_local_pref ? a.local_pref : 100;
  // Next hop: MP_REACH_NLRI's when present (IPv6 routes), else NEXT_HOP.
  if (a.has(AttrType::MpReachNlri) && (a.mp_reach.next_hop_length == 16 || a.mp_reach.next_hop_length == 32)) {
    h.next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv6, a.mp_reach.next_hop.data());
  } else if (a.has(AttrType::MpReachNlri) && a.mp_reach.next_hop_length == 4) {
    h.next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.mp_reach.next_hop.data());
  } else {
    h.next_hop = wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.next_hop.data());
  }
  std::memcpy(s.data(), reinterpret_cast<const char*>(&h) + kIdentityAt, kHeader);
}

}  // namespace

std::string_view AttrSet::identity() const noexcept {
  return {reinterpret_cast<const char*>(this) + kIdentityAt, kHeader + bytes_size()};
}

void AttrSet::encode(std::vector<std::uint8_t>& out) const {
  // Walks the byte runs written by canonical() above.
  const std::uint8_t* rest = bytes() + as_path_size + communities_size;
  std::size_t at = 0;
  auto section = [&]() -> wire::Bytes {
    if (at >= rest_size) return {};
    const std::uint32_t n = wire::load_u32(rest + at);
    wire::Bytes v(rest + at + 4, n);
    at += 4 + n;
    return v;
  };
  const wire::Bytes large = section(), ext = section();
  std::uint8_t word[4];
  wire::encode_attribute(out, 1, wire::Bytes(&origin, 1));
  wire::encode_attribute(out, 2, as_path().data);
  const bool has_next_hop = (flags & kHasNextHop) != 0;
  if (has_next_hop && next_hop.afi == wire::Afi::Ipv4) wire::encode_attribute(out, 3, wire::Bytes(next_hop.octets.data(), 4));
  if (flags & kHasMed) {
    wire::store_u32(word, med);
    wire::encode_attribute(out, 4, wire::Bytes(word, 4));
  }
  if (flags & kHasLocalPref) {
    wire::store_u32(word, local_pref);
    wire::encode_attribute(out, 5, wire::Bytes(word, 4));
  }
  if (flags & kAtomicAggregate) wire::encode_attribute(out, 6, {});
  if (flags & kHasAggregator) {
    wire::encode_attribute(out, 7, wire::Bytes(rest + at, 8));
    at += 8;
  }
  if (communities_size) wire::encode_attribute(out, 8, communities());
  if (has_next_hop && next_hop.afi == wire::Afi::Ipv6) {  // RFC 6396 4.3.4: the next hop alone
    std::uint8_t mp[17] = {16};
    std::copy_n(next_hop.octets.begin(), 16, mp + 1);
    wire::encode_attribute(out, 14, wire::Bytes(mp, 17));
  }
  if (!ext.empty()) wire::encode_attribute(out, 16, ext);
  if (!large.empty()) wire::encode_attribute(out, 32, large);
  while (at < rest_size) {
    const std::uint8_t type = rest[at++];
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
  for (AttrSet* s : sets_) {
    const std::size_t w = words(*s);
    std::destroy_at(s);
    std::allocator<std::uint64_t>().deallocate(reinterpret_cast<std::uint64_t*>(s), w);
  }
}

std::size_t AttrStore::chunk_bytes(std::size_t words) noexcept {
  // glibc malloc: the request plus an 8-byte header, in 16-byte steps, at least 32.
  return std::max<std::size_t>(32, (words * 8 + 8 + 15) & ~std::size_t{15});
}

std::size_t AttrStore::bytes() const noexcept {
  // absl's table: a slot and a control byte per capacity, plus a group of cloned control bytes.
  const std::size_t index = sets_.capacity() ? (sets_.capacity() + 16) * (sizeof(AttrSet*) + 1) : 0;
  return set_bytes_ + index + scratch_.capacity() + last_block_.capacity();
}

AttrRef AttrStore::intern(const wire::PathAttributes& a, bool four_octet_as) {
  // The very block of the set interned last (a dump's consecutive routes often share one): the
  // same bytes decoded the same way (the AS number size, MRT's abbreviated MP_REACH_NLRI) make
  // the same set, without building its identity.
  const std::uint8_t how = static_cast<std::uint8_t>(four_octet_as | a.as_path.asn_size << 1 | a.mp_reach.abbreviated << 4);
  const std::string_view block(reinterpret_cast<const char*>(a.block.data()), a.block.size());
  if (last_ && !block.empty() && how == last_how_ && block == last_block_) return AttrRef(last_);
  canonical(a, four_octet_as, scratch_);
  const std::string_view id(scratch_);
  last_how_ = how;
  last_block_.assign(block);
  if (last_ && last_->identity() == id) return AttrRef(last_);
  if (auto it = sets_.find(id); it != sets_.end()) {
    last_ = *it;
    return AttrRef(last_);
  }
  const std::size_t w = (sizeof(AttrSet) + id.size() - kHeader + 7) / 8;
  AttrSet* s = std::construct_at(reinterpret_cast<AttrSet*>(std::allocator<std::uint64_t>().allocate(w)));
  std::memcpy(reinterpret_cast<char*>(s) + kIdentityAt, id.data(), id.size());  // fields and byte runs
  s->store = this;
  const auto path = s->as_path();
  s->as_path_length = static_cast<std::uint16_t>(path.decision_length());
  s->neighbor_as = path.first_asn();
  s->origin_as = path.origin_asn();
  path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
    if (t != wire::SegmentType::Sequence) return;
    for (unsigned i = 1; i < n; ++i) s->prepended |= wire::load_u32(p + 4 * i) == wire::load_u32(p + 4 * (i - 1));
  });
  sets_.insert(s);
  set_bytes_ += chunk_bytes(w);
  last_ = s;
  return AttrRef(s);
}

void AttrStore::release(AttrSet* s) noexcept {
  if (last_ == s) last_ = nullptr;
  sets_.erase(s);
  const std::size_t w = words(*s);
  set_bytes_ -= chunk_bytes(w);
  std::destroy_at(s);
  std::allocator<std::uint64_t>().deallocate(reinterpret_cast<std::uint64_t*>(s), w);
}

}  // namespace bgpfa::rib
