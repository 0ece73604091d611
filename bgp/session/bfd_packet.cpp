#include "bgp/session/bfd_packet.hpp"

#include <fmt/format.h>

#include "bgp/wire/bytes.hpp"

namespace bgpfa::session::bfd {

const char* to_string(State s) noexcept {
  static constexpr const char* names[] = {"AdminDown", "Down", "Init", "Up"};
  return names[static_cast<int>(s) & 3];
}

const char* to_string(Diag d) noexcept {
  static constexpr const char* names[] = {"No Diagnostic",
                                          "Control Detection Time Expired",
                                          "Echo Function Failed",
                                          "Neighbor Signaled Session Down",
                                          "Forwarding Plane Reset",
                                          "Path Down",
                                          "Concatenated Path Down",
                                          "Administratively Down",
                                          "Reverse Concatenated Path Down"};
  const auto i = static_cast<unsigned>(d);
  return i < std::size(names) ? names[i] : "Reserved";
}

const char* to_string(DecodeError::Reason r) noexcept {
  using R = DecodeError::Reason;
  switch (r) {
    case R::TooShort: return "too short";
    case R::BadVersion: return "bad version";
    case R::BadLength: return "bad length";
    case R::LengthExceedsDatagram: return "length exceeds datagram";
    case R::ZeroDetectMult: return "zero detect mult";
    case R::Multipoint: return "multipoint bit set";
    case R::ZeroMyDiscriminator: return "zero my discriminator";
    case R::ZeroYourDiscriminator: return "zero your discriminator";
    case R::AuthenticationUnsupported: return "authentication unsupported";
  }
  return "?";
}

namespace {

constexpr std::uint8_t kP = 0x20, kF = 0x10, kC = 0x08, kA = 0x04, kD = 0x02, kM = 0x01;

DecodeError fail(DecodeError::Reason r, std::size_t offset, std::string what) {
  return DecodeError{r, offset, fmt::format("BFD control packet: {} (offset {})", what, offset)};
}

}  // namespace

DecodeResult decode(std::span<const std::uint8_t> d) {
  using R = DecodeError::Reason;
  // Checks in RFC 5880 6.8.6 order, up to the ones that need a session.
  if (d.size() < kMandatoryLength)
    return fail(R::TooShort, 0, fmt::format("{} octets, the mandatory section is {}", d.size(), kMandatoryLength));
  Packet p;
  p.version = d[0] >> 5;
  p.diag = static_cast<Diag>(d[0] & 0x1f);
  p.state = static_cast<State>(d[1] >> 6);
  p.poll = (d[1] & kP) != 0;
  p.final = (d[1] & kF) != 0;
  p.control_plane_independent = (d[1] & kC) != 0;
  const bool a = (d[1] & kA) != 0;
  p.demand = (d[1] & kD) != 0;
  const bool m = (d[1] & kM) != 0;
  p.detect_mult = d[2];
  p.length = d[3];
  p.my_discriminator = wire::load_u32(&d[4]);
  p.your_discriminator = wire::load_u32(&d[8]);
  p.desired_min_tx_us = wire::load_u32(&d[12]);
  p.required_min_rx_us = wire::load_u32(&d[16]);
  p.required_min_echo_rx_us = wire::load_u32(&d[20]);

  if (p.version != kVersion) return fail(R::BadVersion, 0, fmt::format("version {}, expected {}", p.version, kVersion));
  const std::size_t min_len = a ? kMinAuthLength : kMandatoryLength;
  if (p.length < min_len)
    return fail(R::BadLength, 3,
                fmt::format("Length {} is below the minimum {}{}", p.length, min_len, a ? " with the A bit" : ""));
  if (p.length > d.size())
    return fail(R::LengthExceedsDatagram, 3,
                fmt::format("Length {} exceeds the {} octets of the datagram", p.length, d.size()));
  if (p.detect_mult == 0) return fail(R::ZeroDetectMult, 2, "Detect Mult is 0");
  if (m) return fail(R::Multipoint, 1, "Multipoint (M) bit is set");
  if (p.my_discriminator == 0) return fail(R::ZeroMyDiscriminator, 4, "My Discriminator is 0");
  if (p.your_discriminator == 0 && p.state != State::Down && p.state != State::AdminDown)
    return fail(R::ZeroYourDiscriminator, 8,
                fmt::format("Your Discriminator is 0 with State {} (allowed only in Down or AdminDown)",
                            to_string(p.state)));
  if (a)
    return fail(R::AuthenticationUnsupported, 1,
                fmt::format("Authentication Present (A) bit is set (auth type {}): authentication is not supported",
                            p.length > kMandatoryLength ? d[kMandatoryLength] : 0));
  return p;
}

std::array<std::uint8_t, kMandatoryLength> encode(const Packet& p) noexcept {
  std::array<std::uint8_t, kMandatoryLength> out{};
  out[0] = static_cast<std::uint8_t>((p.version & 7) << 5 | (static_cast<std::uint8_t>(p.diag) & 0x1f));
  out[1] = static_cast<std::uint8_t>((static_cast<std::uint8_t>(p.state) & 3) << 6 | (p.poll ? kP : 0) |
                                     (p.final ? kF : 0) | (p.control_plane_independent ? kC : 0) |
                                     (p.authentication ? kA : 0) | (p.demand ? kD : 0) | (p.multipoint ? kM : 0));
  out[2] = p.detect_mult;
  out[3] = kMandatoryLength;
  wire::store_u32(&out[4], p.my_discriminator);
  wire::store_u32(&out[8], p.your_discriminator);
  wire::store_u32(&out[12], p.desired_min_tx_us);
  wire::store_u32(&out[16], p.required_min_rx_us);
  wire::store_u32(&out[20], p.required_min_echo_rx_us);
  return out;
}

std::string describe(const Packet& p) {
  auto ms = [](std::uint32_t us) { return us % 1000 == 0 ? fmt::format("{}ms", us / 1000) : fmt::format("{}us", us); };
  return fmt::format("{} diag={}{}{}{}{} mult={} my={} your={} tx={} rx={} echo={}", to_string(p.state),
                     static_cast<unsigned>(p.diag), p.poll ? " P" : "", p.final ? " F" : "",
                     p.control_plane_independent ? " C" : "", p.demand ? " D" : "", p.detect_mult,
                     p.my_discriminator, p.your_discriminator, ms(p.desired_min_tx_us), ms(p.required_min_rx_us),
                     ms(p.required_min_echo_rx_us));
}

}  // namespace bgpfa::session::bfd
