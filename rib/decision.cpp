#include "rib/decision.hpp"

#include <algorithm>

namespace bgpfa::rib {

const char* to_string(Reason r) noexcept {
  switch (r) {
    case Reason::OnlyPath: return "only-path";
    case Reason::Weight: return "connection-weight";
    case Reason::LocalPref: return "local-pref";
    case Reason::AsPathLength: return "as-path-length";
    case Reason::Origin: return "origin";
    case Reason::Med: return "med";
    case Reason::EbgpOverIbgp: return "ebgp-over-ibgp";
    case Reason::PeerAddress: return "peer-address";
    case Reason::PathId: return "path-id";
    case Reason::Ecmp: return "ecmp";
  }
  return "?";
}

bool better(const Candidate& a, const Candidate& b, Reason& why) noexcept {
  const AttrSet& x = *a.attrs;
  const AttrSet& y = *b.attrs;
  if (a.weight != b.weight) {
    why = Reason::Weight;
    return a.weight > b.weight;
  }
  if (a.local_pref() != b.local_pref()) {
    why = Reason::LocalPref;
    return a.local_pref() > b.local_pref();
  }
  if (x.as_path_length != y.as_path_length) {
    why = Reason::AsPathLength;
    return x.as_path_length < y.as_path_length;
  }
  if (x.origin != y.origin) {
    why = Reason::Origin;
    return x.origin < y.origin;
  }
  // MED only between routes from the same neighbouring AS (RFC 4271 9.1.2.2 c); missing = 0.
  if (x.neighbor_as == y.neighbor_as) {
    const std::uint32_t mx = x.has_med ? x.med : 0, my = y.has_med ? y.med : 0;
    if (mx != my) {
      why = Reason::Med;
      return mx < my;
    }
  }
  if (a.ebgp != b.ebgp) {
    why = Reason::EbgpOverIbgp;
    return a.ebgp;
  }
  if (a.peer != b.peer && a.peer_address && b.peer_address) {
    why = Reason::PeerAddress;
    const auto& p = a.peer_address->octets;
    const auto& q = b.peer_address->octets;
    return std::lexicographical_compare(p.begin(), p.end(), q.begin(), q.end());
  }
  why = Reason::PathId;
  return a.path_id < b.path_id;
}

}  // namespace bgpfa::rib
