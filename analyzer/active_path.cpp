#include "analyzer/active_path.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

const char* to_string(PathKind k) noexcept {
  switch (k) {
    case PathKind::None: return "none";
    case PathKind::ErPrimary: return "er-primary";
    case PathKind::ErSecondary: return "er-secondary";
    case PathKind::ErEcmp: return "er-ecmp";
    case PathKind::Vpn: return "vpn";
    case PathKind::System: return "system";
  }
  return "?";
}

std::uint32_t pack(const ActivePath& p) noexcept {
  return static_cast<std::uint32_t>(p.kind) | (std::uint32_t{p.via_covering} << 3) | (p.set << 4);
}

ActivePath unpack(std::uint32_t w) noexcept {
  ActivePath p;
  p.kind = static_cast<PathKind>(w & 7);
  p.via_covering = (w >> 3) & 1;
  p.set = w >> 4;
  return p;
}

std::string describe(const ActivePath& p) {
  std::string s = to_string(p.kind);
  if (p.kind == PathKind::Vpn)
    s += p.vpn_instances == 3 ? " (instances 0+1)" : fmt::format(" (instance {})", p.vpn_instances == 2 ? 1 : 0);
  if (p.via_covering) s += " via less specific";
  return s;
}

}  // namespace bgpfa::analyzer
