// The BGP decision process (RFC 4271 9.1.2 with the usual tie-breaks), recording why it chose.
#pragma once
#include <cstdint>

#include "bgp/wire/ip.hpp"
#include "rib/attr_store.hpp"

namespace bgpfa::rib {

enum class Reason : std::uint8_t {
  OnlyPath,
  LocalPref,      // higher LOCAL_PREF
  AsPathLength,   // shorter AS_PATH
  Origin,         // IGP < EGP < INCOMPLETE
  Med,            // lower MED, same neighbour AS
  EbgpOverIbgp,   // eBGP preferred
  PeerAddress,    // lowest peer address (router-id stand-in: MRT has no OPEN)
  PathId,         // lowest ADD-PATH identifier from the same peer
};
[[nodiscard]] const char* to_string(Reason r) noexcept;

struct Candidate {
  const AttrSet* attrs = nullptr;
  std::uint16_t peer = 0;     // index in the analyzer's peer table
  std::uint32_t path_id = 0;
  bool ebgp = true;
  const wire::IpAddress* peer_address = nullptr;
};

// True when `a` is preferred over `b`; `why` is the step that decided.
[[nodiscard]] bool better(const Candidate& a, const Candidate& b, Reason& why) noexcept;

}  // namespace bgpfa::rib
