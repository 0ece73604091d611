// The failover a silent failure would have taken with Azure's own timers (a projection): the
// detection those timers imply on the failed session's gateway, plus the propagation observed.
#pragma once
#include <optional>
#include <vector>

#include "analyzer/policy.hpp"
#include "analyzer/report.hpp"
#include "analyzer/roles.hpp"

namespace bgpfa::analyzer {

// Nothing when the episode is not a silent failure of a named session (hold-timer expiry, BFD
// down, a TCP close with a known window), or when azure-timers says nothing of its gateway.
// Hold timer H: the failure came within a keepalive interval (H/3) after the last message, so
// detection is H - H/3 to H. BFD, interval I x multiplier M, when the session runs BFD: (M-1)I to
// MI. A TCP close reaches Azure as it reached bgpfa: the observed detection, timers aside.
[[nodiscard]] std::optional<Projection> project(const Episode& ep, const Policy& policy, const std::vector<PeerRole>& peers);

}  // namespace bgpfa::analyzer
