// One BFD session in asynchronous mode (RFC 5880), active role, without echo, demand mode or
// authentication. The state machine is an explicit transition table (6.2, 6.8.6, 6.8.16);
// Session applies it, negotiates the timers (6.8.2-6.8.4), runs the Poll Sequence (6.5) and
// transmits with jitter (6.8.7). Sockets are the owner's: packets go out through SessionActions.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>

#include "bgp/session/bfd_packet.hpp"
#include "bgp/session/timers.hpp"

namespace bgpfa::session::bfd {

using Micros = std::chrono::microseconds;

enum class Event : std::uint8_t {
  RecvAdminDown,  // a valid packet with State AdminDown
  RecvDown,
  RecvInit,
  RecvUp,
  DetectionTimerExpired,  // 6.8.4
  AdminDown,              // 6.8.16: local administrative control
  AdminUp,
};
inline constexpr int kEvents = 7;
[[nodiscard]] const char* to_string(Event e) noexcept;

struct Transition {
  State next;
  bool set_diag = false;  // bfd.LocalDiag = diag
  Diag diag = Diag::None;
  bool clear_remote = false;  // detection time passed: bfd.RemoteDiscr = 0, bfd.RemoteSessionState = Down
};
// The table: every (state, event) pair has an entry.
[[nodiscard]] const Transition& transition(State s, Event e) noexcept;

// 6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second.
inline constexpr Micros kSlowTx{1'000'000};

struct SessionConfig {
  std::uint32_t local_discriminator = 0;  // nonzero, unique among the owner's sessions
  Micros desired_min_tx{300'000};
  Micros required_min_rx{300'000};
  std::uint8_t detect_mult = 3;
  bool admin_down = false;  // start in AdminDown
  std::uint64_t seed = 0;   // for the transmit jitter; 0: std::random_device
  // Wall clock (µs since the epoch) for the times reported to the owner; default: system clock.
  std::function<std::uint64_t()> wall_clock_us;
};

struct StateChange {
  State from;
  State to;
  Event event;
  Diag diag;           // bfd.LocalDiag after the change (why the session went down)
  Diag remote_diag;    // the diagnostic in the peer's last packet (e.g. 7 when it was shut down)
  std::uint64_t at_us; // wall clock at the change
  // The last valid packet heard from the peer (wall clock, µs); none if never. For a Down by
  // detection time the failure happened after it and before at_us.
  std::optional<std::uint64_t> last_rx_us;
  Micros detection_time;  // in force at the change (0 before the first packet)
};

class SessionActions {
 public:
  virtual ~SessionActions() = default;
  virtual void send(const Packet& p) = 0;
  virtual void state_changed(const StateChange& c) = 0;
};

class Session {
 public:
  Session(TimerService& timers, SessionActions& actions, SessionConfig cfg);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Starts periodic transmission (the first packet after one jittered interval).
  void start();
  // A packet that passed decode() and was demultiplexed to this session; rx_us: its receive time
  // (wall clock, µs). Returns false if it was discarded (Your Discriminator is not ours).
  bool receive(const Packet& p, std::uint64_t rx_us);
  void admin_down();
  void admin_up();
  // Stops transmission and detection for good, without a state change (the owner removes it).
  void stop();
  // New local parameters (a configuration change): a Poll Sequence tells the peer.
  void set_parameters(Micros desired_min_tx, Micros required_min_rx, std::uint8_t detect_mult);

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] State remote_state() const noexcept { return remote_state_; }
  [[nodiscard]] Diag local_diag() const noexcept { return local_diag_; }
  [[nodiscard]] Diag remote_diag() const noexcept { return remote_diag_; }
  [[nodiscard]] std::uint32_t local_discriminator() const noexcept { return cfg_.local_discriminator; }
  [[nodiscard]] std::uint32_t remote_discriminator() const noexcept { return remote_discr_; }
  [[nodiscard]] bool poll_active() const noexcept { return poll_active_; }
  // What our packets advertise now (bfd.DesiredMinTxInterval, bfd.RequiredMinRxInterval).
  [[nodiscard]] Micros advertised_min_tx() const noexcept { return adv_tx_; }
  [[nodiscard]] Micros advertised_min_rx() const noexcept { return adv_rx_; }
  // 6.8.2: max(bfd.DesiredMinTxInterval, bfd.RemoteMinRxInterval), before jitter.
  [[nodiscard]] Micros tx_interval() const noexcept;
  // 6.8.4: remote Detect Mult × max(bfd.RequiredMinRxInterval, remote Desired Min TX); 0 before
  // the first packet.
  [[nodiscard]] Micros detection_time() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> last_rx_us() const noexcept { return last_rx_us_; }
  [[nodiscard]] std::uint64_t packets_sent() const noexcept { return sent_; }
  [[nodiscard]] std::uint64_t packets_received() const noexcept { return received_; }
  [[nodiscard]] const SessionConfig& config() const noexcept { return cfg_; }

 private:
  void apply(Event e);
  void begin_poll();
  void transmit(bool final);
  void on_tx_timer();
  void schedule_tx();
  void hasten_tx();
  [[nodiscard]] Packet make_packet(bool final) const;
  [[nodiscard]] std::uint64_t wall_us() const;

  TimerService& timers_;
  SessionActions& a_;
  SessionConfig cfg_;
  State state_ = State::Down;
  State remote_state_ = State::Down;
  Diag local_diag_ = Diag::None;
  Diag remote_diag_ = Diag::None;
  std::uint32_t remote_discr_ = 0;
  Micros remote_min_rx_{1};  // 6.8.1: initialized to 1
  Micros remote_min_tx_{0};  // last received Desired Min TX
  std::uint8_t remote_mult_ = 0;
  bool remote_demand_ = false;
  Micros adv_tx_, adv_rx_;        // advertised
  Micros tx_in_use_, rx_in_use_;  // used for our interval / detection time until a Poll completes (6.8.3)
  bool poll_active_ = false;
  bool poll_again_ = false;  // parameters changed during a Poll: another one follows
  std::optional<std::uint64_t> last_rx_us_;
  std::uint64_t sent_ = 0, received_ = 0;
  std::chrono::steady_clock::time_point next_tx_{};
  bool started_ = false;
  std::mt19937_64 rng_;
  Timer tx_, detect_;
};

}  // namespace bgpfa::session::bfd
