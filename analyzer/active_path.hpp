// The paths a prefix's traffic takes right now, by Azure's rules: a set of carrying sessions
// (ExpressRoute circuit/link sessions, VPN instance/site sessions), interned, and its summary.
#pragma once
#include <cstdint>
#include <string>

namespace bgpfa::analyzer {

enum class PathKind : std::uint8_t { None, ErPrimary, ErSecondary, ErEcmp, Vpn, System };
[[nodiscard]] const char* to_string(PathKind k) noexcept;  // "none", "er-primary", ...

struct ActivePath {
  PathKind kind = PathKind::None;
  bool via_covering = false;  // no route for the prefix itself: a less specific one carries it
  std::uint32_t set = 0;      // the carrying sessions: Analyzer::carrying(set), Report::path_sets[set]; 0: none
  // Summaries of the set (filled by the analyzer), for short renderings.
  std::uint8_t vpn_instances = 0;  // bit i: VPN instance i carries traffic
  std::int16_t circuit = -1;       // the first ExpressRoute circuit carrying it
  std::uint16_t circuit_count = 0;  // how many circuits share it (ECMP across circuits when > 1)
  friend bool operator==(const ActivePath& a, const ActivePath& b) noexcept {
    return a.kind == b.kind && a.via_covering == b.via_covering && a.set == b.set;
  }
};

// Four bytes for the route table's per-prefix state word: kind, via_covering and the set id
// (summaries are not packed; the analyzer restores them from the set).
[[nodiscard]] std::uint32_t pack(const ActivePath& p) noexcept;
[[nodiscard]] ActivePath unpack(std::uint32_t w) noexcept;
inline constexpr std::uint32_t kMaxPathSets = 1u << 28;

// "er-primary", "vpn (instance 0)", "vpn (instances 0+1)", "none"; " via less specific".
[[nodiscard]] std::string describe(const ActivePath& p);

}  // namespace bgpfa::analyzer
