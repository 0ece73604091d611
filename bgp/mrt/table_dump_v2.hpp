// TABLE_DUMP_V2 (RFC 6396 4.3, RFC 8050 ADD-PATH subtypes).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/mrt/record.hpp"
#include "bgp/wire/ip.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::mrt {

struct PeerEntry {
  std::uint8_t type = 0;  // bit 0: IPv6 address, bit 1: 4-octet AS
  std::uint32_t bgp_id = 0;
  wire::IpAddress ip;
  std::uint32_t asn = 0;
};

struct PeerIndexTable {
  std::uint32_t collector_id = 0;
  std::string view_name;
  std::vector<PeerEntry> peers;
};

[[nodiscard]] wire::Result<PeerIndexTable> decode_peer_index_table(const Record& r);

struct RibEntry {
  std::uint16_t peer_index = 0;
  std::uint32_t originated = 0;
  std::uint32_t path_id = 0;
  Bytes attributes;
  std::size_t attributes_offset = 0;  // in the body
};

struct Rib {
  std::uint32_t sequence = 0;
  std::uint16_t afi = 0;  // raw: RIB_GENERIC may name families bgpfa does not interpret
  std::uint8_t safi = 0;
  wire::Prefix prefix;     // unmasked, as stored
  Bytes generic_nlri;      // RIB_GENERIC of an uninterpreted family: the raw NLRI
  bool add_path = false;   // as decoded (see mislabelled)
  bool mislabelled = false;  // the subtype said the opposite of what the entries hold
  std::vector<RibEntry> entries;
};

[[nodiscard]] bool is_rib_subtype(std::uint16_t subtype) noexcept;
[[nodiscard]] bool is_add_path_rib_subtype(std::uint16_t subtype) noexcept;

// Decodes a RIB_* record into `out` (entries reused). A record whose ADD-PATH labelling is
// wrong but which decodes consistently the other way is accepted with out.mislabelled set.
[[nodiscard]] std::optional<wire::DecodeError> decode_rib(const Record& r, Rib& out);

}  // namespace bgpfa::mrt
