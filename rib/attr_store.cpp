#include "rib/attr_store.hpp"

#include <algorithm>
#include <array>
#include <atomic>
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
static_assert(kHeader == 1 + 1 + 1 + 4 + 4 + 4 + sizeof(wire::IpAddress) + 2 + 2 + 1 + 1, "no padding in the identity");

// Live stores by number: a set names its store in 2 bytes instead of an 8-byte pointer. Static
// storage (pages never touched stay unmapped); atomic for stores made on other threads.
constexpr std::size_t kMaxStores = 0xffff;
std::array<std::atomic<AttrStore*>, kMaxStores> g_stores{};

std::uint16_t run_size(std::size_t n, const char* what) {
  if (n > 0xffff) throw std::length_error(fmt::format("attribute set: {} of {} bytes, over 65535", what, n));
  return static_cast<std::uint16_t>(n);
}

// The identity of a set into `buf` (grown, never shrunk; returns the length): the fixed fields
// as AttrSet lays them out from `origin`, then the AS path (always 4-octet), COMMUNITIES, and the
// rest: large and extended communities (each with a 4-byte length), AGGREGATOR, and the unknown
// attributes (type, 4-byte length, value). Sized first, then written through a pointer: this
// runs for every route.
std::size_t canonical(const wire::PathAttributes& a, bool four_octet_as, std::string& buf) {
  using wire::AttrType;
  std::vector<std::uint8_t> merged;
  wire::Bytes path;
  bool widen = false;
  if (!a.has(AttrType::AsPath)) {
  } else if (!four_octet_as && a.has(AttrType::As4Path)) {  // RFC 6793: merge AS4_PATH
    merged = wire::merge_as4_path(a.as_path, a.as4_path);
    path = wire::Bytes(merged.data(), merged.size());
  } else {
    path = a.as_path.data;
    widen = a.as_path.asn_size != 4;
  }
  const bool has_aggregator = a.has(AttrType::Aggregator);
  std::size_t unknown = 0;  // bytes of the unknown attributes' runs
  for (const auto& raw : a.all)
    if (!wire::descriptor(raw.type).name) unknown += 5 + raw.value.size();
  const bool has_rest = unknown || has_aggregator || !a.large_communities.empty() || !a.extended_communities.empty();
  const std::size_t rest = has_rest ? 8 + a.large_communities.size() + a.extended_communities.size() + (has_aggregator ? 8 : 0) + unknown : 0;
  const std::size_t bound = kHeader + 2 * path.size() + a.communities.size() + rest;
  if (buf.size() < bound) buf.resize(std::max(bound, 2 * buf.size()));

  auto* const base = reinterpret_cast<std::uint8_t*>(buf.data());
  std::uint8_t* w = base + kHeader;
  auto put = [&](wire::Bytes b) {
    if (!b.empty()) std::memcpy(w, b.data(), b.size());
    w += b.size();
  };
  auto put32 = [&](std::uint32_t v) {
    wire::store_u32(w, v);
    w += 4;
  };
  if (!widen) {
    put(path);
  } else {  // 2-octet ASNs, widened
    a.as_path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
      *w++ = static_cast<std::uint8_t>(t);
      *w++ = static_cast<std::uint8_t>(n);
      for (unsigned i = 0; i < n; ++i) put32(wire::load_u16(p + 2 * i));
    });
  }
  AttrSet h;
  h.as_path_size = run_size(static_cast<std::size_t>(w - base) - kHeader, "AS path");
  put(a.communities);
  h.communities_size = run_size(a.communities.size(), "COMMUNITIES");
  const std::uint8_t* rest_at = w;
  if (has_rest) {
    put32(static_cast<std::uint32_t>(a.large_communities.size()));
    put(a.large_communities);
    put32(static_cast<std::uint32_t>(a.extended_communities.size()));
    put(a.extended_communities);
    if (has_aggregator) {
      put32(a.aggregator.asn);
      put(wire::Bytes(a.aggregator.address.data(), 4));
    }
    for (const auto& raw : a.all) {
      if (wire::descriptor(raw.type).name) continue;
      *w++ = raw.type;
      put32(static_cast<std::uint32_t>(raw.value.size()));
      put(raw.value);
    }
  }
  h.rest_size = static_cast<std::uint32_t>(w - rest_at);

  h.has_med = a.has(AttrType::MultiExitDisc);
  h.has_local_pref = a.has(AttrType::LocalPref);
  h.flags |= h.has_med ? AttrSet::kHasMed : 0;
  h.flags |= h.has_local_pref ? AttrSet::kHasLocalPref : 0;
  h.flags |= a.has(AttrType::AtomicAggregate) ? AttrSet::kAtomicAggregate : 0;
  h.flags |= has_aggregator ? AttrSet::kHasAggregator : 0;
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
  std::memcpy(base, reinterpret_cast<const char*>(&h) + kIdentityAt, kHeader);
  return static_cast<std::size_t>(w - base);
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

void AttrRef::free_set(AttrSet* s) noexcept { g_stores[s->store].load(std::memory_order_relaxed)->release(s); }

AttrStore::AttrStore() {
  for (std::size_t i = 0; i < kMaxStores; ++i) {
    AttrStore* none = nullptr;
    if (g_stores[i].compare_exchange_strong(none, this)) {
      id_ = static_cast<std::uint16_t>(i);
      return;
    }
  }
  throw std::length_error(fmt::format("attribute stores: more than {} at once", kMaxStores));
}

AttrStore::~AttrStore() {
  g_stores[id_].store(nullptr);
  for (AttrSet* s : sets_) {
    const std::size_t w = words(*s);
    std::destroy_at(s);
    pool_.deallocate(reinterpret_cast<std::uint64_t*>(s), w);  // frees the large ones
  }
}

std::uint64_t* AttrStore::Pool::allocate(std::size_t words) {
  if (words > kChunkWords / 4) {
    large_bytes_ += words * 8;
    return std::allocator<std::uint64_t>().allocate(words);
  }
  if (words < free_.size() && free_[words]) {
    std::uint64_t* p = free_[words];
    std::memcpy(&free_[words], p, sizeof(std::uint64_t*));  // the next free block, kept in p's first word
    return p;
  }
  if (used_ + words > kChunkWords) {
    chunks_.push_back(std::make_unique_for_overwrite<std::uint64_t[]>(kChunkWords));
    used_ = 0;
  }
  std::uint64_t* p = chunks_.back().get() + used_;
  used_ += words;
  return p;
}

void AttrStore::Pool::deallocate(std::uint64_t* p, std::size_t words) noexcept {
  if (words > kChunkWords / 4) {
    large_bytes_ -= words * 8;
    std::allocator<std::uint64_t>().deallocate(p, words);
    return;
  }
  if (free_.size() <= words) free_.resize(words + 1, nullptr);  // at most kChunkWords / 4 + 1 heads
  std::memcpy(p, &free_[words], sizeof(std::uint64_t*));
  free_[words] = p;
}

std::size_t AttrStore::Pool::bytes() const noexcept {
  return chunks_.size() * kChunkWords * 8 + chunks_.capacity() * sizeof(chunks_[0]) + free_.capacity() * sizeof(free_[0]) +
         large_bytes_;
}

std::size_t AttrStore::bytes() const noexcept {
  // absl's table: a slot and a control byte per capacity, plus a group of cloned control bytes.
  const std::size_t index = sets_.capacity() ? (sets_.capacity() + 16) * (sizeof(AttrSet*) + 1) : 0;
  return pool_.bytes() + index + kHints * sizeof(AttrSet*) + scratch_.capacity() + last_block_.capacity();
}

std::uint8_t AttrStore::decoded_how(const wire::PathAttributes& a, bool four_octet_as) noexcept {
  return static_cast<std::uint8_t>(four_octet_as | a.as_path.asn_size << 1 | a.mp_reach.abbreviated << 4);
}

AttrRef AttrStore::intern(const wire::PathAttributes& a, bool four_octet_as) {
  // The very block of the set interned last (a dump's consecutive routes often share one): the
  // same bytes decoded the same way (the AS number size, MRT's abbreviated MP_REACH_NLRI) make
  // the same set, without building its identity.
  const std::uint8_t how = decoded_how(a, four_octet_as);
  const std::string_view block(reinterpret_cast<const char*>(a.block.data()), a.block.size());
  if (block_set_ && !block.empty() && how == last_how_ && block == last_block_) return AttrRef(block_set_);
  const std::string_view id(scratch_.data(), canonical(a, four_octet_as, scratch_));
  last_how_ = how;
  last_block_.assign(block);
  if (!last_ || last_->identity() != id) last_ = find_or_make({id, hash_of(id)});
  block_set_ = last_;
  return AttrRef(last_);
}

void AttrStore::identify(const wire::PathAttributes& a, bool four_octet_as, Identity& out) {
  // No shortcut for the block identified last, as intern() has: copying each block and identity
  // aside cost more than the repeats saved (0.94x on a bview's stage).
  out.size = canonical(a, four_octet_as, out.bytes);
  out.hash = hash_of(out.view());
}

AttrRef AttrStore::intern(const Identity& id) {
  AttrSet*& hint = hints_[id.hash & kHintMask];
  if (!hint || hint->identity() != id.view()) hint = find_or_make({id.view(), static_cast<std::uint32_t>(id.hash)});
  last_ = hint;
  return AttrRef(hint);
}

AttrSet* AttrStore::find_or_make(const Probe& probe) {
  const std::string_view id = probe.id;
  // One hash and one probe, whether the set is there or not: a new set is made in the slot found.
  AttrSet* s = nullptr;
  bool made = false;
  auto it = sets_.lazy_emplace(probe, [&](const auto& construct) {
    const std::size_t w = (sizeof(AttrSet) + id.size() - kHeader + 7) / 8;
    s = std::construct_at(reinterpret_cast<AttrSet*>(pool_.allocate(w)));
    std::memcpy(reinterpret_cast<char*>(s) + kIdentityAt, id.data(), id.size());  // fields and byte runs
    s->hash = probe.hash;  // before the index holds it: growing rehashes by it
    made = true;
    construct(s);
  });
  if (!made) return *it;
  s->store = id_;
  const auto path = s->as_path();
  s->as_path_length = static_cast<std::uint16_t>(path.decision_length());
  s->neighbor_as = path.first_asn();
  s->origin_as = path.origin_asn();
  path.for_each_segment([&](wire::SegmentType t, const std::uint8_t* p, unsigned n) {
    if (t != wire::SegmentType::Sequence) return;
    for (unsigned i = 1; i < n; ++i) s->prepended |= wire::load_u32(p + 4 * i) == wire::load_u32(p + 4 * (i - 1));
  });
  return s;
}

void AttrStore::release(AttrSet* s) noexcept {
  if (last_ == s) last_ = nullptr;
  if (AttrSet*& hint = hints_[s->hash & kHintMask]; hint == s) hint = nullptr;
  if (block_set_ == s) block_set_ = nullptr;
  sets_.erase(s);
  const std::size_t w = words(*s);
  std::destroy_at(s);
  pool_.deallocate(reinterpret_cast<std::uint64_t*>(s), w);
}

}  // namespace bgpfa::rib
