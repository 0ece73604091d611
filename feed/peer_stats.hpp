// Per-peer accounting of everything the feed sees: session states and why they changed, the
// OPENs of both sides (capabilities, hold time), the last NOTIFICATION each way, and message
// counts by type in both directions. Kept in the feed, so that a replay of a capture reports the
// same as the live run did (BGP4MP captures hold the OPENs, NOTIFICATIONs and KEEPALIVEs).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"

namespace bgpfa::feed {

class PeerStats {
 public:
  // Message counters by type, index = wire::MessageType (1 OPEN ... 5 ROUTE-REFRESH).
  struct Counters {
    std::array<std::uint64_t, 6> by_type{};
    [[nodiscard]] std::uint64_t of(wire::MessageType t) const { return by_type[index(t)]; }
    [[nodiscard]] std::uint64_t total() const;
    static std::size_t index(wire::MessageType t) {
      const auto i = static_cast<std::size_t>(t);
      return i < 6 ? i : 0;  // 0: other types
    }
  };
  struct Notice {
    std::uint64_t time_us = 0;
    wire::Notification n;
  };
  struct Peer {
    int state = 0;            // RFC 6396 (Idle = 1 ... Established = 6); 0: none seen
    int previous_state = 0;
    std::uint64_t last_change_us = 0;
    std::string last_change_reason;
    std::uint64_t established_us = 0;  // since when Established (0: not now)
    std::uint64_t flaps = 0;           // times it left Established
    std::uint64_t last_received_us = 0;
    std::optional<Notice> sent, received;  // the last NOTIFICATION each way
    std::optional<wire::Open> local_open, remote_open;  // the last OPEN each way
    Counters in, out;
    std::optional<wire::IpAddress> local_address;  // the gateway side's, as the input names it
    // The NOTIFICATION that ended the current session, if any (cleared when a new one starts).
    std::optional<std::pair<bool, wire::Notification>> ended_by;  // (sent by us, the message)
  };

  // A message body (without the header), received or sent (`local`).
  void message(std::uint64_t t, int peer, wire::MessageType type, wire::Bytes body, bool local);
  // A message counted without its body (UPDATEs, decoded elsewhere).
  void counted(std::uint64_t t, int peer, wire::MessageType type, bool local);
  // RFC 6396 state numbers.
  void state_change(std::uint64_t t, int peer, int from, int to);
  // The session's gateway-side address, as the input (MRT peer header, the connection) names it.
  void local_address(int peer, const wire::IpAddress& a) {
    auto& p = this->peer(peer);
    if (!p.local_address || !(*p.local_address == a)) p.local_address = a;
  }

  [[nodiscard]] const Peer* find(int peer) const {
    return peer >= 0 && static_cast<std::size_t>(peer) < peers_.size() ? &peers_[static_cast<std::size_t>(peer)] : nullptr;
  }
  [[nodiscard]] std::size_t size() const noexcept { return peers_.size(); }
  [[nodiscard]] std::uint64_t last_us() const noexcept { return last_us_; }  // the input's clock

  // Negotiated hold time from both OPENs (the smaller; RFC 4271 4.2); 0 when either is unknown.
  [[nodiscard]] static std::uint16_t hold_time(const Peer& p);

 private:
  Peer& peer(int i);
  std::vector<Peer> peers_;
  std::uint64_t last_us_ = 0;
};

// RFC 6396 / RFC 4271 state names ("Established"); "?" for others.
[[nodiscard]] const char* state_name(int rfc6396_state);

}  // namespace bgpfa::feed
