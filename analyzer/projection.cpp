#include "analyzer/projection.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

std::optional<Projection> project(const Episode& ep, const Policy& policy, const std::vector<PeerRole>& peers) {
  const FailureWindow& w = ep.failure;
  const bool silent = w.kind == FailureKind::HoldTimer || w.kind == FailureKind::Bfd || w.kind == FailureKind::TcpClose;
  if (!silent || w.peer < 0 || static_cast<std::size_t>(w.peer) >= peers.size()) return std::nullopt;
  const PeerRole& role = peers[static_cast<std::size_t>(w.peer)];
  const AzureTimers& t = policy.azure_timers[role.gateway == Gateway::Vpn ? 1 : 0];
  if (!t.hold_s) return std::nullopt;
  Projection p;
  p.gateway = role.gateway == Gateway::Vpn ? "vpn" : "expressroute";
  p.propagation_us = ep.end_us - std::min(ep.end_us, ep.trigger_us);
  const bool bfd = t.bfd_interval_ms && t.bfd_multiplier;
  if (w.kind == FailureKind::TcpClose) {
    if (!w.known) return std::nullopt;  // nothing observed to carry over
    p.timers = fmt::format("hold {} s", t.hold_s);
    p.detected_by = "the TCP connection closing, which reaches Azure as it reached bgpfa (its timers do not apply)";
    p.detection_min_us = ep.detection_min_us;
    p.detection_max_us = ep.detection_max_us;
  } else if (bfd && role.bfd_interval_us) {
    const std::uint64_t i = std::uint64_t{t.bfd_interval_ms} * 1000;
    p.timers = fmt::format("BFD {} ms x {}", t.bfd_interval_ms, t.bfd_multiplier);
    p.detected_by = "Azure's BFD (this session runs BFD)";
    p.detection_max_us = i * t.bfd_multiplier;
    p.detection_min_us = p.detection_max_us - i;
  } else {
    const std::uint64_t h = std::uint64_t{t.hold_s} * 1000000;
    p.timers = fmt::format("hold {} s", t.hold_s);
    p.detected_by = bfd ? "Azure's hold timer (this session runs no BFD)" : "Azure's hold timer";
    p.detection_max_us = h;
    p.detection_min_us = h - h / 3;  // the peer's next KEEPALIVE was due a third of the hold time later
  }
  p.failover_min_us = p.detection_min_us + p.propagation_us;
  p.failover_max_us = p.detection_max_us + p.propagation_us;
  return p;
}

}  // namespace bgpfa::analyzer
