// TABLE_DUMP (RFC 6396 4.2): one route per record, 2-octet ASNs (bgpdump's subtypes 3/4: 4-octet).
#pragma once
#include <optional>
#include <cstdint>

#include "bgp/mrt/record.hpp"
#include "bgp/wire/ip.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::mrt {

struct TableDumpRoute {
  std::uint16_t view = 0;
  std::uint16_t sequence = 0;
  wire::Prefix prefix;  // stored as a full address, printed unmasked as the record holds it
  std::uint8_t status = 0;
  std::uint32_t originated = 0;
  wire::IpAddress peer_ip;
  std::uint32_t peer_as = 0;
  bool four_octet_as = false;
  Bytes attributes;
  std::size_t attributes_offset = 0;  // in the body
};

[[nodiscard]] wire::Result<TableDumpRoute> decode_table_dump(const Record& r);
// The same into `out` (reused per record): the error, or nullopt when `out` holds the route.
[[nodiscard]] std::optional<wire::DecodeError> decode_table_dump(const Record& r, TableDumpRoute& out);

}  // namespace bgpfa::mrt
