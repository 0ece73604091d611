// libFuzzer: BFD control packets and a session driven by them on a fake clock. Input: a script
// of operations (advance the clock, receive a 24-octet packet, admin down/up, new parameters).
// Checks: a decoded packet re-encodes to the same packet, and every packet the session sends
// passes the peer's reception checks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bgp/session/bfd_session.hpp"

namespace {

using namespace bgpfa::session;
using namespace bgpfa::session::bfd;

struct Sink final : SessionActions {
  void send(const Packet& p) override {
    if (!decode(encode(p)).ok()) std::abort();  // the session sent what a peer must discard
  }
  void state_changed(const StateChange&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FakeTimerService clock;
  Sink sink;
  SessionConfig cfg;
  cfg.local_discriminator = 7;
  cfg.seed = 1;
  cfg.wall_clock_us = [] { return std::uint64_t{0}; };
  Session s(clock, sink, cfg);
  s.start();
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t op = data[i++];
    switch (op & 3) {
      case 0:
        clock.advance(std::chrono::milliseconds((op >> 2) * 37));
        break;
      case 1: {
        if (size - i < kMandatoryLength) return 0;
        const std::span<const std::uint8_t> bytes(data + i, kMandatoryLength);
        i += kMandatoryLength;
        const auto r = decode(bytes);
        if (!r) break;
        const auto again = encode(r.value());
        if (!std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
        (void)s.receive(r.value(), 0);
        break;
      }
      case 2:
        if (op & 4) s.admin_down();
        else s.admin_up();
        break;
      default: {
        if (size - i < 3) return 0;
        const Micros tx{(data[i] + 1) * 1000}, rx{data[i + 1] * 1000};
        const auto mult = static_cast<std::uint8_t>(data[i + 2] | 1);
        i += 3;
        s.set_parameters(tx, rx, mult);
      }
    }
  }
  return 0;
}
