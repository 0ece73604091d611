// MRT record framing (RFC 6396 2, RFC 8050): common header plus the body it frames.
#pragma once
#include <cstdint>
#include <string>

#include "bgp/wire/bytes.hpp"

namespace bgpfa::mrt {

using wire::Bytes;

enum class Type : std::uint16_t {
  Bgp = 5,  // deprecated MRTD "BGP" type, still found in very old archives
  TableDump = 12,
  TableDumpV2 = 13,
  Bgp4mp = 16,
  Bgp4mpEt = 17,
};

namespace td2 {
inline constexpr std::uint16_t kPeerIndexTable = 1;
inline constexpr std::uint16_t kRibIpv4Unicast = 2;
inline constexpr std::uint16_t kRibIpv4Multicast = 3;
inline constexpr std::uint16_t kRibIpv6Unicast = 4;
inline constexpr std::uint16_t kRibIpv6Multicast = 5;
inline constexpr std::uint16_t kRibGeneric = 6;
inline constexpr std::uint16_t kRibIpv4UnicastAddPath = 8;
inline constexpr std::uint16_t kRibIpv4MulticastAddPath = 9;
inline constexpr std::uint16_t kRibIpv6UnicastAddPath = 10;
inline constexpr std::uint16_t kRibIpv6MulticastAddPath = 11;
inline constexpr std::uint16_t kRibGenericAddPath = 12;
}  // namespace td2

namespace bgp4mp {
inline constexpr std::uint16_t kStateChange = 0;
inline constexpr std::uint16_t kMessage = 1;
inline constexpr std::uint16_t kEntry = 2;  // drafts before RFC 6396 (deprecated there); OpenBGPD's table-mp
inline constexpr std::uint16_t kMessageAs4 = 4;
inline constexpr std::uint16_t kStateChangeAs4 = 5;
inline constexpr std::uint16_t kMessageLocal = 6;
inline constexpr std::uint16_t kMessageAs4Local = 7;
inline constexpr std::uint16_t kMessageAddPath = 8;
inline constexpr std::uint16_t kMessageAs4AddPath = 9;
inline constexpr std::uint16_t kMessageLocalAddPath = 10;
inline constexpr std::uint16_t kMessageAs4LocalAddPath = 11;
}  // namespace bgp4mp

inline constexpr std::size_t kHeaderSize = 12;

struct RecordHeader {
  std::uint32_t seconds = 0;
  std::uint32_t microseconds = 0;  // BGP4MP_ET only
  std::uint16_t type = 0;
  std::uint16_t subtype = 0;
  std::uint32_t length = 0;  // of the body as framed (for _ET: without the microseconds field)
};

struct Record {
  RecordHeader header;
  Bytes body;                // valid until the next read
  std::uint64_t offset = 0;  // of the record header in the uncompressed stream
  std::uint64_t index = 0;   // 0-based record number in its file
  [[nodiscard]] std::uint64_t body_offset() const noexcept {
    return offset + kHeaderSize + (header.type == static_cast<std::uint16_t>(Type::Bgp4mpEt) ? 4 : 0);
  }
};

// Whether a (type, subtype) pair is one bgpfa knows how to frame and decode.
[[nodiscard]] bool known_type(std::uint16_t type, std::uint16_t subtype) noexcept;
[[nodiscard]] std::string type_name(std::uint16_t type, std::uint16_t subtype);

}  // namespace bgpfa::mrt
