// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 7).
#pragma once
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace bgpfa::app {

[[nodiscard]] inline std::string json_quote(std::string_view v) {
  std::string s = "\"";
  s.reserve(v.size() + 2);
  for (const unsigned char c : v) {
    if (c == '"' || c == '\\') {
      s += '\\';
      s += static_cast<char>(c);
    } else if (c < 0x20) {
      s += fmt::format("\\u{:04x}", c);
    } else {
      s += static_cast<char>(c);
    }
  }
  return s + "\"";
}

}  // namespace bgpfa::app
