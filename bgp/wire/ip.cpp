#include "bgp/wire/ip.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "bgp/wire/bytes.hpp"

namespace bgpfa::wire {

IpAddress IpAddress::v4(std::uint32_t host_order) noexcept {
  IpAddress a;
  store_u32(a.octets.data(), host_order);
  return a;
}

IpAddress IpAddress::from_bytes(Afi afi, const std::uint8_t* p) noexcept {
  IpAddress a;
  a.afi = afi;
  std::memcpy(a.octets.data(), p, address_octets(afi));
  return a;
}

std::uint32_t IpAddress::v4_value() const noexcept { return load_u32(octets.data()); }

namespace {
struct OctetText {
  char text[4];  // up to three digits, then padding
  std::uint8_t len;
};
constexpr std::array<OctetText, 256> make_octets() {
  std::array<OctetText, 256> t{};
  for (unsigned v = 0; v < 256; ++v) {
    auto& o = t[v];
    if (v >= 100) {
      o.text[0] = static_cast<char>('0' + v / 100);
      o.text[1] = static_cast<char>('0' + (v / 10) % 10);
      o.text[2] = static_cast<char>('0' + v % 10);
      o.len = 3;
    } else if (v >= 10) {
      o.text[0] = static_cast<char>('0' + v / 10);
      o.text[1] = static_cast<char>('0' + v % 10);
      o.len = 2;
    } else {
      o.text[0] = static_cast<char>('0' + v);
      o.len = 1;
    }
    o.text[o.len] = '.';
  }
  return t;
}
constexpr auto kOctets = make_octets();
}  // namespace

char* format_ipv4(const std::uint8_t* o, char* out) noexcept {
  // Each entry is "ddd." padded to 4 bytes: copy 4, advance by digits + dot.
  for (int i = 0; i < 3; ++i) {
    std::memcpy(out, kOctets[o[i]].text, 4);
    out += kOctets[o[i]].len + 1;
  }
  const auto& last = kOctets[o[3]];
  std::memcpy(out, last.text, 3);
  return out + last.len;
}

char* format_ipv6(const std::uint8_t* o, char* out) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  static constexpr std::uint8_t mapped_head[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(o, mapped_head, sizeof mapped_head) == 0) {  // RFC 5952 section 5
    std::memcpy(out, "::ffff:", 7);
    return format_ipv4(o + 12, out + 7);
  }
  std::uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = load_u16(o + 2 * i);
  // Compress the longest run (the first on ties) of at least two zero groups.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) { ++i; continue; }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) { best = i; best_len = j - i; }
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      if (i == 0) *out++ = ':';
      *out++ = ':';
      i += best_len - 1;
      continue;
    }
    unsigned v = g[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned nib = (v >> shift) & 0xf;
      if (nib || started || shift == 0) { *out++ = hex[nib]; started = true; }
    }
    if (i != 7) *out++ = ':';
  }
  return out;
}

std::string to_string(const IpAddress& a) {
  char buf[64];
  char* end = a.afi == Afi::Ipv6 ? format_ipv6(a.octets.data(), buf) : format_ipv4(a.octets.data(), buf);
  return std::string(buf, end);
}

std::size_t format_prefix(const Prefix& p, char* out) {
  char* end = p.address.afi == Afi::Ipv6 ? format_ipv6(p.address.octets.data(), out) : format_ipv4(p.address.octets.data(), out);
  *end++ = '/';
  end = std::to_chars(end, out + kPrefixTextMax, p.length).ptr;
  return static_cast<std::size_t>(end - out);
}

std::string to_string(const Prefix& p) {
  char buf[kPrefixTextMax];
  return std::string(buf, format_prefix(p, buf));
}

std::optional<IpAddress> parse_address(const std::string& text) {
  // inet_pton reads a C string: "10.0.0.0\0garbage" would pass as 10.0.0.0.
  if (text.find('\0') != std::string::npos) return std::nullopt;
  IpAddress a;
  if (::inet_pton(AF_INET, text.c_str(), a.octets.data()) == 1) return a;
  a.afi = Afi::Ipv6;
  if (::inet_pton(AF_INET6, text.c_str(), a.octets.data()) == 1) return a;
  return std::nullopt;
}

std::optional<Prefix> parse_prefix(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto a = parse_address(text.substr(0, slash));
  unsigned len = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data() + slash + 1, end, len);
  if (!a || ec != std::errc() || ptr != end || slash + 1 == text.size() || len > max_prefix_bits(a->afi)) return std::nullopt;
  Prefix p{*a, static_cast<std::uint8_t>(len)};
  for (unsigned bit = len; bit < max_prefix_bits(a->afi); ++bit)
    p.address.octets[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return p;
}

}  // namespace bgpfa::wire
