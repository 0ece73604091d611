#include "bgp/mrt/bgp4mp.hpp"

#include <utility>

#include <fmt/format.h>

#include "bgp/mrt/body_error.hpp"
#include "bgp/wire/nlri.hpp"

namespace bgpfa::mrt {

using wire::load_u16;
using wire::load_u32;

bool is_state_change_subtype(std::uint16_t s) noexcept {
  return s == bgp4mp::kStateChange || s == bgp4mp::kStateChangeAs4;
}
bool is_message_subtype(std::uint16_t s) noexcept { return s == 1 || (s >= 4 && s <= 11 && s != 5); }

const char* bgp_state_name(std::uint16_t s) noexcept {
  static constexpr const char* names[] = {"Unknown", "Idle", "Connect", "Active", "OpenSent",
                                          "OpenConfirm", "Established", "Clearing", "Deleted"};
  return s < std::size(names) ? names[s] : "Unknown";
}

namespace {

// Peer/local AS, interface, AFI and both addresses; returns bytes consumed or a DecodeError.
wire::Result<std::size_t> decode_peer(const Record& r, std::size_t as_size, Bgp4mpPeer& p) {
  const Bytes b = r.body;
  const std::size_t fixed = 2 * as_size + 4;
  if (b.size() < fixed)
    return body_error(r.body_offset(), fmt::format("{} body of {} bytes is too short",
                                                   type_name(r.header.type, r.header.subtype), b.size()));
  p.peer_as = as_size == 4 ? load_u32(b.data()) : load_u16(b.data());
  p.local_as = as_size == 4 ? load_u32(&b[as_size]) : load_u16(&b[as_size]);
  p.interface_index = load_u16(&b[2 * as_size]);
  p.afi = load_u16(&b[2 * as_size + 2]);
  if (p.afi != 1 && p.afi != 2)
    return body_error(r.body_offset() + 2 * as_size + 2, fmt::format("{}: unsupported address family {}",
                                                                     type_name(r.header.type, r.header.subtype), p.afi));
  const auto afi = static_cast<wire::Afi>(p.afi);
  const std::size_t alen = wire::address_octets(afi);
  if (b.size() < fixed + 2 * alen)
    return body_error(r.body_offset() + fixed, fmt::format("{}: addresses truncated",
                                                           type_name(r.header.type, r.header.subtype)));
  p.peer_ip = wire::IpAddress::from_bytes(afi, &b[fixed]);
  p.local_ip = wire::IpAddress::from_bytes(afi, &b[fixed + alen]);
  return fixed + 2 * alen;
}

}  // namespace

wire::Result<StateChange> decode_state_change(const Record& r) {
  StateChange s;
  const std::size_t as_size = r.header.subtype == bgp4mp::kStateChangeAs4 ? 4 : 2;
  auto used = decode_peer(r, as_size, s.peer);
  if (!used) return used.error();
  if (r.body.size() - used.value() < 4)
    return body_error(r.body_offset() + used.value(), "STATE_CHANGE without old/new state");
  s.old_state = load_u16(&r.body[used.value()]);
  s.new_state = load_u16(&r.body[used.value() + 2]);
  return s;
}

wire::Result<Bgp4mpMessage> decode_bgp4mp_message(const Record& r) {
  Bgp4mpMessage m;
  const std::uint16_t st = r.header.subtype;
  m.four_octet_as = st == 4 || st == 7 || st == 9 || st == 11;
  m.local = st == 6 || st == 7 || st == 10 || st == 11;
  m.add_path = st >= 8;
  auto used = decode_peer(r, m.four_octet_as ? 4 : 2, m.peer);
  if (!used) return used.error();
  m.message_offset = used.value();
  m.message = r.body.subspan(used.value());
  return m;
}

wire::Result<Bgp4mpEntry> decode_bgp4mp_entry(const Record& r) {
  Bgp4mpEntry e;
  auto used = decode_peer(r, 2, e.peer);
  if (!used) return used.error();
  // OpenBGPD, the one writer of these, puts its own AS and address first and the peer's second
  // (mrt_dump_entry_mp) and reads them back that way (bgpctl's mrt_parse_dump_mp).
  std::swap(e.peer.peer_as, e.peer.local_as);
  std::swap(e.peer.peer_ip, e.peer.local_ip);
  const Bytes b = r.body;
  const std::size_t base = r.body_offset();
  std::size_t pos = used.value();
  if (b.size() - pos < 12)
    return body_error(base + pos, fmt::format("BGP4MP_ENTRY ends after the addresses ({} of 12 bytes of view, status, "
                                              "time, AFI, SAFI and next-hop length)",
                                              b.size() - pos));
  e.view = load_u16(&b[pos]);
  e.status = load_u16(&b[pos + 2]);
  e.originated = load_u32(&b[pos + 4]);
  e.afi = load_u16(&b[pos + 8]);
  e.safi = b[pos + 10];
  const std::size_t nh_len = b[pos + 11];
  pos += 12;
  if (b.size() - pos < nh_len + 1)
    return body_error(base + pos - 1, fmt::format("BGP4MP_ENTRY next-hop length {} overruns the record", nh_len));
  e.next_hop = b.subspan(pos, nh_len);
  pos += nh_len;
  const bool interpreted = (e.afi == 1 || e.afi == 2) && e.safi >= 1 && e.safi <= 3;
  if (interpreted) {
    const std::size_t n = wire::read_raw_prefix(b.subspan(pos), static_cast<wire::Afi>(e.afi), e.prefix);
    if (n == 0)
      return body_error(base + pos, fmt::format("BGP4MP_ENTRY prefix length {} invalid or truncated for AFI {}", b[pos],
                                                e.afi));
    pos += n;
  } else {
    // Flow specification NLRI (RFC 8955 4.1) count octets, with a 2-octet form from 240 on;
    // everything else is a bit length and the bits.
    std::size_t n = 1 + (b[pos] + 7u) / 8;
    if (e.safi == 133 || e.safi == 134) {
      n = 1 + b[pos];
      if (b[pos] >= 0xf0) n = b.size() - pos < 2 ? b.size() - pos + 1 : 2 + (load_u16(&b[pos]) & 0x0fff);
    }
    if (n == 0 || b.size() - pos < n) return body_error(base + pos, "BGP4MP_ENTRY NLRI truncated");
    e.generic_nlri = b.subspan(pos, n);
    pos += n;
  }
  if (b.size() - pos < 2) return body_error(base + pos, "BGP4MP_ENTRY attribute length missing");
  const std::size_t alen = load_u16(&b[pos]);
  pos += 2;
  if (b.size() - pos != alen)
    return body_error(base + pos - 2, fmt::format("BGP4MP_ENTRY attribute length {} but {} bytes follow", alen,
                                                  b.size() - pos));
  e.attributes = b.subspan(pos);
  e.attributes_offset = pos;
  return e;
}

}  // namespace bgpfa::mrt
