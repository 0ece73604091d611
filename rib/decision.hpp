// The BGP decision process (RFC 4271 9.1.2 with the usual tie-breaks), recording why it chose.
#pragma once
#include <cstdint>

#include "bgp/wire/ip.hpp"
#include "rib/attr_store.hpp"

namespace bgpfa::rib {

enum class Reason : std::uint8_t {
  OnlyPath,
  Weight,         // higher (connection) weight, before anything else
  LocalPref,      // higher LOCAL_PREF (iBGP only: ignored from external peers, RFC 4271 5.1.5)
  AsPathLength,   // shorter AS_PATH
  Origin,         // IGP < EGP < INCOMPLETE
  Med,            // lower MED, same neighbour AS
  EbgpOverIbgp,   // eBGP preferred
  PeerAddress,    // lowest peer address (router-id stand-in: MRT has no OPEN)
  PathId,         // lowest ADD-PATH identifier from the same peer
  Ecmp,           // equal for the owner's multipath rule: one of several that share the traffic
};
[[nodiscard]] const char* to_string(Reason r) noexcept;

struct Candidate {
  const AttrSet* attrs = nullptr;
  std::uint16_t peer = 0;     // index in the analyzer's peer table
  std::uint32_t path_id = 0;
  bool ebgp = true;
  const wire::IpAddress* peer_address = nullptr;
  int weight = 0;  // the owner's weight (Azure: the connection weight of the route's circuit)
  // RFC 4271 5.1.5: LOCAL_PREF counts only from internal peers; an external peer's is ignored
  // and the route has the default degree of preference.
  [[nodiscard]] std::uint32_t local_pref() const noexcept { return ebgp ? kDefaultLocalPref : attrs->local_pref; }
  static constexpr std::uint32_t kDefaultLocalPref = 100;
};

// True when `a` is preferred over `b`; `why` is the step that decided.
[[nodiscard]] bool better(const Candidate& a, const Candidate& b, Reason& why) noexcept;

}  // namespace bgpfa::rib
