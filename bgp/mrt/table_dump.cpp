#include "bgp/mrt/table_dump.hpp"

#include <cstring>

#include <fmt/format.h>

#include "bgp/mrt/body_error.hpp"

namespace bgpfa::mrt {

using wire::load_u16;
using wire::load_u32;

wire::Result<TableDumpRoute> decode_table_dump(const Record& r) {
  TableDumpRoute t;
  if (auto e = decode_table_dump(r, t)) return std::move(*e);
  return t;
}

std::optional<wire::DecodeError> decode_table_dump(const Record& r, TableDumpRoute& t) {
  const Bytes b = r.body;
  const std::uint16_t st = r.header.subtype;
  const bool v6 = st == 2 || st == 4;
  const bool as4 = st == 3 || st == 4;
  const std::size_t alen = v6 ? 16 : 4;
  const std::size_t fixed = 4 + alen + 2 + 4 + alen + (as4 ? 4 : 2) + 2;
  if (b.size() < fixed)
    return body_error(r.body_offset(), fmt::format("TABLE_DUMP body of {} bytes, at least {} needed", b.size(), fixed));
  t = TableDumpRoute{};
  const std::uint8_t* p = b.data();
  t.view = load_u16(p);
  t.sequence = load_u16(p + 2);
  p += 4;
  const auto afi = v6 ? wire::Afi::Ipv6 : wire::Afi::Ipv4;
  // IpAddress::from_bytes, inline (once per route of a TABLE_DUMP file), with constant sizes:
  // moves, not memcpy calls.
  auto address = [&](wire::IpAddress& a) {
    a.afi = afi;
    if (v6) std::memcpy(a.octets.data(), p, 16);
    else std::memcpy(a.octets.data(), p, 4);
    p += alen;
  };
  address(t.prefix.address);
  t.prefix.length = *p++;
  t.status = *p++;
  t.originated = load_u32(p);
  p += 4;
  address(t.peer_ip);
  t.peer_as = as4 ? load_u32(p) : load_u16(p);
  p += as4 ? 4 : 2;
  t.four_octet_as = as4;
  const std::size_t attr_len = load_u16(p);
  p += 2;
  const std::size_t at = static_cast<std::size_t>(p - b.data());
  if (t.prefix.length > wire::max_prefix_bits(afi))
    return body_error(r.body_offset() + 4 + alen, fmt::format("TABLE_DUMP prefix length {} exceeds {}",
                                                             t.prefix.length, wire::max_prefix_bits(afi)));
  if (b.size() - at < attr_len)
    return body_error(r.body_offset() + at - 2, fmt::format("TABLE_DUMP attribute length {} overruns the record by {} bytes",
                                                           attr_len, attr_len - (b.size() - at)));
  t.attributes = b.subspan(at, attr_len);
  t.attributes_offset = at;
  return std::nullopt;
}

}  // namespace bgpfa::mrt
