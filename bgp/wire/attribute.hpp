// Path attributes: one descriptor table drives flag, length and RFC 7606 checks for every type.
#pragma once
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/wire/as_path.hpp"
#include "bgp/wire/bytes.hpp"
#include "bgp/wire/context.hpp"
#include "bgp/wire/error.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::wire {

namespace attr_flag {
inline constexpr std::uint8_t kOptional = 0x80;
inline constexpr std::uint8_t kTransitive = 0x40;
inline constexpr std::uint8_t kPartial = 0x20;
inline constexpr std::uint8_t kExtendedLength = 0x10;
}  // namespace attr_flag

enum class AttrType : std::uint8_t {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  MultiExitDisc = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,
  OriginatorId = 9,
  ClusterList = 10,
  MpReachNlri = 14,
  MpUnreachNlri = 15,
  ExtendedCommunities = 16,
  As4Path = 17,
  As4Aggregator = 18,
  LargeCommunities = 32,
};

struct AttrDescriptor {
  const char* name = nullptr;    // nullptr: bgpfa does not interpret this type
  std::uint8_t flags = 0;        // expected Optional|Transitive bits
  std::int8_t fixed_length = -1; // -1: variable
  std::uint8_t unit = 1;         // variable lengths must be a multiple of this
  ErrorAction on_malformed = ErrorAction::TreatAsWithdraw;
};
[[nodiscard]] const AttrDescriptor& descriptor(std::uint8_t type) noexcept;

struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::uint32_t offset = 0;  // of the flags octet, relative to the attribute block
  Bytes value;
};

struct MpReach {
  std::uint16_t afi = 0;  // raw values: unknown families are kept, not interpreted
  std::uint8_t safi = 0;
  std::uint8_t next_hop_length = 0;
  std::array<std::uint8_t, 32> next_hop{};  // global (and link-local) next hop
  bool abbreviated = false;                 // MRT RIB form: next hop only (RFC 6396 4.3.4)
  Bytes nlri;
  std::size_t nlri_offset = 0;
};

struct MpUnreach {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;
  Bytes nlri;
  std::size_t nlri_offset = 0;
};

struct Aggregator {
  std::uint32_t asn = 0;
  std::array<std::uint8_t, 4> address{};
};

// Decoded view of one attribute block; spans point into the decoded buffer.
struct PathAttributes {
  Bytes block;  // the whole encoded attribute block (identical blocks decode identically)
  std::bitset<256> present;
  std::bitset<256> seen;  // types in `all`: present, malformed or not interpreted
  std::uint8_t origin = 2;
  AsPathView as_path;
  AsPathView as4_path;
  std::array<std::uint8_t, 4> next_hop{};
  std::uint32_t med = 0;
  std::uint32_t local_pref = 0;
  Aggregator aggregator;
  Aggregator as4_aggregator;
  Bytes communities;           // 4-octet values
  Bytes extended_communities;  // 8-octet values
  Bytes large_communities;     // 12-octet values
  std::array<std::uint8_t, 4> originator_id{};
  Bytes cluster_list;
  MpReach mp_reach;
  MpUnreach mp_unreach;
  std::vector<RawAttribute> all;      // every attribute in wire order, known or not
  std::vector<DecodeError> errors;    // non-fatal problems, each with its RFC 7606 action
  ErrorAction action = ErrorAction::None;  // strongest action among errors

  [[nodiscard]] bool has(AttrType t) const noexcept { return present.test(static_cast<std::uint8_t>(t)); }
  void clear() noexcept;
};

// Decodes an attribute block. `has_nlri`: the UPDATE carries IPv4 NLRI, so NEXT_HOP is mandatory.
// Returns the error only when it demands a session reset; milder ones land in out.errors.
[[nodiscard]] std::optional<DecodeError> decode_path_attributes(Bytes block, const DecodeContext& ctx,
                                                                bool has_nlri, PathAttributes& out);

// Appends one attribute (flags chosen from the table, extended length when needed).
void encode_attribute(std::vector<std::uint8_t>& out, std::uint8_t type, Bytes value, std::uint8_t extra_flags = 0);

}  // namespace bgpfa::wire
