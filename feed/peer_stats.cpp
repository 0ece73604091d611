#include "feed/peer_stats.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpfa::feed {

namespace {
constexpr int kEstablished = 6;
}  // namespace

const char* state_name(int s) {
  static constexpr const char* kNames[] = {"?", "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"};
  return s >= 1 && s <= 6 ? kNames[s] : "?";
}

std::uint64_t PeerStats::Counters::total() const {
  std::uint64_t n = 0;
  for (auto c : by_type) n += c;
  return n;
}

PeerStats::Peer& PeerStats::peer(int i) {
  const auto k = static_cast<std::size_t>(i);
  if (peers_.size() <= k) peers_.resize(k + 1);
  return peers_[k];
}

std::uint16_t PeerStats::hold_time(const Peer& p) {
  if (!p.local_open || !p.remote_open) return 0;
  return std::min(p.local_open->hold_time, p.remote_open->hold_time);
}

void PeerStats::counted(std::uint64_t t, int i, wire::MessageType type, bool local) {
  Peer& p = peer(i);
  last_us_ = std::max(last_us_, t);
  ++(local ? p.out : p.in).by_type[Counters::index(type)];
  if (!local) p.last_received_us = t;
}

void PeerStats::message(std::uint64_t t, int i, wire::MessageType type, wire::Bytes body, bool local) {
  counted(t, i, type, local);
  Peer& p = peer(i);
  if (type == wire::MessageType::Open) {
    auto o = wire::decode_open(body);
    if (!o) return;  // the session refuses it: not the session's OPEN
    (local ? p.local_open : p.remote_open) = std::move(o.value());
    if (!local) p.ended_by.reset();  // a new session
    return;
  }
  if (type != wire::MessageType::Notification) return;
  auto n = wire::decode_notification(body);
  if (!n) return;
  (local ? p.sent : p.received) = Notice{t, n.value()};
  p.ended_by = std::pair{local, std::move(n.value())};
}

void PeerStats::state_change(std::uint64_t t, int i, int from, int to) {
  Peer& p = peer(i);
  last_us_ = std::max(last_us_, t);
  p.previous_state = from;
  p.state = to;
  p.last_change_us = t;
  std::string why = fmt::format("{} -> {}", state_name(from), state_name(to));
  if (to == kEstablished) {
    if (from != kEstablished || !p.established_us) p.established_us = t;  // staying Established keeps its start
  } else if (from == kEstablished || p.ended_by) {
    if (from == kEstablished) ++p.flaps;
    p.established_us = 0;
    if (p.ended_by)
      why += fmt::format(": NOTIFICATION {}: {}", p.ended_by->first ? "sent" : "received", p.ended_by->second.describe());
    else if (from == kEstablished)
      why += ": the TCP connection closed without a NOTIFICATION";
  }
  if (to == kEstablished || to == 1) p.ended_by.reset();  // the next session starts clean
  p.last_change_reason = std::move(why);
}

}  // namespace bgpfa::feed
