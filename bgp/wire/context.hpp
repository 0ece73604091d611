// What the session negotiated (or the MRT subtype declares): it changes how octets decode.
#pragma once
#include <cstddef>
#include <cstdint>

#include "bgp/wire/ip.hpp"

namespace bgpfa::wire {

struct DecodeContext {
  bool four_octet_as = true;  // RFC 6793 negotiated: AS_PATH/AGGREGATOR carry 4-octet ASNs
  // RFC 7911 receive direction, one bit per (AFI 1..2) x (SAFI 1..3); bit = (afi-1)*4 + safi.
  std::uint16_t add_path_rx = 0;
  // MRT TABLE_DUMP_V2 RIB entries may abbreviate MP_REACH_NLRI to next-hop only (RFC 6396 4.3.4).
  bool mrt_rib_entry = false;
  // MRT BGP4MP_ENTRY: OpenBGPD writes AGGREGATOR with a 4-octet ASN beside a 2-octet AS_PATH,
  // so the attribute's length (6 or 8) says which it is.
  bool aggregator_either_width = false;
  // MRT reading only: keep the well-formed entries before a truncated last NLRI entry (as
  // bgpdump does) and report the truncation as an error instead of dropping the message.
  bool salvage_truncated_nlri = false;
  std::size_t base_offset = 0;  // added to every error offset (e.g. the record's file offset)

  [[nodiscard]] constexpr bool add_path(Afi afi, Safi safi) const noexcept {
    return (add_path_rx >> bit(afi, safi)) & 1u;
  }
  constexpr void set_add_path(Afi afi, Safi safi, bool on) noexcept {
    if (on) add_path_rx |= static_cast<std::uint16_t>(1u << bit(afi, safi));
    else add_path_rx &= static_cast<std::uint16_t>(~(1u << bit(afi, safi)));
  }
  constexpr void set_add_path_all(bool on) noexcept { add_path_rx = on ? 0xffff : 0; }

 private:
  static constexpr unsigned bit(Afi afi, Safi safi) noexcept {
    return ((static_cast<unsigned>(afi) - 1) & 3u) * 4 + (static_cast<unsigned>(safi) & 3u);
  }
};

}  // namespace bgpfa::wire
