// The RFC 4271 section 8 finite-state machine as an explicit transition table. The table says
// what to do; Fsm does it through an Actions interface (the session: sockets, messages).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "bgp/session/timers.hpp"

namespace bgpfa::session {

enum class State : std::uint8_t { Idle, Connect, Active, OpenSent, OpenConfirm, Established };
enum class Event : std::uint8_t {
  ManualStart,              // 1 (active: connect)
  ManualStartPassive,       // 4 (passive: wait for the peer)
  ManualStop,               // 2
  ConnectRetryTimerExpires, // 9
  HoldTimerExpires,         // 10
  KeepaliveTimerExpires,    // 11
  TcpConnectionUp,          // 16/17: connected or accepted
  TcpConnectionFails,       // 18
  BgpOpen,                  // 19: a valid OPEN
  BgpHeaderErr,             // 21
  BgpOpenMsgErr,            // 22
  OpenCollisionDump,        // 23
  NotifMsgVerErr,           // 24
  NotifMsg,                 // 25
  KeepAliveMsg,             // 26
  UpdateMsg,                // 27
  UpdateMsgErr,             // 28
};
inline constexpr int kStates = 6;
inline constexpr int kEvents = 17;

[[nodiscard]] const char* to_string(State s) noexcept;
[[nodiscard]] const char* to_string(Event e) noexcept;

namespace act {
inline constexpr std::uint32_t kStartConnectRetry = 1u << 0;
inline constexpr std::uint32_t kStopConnectRetry = 1u << 1;
inline constexpr std::uint32_t kConnect = 1u << 2;        // initiate a TCP connection
inline constexpr std::uint32_t kDrop = 1u << 3;           // close the TCP connection
inline constexpr std::uint32_t kSendOpen = 1u << 4;
inline constexpr std::uint32_t kSendKeepalive = 1u << 5;
inline constexpr std::uint32_t kSendNotification = 1u << 6;
inline constexpr std::uint32_t kStartHoldLarge = 1u << 7;  // 4 minutes while waiting for OPEN
inline constexpr std::uint32_t kStartHold = 1u << 8;       // negotiated hold time
inline constexpr std::uint32_t kStartKeepalive = 1u << 9;
inline constexpr std::uint32_t kStopTimers = 1u << 10;     // hold + keepalive
inline constexpr std::uint32_t kIncRetry = 1u << 11;       // ConnectRetryCounter++
inline constexpr std::uint32_t kResetRetry = 1u << 12;
inline constexpr std::uint32_t kEstablished = 1u << 13;    // tell the owner: routes may flow
inline constexpr std::uint32_t kDown = 1u << 14;           // tell the owner: routes are gone
inline constexpr std::uint32_t kProcessUpdate = 1u << 15;
}  // namespace act

struct Transition {
  State next;
  std::uint32_t actions;
  std::uint8_t code = 0;  // NOTIFICATION to send (with kSendNotification)
  std::uint8_t subcode = 0;
};

// The table: every (state, event) pair has an entry.
[[nodiscard]] const Transition& transition(State s, Event e) noexcept;

class FsmActions {
 public:
  virtual ~FsmActions() = default;
  virtual void connect() = 0;
  virtual void drop() = 0;
  virtual void send_open() = 0;
  virtual void send_keepalive() = 0;
  virtual void send_notification(std::uint8_t code, std::uint8_t subcode) = 0;
  virtual void established() = 0;
  virtual void down(State from, Event why) = 0;
  virtual void state_changed(State from, State to) = 0;
  // True while the session has stopped reading for its owner to catch up: the peer's messages
  // wait unread in the socket, so the hold timer running out says nothing about the peer.
  [[nodiscard]] virtual bool reads_paused() const { return false; }
};

struct FsmConfig {
  Duration connect_retry{std::chrono::seconds(30)};
  Duration large_hold{std::chrono::minutes(4)};
  bool passive = false;
  // The configured keepalive interval; KEEPALIVEs go out every min(it, negotiated hold / 3), as
  // FRR does; zero: every third of the negotiated hold time (RFC 4271 10).
  Duration keepalive{0};
};

class Fsm {
 public:
  Fsm(TimerService& timers, FsmActions& actions, FsmConfig cfg);
  void handle(Event e);
  // With the NOTIFICATION code/subcode to send when the table sends one (decode errors).
  void handle(Event e, std::optional<std::pair<std::uint8_t, std::uint8_t>> notification);
  // After OPEN negotiation: 0 disables hold and keepalive timers (RFC 4271 4.2).
  void set_hold_time(std::uint16_t seconds) noexcept { hold_seconds_ = seconds; }
  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] std::uint32_t connect_retry_counter() const noexcept { return retries_; }
  [[nodiscard]] const Timer& hold_timer() const noexcept { return hold_; }
  [[nodiscard]] const Timer& keepalive_timer() const noexcept { return keepalive_; }

 private:
  FsmActions& a_;
  FsmConfig cfg_;
  State state_ = State::Idle;
  std::uint16_t hold_seconds_ = 90;
  std::uint32_t retries_ = 0;
  Timer connect_retry_, hold_, keepalive_;
};

}  // namespace bgpfa::session
