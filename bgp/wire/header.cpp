#include "bgp/wire/header.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace bgpfa::wire {

const char* to_string(MessageType t) noexcept {
  switch (t) {
    case MessageType::Open: return "OPEN";
    case MessageType::Update: return "UPDATE";
    case MessageType::Notification: return "NOTIFICATION";
    case MessageType::Keepalive: return "KEEPALIVE";
    case MessageType::RouteRefresh: return "ROUTE-REFRESH";
  }
  return "UNKNOWN";
}

Result<MessageHeader> decode_header(Bytes in, bool extended, std::size_t base) {
  auto fail = [&](std::uint8_t sub, std::size_t at, std::vector<std::uint8_t> data, std::string what) {
    return DecodeError{notify::kMessageHeaderError, sub, base + at, std::move(data), ErrorAction::SessionReset,
                       std::move(what)};
  };
  if (in.size() < kHeaderSize)
    return fail(header_error::kBadMessageLength, 0, {}, fmt::format("message header truncated: {} octets", in.size()));
  std::uint64_t marker[2];  // two word compares, not a loop over 16 octets (once per message)
  std::memcpy(marker, in.data(), 16);
  if ((marker[0] & marker[1]) != ~std::uint64_t{0})
    return fail(header_error::kConnectionNotSynchronized, 0, {}, "marker is not all ones");
  const std::uint16_t length = load_u16(&in[16]);
  const std::uint8_t type = in[18];
  const std::size_t max = extended && type != 1 && type != 4 ? kMaxExtendedMessageSize : kMaxMessageSize;
  std::size_t min = kHeaderSize;
  switch (type) {
    case 1: min = 29; break;
    case 2: min = 23; break;
    case 3: min = 21; break;
    case 4: min = 19; break;
    case 5: min = 23; break;
    default:
      return fail(header_error::kBadMessageType, 18, {type}, fmt::format("unknown message type {}", type));
  }
  if (length < min || length > max || (type == 4 && length != 19))
    return fail(header_error::kBadMessageLength, 16, {in[16], in[17]},
                fmt::format("{} message length {} outside [{}, {}]", to_string(static_cast<MessageType>(type)), length,
                            min, type == 4 ? 19 : max));
  return MessageHeader{length, static_cast<MessageType>(type)};
}

void encode_header(std::uint8_t* out, std::uint16_t length, MessageType type) noexcept {
  std::memset(out, 0xff, 16);
  store_u16(out + 16, length);
  out[18] = static_cast<std::uint8_t>(type);
}

}  // namespace bgpfa::wire
