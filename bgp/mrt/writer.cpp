#include "bgp/mrt/writer.hpp"

namespace bgpfa::mrt {

namespace {

void put16(std::vector<std::uint8_t>& o, std::uint16_t v) {
  o.push_back(static_cast<std::uint8_t>(v >> 8));
  o.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& o, std::uint32_t v) {
  put16(o, static_cast<std::uint16_t>(v >> 16));
  put16(o, static_cast<std::uint16_t>(v));
}

void header(std::vector<std::uint8_t>& o, Timestamp t, std::uint16_t subtype, std::size_t body_len) {
  put32(o, t.seconds);
  put16(o, static_cast<std::uint16_t>(Type::Bgp4mpEt));
  put16(o, subtype);
  put32(o, static_cast<std::uint32_t>(body_len + 4));  // RFC 6396 3: length counts the microseconds
  put32(o, t.microseconds);
}

void peer_fields(std::vector<std::uint8_t>& o, const Bgp4mpPeer& p, bool as4 = true) {
  if (as4) {
    put32(o, p.peer_as);
    put32(o, p.local_as);
  } else {  // AS_TRANS stands in for ASNs that do not fit
    put16(o, p.peer_as > 0xffff ? 23456 : static_cast<std::uint16_t>(p.peer_as));
    put16(o, p.local_as > 0xffff ? 23456 : static_cast<std::uint16_t>(p.local_as));
  }
  put16(o, p.interface_index);
  put16(o, p.afi);
  const std::size_t n = p.afi == 2 ? 16 : 4;
  o.insert(o.end(), p.peer_ip.octets.begin(), p.peer_ip.octets.begin() + static_cast<std::ptrdiff_t>(n));
  o.insert(o.end(), p.local_ip.octets.begin(), p.local_ip.octets.begin() + static_cast<std::ptrdiff_t>(n));
}

std::size_t peer_len(const Bgp4mpPeer& p, bool as4 = true) { return (as4 ? 12 : 8) + 2 * (p.afi == 2 ? 16 : 4); }

}  // namespace

void append_bgp4mp_et_message(std::vector<std::uint8_t>& out, Timestamp t, const Bgp4mpPeer& peer, bool add_path,
                              Bytes msg, bool four_octet_as, bool local) {
  using namespace bgp4mp;
  const std::uint16_t subtype =
      local ? (four_octet_as ? (add_path ? kMessageAs4LocalAddPath : kMessageAs4Local) : (add_path ? kMessageLocalAddPath : kMessageLocal))
            : (four_octet_as ? (add_path ? kMessageAs4AddPath : kMessageAs4) : (add_path ? kMessageAddPath : kMessage));
  header(out, t, subtype, peer_len(peer, four_octet_as) + msg.size());
  peer_fields(out, peer, four_octet_as);
  out.insert(out.end(), msg.begin(), msg.end());
}

void append_bgp4mp_et_state_change(std::vector<std::uint8_t>& out, Timestamp t, const Bgp4mpPeer& peer,
                                   std::uint16_t old_state, std::uint16_t new_state) {
  header(out, t, bgp4mp::kStateChangeAs4, peer_len(peer) + 4);
  peer_fields(out, peer);
  put16(out, old_state);
  put16(out, new_state);
}

}  // namespace bgpfa::mrt
