#include "analyzer/topology.hpp"

#include <algorithm>

#include "rib/hash_bytes.hpp"

namespace bgpfa::analyzer {

namespace {

int find_hub(const std::vector<VnetModel>& vnets) {
  for (std::size_t i = 0; i < vnets.size(); ++i)
    if (vnets[i].hub) return static_cast<int>(i);
  return vnets.empty() ? -1 : 0;
}

}  // namespace

Topology::Topology(Policy policy, std::vector<PeerRole> peers)
    : policy_(std::move(policy)), peers_(std::move(peers)), hub_(find_hub(policy_.vnets)) {
  for (std::size_t i = 0; i < peers_.size(); ++i) index_peer(i);
}

std::size_t Topology::AddressHash::operator()(const wire::IpAddress& a) const noexcept {
  return rib::hash_bytes(a.octets.data(), a.octets.size()) ^ static_cast<std::size_t>(a.afi);
}

void Topology::index_peer(std::size_t i) {
  if (!peers_[i].static_site) by_address_[peers_[i].address].push_back(static_cast<std::uint32_t>(i));
}

int Topology::weight(const PeerRole& r) const {
  return r.gateway == Gateway::ExpressRoute && r.circuit >= 0 ? policy_.weights[static_cast<std::size_t>(r.circuit)] : 0;
}

CarryingPath Topology::describe(std::size_t peer) const {
  const PeerRole& r = peers_[peer];
  CarryingPath c;
  c.gateway = r.gateway;
  if (r.gateway == Gateway::ExpressRoute && r.circuit >= 0) c.circuit = policy_.circuits[static_cast<std::size_t>(r.circuit)];
  c.link = r.link;
  c.vpn_instance = r.vpn_instance;
  if (r.gateway == Gateway::Vpn) c.site = r.site_name();
  c.peer = wire::to_string(r.address);
  if (r.local) c.local = wire::to_string(*r.local);
  return c;
}

int Topology::peer_index(const wire::IpAddress& a) const {
  const auto it = by_address_.find(a);
  return it == by_address_.end() ? -1 : static_cast<int>(it->second.front());
}

int Topology::peer_index(const std::optional<wire::IpAddress>& local, const wire::IpAddress& a) const {
  const auto it = by_address_.find(a);
  if (it == by_address_.end()) return -1;
  int any = -1;
  for (const std::uint32_t i : it->second) {
    const PeerRole& r = peers_[i];
    if (r.local && local && *r.local == *local) return static_cast<int>(i);
    if (any < 0 && (!r.local || !local)) any = static_cast<int>(i);
  }
  return any;
}

int Topology::add_peer(PeerRole role, bool& added) {
  if (const int i = peer_index(role.local, role.address); i >= 0 && peers_[static_cast<std::size_t>(i)].local == role.local) {
    added = false;  // the same session
    return i;
  }
  added = true;
  peers_.push_back(std::move(role));
  index_peer(peers_.size() - 1);
  return static_cast<int>(peers_.size() - 1);
}

int Topology::add_circuit(const std::string& name, int weight) {
  const auto it = std::find(policy_.circuits.begin(), policy_.circuits.end(), name);
  if (it != policy_.circuits.end()) return static_cast<int>(it - policy_.circuits.begin());
  policy_.circuits.push_back(name);
  policy_.weights.push_back(weight);
  return static_cast<int>(policy_.circuits.size() - 1);
}

std::vector<int> Topology::match_peers(const std::string& target) const {
  std::vector<int> out;
  const auto addr = wire::parse_address(target);
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const PeerRole& r = peers_[i];
    const bool er = r.gateway == Gateway::ExpressRoute;
    const std::string circuit = er && r.circuit >= 0 ? policy_.circuits[static_cast<std::size_t>(r.circuit)] : "";
    const bool hit = (addr && r.address == *addr) || target == r.label(policy_.circuits) ||
                     (er && (target == circuit || target == "expressroute")) || (!er && target == "vpn");
    if (hit) out.push_back(static_cast<int>(i));
  }
  return out;
}

int Topology::vnet_index(const std::string& name) const {
  for (std::size_t i = 0; i < policy_.vnets.size(); ++i)
    if (policy_.vnets[i].name == name) return static_cast<int>(i);
  return -1;
}

bool Topology::system_route(const rib::PrefixKey& p, int vnet) const {
  if (vnet < 0) return false;
  // virtual-network/virtual-networks-udr-overview: a VNet's own address space and its peers'
  // are system routes, which win over any BGP route, even a more specific one.
  const VnetModel& v = policy_.vnets[static_cast<std::size_t>(vnet)];
  auto covered_by = [&](const VnetModel& w) {
    return std::any_of(w.address_space.begin(), w.address_space.end(),
                       [&](const wire::Prefix& s) { return rib::PrefixKey::from(s).covers(p); });
  };
  if (covered_by(v)) return true;
  for (std::size_t i = 0; i < policy_.vnets.size(); ++i) {
    const VnetModel& w = policy_.vnets[i];
    if (static_cast<int>(i) == vnet) continue;
    if (v.hub != w.hub && covered_by(w)) return true;  // peered: the hub with each spoke
  }
  return false;
}

std::vector<Topology::SystemSpace> Topology::system_spaces(int vnet) const {
  std::vector<SystemSpace> out;
  if (vnet < 0) vnet = hub_;
  if (vnet < 0) return out;
  const VnetModel& v = policy_.vnets[static_cast<std::size_t>(vnet)];
  for (const auto& s : v.address_space) out.push_back({s, v.name, false});
  for (const auto& w : policy_.vnets)  // peered: the hub with each spoke (as system_route)
    if (&w != &v && w.hub != v.hub)
      for (const auto& s : w.address_space) out.push_back({s, w.name, true});
  return out;
}

ActivePath Topology::in_vnet(const rib::PrefixKey& p, const ActivePath& hub_view, int vnet) const {
  if (vnet < 0) return hub_view;
  if (system_route(p, vnet)) return system_path();
  const VnetModel& v = policy_.vnets[static_cast<std::size_t>(vnet)];
  if (!v.hub && !v.transit) return ActivePath{};  // no gateway transit: no on-premises route at all
  ActivePath a = hub_view;
  if (a.kind == PathKind::System) a = ActivePath{};  // the hub's own peer, not this spoke's
  return a;
}

}  // namespace bgpfa::analyzer
