// MRT record encoders: BGP4MP_ET messages and state changes (captures, scenario fixtures, tests).
#pragma once
#include <cstdint>
#include <vector>

#include "bgp/mrt/bgp4mp.hpp"
#include "bgp/mrt/table_dump_v2.hpp"

namespace bgpfa::mrt {

struct Timestamp {
  std::uint32_t seconds = 0;
  std::uint32_t microseconds = 0;
};

// Appends one BGP4MP_ET MESSAGE_AS4[_ADDPATH] record carrying a received BGP message
// (MESSAGE[_ADDPATH] with 2-octet AS fields when the session did not negotiate 4-octet ASNs,
// so that readers decode its AS_PATH with the right width); `local`: a message we sent to the
// peer (the RFC 6396 / RFC 8050 *_LOCAL subtypes).
void append_bgp4mp_et_message(std::vector<std::uint8_t>& out, Timestamp t, const Bgp4mpPeer& peer, bool add_path,
                              Bytes bgp_message, bool four_octet_as = true, bool local = false);
// Appends one BGP4MP_ET STATE_CHANGE_AS4 record.
void append_bgp4mp_et_state_change(std::vector<std::uint8_t>& out, Timestamp t, const Bgp4mpPeer& peer,
                                   std::uint16_t old_state, std::uint16_t new_state);

// TABLE_DUMP_V2 (RFC 6396 4.3, RFC 8050): a RIB snapshot is one PEER_INDEX_TABLE, then one
// RIB record per prefix whose entries index into it.
void append_peer_index_table(std::vector<std::uint8_t>& out, std::uint32_t t, const PeerIndexTable& table);
struct RibSnapshotEntry {
  std::uint16_t peer_index = 0;
  std::uint32_t originated = 0;
  std::uint32_t path_id = 0;
  Bytes attributes;  // 4-octet AS_PATH; IPv6 next hop as an MP_REACH_NLRI of the next hop alone
};
// RIB_IPV4/IPV6_UNICAST, or their _ADDPATH subtypes when `add_path`.
void append_rib_record(std::vector<std::uint8_t>& out, std::uint32_t t, std::uint32_t sequence, const wire::Prefix& prefix,
                       bool add_path, const std::vector<RibSnapshotEntry>& entries);

}  // namespace bgpfa::mrt
