// Decode errors as values: what a NOTIFICATION would carry, where, and what RFC 7606 says to do.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bgpfa::wire {

// RFC 7606 section 2, weakest first so the strongest of several errors is the max.
enum class ErrorAction : std::uint8_t {
  None = 0,
  AttributeDiscard,  // drop the attribute, keep the route
  TreatAsWithdraw,   // the UPDATE's routes are withdrawn
  SessionReset,      // NOTIFICATION and close the session
};
[[nodiscard]] const char* to_string(ErrorAction a) noexcept;

// NOTIFICATION error codes (RFC 4271 section 4.5) and the subcodes bgpfa sends.
namespace notify {
inline constexpr std::uint8_t kMessageHeaderError = 1;
inline constexpr std::uint8_t kOpenMessageError = 2;
inline constexpr std::uint8_t kUpdateMessageError = 3;
inline constexpr std::uint8_t kHoldTimerExpired = 4;
inline constexpr std::uint8_t kFsmError = 5;
inline constexpr std::uint8_t kCease = 6;
inline constexpr std::uint8_t kRouteRefreshError = 7;
}  // namespace notify

namespace header_error {
inline constexpr std::uint8_t kConnectionNotSynchronized = 1;
inline constexpr std::uint8_t kBadMessageLength = 2;
inline constexpr std::uint8_t kBadMessageType = 3;
}  // namespace header_error

namespace update_error {
inline constexpr std::uint8_t kMalformedAttributeList = 1;
inline constexpr std::uint8_t kUnrecognizedWellKnownAttribute = 2;
inline constexpr std::uint8_t kMissingWellKnownAttribute = 3;
inline constexpr std::uint8_t kAttributeFlagsError = 4;
inline constexpr std::uint8_t kAttributeLengthError = 5;
inline constexpr std::uint8_t kInvalidOriginAttribute = 6;
inline constexpr std::uint8_t kInvalidNextHopAttribute = 8;
inline constexpr std::uint8_t kOptionalAttributeError = 9;
inline constexpr std::uint8_t kInvalidNetworkField = 10;
inline constexpr std::uint8_t kMalformedAsPath = 11;
}  // namespace update_error

struct DecodeError {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::size_t offset = 0;          // of the offending octet, from the start of what was decoded
  std::vector<std::uint8_t> data;  // NOTIFICATION data (e.g. the offending attribute)
  ErrorAction action = ErrorAction::SessionReset;
  std::string what;                // one line for people
};

// "UPDATE Message Error/Attribute Length Error at offset 42: ... (treat-as-withdraw)"
[[nodiscard]] std::string describe(const DecodeError& e);
[[nodiscard]] const char* notification_code_name(std::uint8_t code) noexcept;
[[nodiscard]] const char* notification_subcode_name(std::uint8_t code, std::uint8_t subcode) noexcept;

}  // namespace bgpfa::wire
