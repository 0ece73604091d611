#include "bgp/wire/text.hpp"

#include <fmt/format.h>

namespace bgpfa::wire {

namespace {
// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates or > U+10FFFF), 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  return n;
}
}  // namespace

std::string escape_text(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\\' || c == '"') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x80) out += fmt::format("\\x{:02x}", c);
    else {
      char32_t cp = 0;
      if (const std::size_t n = utf8_length(raw, i, cp); n && cp >= 0xa0) {  // C1 controls (U+0080..U+009F) escaped too
        out.append(raw.substr(i, n));
        i += n;
        continue;
      } else if (n) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
        i += n;
        continue;
      }
      out += fmt::format("\\x{:02x}", c);
    }
    ++i;
  }
  return out;
}

std::string quote_text(std::string_view s, std::size_t max_bytes) {
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;  // a well-formed UTF-8 sequence of 2-4 bytes, no C1 controls
    if (c >= 0xc2 && c <= 0xf4) {
      len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      if (i + len > s.size()) len = 0;
      for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) len = 0;
      if (len && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) len = 0;
    }
    if (len) {
      out.append(s.substr(i, len));
      i += len - 1;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (i < s.size()) out += fmt::format(" (and {} more bytes)", s.size() - i);
  return out;
}

}  // namespace bgpfa::wire
