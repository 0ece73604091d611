// The BFD control packet (RFC 5880 4.1) as a pure codec, with the reception checks of 6.8.6
// that need no session state. The authentication section is not supported: packets with the
// A bit are rejected.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>

namespace bgpfa::session::bfd {

enum class State : std::uint8_t { AdminDown = 0, Down = 1, Init = 2, Up = 3 };
inline constexpr int kStates = 4;

// RFC 5880 4.1 diagnostic codes; 9-31 are reserved (kept as received).
enum class Diag : std::uint8_t {
  None = 0,
  ControlDetectionTimeExpired = 1,
  EchoFunctionFailed = 2,
  NeighborSignaledSessionDown = 3,
  ForwardingPlaneReset = 4,
  PathDown = 5,
  ConcatenatedPathDown = 6,
  AdministrativelyDown = 7,
  ReverseConcatenatedPathDown = 8,
};

[[nodiscard]] const char* to_string(State s) noexcept;
[[nodiscard]] const char* to_string(Diag d) noexcept;  // "Reserved" for 9-31

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kMandatoryLength = 24;  // without the authentication section
inline constexpr std::size_t kMinAuthLength = 26;    // mandatory section + auth type and length

struct Packet {
  std::uint8_t version = kVersion;
  Diag diag = Diag::None;
  State state = State::Down;
  bool poll = false;                       // P
  bool final = false;                      // F
  bool control_plane_independent = false;  // C
  bool authentication = false;             // A (never set by decode: such packets are rejected)
  bool demand = false;                     // D
  bool multipoint = false;                 // M (never set by decode: rejected)
  std::uint8_t detect_mult = 0;
  std::uint8_t length = kMandatoryLength;
  std::uint32_t my_discriminator = 0;
  std::uint32_t your_discriminator = 0;
  std::uint32_t desired_min_tx_us = 0;
  std::uint32_t required_min_rx_us = 0;
  std::uint32_t required_min_echo_rx_us = 0;
  friend bool operator==(const Packet&, const Packet&) = default;
};

struct DecodeError {
  enum class Reason : std::uint8_t {
    TooShort,               // fewer octets than the mandatory section
    BadVersion,             // version is not 1
    BadLength,              // Length field below the minimum (24, or 26 with the A bit)
    LengthExceedsDatagram,  // Length field beyond the octets received
    ZeroDetectMult,
    Multipoint,             // M bit set (reserved for point-to-multipoint)
    ZeroMyDiscriminator,
    ZeroYourDiscriminator,  // Your Discriminator 0 while State is Init or Up
    AuthenticationUnsupported,
  };
  Reason reason;
  std::size_t offset;  // of the offending octet
  std::string what;    // one line for people
};
[[nodiscard]] const char* to_string(DecodeError::Reason r) noexcept;

class [[nodiscard]] DecodeResult {
 public:
  DecodeResult(Packet p) : v_(std::in_place_index<0>, p) {}                   // NOLINT: implicit by design
  DecodeResult(DecodeError e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Packet& value() const { return std::get<0>(v_); }
  [[nodiscard]] const DecodeError& error() const { return std::get<1>(v_); }
  const Packet* operator->() const { return &value(); }

 private:
  std::variant<Packet, DecodeError> v_;
};

// `datagram` is the whole UDP payload.
[[nodiscard]] DecodeResult decode(std::span<const std::uint8_t> datagram);
// The 24-octet mandatory section; Length is written as 24 whatever p.length says (no authentication).
[[nodiscard]] std::array<std::uint8_t, kMandatoryLength> encode(const Packet& p) noexcept;

// "Up diag=None P my=1 your=2 tx=300ms rx=300ms mult=3" for logs.
[[nodiscard]] std::string describe(const Packet& p);

}  // namespace bgpfa::session::bfd
