#include "analyzer/roles.hpp"

#include <fmt/format.h>

namespace bgpfa::analyzer {

std::string PeerRole::label(const std::vector<std::string>& circuits) const {
  if (gateway == Gateway::Vpn) return site.empty() ? fmt::format("vpn {}", vpn_instance) : fmt::format("vpn {} site {}", vpn_instance, site);
  const std::string name = circuit >= 0 && static_cast<std::size_t>(circuit) < circuits.size() ? circuits[circuit] : "?";
  return fmt::format("{} {}", name, link == Link::Primary ? "primary" : "secondary");
}

std::string PeerRole::site_name() const { return site.empty() ? wire::to_string(address) : site; }

}  // namespace bgpfa::analyzer
