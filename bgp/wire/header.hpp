// BGP message header (RFC 4271 4.1; RFC 8654 extended messages).
#pragma once
#include <cstdint>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::wire {

enum class MessageType : std::uint8_t { Open = 1, Update = 2, Notification = 3, Keepalive = 4, RouteRefresh = 5 };
[[nodiscard]] const char* to_string(MessageType t) noexcept;

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;

struct MessageHeader {
  std::uint16_t length = 0;  // whole message, header included
  MessageType type = MessageType::Keepalive;
};

// Checks marker, length bounds (per type) and type; `extended` is RFC 8654 negotiated.
[[nodiscard]] Result<MessageHeader> decode_header(Bytes in, bool extended, std::size_t base_offset = 0);
void encode_header(std::uint8_t* out, std::uint16_t length, MessageType type) noexcept;

}  // namespace bgpfa::wire
