// The path a prefix's traffic takes right now, by Azure's rules.
#pragma once
#include <cstdint>
#include <string>

namespace bgpfa::analyzer {

enum class PathKind : std::uint8_t { None, ErPrimary, ErSecondary, ErEcmp, Vpn };
[[nodiscard]] const char* to_string(PathKind k) noexcept;  // "none", "er-primary", ...

struct ActivePath {
  PathKind kind = PathKind::None;
  std::uint8_t vpn_instances = 0;  // bit i: VPN instance i carries traffic
  std::int16_t circuit = -1;       // ExpressRoute circuit index
  bool via_covering = false;       // no route for the prefix itself: a less specific one carries it
  friend bool operator==(const ActivePath&, const ActivePath&) = default;
};

// Four bytes for the route table's per-prefix state word.
[[nodiscard]] std::uint32_t pack(const ActivePath& p) noexcept;
[[nodiscard]] ActivePath unpack(std::uint32_t w) noexcept;

// "er-primary", "vpn (instance 0)", "vpn (instances 0+1)", "none"; circuit names when several.
[[nodiscard]] std::string describe(const ActivePath& p);

}  // namespace bgpfa::analyzer
