// Addresses and prefixes as they appear on the wire (AFI + up to 16 octets).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace bgpfa::wire {

enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1, Multicast = 2, UnicastMulticast = 3 };

[[nodiscard]] constexpr unsigned max_prefix_bits(Afi afi) noexcept { return afi == Afi::Ipv6 ? 128 : 32; }
[[nodiscard]] constexpr unsigned address_octets(Afi afi) noexcept { return afi == Afi::Ipv6 ? 16 : 4; }

struct IpAddress {
  std::array<std::uint8_t, 16> octets{};  // IPv4 uses the first four
  Afi afi = Afi::Ipv4;

  [[nodiscard]] static IpAddress v4(std::uint32_t host_order) noexcept;
  [[nodiscard]] static IpAddress from_bytes(Afi afi, const std::uint8_t* p) noexcept;
  [[nodiscard]] std::uint32_t v4_value() const noexcept;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Prefix {
  IpAddress address;
  std::uint8_t length = 0;
  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// Text forms used in logs, JSON and configuration: dotted quad and RFC 5952.
[[nodiscard]] std::string to_string(const IpAddress& a);
[[nodiscard]] std::string to_string(const Prefix& p);
// The same text into `out` (at least kPrefixTextMax bytes, not terminated); returns its length.
inline constexpr std::size_t kPrefixTextMax = 64;
std::size_t format_prefix(const Prefix& p, char* out);
// Text back to addresses and prefixes ("10.1.0.0/16", "2001:db8::/32"); nullopt when malformed.
// A prefix's host bits are cleared.
[[nodiscard]] std::optional<IpAddress> parse_address(const std::string& text);
[[nodiscard]] std::optional<Prefix> parse_prefix(const std::string& text);
// Writes a dotted quad for four octets, returns the end pointer (no NUL).
char* format_ipv4(const std::uint8_t* octets, char* out) noexcept;
// RFC 5952 text of sixteen octets, returns the end pointer (no NUL).
char* format_ipv6(const std::uint8_t* octets, char* out) noexcept;

}  // namespace bgpfa::wire
