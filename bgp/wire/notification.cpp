#include "bgp/wire/notification.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bgp/wire/header.hpp"
#include "bgp/wire/text.hpp"

namespace bgpfa::wire {

std::string Notification::shutdown_message() const {
  if (code != notify::kCease || (subcode != 2 && subcode != 4) || data.empty()) return {};
  const std::size_t len = data[0];
  if (len + 1 > data.size()) return {};
  return std::string(data.begin() + 1, data.begin() + 1 + static_cast<std::ptrdiff_t>(len));
}

std::string Notification::describe() const {
  std::string s = fmt::format("{}/{}", notification_code_name(code), notification_subcode_name(code, subcode));
  if (auto msg = shutdown_message(); !msg.empty()) s += fmt::format(": \"{}\"", escape_text(msg));  // peer-controlled
  return s;
}

Result<Notification> decode_notification(Bytes body, std::size_t base) {
  if (body.size() < 2)
    return DecodeError{notify::kMessageHeaderError, header_error::kBadMessageLength, base, {},
                       ErrorAction::SessionReset, "NOTIFICATION body shorter than 2 octets"};
  return Notification{body[0], body[1], {body.begin() + 2, body.end()}};
}

std::vector<std::uint8_t> encode_notification(const Notification& n) {
  std::vector<std::uint8_t> m(kHeaderSize + 2 + n.data.size());
  encode_header(m.data(), static_cast<std::uint16_t>(m.size()), MessageType::Notification);
  m[kHeaderSize] = n.code;
  m[kHeaderSize + 1] = n.subcode;
  std::copy(n.data.begin(), n.data.end(), m.begin() + kHeaderSize + 2);
  return m;
}

Notification make_shutdown(std::uint8_t subcode, std::string_view message) {
  Notification n{notify::kCease, subcode, {}};
  const std::size_t len = std::min<std::size_t>(message.size(), 255);
  n.data.resize(1 + len);
  n.data[0] = static_cast<std::uint8_t>(len);
  std::copy_n(message.begin(), len, n.data.begin() + 1);
  return n;
}

}  // namespace bgpfa::wire
