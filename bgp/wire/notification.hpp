// NOTIFICATION message body (RFC 4271 4.5) incl. the RFC 8203/9003 shutdown communication.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::wire {

struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;

  // Cease/Administrative Shutdown or Reset may carry a UTF-8 message (RFC 9003).
  [[nodiscard]] std::string shutdown_message() const;
  [[nodiscard]] std::string describe() const;  // "Cease/Administrative Shutdown: "maintenance""
};

[[nodiscard]] Result<Notification> decode_notification(Bytes body, std::size_t base_offset = 0);
[[nodiscard]] std::vector<std::uint8_t> encode_notification(const Notification& n);
[[nodiscard]] Notification make_shutdown(std::uint8_t subcode, std::string_view message);

}  // namespace bgpfa::wire
