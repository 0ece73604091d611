// BGP4MP / BGP4MP_ET (RFC 6396 4.4, RFC 8050) and the deprecated MRTD BGP type.
#pragma once
#include <cstdint>

#include "bgp/mrt/record.hpp"
#include "bgp/wire/ip.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::mrt {

struct Bgp4mpPeer {
  std::uint32_t peer_as = 0;
  std::uint32_t local_as = 0;
  std::uint16_t interface_index = 0;
  std::uint16_t afi = 1;  // of the addresses below
  wire::IpAddress peer_ip;
  wire::IpAddress local_ip;
};

struct StateChange {
  Bgp4mpPeer peer;
  std::uint16_t old_state = 0;
  std::uint16_t new_state = 0;
};

struct Bgp4mpMessage {
  Bgp4mpPeer peer;
  bool four_octet_as = false;
  bool local = false;     // sent by the local speaker (the *_LOCAL subtypes)
  bool add_path = false;  // subtype declares RFC 7911 path identifiers
  Bytes message;          // the whole BGP message, marker included
  std::size_t message_offset = 0;  // in the body
};

// BGP4MP_ENTRY: one RIB entry per record, with its own AFI/SAFI and next hop, 2-octet AS
// fields and AS_PATH (draft-ietf-grow-mrt before RFC 6396; OpenBGPD's `dump table-mp`). The
// attributes carry no next hop of their own.
struct Bgp4mpEntry {
  Bgp4mpPeer peer;
  std::uint16_t view = 0;
  std::uint16_t status = 0;
  std::uint32_t originated = 0;
  std::uint16_t afi = 0;  // of the route, raw
  std::uint8_t safi = 0;
  Bytes next_hop;              // as stored (VPN: route distinguisher, then the address)
  wire::Prefix prefix;         // AFI 1/2, SAFI 1..3: unmasked, as stored
  Bytes generic_nlri;          // other families: the raw NLRI
  Bytes attributes;
  std::size_t attributes_offset = 0;  // in the body
  [[nodiscard]] bool interpreted() const noexcept { return generic_nlri.empty(); }
};

[[nodiscard]] bool is_state_change_subtype(std::uint16_t s) noexcept;
[[nodiscard]] bool is_message_subtype(std::uint16_t s) noexcept;

[[nodiscard]] wire::Result<StateChange> decode_state_change(const Record& r);
[[nodiscard]] wire::Result<Bgp4mpMessage> decode_bgp4mp_message(const Record& r);
[[nodiscard]] wire::Result<Bgp4mpEntry> decode_bgp4mp_entry(const Record& r);

// BGP4MP state numbers (RFC 6396 4.4.1) to names: Idle, Connect, ...
[[nodiscard]] const char* bgp_state_name(std::uint16_t state) noexcept;

}  // namespace bgpfa::mrt
