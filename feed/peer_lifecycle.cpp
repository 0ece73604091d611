#include "feed/peer_lifecycle.hpp"

#include <fmt/format.h>

#include "bgp/wire/notification.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::feed {

namespace {

constexpr int kEstablished = 6;

// Unicast families of a graceful-restart capability, as rib::kFamily* bits.
std::uint8_t families(const wire::GracefulRestart& g, bool only_preserved) {
  std::uint8_t out = 0;
  for (const auto& f : g.families) {
    if (f.safi != 1 || (only_preserved && !f.forwarding_preserved)) continue;
    if (f.afi == 1) out |= rib::kFamilyIpv4;
    if (f.afi == 2) out |= rib::kFamilyIpv6;
  }
  return out;
}

}  // namespace

PeerLifecycle::Peer& PeerLifecycle::peer(int i) {
  if (static_cast<std::size_t>(i) >= peers_.size()) peers_.resize(static_cast<std::size_t>(i) + 1);
  return peers_[static_cast<std::size_t>(i)];
}

const wire::GracefulRestart* PeerLifecycle::graceful_restart(int i) const {
  if (static_cast<std::size_t>(i) >= peers_.size()) return nullptr;
  const Peer& p = peers_[static_cast<std::size_t>(i)];
  return p.local && p.remote ? &*p.remote : nullptr;
}

void PeerLifecycle::message(int i, wire::MessageType type, wire::Bytes body, bool local) {
  Peer& p = peer(i);
  if (type == wire::MessageType::Notification) {
    p.notified = true;
    return;
  }
  if (type != wire::MessageType::Open) return;
  auto o = wire::decode_open(body);
  if (!o) return;  // the session refuses it: no new session
  if (local) {
    p.local = o->caps.graceful_restart;
  } else {
    p.remote.reset();
    if (o->caps.graceful_restart) p.remote = o->caps.gr;
  }
}

bool PeerLifecycle::notified(int i) const {
  return static_cast<std::size_t>(i) < peers_.size() && peers_[static_cast<std::size_t>(i)].notified;
}

std::size_t PeerLifecycle::kept_routes(int i, std::uint8_t families) const {
  const auto& table = a_.table();
  const auto peer = static_cast<std::uint16_t>(i);
  const std::size_t v6 = table.peer_routes_v6(peer);
  return ((families & rib::kFamilyIpv4) ? table.peer_routes(peer) - v6 : 0) + ((families & rib::kFamilyIpv6) ? v6 : 0);
}

bool PeerLifecycle::state_change(std::uint64_t t, int i, int from, int to, const std::string& why,
                                 const analyzer::FailureWindow* window) {
  Peer& p = peer(i);
  const wire::GracefulRestart* gr = graceful_restart(i);
  if (to == kEstablished) {
    p.notified = false;
    a_.session_up(t, i, why, gr ? families(*gr, true) : 0);
    return false;
  }
  if (from == kEstablished) {
    // RFC 4724 4.2: only the end of the TCP connection is a restart; a NOTIFICATION is not. Only
    // routes of the families the peer's capability names are kept: a helper-only capability
    // (FRR's default) names none, and then every route is withdrawn as after any failure.
    const std::uint8_t keep = gr && !p.notified ? families(*gr, false) : 0;
    const std::size_t kept = kept_routes(i, keep);
    a_.session_down(t, i, kept ? fmt::format("{} (graceful restart: {} routes kept as stale)", why, kept) : why,
                    kept ? keep : 0, kept ? gr->restart_time : 0, window);
    return kept > 0;
  }
  p.notified = false;
  return false;
}

}  // namespace bgpfa::feed
