// What a peer's session events mean for its routes, decided the same way for live sessions and
// for replayed captures (so that a replay gives the live run's report): graceful restart
// (RFC 4724) from the OPENs both sides sent and whether the session ended with a NOTIFICATION.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/bytes.hpp"
#include "bgp/wire/header.hpp"
#include "bgp/wire/open.hpp"

namespace bgpfa::feed {

class PeerLifecycle {
 public:
  explicit PeerLifecycle(analyzer::Analyzer& a) : a_(a) {}

  // An OPEN or NOTIFICATION body, received from the peer or sent to it (`local`).
  void message(int peer, wire::MessageType type, wire::Bytes body, bool local);
  // RFC 6396 state numbers (Idle = 1 ... Established = 6). True when the session went down
  // gracefully and routes of the peer were kept as stale (the trigger says how many).
  // `window`: when the session ended silently, when it failed (for the episode).
  bool state_change(std::uint64_t t, int peer, int from, int to, const std::string& why,
                    const analyzer::FailureWindow* window = nullptr);
  // True when a NOTIFICATION (sent or received) ended the peer's current session.
  [[nodiscard]] bool notified(int peer) const;

  // The graceful-restart capability the peer advertised in its last OPEN, when both sides did.
  [[nodiscard]] const wire::GracefulRestart* graceful_restart(int peer) const;

 private:
  struct Peer {
    std::optional<wire::GracefulRestart> remote;  // from the peer's last OPEN
    bool local = false;     // our last OPEN advertised graceful restart
    bool notified = false;  // a NOTIFICATION ended this session: no graceful restart
  };
  Peer& peer(int i);
  // The peer's routes of `families` (rib::kFamily* bits): those a graceful restart keeps.
  [[nodiscard]] std::size_t kept_routes(int peer, std::uint8_t families) const;
  analyzer::Analyzer& a_;
  std::vector<Peer> peers_;
};

}  // namespace bgpfa::feed
