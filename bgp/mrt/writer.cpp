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

namespace {
void plain_header(std::vector<std::uint8_t>& o, std::uint32_t t, std::uint16_t subtype, std::size_t body_len) {
  put32(o, t);
  put16(o, static_cast<std::uint16_t>(Type::TableDumpV2));
  put16(o, subtype);
  put32(o, static_cast<std::uint32_t>(body_len));
}
}  // namespace

void append_peer_index_table(std::vector<std::uint8_t>& out, std::uint32_t t, const PeerIndexTable& table) {
  std::vector<std::uint8_t> body;
  put32(body, table.collector_id);
  put16(body, static_cast<std::uint16_t>(table.view_name.size()));
  body.insert(body.end(), table.view_name.begin(), table.view_name.end());
  put16(body, static_cast<std::uint16_t>(table.peers.size()));
  for (const auto& p : table.peers) {
    const bool v6 = p.ip.afi == wire::Afi::Ipv6;
    body.push_back(static_cast<std::uint8_t>((v6 ? 1 : 0) | 2));  // ASNs always 4 octets
    put32(body, p.bgp_id);
    body.insert(body.end(), p.ip.octets.begin(), p.ip.octets.begin() + (v6 ? 16 : 4));
    put32(body, p.asn);
  }
  plain_header(out, t, td2::kPeerIndexTable, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

void append_rib_record(std::vector<std::uint8_t>& out, std::uint32_t t, std::uint32_t sequence, const wire::Prefix& prefix,
                       bool add_path, const std::vector<RibSnapshotEntry>& entries) {
  using namespace td2;
  const bool v6 = prefix.address.afi == wire::Afi::Ipv6;
  const std::uint16_t subtype = v6 ? (add_path ? kRibIpv6UnicastAddPath : kRibIpv6Unicast)
                                   : (add_path ? kRibIpv4UnicastAddPath : kRibIpv4Unicast);
  std::size_t len = 4 + 1 + (prefix.length + 7u) / 8 + 2;
  for (const auto& e : entries) len += 2 + 4 + (add_path ? 4 : 0) + 2 + e.attributes.size();
  plain_header(out, t, subtype, len);
  put32(out, sequence);
  out.push_back(prefix.length);
  out.insert(out.end(), prefix.address.octets.begin(), prefix.address.octets.begin() + (prefix.length + 7) / 8);
  put16(out, static_cast<std::uint16_t>(entries.size()));
  for (const auto& e : entries) {
    put16(out, e.peer_index);
    put32(out, e.originated);
    if (add_path) put32(out, e.path_id);
    put16(out, static_cast<std::uint16_t>(e.attributes.size()));
    out.insert(out.end(), e.attributes.begin(), e.attributes.end());
  }
}

}  // namespace bgpfa::mrt
