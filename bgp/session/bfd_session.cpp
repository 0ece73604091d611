#include "bgp/session/bfd_session.hpp"

#include <algorithm>
#include <array>

namespace bgpfa::session::bfd {

const char* to_string(Event e) noexcept {
  static constexpr const char* names[] = {"RecvAdminDown",         "RecvDown",  "RecvInit", "RecvUp",
                                          "DetectionTimerExpired", "AdminDown", "AdminUp"};
  return names[static_cast<int>(e)];
}

namespace {

using S = State;
using E = Event;

// RFC 5880 6.2 (the diagram) with the diagnostics of 6.8.6, 6.8.4 and 6.8.16.
constexpr std::array<std::array<Transition, kEvents>, kStates> make_table() {
  std::array<std::array<Transition, kEvents>, kStates> t{};
  auto set = [&](S s, E e, Transition x) { t[static_cast<int>(s)][static_cast<int>(e)] = x; };
  constexpr Transition admin_down{S::AdminDown, true, Diag::AdministrativelyDown};
  constexpr Transition signalled{S::Down, true, Diag::NeighborSignaledSessionDown};
  constexpr Transition expired{S::Down, true, Diag::ControlDetectionTimeExpired, true};
  constexpr Transition up{S::Up, true, Diag::None};  // the reason for the latest change: none

  // AdminDown: received packets are discarded (6.8.6); only AdminUp leaves it.
  for (int e = 0; e < kEvents; ++e) set(S::AdminDown, static_cast<E>(e), {S::AdminDown});
  set(S::AdminDown, E::AdminUp, {S::Down});

  set(S::Down, E::RecvAdminDown, {S::Down});
  set(S::Down, E::RecvDown, {S::Init});
  set(S::Down, E::RecvInit, up);
  set(S::Down, E::RecvUp, {S::Down});
  set(S::Down, E::DetectionTimerExpired, {S::Down, false, Diag::None, true});
  set(S::Down, E::AdminDown, admin_down);
  set(S::Down, E::AdminUp, {S::Down});

  set(S::Init, E::RecvAdminDown, signalled);
  set(S::Init, E::RecvDown, {S::Init});
  set(S::Init, E::RecvInit, up);
  set(S::Init, E::RecvUp, up);
  set(S::Init, E::DetectionTimerExpired, expired);
  set(S::Init, E::AdminDown, admin_down);
  set(S::Init, E::AdminUp, {S::Init});

  set(S::Up, E::RecvAdminDown, signalled);
  set(S::Up, E::RecvDown, signalled);
  set(S::Up, E::RecvInit, {S::Up});
  set(S::Up, E::RecvUp, {S::Up});
  set(S::Up, E::DetectionTimerExpired, expired);
  set(S::Up, E::AdminDown, admin_down);
  set(S::Up, E::AdminUp, {S::Up});
  return t;
}

constexpr auto kTable = make_table();

Duration ceil_ms(Micros us) { return std::chrono::ceil<Duration>(us); }

Event received(State s) {
  switch (s) {
    case State::AdminDown: return Event::RecvAdminDown;
    case State::Down: return Event::RecvDown;
    case State::Init: return Event::RecvInit;
    case State::Up: return Event::RecvUp;
  }
  return Event::RecvDown;
}

}  // namespace

const Transition& transition(State s, Event e) noexcept { return kTable[static_cast<int>(s)][static_cast<int>(e)]; }

Session::Session(TimerService& timers, SessionActions& actions, SessionConfig cfg)
    : timers_(timers),
      a_(actions),
      cfg_(std::move(cfg)),
      adv_tx_(std::max(cfg_.desired_min_tx, kSlowTx)),
      adv_rx_(cfg_.required_min_rx),
      tx_in_use_(adv_tx_),
      rx_in_use_(adv_rx_),
      rng_(cfg_.seed != 0 ? cfg_.seed : std::random_device{}()),
      tx_(timers, [this] { on_tx_timer(); }),
      detect_(timers, [this] { apply(Event::DetectionTimerExpired); }) {
  if (cfg_.admin_down) {
    state_ = State::AdminDown;
    local_diag_ = Diag::AdministrativelyDown;
  }
}

std::uint64_t Session::wall_us() const {
  if (cfg_.wall_clock_us) return cfg_.wall_clock_us();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch()).count());
}

Micros Session::tx_interval() const noexcept { return std::max(tx_in_use_, remote_min_rx_); }

Micros Session::detection_time() const noexcept {
  return remote_mult_ * std::max(rx_in_use_, remote_min_tx_);
}

void Session::start() {
  started_ = true;
  schedule_tx();
}

void Session::schedule_tx() {
  // 6.8.7: reduce each interval by 0-25 %; with Detect Mult 1, to 75-90 %.
  const auto interval = tx_interval().count();
  const auto lo = (interval * 3 + 3) / 4;
  const auto hi = cfg_.detect_mult == 1 ? interval * 9 / 10 : interval;
  const Micros jittered{std::uniform_int_distribution<std::int64_t>(lo, std::max(lo, hi))(rng_)};
  const Duration after = ceil_ms(jittered);
  next_tx_ = timers_.now() + after;
  tx_.start(after);
}

void Session::hasten_tx() {
  // A shorter interval takes effect now rather than after the pending (longer) one.
  if (started_ && timers_.now() + ceil_ms(tx_interval()) < next_tx_) schedule_tx();
}

void Session::on_tx_timer() {
  // 6.8.7: no periodic packets when the peer asks for none (Required Min RX 0), or when it runs
  // Demand mode and the session is Up on both sides (except during a Poll Sequence).
  const bool remote_demand = remote_demand_ && state_ == State::Up && remote_state_ == State::Up;
  if (remote_min_rx_.count() != 0 && (!remote_demand || poll_active_)) transmit(false);
  schedule_tx();
}

Packet Session::make_packet(bool final) const {
  Packet p;
  p.diag = local_diag_;
  p.state = state_;
  p.poll = poll_active_ && !final;  // never both (6.8.7)
  p.final = final;
  p.detect_mult = cfg_.detect_mult;
  p.my_discriminator = cfg_.local_discriminator;
  p.your_discriminator = remote_discr_;
  p.desired_min_tx_us = static_cast<std::uint32_t>(adv_tx_.count());
  p.required_min_rx_us = static_cast<std::uint32_t>(adv_rx_.count());
  p.required_min_echo_rx_us = 0;  // no echo function
  return p;
}

void Session::transmit(bool final) {
  ++sent_;
  a_.send(make_packet(final));
}

bool Session::receive(const Packet& p, std::uint64_t rx_us) {
  if (p.your_discriminator != 0 && p.your_discriminator != cfg_.local_discriminator) return false;
  ++received_;
  // 6.8.6, after the checks decode() makes.
  remote_discr_ = p.my_discriminator;
  remote_state_ = p.state;
  remote_diag_ = p.diag;
  remote_demand_ = p.demand;
  remote_min_rx_ = Micros{p.required_min_rx_us};
  remote_min_tx_ = Micros{p.desired_min_tx_us};
  remote_mult_ = p.detect_mult;
  if (p.final && poll_active_) {
    // 6.5: the Poll Sequence is over; parameters held back by 6.8.3 take effect.
    poll_active_ = false;
    tx_in_use_ = adv_tx_;
    rx_in_use_ = adv_rx_;
    if (poll_again_) {
      poll_again_ = false;
      poll_active_ = true;
    }
  }
  last_rx_us_ = rx_us;
  if (state_ != State::AdminDown) {
    apply(received(p.state));
    // (The owner may have set AdminDown from its state_changed callback.)
    if (state_ != State::AdminDown) detect_.start(ceil_ms(detection_time()));
  }
  if (p.poll) transmit(true);  // 6.8.7: at once, whatever the transmit timer says
  hasten_tx();
  return true;
}

void Session::admin_down() { apply(Event::AdminDown); }
void Session::stop() {
  started_ = false;
  tx_.stop();
  detect_.stop();
}
void Session::admin_up() { apply(Event::AdminUp); }

void Session::begin_poll() {
  // 6.8.3: while Up, a longer transmit interval and a shorter detection time wait for the Poll
  // Sequence to complete; everything else takes effect at once.
  if (state_ != State::Up || adv_tx_ < tx_in_use_) tx_in_use_ = adv_tx_;
  if (state_ != State::Up || adv_rx_ > rx_in_use_) rx_in_use_ = adv_rx_;
  if (poll_active_) poll_again_ = true;
  else poll_active_ = true;
}

void Session::set_parameters(Micros desired_min_tx, Micros required_min_rx, std::uint8_t detect_mult) {
  cfg_.desired_min_tx = desired_min_tx;
  cfg_.required_min_rx = required_min_rx;
  const bool mult_changed = detect_mult != cfg_.detect_mult;
  cfg_.detect_mult = detect_mult;
  const Micros tx = state_ == State::Up ? desired_min_tx : std::max(desired_min_tx, kSlowTx);
  if (tx == adv_tx_ && required_min_rx == adv_rx_ && !mult_changed) return;
  adv_tx_ = tx;
  adv_rx_ = required_min_rx;
  begin_poll();
  hasten_tx();
  if (detect_.running()) detect_.start(ceil_ms(detection_time()));
}

void Session::apply(Event e) {
  const Transition& t = transition(state_, e);
  const Micros detection = detection_time();
  if (t.clear_remote) {
    // 6.8.1: the Detection Time passed without a packet.
    remote_discr_ = 0;
    remote_state_ = State::Down;
  }
  if (t.set_diag) local_diag_ = t.diag;
  if (t.next == state_) return;
  const State from = state_;
  state_ = t.next;
  if (state_ == State::Up || from == State::Up) {
    // 6.8.3: the configured rate while Up, at least one second otherwise; the peer learns by Poll.
    adv_tx_ = state_ == State::Up ? cfg_.desired_min_tx : std::max(cfg_.desired_min_tx, kSlowTx);
    begin_poll();
  }
  if (state_ == State::AdminDown) detect_.stop();
  hasten_tx();
  a_.state_changed(StateChange{from, state_, e, local_diag_, remote_diag_, wall_us(), last_rx_us_, detection});
}

}  // namespace bgpfa::session::bfd
