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

namespace bgpfa::rib {

class AttrStore;

// What the decision process and the reports need, decoded once per distinct set.
struct AttrSet {
  std::unique_ptr<char[]> blob_data;  // canonical encoding: the identity of the set
  std::uint32_t blob_size = 0;
  std::uint32_t refs = 0;
  AttrStore* store = nullptr;
  std::uint32_t med = 0;
  std::uint32_t local_pref = 100;
  std::uint32_t neighbor_as = 0;  // first AS of the path
  std::uint32_t origin_as = 0;
  std::uint16_t as_path_length = 0;  // RFC 4271 9.1.2.2 a
  std::uint8_t origin = 2;
  bool has_med = false;
  bool has_local_pref = false;
  bool prepended = false;  // an AS repeated back to back (AS-path prepending)
  std::uint16_t as_path_offset = 0, as_path_size = 0;  // 4-octet AS path inside blob
  std::uint16_t communities_offset = 0, communities_size = 0;
  wire::IpAddress next_hop;

  [[nodiscard]] std::string_view blob() const noexcept { return {blob_data.get(), blob_size}; }
  [[nodiscard]] wire::AsPathView as_path() const noexcept {
    return {wire::Bytes(reinterpret_cast<const std::uint8_t*>(blob_data.get()) + as_path_offset, as_path_size), 4};
  }
  [[nodiscard]] wire::Bytes communities() const noexcept {
    return {reinterpret_cast<const std::uint8_t*>(blob_data.get()) + communities_offset, communities_size};
  }
  [[nodiscard]] std::string as_path_text() const;  // "12076 65100 {1,2}"
  // Back to path attributes as MRT TABLE_DUMP_V2 RIB entries hold them: 4-octet AS_PATH, an IPv6
  // next hop as an MP_REACH_NLRI with only the next hop (RFC 6396 4.3.4). Attributes the set
  // does not keep (ORIGINATOR_ID, CLUSTER_LIST and other well-known ones) are not there.
  void encode(std::vector<std::uint8_t>& out) const;
};

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
  void release() noexcept;
  AttrSet* s_ = nullptr;
};

class AttrStore {
 public:
  AttrStore() = default;
  AttrStore(const AttrStore&) = delete;
  AttrStore& operator=(const AttrStore&) = delete;
  ~AttrStore();

  // The shared set for these decoded attributes (`four_octet_as`: how AS_PATH was encoded, so
  // AS4_PATH is merged per RFC 6793 when it was not).
  [[nodiscard]] AttrRef intern(const wire::PathAttributes& a, bool four_octet_as);
  [[nodiscard]] std::size_t size() const noexcept { return sets_.size(); }
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }  // owned by the sets

 private:
  friend class AttrRef;
  void release(AttrSet* s) noexcept;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view b) const noexcept { return absl::Hash<std::string_view>{}(b); }
    std::size_t operator()(const AttrSet* s) const noexcept { return (*this)(s->blob()); }
  };
  struct Eq {
    using is_transparent = void;
    static std::string_view view(std::string_view b) noexcept { return b; }
    static std::string_view view(const AttrSet* s) noexcept { return s->blob(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept { return view(a) == view(b); }
  };
  absl::flat_hash_set<AttrSet*, Hash, Eq> sets_;
  std::string scratch_;
  std::size_t bytes_ = 0;
};

}  // namespace bgpfa::rib
