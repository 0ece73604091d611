#include "bgp/mrt/bgp4mp.hpp"

#include <fmt/format.h>

#include "bgp/mrt/body_error.hpp"

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

}  // namespace bgpfa::mrt
