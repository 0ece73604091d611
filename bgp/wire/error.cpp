#include "bgp/wire/error.hpp"

#include <fmt/format.h>

namespace bgpfa::wire {

const char* to_string(ErrorAction a) noexcept {
  switch (a) {
    case ErrorAction::None: return "none";
    case ErrorAction::AttributeDiscard: return "attribute-discard";
    case ErrorAction::TreatAsWithdraw: return "treat-as-withdraw";
    case ErrorAction::SessionReset: return "session-reset";
  }
  return "?";
}

const char* notification_code_name(std::uint8_t code) noexcept {
  switch (code) {
    case 0: return "Decode Error";  // not a NOTIFICATION: a container (MRT) problem
    case notify::kMessageHeaderError: return "Message Header Error";
    case notify::kOpenMessageError: return "OPEN Message Error";
    case notify::kUpdateMessageError: return "UPDATE Message Error";
    case notify::kHoldTimerExpired: return "Hold Timer Expired";
    case notify::kFsmError: return "Finite State Machine Error";
    case notify::kCease: return "Cease";
    case notify::kRouteRefreshError: return "ROUTE-REFRESH Message Error";
  }
  return "Unknown Error";
}

const char* notification_subcode_name(std::uint8_t code, std::uint8_t sub) noexcept {
  static constexpr const char* header[] = {"Unspecific", "Connection Not Synchronized",
                                           "Bad Message Length", "Bad Message Type"};
  static constexpr const char* open[] = {"Unspecific",
                                         "Unsupported Version Number",
                                         "Bad Peer AS",
                                         "Bad BGP Identifier",
                                         "Unsupported Optional Parameter",
                                         "Deprecated (5)",
                                         "Unacceptable Hold Time",
                                         "Unsupported Capability",
                                         "Deprecated (8)",
                                         "Deprecated (9)",
                                         "Deprecated (10)",
                                         "Role Mismatch"};
  static constexpr const char* update[] = {"Unspecific",
                                           "Malformed Attribute List",
                                           "Unrecognized Well-known Attribute",
                                           "Missing Well-known Attribute",
                                           "Attribute Flags Error",
                                           "Attribute Length Error",
                                           "Invalid ORIGIN Attribute",
                                           "Deprecated (7)",
                                           "Invalid NEXT_HOP Attribute",
                                           "Optional Attribute Error",
                                           "Invalid Network Field",
                                           "Malformed AS_PATH"};
  static constexpr const char* fsm[] = {"Unspecified", "Unexpected Message in OpenSent",
                                        "Unexpected Message in OpenConfirm",
                                        "Unexpected Message in Established"};
  static constexpr const char* cease[] = {"Unspecific",
                                          "Maximum Number of Prefixes Reached",
                                          "Administrative Shutdown",
                                          "Peer De-configured",
                                          "Administrative Reset",
                                          "Connection Rejected",
                                          "Other Configuration Change",
                                          "Connection Collision Resolution",
                                          "Out of Resources",
                                          "Hard Reset",
                                          "BFD Down"};
  auto pick = [sub](const auto& table) -> const char* {
    return sub < std::size(table) ? table[sub] : "Unknown Subcode";
  };
  switch (code) {
    case notify::kMessageHeaderError: return pick(header);
    case notify::kOpenMessageError: return pick(open);
    case notify::kUpdateMessageError: return pick(update);
    case notify::kFsmError: return pick(fsm);
    case notify::kCease: return pick(cease);
  }
  return sub == 0 ? "Unspecific" : "Unknown Subcode";
}

std::string describe(const DecodeError& e) {
  return fmt::format("{}/{} at offset {}: {} ({})", notification_code_name(e.code),
                     notification_subcode_name(e.code, e.subcode), e.offset, e.what, to_string(e.action));
}

}  // namespace bgpfa::wire
