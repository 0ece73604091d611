#include "feed/feed.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "feed/update_feed.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::feed {

namespace {
constexpr int kEstablished = 6;
constexpr std::uint8_t kCeaseBfdDown = 10;  // RFC 9384

// The unicast families an OPEN offers, as rib::kFamily* bits (RFC 4760 8: none listed is IPv4).
std::uint8_t unicast_families(const wire::Open& o) {
  return static_cast<std::uint8_t>((o.caps.supports(1, 1) ? rib::kFamilyIpv4 : 0) |
                                   (o.caps.supports(2, 1) ? rib::kFamilyIpv6 : 0));
}

}  // namespace

int Feed::peer_of(const std::optional<wire::IpAddress>& local, const wire::IpAddress& ip) {
  const bool known = local && std::any_of(local->octets.begin(), local->octets.end(), [](std::uint8_t b) { return b != 0; });
  PeerMemo& m = peer_memo_;
  if (m.valid && m.ip == ip && m.peers == a_.peers().size() && (known ? m.local == local : !m.local)) return m.index;
  const int i = a_.peer_index(known ? local : std::nullopt, ip);
  if (i >= 0 && known) stats_.local_address(i, *local);
  if (i < 0) {
    std::string s = wire::to_string(ip);
    if (unknown_set_.insert(s).second) unknown_.push_back(std::move(s));
  }
  m = PeerMemo{true, known ? local : std::nullopt, ip, a_.peers().size(), i};
  return i;
}

const std::string& Feed::role(int peer) {
  const auto i = static_cast<std::size_t>(peer);
  while (roles_.size() <= i) roles_.push_back(a_.peers().at(roles_.size()).label(a_.policy().circuits));
  return roles_[i];
}

const std::string& Feed::update_cause(int peer) {
  // Made once per peer (as its role is): formatting it per UPDATE was an allocation a message.
  const auto i = static_cast<std::size_t>(peer);
  while (update_causes_.size() <= i) {
    const int k = static_cast<int>(update_causes_.size());
    update_causes_.push_back(fmt::format("UPDATE from {} ({})", wire::to_string(a_.peers()[update_causes_.size()].address), role(k)));
  }
  return update_causes_[i];
}

Feed::Session& Feed::session(int peer) {
  const auto i = static_cast<std::size_t>(peer);
  if (sessions_.size() <= i) sessions_.resize(i + 1);
  return sessions_[i];
}

std::uint64_t Feed::last_heard(int peer) const {
  const auto i = static_cast<std::size_t>(peer);
  return i < sessions_.size() ? sessions_[i].last_heard_us : 0;
}

Feed::SessionStats Feed::session_stats(int peer) const {
  // A view of the per-peer accounting (feed/peer_stats), for the metrics.
  SessionStats out;
  if (const PeerStats::Peer* p = stats_.find(peer)) {
    out.state = p->state;
    out.established_us = p->established_us;
    out.notifications_sent = p->out.of(wire::MessageType::Notification);
    out.notifications_received = p->in.of(wire::MessageType::Notification);
  }
  return out;
}

analyzer::FailureWindow Feed::silent_failure(std::uint64_t t, int peer, bool hold_timer) const {
  analyzer::FailureWindow w;
  w.detected_by = hold_timer ? "the hold timer" : "the TCP connection closing";
  w.kind = hold_timer ? analyzer::FailureKind::HoldTimer : analyzer::FailureKind::TcpClose;
  w.peer = peer;
  const auto i = static_cast<std::size_t>(peer);
  const Session s = i < sessions_.size() ? sessions_[i] : Session{};
  const std::string who = wire::to_string(a_.peers()[i].address);
  if (!s.last_heard_us) {
    w.note = fmt::format("unknown: nothing was heard from {} before", who);
    return w;
  }
  if (!s.keepalives) {
    w.note = fmt::format("unknown: the input holds no KEEPALIVEs from {}, so its last message does not bound the failure", who);
    return w;
  }
  w.known = true;
  w.after_us = s.last_heard_us;
  w.before_us = t;
  // The peer's next KEEPALIVE was due a third of the negotiated hold time after the last one.
  const std::uint16_t hold = s.local_hold && s.remote_hold ? std::min(s.local_hold, s.remote_hold) : 0;
  if (hold_timer && hold) w.before_us = std::min(t, s.last_heard_us + std::uint64_t{hold} * 1000000 / 3);
  return w;
}

void Feed::live(std::uint64_t t) {
  if (started_) return;
  started_ = true;
  a_.end_baseline(t);
}

void Feed::heard(std::uint64_t t, int peer) { session(peer).last_heard_us = t; }

bool Feed::state_change(std::uint64_t t, int peer, int from, int to) {
  flush();
  live(t);
  stats_.state_change(t, peer, from, to);
  const std::string why = fmt::format("session {} {} ({}): {} -> {}", to == kEstablished ? "up" : "down",
                                      wire::to_string(a_.peers()[static_cast<std::size_t>(peer)].address), role(peer),
                                      state_name(from), state_name(to));
  a_.advance(t);  // an episode that went quiet ends before this
  {  // before what it does to the routes
    analyzer::Mark m;
    m.time_us = t;
    m.after = a_.event_count();
    m.peer = peer;
    m.from = from;
    m.to = to;
    m.text = stats_.find(peer)->last_change_reason;
    a_.mark(std::move(m));
  }
  if (to == kEstablished) {
    // The End-of-RIB markers to wait for: the unicast families both OPENs offered (the local OPEN
    // unknown, as in other collectors' dumps: bgpfa's own, both); the peer's unknown: none.
    const Session& s = session(peer);
    const std::uint8_t local = s.local_families ? s.local_families : rib::kFamilyIpv4 | rib::kFamilyIpv6;
    initial_.established(t, peer, static_cast<std::uint8_t>(local & s.remote_families),
                         wire::to_string(a_.peers()[static_cast<std::size_t>(peer)].address), role(peer));
  } else if (from == kEstablished) {
    initial_.down(t, peer);
  }
  // A session that ends with no NOTIFICATION either way ended silently: the TCP connection
  // closed (or was reset) some time after the last message heard.
  if (from == kEstablished && to != kEstablished && !lifecycle_.notified(peer)) {
    const auto w = silent_failure(t, peer, false);
    return lifecycle_.state_change(t, peer, from, to, why, &w);
  }
  return lifecycle_.state_change(t, peer, from, to, why);
}

void Feed::update(std::uint64_t t, int peer, const wire::Update& u, const wire::DecodeContext& ctx, bool withdraw_all) {
  flush();
  live(t);
  heard(t, peer);
  initial_.advance(t);
  stats_.counted(t, peer, wire::MessageType::Update, false);
  a_.advance(t);
  feed_update(a_, t, peer, u, ctx, withdraw_all, update_cause(peer));
  a_.update_received(t, peer);  // after the routes: an UPDATE that opens an episode counts in it
  initial_.after_update(t, peer, end_of_rib_family(u));
}

void Feed::control(std::uint64_t t, int peer, wire::MessageType type, wire::Bytes body, bool local) {
  flush();
  live(t);
  initial_.advance(t);
  if (!local) heard(t, peer);
  stats_.message(t, peer, type, body, local);
  if (type == wire::MessageType::Keepalive && !local) session(peer).keepalives = true;
  if (type != wire::MessageType::Notification && type != wire::MessageType::Open) return;
  lifecycle_.message(peer, type, body, local);
  if (type == wire::MessageType::Open) {
    if (auto o = wire::decode_open(body)) {
      (local ? session(peer).local_hold : session(peer).remote_hold) = o->hold_time;
      (local ? session(peer).local_families : session(peer).remote_families) = unicast_families(o.value());
      if (!local) session(peer).keepalives = false;  // a new session: signs of life start again
    }
    return;
  }
  auto n = wire::decode_notification(body);
  if (!n) return;
  const bool hold = n->code == wire::notify::kHoldTimerExpired;
  a_.advance(t);
  analyzer::FailureWindow w;
  const bool bfd = local && n->code == wire::notify::kCease && n->subcode == kCeaseBfdDown;
  if (hold && local) {
    w = silent_failure(t, peer, true);
  } else if (bfd) {
    // BFD declared the path down when no packet came for the detection time (multiplier x
    // interval): the failure was after the last packet, before the next one was due.
    const auto& role = a_.peers()[static_cast<std::size_t>(peer)];
    w.detected_by = "BFD";
    w.kind = analyzer::FailureKind::Bfd;
    w.peer = peer;
    if (role.bfd_interval_us && role.bfd_multiplier) {
      const std::uint64_t detect = std::uint64_t{role.bfd_multiplier} * role.bfd_interval_us;
      w.known = true;
      w.after_us = t - std::min(t, detect);
      w.before_us = std::min(t, w.after_us + role.bfd_interval_us);
    } else {
      w.note = "unknown: the configuration gives no BFD interval for this neighbour";
    }
  } else {  // said in so many words: the failure is now
    w.known = true;
    w.after_us = w.before_us = t;
    w.detected_by = local ? "a NOTIFICATION bgpfa sent" : "a NOTIFICATION from the peer";
    w.peer = peer;
  }
  using Kind = analyzer::SessionMark::Kind;
  a_.trigger(t,
             fmt::format("{} {} {} ({}): {}", hold ? "hold timer expired:" : bfd ? "BFD down:" : "NOTIFICATION", local ? "to" : "from",
                         wire::to_string(a_.peers()[static_cast<std::size_t>(peer)].address), role(peer), n->describe()),
             &w, peer, hold ? Kind::HoldTimer : bfd ? Kind::Bfd : Kind::Notification);
}

void Feed::message(std::uint64_t t, int peer, wire::Bytes whole, bool add_path, bool four_octet_as, bool local) {
  auto h = wire::decode_header(whole, true);
  if (!h) return;  // the session refused it (and said why)
  const wire::Bytes body = whole.subspan(wire::kHeaderSize);
  if (h->type != wire::MessageType::Update) return control(t, peer, h->type, body, local);
  if (local) return update_sent(t, peer);  // bgpfa sends no routes; nothing it sent is something it learned
  wire::DecodeContext ctx;
  ctx.four_octet_as = four_octet_as;
  ctx.set_add_path_all(add_path);
  if (wire::decode_update(body, ctx, scratch_)) {  // session reset: the session says why
    stats_.counted(t, peer, wire::MessageType::Update, false);
    return heard(t, peer);
  }
  bool withdraw_all = false;
  for (const auto& e : scratch_.attributes.errors) withdraw_all |= e.action == wire::ErrorAction::TreatAsWithdraw;
  update(t, peer, scratch_, ctx, withdraw_all);
}

void Feed::snapshot_route(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id,
                          const wire::PathAttributes& attrs, bool four_octet_as) {
  if (!started_ && baseline_wanted_ && !a_.in_baseline()) a_.begin_baseline(t);
  const auto i = static_cast<std::size_t>(peer);
  while (snapshot_causes_.size() <= i) {
    const int k = static_cast<int>(snapshot_causes_.size());
    snapshot_causes_.push_back(a_.cause_id(fmt::format("RIB snapshot of {} ({})",
                                                       wire::to_string(a_.peers()[static_cast<std::size_t>(k)].address), role(k))));
  }
  HeldRoute& r = held_routes_[held_++];
  r.t = t;
  r.peer = peer;
  r.prefix = p;
  r.path_id = path_id;
  rib::AttrStore::identify(attrs, four_octet_as, r.attrs);
  if (held_ == kHeld) flush();
}

void Feed::apply_held() {
  auto& store = a_.attr_store();
  // Each route's hint slot and table slot kPrefetchAhead routes ahead, the set its hint names
  // half as far (the hint has arrived by then), so that a route's misses are already served.
  constexpr std::size_t kSetAhead = kPrefetchAhead / 2;
  // A TABLE_DUMP_V2 record's routes share one prefix: its slot is fetched once, not per peer
  // (a prefetch still costs its address and a load slot).
  const auto prefetch_slots = [&](std::size_t i) {
    const HeldRoute& r = held_routes_[i];
    store.prefetch_hint(r.attrs);
    if (i == 0 || !(held_routes_[i - 1].prefix == r.prefix)) a_.prefetch(r.prefix);
  };
  const bool baseline = a_.in_baseline();  // nothing applied here ends it
  for (std::size_t i = 0; i < held_ && i < kPrefetchAhead; ++i) prefetch_slots(i);
  for (std::size_t i = 0; i < held_ && i < kSetAhead; ++i) store.prefetch_set(held_routes_[i].attrs);
  for (std::size_t i = 0; i < held_; ++i) {
    if (i + kPrefetchAhead < held_) prefetch_slots(i + kPrefetchAhead);
    if (i + kSetAhead < held_) store.prefetch_set(held_routes_[i + kSetAhead].attrs);
    const HeldRoute& r = held_routes_[i];
    const analyzer::CauseId cause = snapshot_causes_[static_cast<std::size_t>(r.peer)];
    if (!baseline) {
      a_.announce(r.t, r.peer, r.prefix, r.path_id, store.intern(r.attrs), cause);
      continue;
    }
    // A record's routes of one prefix together: decided once (Analyzer::announce_snapshot).
    prefix_routes_.push_back({r.peer, r.path_id, store.intern(r.attrs), cause});
    const bool last_of_prefix = i + 1 == held_ || held_routes_[i + 1].t != r.t || !(held_routes_[i + 1].prefix == r.prefix);
    if (!last_of_prefix) continue;
    a_.announce_snapshot(r.t, r.prefix, prefix_routes_);
    prefix_routes_.clear();
  }
  held_ = 0;
}

}  // namespace bgpfa::feed
