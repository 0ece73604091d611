#include "analyzer/roles.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

std::string PeerRole::label(const std::vector<std::string>& circuits) const {
  if (gateway == Gateway::Vpn) return fmt::format("vpn {}", vpn_instance);
  const std::string name = circuit >= 0 && static_cast<std::size_t>(circuit) < circuits.size() ? circuits[circuit] : "?";
  return fmt::format("{} {}", name, link == Link::Primary ? "primary" : "secondary");
}

}  // namespace bgpfa::analyzer
