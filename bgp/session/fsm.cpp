#include "bgp/session/fsm.hpp"

#include <algorithm>
#include <array>

namespace bgpfa::session {

const char* to_string(State s) noexcept {
  static constexpr const char* names[] = {"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"};
  return names[static_cast<int>(s)];
}

const char* to_string(Event e) noexcept {
  static constexpr const char* names[] = {
      "ManualStart", "ManualStartPassive", "ManualStop", "ConnectRetryTimerExpires", "HoldTimerExpires",
      "KeepaliveTimerExpires", "TcpConnectionUp", "TcpConnectionFails", "BgpOpen", "BgpHeaderErr", "BgpOpenMsgErr",
      "OpenCollisionDump", "NotifMsgVerErr", "NotifMsg", "KeepAliveMsg", "UpdateMsg", "UpdateMsgErr"};
  return names[static_cast<int>(e)];
}

namespace {

using namespace act;
using S = State;
using E = Event;

constexpr std::uint32_t kTeardown = kDrop | kStopTimers | kStopConnectRetry;
constexpr std::uint32_t kFail = kTeardown | kIncRetry;  // to Idle after an error

// Rows per RFC 4271 8.2.2, for a speaker that only listens to its peers' routes.
constexpr std::array<std::array<Transition, kEvents>, kStates> make_table() {
  std::array<std::array<Transition, kEvents>, kStates> t{};
  auto row = [&](S s, Transition def) {
    for (auto& x : t[static_cast<int>(s)]) x = def;
  };
  auto set = [&](S s, E e, Transition x) { t[static_cast<int>(s)][static_cast<int>(e)] = x; };

  // Idle: only a start leaves it; an unexpected connection is refused.
  row(S::Idle, {S::Idle, 0});
  set(S::Idle, E::ManualStart, {S::Connect, kResetRetry | kStartConnectRetry | kConnect});
  set(S::Idle, E::ManualStartPassive, {S::Active, kResetRetry | kStartConnectRetry});
  set(S::Idle, E::TcpConnectionUp, {S::Idle, kDrop});

  // Connect: waiting for our TCP connection.
  row(S::Connect, {S::Idle, kFail});
  set(S::Connect, E::ManualStop, {S::Idle, kTeardown | kResetRetry});
  set(S::Connect, E::ConnectRetryTimerExpires, {S::Connect, kDrop | kStartConnectRetry | kConnect});
  set(S::Connect, E::TcpConnectionUp, {S::OpenSent, kStopConnectRetry | kSendOpen | kStartHoldLarge});
  set(S::Connect, E::TcpConnectionFails, {S::Active, kDrop | kStartConnectRetry});

  // Active: waiting for the peer to connect (or the retry timer).
  row(S::Active, {S::Idle, kFail});
  set(S::Active, E::ManualStop, {S::Idle, kTeardown | kResetRetry});
  set(S::Active, E::ConnectRetryTimerExpires, {S::Connect, kStartConnectRetry | kConnect});
  set(S::Active, E::TcpConnectionUp, {S::OpenSent, kStopConnectRetry | kSendOpen | kStartHoldLarge});
  set(S::Active, E::TcpConnectionFails, {S::Active, kDrop | kStartConnectRetry | kIncRetry});

  // OpenSent: our OPEN is out, waiting for theirs.
  row(S::OpenSent, {S::Idle, kSendNotification | kFail, 5, 1});
  set(S::OpenSent, E::ManualStop, {S::Idle, kSendNotification | kTeardown | kResetRetry, 6, 2});
  set(S::OpenSent, E::HoldTimerExpires, {S::Idle, kSendNotification | kFail, 4, 0});
  set(S::OpenSent, E::TcpConnectionFails, {S::Active, kDrop | kStopTimers | kStartConnectRetry});
  set(S::OpenSent, E::BgpOpen, {S::OpenConfirm, kStopConnectRetry | kSendKeepalive | kStartKeepalive | kStartHold});
  set(S::OpenSent, E::BgpHeaderErr, {S::Idle, kSendNotification | kFail, 1, 0});
  set(S::OpenSent, E::BgpOpenMsgErr, {S::Idle, kSendNotification | kFail, 2, 0});
  set(S::OpenSent, E::OpenCollisionDump, {S::Idle, kSendNotification | kFail, 6, 7});
  set(S::OpenSent, E::NotifMsgVerErr, {S::Idle, kTeardown});
  set(S::OpenSent, E::NotifMsg, {S::Idle, kFail});

  // OpenConfirm: OPENs exchanged, waiting for the first KEEPALIVE.
  row(S::OpenConfirm, {S::Idle, kSendNotification | kFail, 5, 2});
  set(S::OpenConfirm, E::ManualStop, {S::Idle, kSendNotification | kTeardown | kResetRetry, 6, 2});
  set(S::OpenConfirm, E::HoldTimerExpires, {S::Idle, kSendNotification | kFail, 4, 0});
  set(S::OpenConfirm, E::KeepaliveTimerExpires, {S::OpenConfirm, kSendKeepalive | kStartKeepalive});
  set(S::OpenConfirm, E::TcpConnectionFails, {S::Idle, kFail});
  set(S::OpenConfirm, E::NotifMsg, {S::Idle, kFail});
  set(S::OpenConfirm, E::NotifMsgVerErr, {S::Idle, kFail});
  set(S::OpenConfirm, E::BgpHeaderErr, {S::Idle, kSendNotification | kFail, 1, 0});
  set(S::OpenConfirm, E::BgpOpenMsgErr, {S::Idle, kSendNotification | kFail, 2, 0});
  set(S::OpenConfirm, E::OpenCollisionDump, {S::Idle, kSendNotification | kFail, 6, 7});
  set(S::OpenConfirm, E::KeepAliveMsg, {S::Established, kStartHold | kEstablished});

  // Established: routes flow; any way out withdraws them (kDown).
  row(S::Established, {S::Idle, kSendNotification | kFail | kDown, 5, 3});
  set(S::Established, E::ManualStop, {S::Idle, kSendNotification | kTeardown | kResetRetry | kDown, 6, 2});
  set(S::Established, E::HoldTimerExpires, {S::Idle, kSendNotification | kFail | kDown, 4, 0});
  set(S::Established, E::KeepaliveTimerExpires, {S::Established, kSendKeepalive | kStartKeepalive});
  set(S::Established, E::TcpConnectionFails, {S::Idle, kFail | kDown});
  set(S::Established, E::NotifMsg, {S::Idle, kFail | kDown});
  set(S::Established, E::NotifMsgVerErr, {S::Idle, kFail | kDown});
  set(S::Established, E::KeepAliveMsg, {S::Established, kStartHold});
  set(S::Established, E::UpdateMsg, {S::Established, kStartHold | kProcessUpdate});
  set(S::Established, E::UpdateMsgErr, {S::Idle, kSendNotification | kFail | kDown, 3, 0});
  set(S::Established, E::BgpHeaderErr, {S::Idle, kSendNotification | kFail | kDown, 1, 0});
  set(S::Established, E::BgpOpenMsgErr, {S::Idle, kSendNotification | kFail | kDown, 2, 0});
  set(S::Established, E::OpenCollisionDump, {S::Idle, kSendNotification | kFail | kDown, 6, 7});
  return t;
}

constexpr auto kTable = make_table();

}  // namespace

const Transition& transition(State s, Event e) noexcept { return kTable[static_cast<int>(s)][static_cast<int>(e)]; }

Fsm::Fsm(TimerService& timers, FsmActions& actions, FsmConfig cfg)
    : a_(actions), cfg_(cfg),
      connect_retry_(timers, [this] { handle(Event::ConnectRetryTimerExpires); }),
      hold_(timers, [this] {
        // Not reading (the owner is catching up): the peer's KEEPALIVEs may be among the unread
        // bytes. The hold time starts again; it runs out only while the session reads.
        if (a_.reads_paused()) return hold_.start(hold_seconds_ ? Duration(std::chrono::seconds(hold_seconds_)) : cfg_.large_hold);
        handle(Event::HoldTimerExpires);
      }),
      keepalive_(timers, [this] { handle(Event::KeepaliveTimerExpires); }) {}

void Fsm::handle(Event e) { handle(e, std::nullopt); }

void Fsm::handle(Event e, std::optional<std::pair<std::uint8_t, std::uint8_t>> notification) {
  Transition t = transition(state_, e);
  // A passive speaker never dials out: its retry timer only keeps it listening.
  if (cfg_.passive && (t.actions & act::kConnect)) {
    t.actions &= ~act::kConnect;
    if (t.next == State::Connect) t.next = State::Active;
  }
  const State from = state_;
  const std::uint32_t x = t.actions;
  if (x & act::kStopConnectRetry) connect_retry_.stop();
  if (x & act::kStopTimers) {
    hold_.stop();
    keepalive_.stop();
  }
  if (x & act::kSendNotification) {
    const auto [code, sub] = notification.value_or(std::pair{t.code, t.subcode});
    a_.send_notification(code, sub);
  }
  if (x & act::kDrop) a_.drop();
  if (x & act::kResetRetry) retries_ = 0;
  if (x & act::kIncRetry) ++retries_;
  if (x & act::kStartConnectRetry) connect_retry_.start(cfg_.connect_retry);
  if (x & act::kConnect) a_.connect();
  if (x & act::kSendOpen) a_.send_open();
  if (x & act::kStartHoldLarge) hold_.start(cfg_.large_hold);
  if (x & act::kSendKeepalive) a_.send_keepalive();
  if (x & act::kStartHold) {
    if (hold_seconds_) hold_.start(std::chrono::seconds(hold_seconds_));
    else hold_.stop();
  }
  if (x & act::kStartKeepalive) {
    if (hold_seconds_) {
      const Duration third(hold_seconds_ * 1000 / 3);
      keepalive_.start(cfg_.keepalive.count() > 0 ? std::min(cfg_.keepalive, third) : third);
    }
    else keepalive_.stop();
  }
  state_ = t.next;
  if (from != state_) a_.state_changed(from, state_);
  if (x & act::kEstablished) a_.established();
  if (x & act::kDown) a_.down(from, e);
}

}  // namespace bgpfa::session
