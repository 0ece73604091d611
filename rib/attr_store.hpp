// Interned attribute sets: every distinct set is stored once, shared by all routes carrying it
// (hash-consing, refcounted, freed when the last route lets go). Single-threaded by design:
// one io_context thread owns the RIBs.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_set.h>

#include "bgp/wire/attribute.hpp"
#include "rib/hash_bytes.hpp"

namespace bgpfa::rib {

class AttrStore;

// One distinct set, in one allocation: 60 bytes of fixed fields (what the decision process and
// the reports read, decoded once), then the attributes' own bytes, stored once: the AS path
// (4-octet ASNs), COMMUNITIES, and the rest (large and extended communities, AGGREGATOR,
// unknown attributes) in a canonical form. From `origin` to the end the bytes are the set's
// identity: equal attributes, equal bytes.
//   bytes  what
//    4     reference count
//    4     the identity's hash: the index grows without hashing every identity again
//    2     the store's number (a registry, not an 8-byte pointer)
//   11     neighbour AS, origin AS, decision length of the AS path, prepended: read per decision
//   39     origin, MED, LOCAL_PREF, next hop (18), flags, sizes of the three byte runs (identity)
//    n     AS path + communities + rest (identity)
// Sets come from the store's own pool in 8-byte steps (no allocator header): a set with a
// typical 20-30 bytes of path and communities takes 80-88 bytes.
// AS paths and community lists are not shared between sets: for real tables they average ~20
// and a few bytes, less than a shared piece costs (pointer, count, index slot, allocation).
struct AttrSet {
  std::uint32_t refs = 0;
  std::uint32_t neighbor_as = 0;  // first AS of the path
  std::uint32_t origin_as = 0;
  std::uint32_t hash = 0;  // AttrStore::hash_of(identity()), set once when the set is made
  std::uint16_t as_path_length = 0;  // RFC 4271 9.1.2.2 a
  std::uint16_t store = 0;  // the AttrStore's number: the last reference hands the set back to it
  bool prepended = false;  // an AS repeated back to back (AS-path prepending)
  // Identity from here.
  std::uint8_t origin = 2;
  bool has_med = false;
  bool has_local_pref = false;
  std::uint32_t med = 0;
  std::uint32_t local_pref = 100;
  std::uint32_t rest_size = 0;
  wire::IpAddress next_hop;
  std::uint16_t as_path_size = 0, communities_size = 0;
  std::uint8_t flags = 0;  // kHas* below
  std::uint8_t zero_ = 0;
  // The byte runs follow the struct.

  static constexpr std::uint8_t kHasMed = 1, kHasLocalPref = 2, kAtomicAggregate = 4, kHasAggregator = 8, kHasNextHop = 16;

  [[nodiscard]] const std::uint8_t* bytes() const noexcept { return reinterpret_cast<const std::uint8_t*>(this + 1); }
  [[nodiscard]] std::size_t bytes_size() const noexcept { return std::size_t{as_path_size} + communities_size + rest_size; }
  // The identity: from `origin` through the byte runs (contiguous).
  [[nodiscard]] std::string_view identity() const noexcept;
  [[nodiscard]] wire::AsPathView as_path() const noexcept { return {wire::Bytes(bytes(), as_path_size), 4}; }
  [[nodiscard]] wire::Bytes communities() const noexcept { return {bytes() + as_path_size, communities_size}; }
  [[nodiscard]] std::string as_path_text() const;  // "12076 65100 {1,2}"
  // Back to path attributes as MRT TABLE_DUMP_V2 RIB entries hold them: 4-octet AS_PATH, an IPv6
  // next hop as an MP_REACH_NLRI with only the next hop (RFC 6396 4.3.4). Attributes the set
  // does not keep (ORIGINATOR_ID, CLUSTER_LIST and other well-known ones) are not there.
  void encode(std::vector<std::uint8_t>& out) const;
};
static_assert(sizeof(AttrSet) == 60);

// Owning handle; copying shares, the last one out frees the set.
class AttrRef {
 public:
  AttrRef() = default;
  explicit AttrRef(AttrSet* s) noexcept : s_(s) { if (s_) ++s_->refs; }
  AttrRef(const AttrRef& o) noexcept : AttrRef(o.s_) {}
  AttrRef(AttrRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  AttrRef& operator=(AttrRef o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~AttrRef() { release(); }
  [[nodiscard]] const AttrSet* get() const noexcept { return s_; }
  const AttrSet* operator->() const noexcept { return s_; }
  const AttrSet& operator*() const noexcept { return *s_; }
  explicit operator bool() const noexcept { return s_ != nullptr; }
  friend bool operator==(const AttrRef& a, const AttrRef& b) noexcept { return a.s_ == b.s_; }

 private:
  // Inline: nearly every release leaves the set referenced (or has none), and the call was 2 %
  // of a table load; only the last reference goes out of line, to the store.
  void release() noexcept {
    if (s_ && --s_->refs == 0) free_set(s_);
    s_ = nullptr;
  }
  static void free_set(AttrSet* s) noexcept;
  AttrSet* s_ = nullptr;
};

class AttrStore {
 public:
  AttrStore();  // takes a number in the registry of live stores (at most 65535 at once)
  AttrStore(const AttrStore&) = delete;
  AttrStore& operator=(const AttrStore&) = delete;
  ~AttrStore();

  // The shared set for these decoded attributes (`four_octet_as`: how AS_PATH was encoded, so
  // AS4_PATH is merged per RFC 6793 when it was not).
  [[nodiscard]] AttrRef intern(const wire::PathAttributes& a, bool four_octet_as);
  // Interning in two steps, for a caller that holds routes (the feed's RIB-dump batches) so
  // that one route's cache misses overlap the work of others: identify() builds and hashes a
  // set's identity from the decoded attributes; later, prefetch_hint(), then prefetch_set() a few
  // routes before, and intern() gives the shared set. The hints are a direct-mapped cache of sets
  // by hash in front of the index (a hit takes no probe); a hint is only a guess, checked
  // against the whole identity.
  struct Identity {
    std::string bytes;  // grown, never shrunk
    std::size_t size = 0, hash = 0;
    [[nodiscard]] std::string_view view() const noexcept { return {bytes.data(), size}; }
  };
  static void identify(const wire::PathAttributes& a, bool four_octet_as, Identity& out);
  void prefetch_hint(const Identity& id) const noexcept { __builtin_prefetch(&hints_[id.hash & kHintMask]); }
  void prefetch_set(const Identity& id) const noexcept {
    if (const AttrSet* s = hints_[id.hash & kHintMask]) __builtin_prefetch(s);
  }
  [[nodiscard]] AttrRef intern(const Identity& id);
  [[nodiscard]] std::size_t size() const noexcept { return sets_.size(); }
  // Every byte the store owns: the sets' pool (free blocks included), the index
  // (slots and control bytes), the hints and the scratch buffers.
  [[nodiscard]] std::size_t bytes() const noexcept;

 private:
  friend class AttrRef;
  void release(AttrSet* s) noexcept;

  // 32 bits of hash_bytes (avalanched: any of its bits will do), kept in each set.
  [[nodiscard]] static std::uint32_t hash_of(std::string_view id) noexcept {
    return static_cast<std::uint32_t>(hash_bytes(id.data(), id.size()));
  }
  // An identity being looked up, with its hash computed once.
  struct Probe {
    std::string_view id;
    std::uint32_t hash;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(const Probe& p) const noexcept { return p.hash; }
    std::size_t operator()(const AttrSet* s) const noexcept { return s->hash; }
  };
  struct Eq {
    using is_transparent = void;
    static std::string_view view(const Probe& p) noexcept { return p.id; }
    static std::string_view view(const AttrSet* s) noexcept { return s->identity(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept { return view(a) == view(b); }
  };
  [[nodiscard]] static std::size_t words(const AttrSet& s) noexcept { return (sizeof(AttrSet) + s.bytes_size() + 7) / 8; }
  [[nodiscard]] AttrSet* find_or_make(const Probe& p);
  [[nodiscard]] static std::uint8_t decoded_how(const wire::PathAttributes& a, bool four_octet_as) noexcept;
  static constexpr std::size_t kHints = 32768, kHintMask = kHints - 1;  // 256 KB, for ~20 k sets

  // The sets' memory: blocks of 8-byte words carved from 64 KB chunks, a free list per size
  // (no allocator header, no rounding to 16). Sets over a quarter chunk are allocated alone.
  class Pool {
   public:
    Pool() = default;
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() = default;  // chunks and free lists go with the vectors; the store frees large blocks
    [[nodiscard]] std::uint64_t* allocate(std::size_t words);
    void deallocate(std::uint64_t* p, std::size_t words) noexcept;
    [[nodiscard]] std::size_t bytes() const noexcept;

   private:
    static constexpr std::size_t kChunkWords = 8192;
    std::vector<std::unique_ptr<std::uint64_t[]>> chunks_;
    std::size_t used_ = kChunkWords;    // words handed out of the last chunk
    std::vector<std::uint64_t*> free_;  // by size in words: a list linked through each block's first word
    std::size_t large_bytes_ = 0;
  };

  absl::flat_hash_set<AttrSet*, Hash, Eq> sets_;
  std::unique_ptr<AttrSet*[]> hints_ = std::make_unique<AttrSet*[]>(kHints);
  std::string scratch_;      // the identity of the set being interned
  AttrSet* last_ = nullptr;  // the set interned last: consecutive routes often share one
  // The set intern(attributes) made last, and the attribute block it made it from.
  AttrSet* block_set_ = nullptr;
  std::string last_block_;
  std::uint8_t last_how_ = 0;
  Pool pool_;
  std::uint16_t id_ = 0;
};

}  // namespace bgpfa::rib
