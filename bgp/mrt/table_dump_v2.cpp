#include "bgp/mrt/table_dump_v2.hpp"

#include <fmt/format.h>

#include "bgp/mrt/body_error.hpp"
#include "bgp/wire/nlri.hpp"

namespace bgpfa::mrt {

using wire::load_u16;
using wire::load_u32;

wire::Result<PeerIndexTable> decode_peer_index_table(const Record& r) {
  const Bytes b = r.body;
  const std::size_t base = r.body_offset();
  PeerIndexTable t;
  if (b.size() < 6) return body_error(base, fmt::format("PEER_INDEX_TABLE of {} bytes is too short", b.size()));
  t.collector_id = load_u32(b.data());
  const std::size_t name_len = load_u16(&b[4]);
  std::size_t pos = 6;
  if (b.size() - pos < name_len + 2)
    return body_error(base + 4, fmt::format("PEER_INDEX_TABLE view name length {} overruns the record", name_len));
  t.view_name.assign(reinterpret_cast<const char*>(&b[pos]), name_len);
  pos += name_len;
  const std::size_t count = load_u16(&b[pos]);
  pos += 2;
  t.peers.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (pos >= b.size()) return body_error(base + pos, fmt::format("PEER_INDEX_TABLE ends after {} of {} peers", i, count));
    PeerEntry e;
    e.type = b[pos];
    const bool v6 = e.type & 1, as4 = e.type & 2;
    const std::size_t need = 1 + 4 + (v6 ? 16 : 4) + (as4 ? 4 : 2);
    if (b.size() - pos < need)
      return body_error(base + pos, fmt::format("PEER_INDEX_TABLE peer {} of {} truncated", i, count));
    e.bgp_id = load_u32(&b[pos + 1]);
    e.ip = wire::IpAddress::from_bytes(v6 ? wire::Afi::Ipv6 : wire::Afi::Ipv4, &b[pos + 5]);
    const std::size_t as_at = pos + 5 + (v6 ? 16 : 4);
    e.asn = as4 ? load_u32(&b[as_at]) : load_u16(&b[as_at]);
    t.peers.push_back(e);
    pos += need;
  }
  return t;
}

bool is_rib_subtype(std::uint16_t s) noexcept { return (s >= 2 && s <= 6) || (s >= 8 && s <= 12); }
bool is_add_path_rib_subtype(std::uint16_t s) noexcept { return s >= 8 && s <= 12; }

namespace {

// Entries from `pos` to the end, with or without path identifiers; nullopt if they fit exactly.
std::optional<wire::DecodeError> decode_entries(Bytes b, std::size_t pos, std::size_t base, bool add_path,
                                                std::vector<RibEntry>& out) {
  out.clear();
  if (b.size() - pos < 2) return body_error(base + pos, "RIB entry count missing");
  const std::size_t count = load_u16(&b[pos]);
  pos += 2;
  out.reserve(count);
  const std::size_t fixed = add_path ? 12 : 8;
  for (std::size_t i = 0; i < count; ++i) {
    if (b.size() - pos < fixed)
      return body_error(base + pos, fmt::format("RIB entry {} of {} truncated ({} bytes left)", i, count, b.size() - pos));
    RibEntry e;
    e.peer_index = load_u16(&b[pos]);
    e.originated = load_u32(&b[pos + 2]);
    if (add_path) e.path_id = load_u32(&b[pos + 6]);
    const std::size_t alen = load_u16(&b[pos + fixed - 2]);
    pos += fixed;
    if (b.size() - pos < alen)
      return body_error(base + pos - 2, fmt::format("RIB entry {} of {}: attribute length {} overruns the record by {} bytes",
                                                    i, count, alen, alen - (b.size() - pos)));
    e.attributes = b.subspan(pos, alen);
    e.attributes_offset = pos;
    pos += alen;
    out.push_back(e);
  }
  if (pos != b.size())
    return body_error(base + pos, fmt::format("{} bytes left after {} RIB entries", b.size() - pos, count));
  return std::nullopt;
}

}  // namespace

std::optional<wire::DecodeError> decode_rib(const Record& r, Rib& out) {
  const Bytes b = r.body;
  const std::size_t base = r.body_offset();
  const std::uint16_t st = r.header.subtype;
  out.entries.clear();
  out.generic_nlri = {};
  out.mislabelled = false;
  out.add_path = is_add_path_rib_subtype(st);
  if (b.size() < 5) return body_error(base, fmt::format("RIB record of {} bytes is too short", b.size()));
  out.sequence = load_u32(b.data());
  std::size_t pos = 4;
  switch (st) {
    case td2::kRibIpv4Unicast: case td2::kRibIpv4UnicastAddPath: out.afi = 1; out.safi = 1; break;
    case td2::kRibIpv4Multicast: case td2::kRibIpv4MulticastAddPath: out.afi = 1; out.safi = 2; break;
    case td2::kRibIpv6Unicast: case td2::kRibIpv6UnicastAddPath: out.afi = 2; out.safi = 1; break;
    case td2::kRibIpv6Multicast: case td2::kRibIpv6MulticastAddPath: out.afi = 2; out.safi = 2; break;
    default:  // RIB_GENERIC: AFI, SAFI, then one NLRI in that family's encoding
      if (b.size() < 8) return body_error(base, "RIB_GENERIC record too short");
      out.afi = load_u16(&b[4]);
      out.safi = b[6];
      pos = 7;
  }
  const bool interpreted = (out.afi == 1 || out.afi == 2) && out.safi >= 1 && out.safi <= 3;
  if (interpreted) {
    const std::size_t used = wire::read_raw_prefix(b.subspan(pos), static_cast<wire::Afi>(out.afi), out.prefix);
    if (used == 0)
      return body_error(base + pos, fmt::format("RIB prefix length {} invalid or truncated for AFI {}", b[pos], out.afi));
    pos += used;
  } else {
    // An uninterpreted family: the NLRI length is unknown, so we assume a plain prefix encoding.
    const std::size_t octets = (b[pos] + 7u) / 8;
    if (b.size() - pos < 1 + octets) return body_error(base + pos, "RIB_GENERIC NLRI truncated");
    out.generic_nlri = b.subspan(pos, 1 + octets);
    pos += 1 + octets;
  }
  auto first = decode_entries(b, pos, base, out.add_path, out.entries);
  if (!first) return std::nullopt;
  std::vector<RibEntry> alt;
  if (!decode_entries(b, pos, base, !out.add_path, alt)) {
    out.entries = std::move(alt);
    out.add_path = !out.add_path;
    out.mislabelled = true;
    return std::nullopt;
  }
  return first;
}

}  // namespace bgpfa::mrt
