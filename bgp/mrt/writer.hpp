// MRT record encoders: BGP4MP_ET messages and state changes (captures, scenario fixtures, tests).
#pragma once
#include <cstdint>
#include <vector>

#include "bgp/mrt/bgp4mp.hpp"

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

}  // namespace bgpfa::mrt
