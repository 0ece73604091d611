// The Azure side as configured: the gateways' sessions (PeerRole), circuits and their
// connection weights, VNets and gateway transit. Answers "who is this session" questions; knows
// no routes.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>

#include "analyzer/active_path.hpp"
#include "analyzer/policy.hpp"
#include "analyzer/report.hpp"
#include "analyzer/roles.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

// Index of a gateway in per-gateway arrays (rib::PrefixEntry::best).
inline constexpr int kEr = 0, kVpn = 1;

class Topology {
 public:
  Topology(Policy policy, std::vector<PeerRole> peers);

  [[nodiscard]] const Policy& policy() const noexcept { return policy_; }
  [[nodiscard]] const std::vector<PeerRole>& peers() const noexcept { return peers_; }
  [[nodiscard]] const PeerRole& role(std::size_t peer) const { return peers_[peer]; }
  [[nodiscard]] std::size_t size() const noexcept { return peers_.size(); }
  [[nodiscard]] static int gateway_slot(const PeerRole& r) noexcept { return r.gateway == Gateway::Vpn ? kVpn : kEr; }
  // The connection weight of the session's circuit (ExpressRoute; 0 for VPN).
  [[nodiscard]] int weight(const PeerRole& r) const;
  [[nodiscard]] std::string label(std::size_t peer) const { return peers_[peer].label(policy_.circuits); }
  [[nodiscard]] CarryingPath describe(std::size_t peer) const;

  [[nodiscard]] int peer_index(const wire::IpAddress& a) const;
  // The session (gateway-side address, peer address): the role whose `local` is `local`, else
  // the first role of that peer without a gateway-side address (or any, when `local` is unknown).
  [[nodiscard]] int peer_index(const std::optional<wire::IpAddress>& local, const wire::IpAddress& a) const;
  // A new session's index, or the existing one's when `role` names a session already known
  // (`added` says which).
  int add_peer(PeerRole role, bool& added);
  int add_circuit(const std::string& name, int weight);
  // A what-if target: a peer address, "er1" (both links of a circuit), "er1 primary",
  // "expressroute", "vpn", "vpn 0".
  [[nodiscard]] std::vector<int> match_peers(const std::string& target) const;

  // VNets: the index of a VNet by name (-1: none); the hub holding the gateways (-1: no VNet
  // model); whether p is a system route (VNet or peering address space) seen from a VNet; a
  // prefix's answer as that VNet sees it (a spoke without gateway transit has no on-premises route).
  [[nodiscard]] int vnet_index(const std::string& name) const;
  [[nodiscard]] int hub() const noexcept { return hub_; }
  [[nodiscard]] bool system_route(const rib::PrefixKey& p, int vnet) const;
  [[nodiscard]] ActivePath in_vnet(const rib::PrefixKey& p, const ActivePath& hub_view, int vnet) const;
  // The address spaces that are system routes in `vnet` (-1: the hub): its own (VnetLocal,
  // `peered` false) and its peers' (VNetPeering, `peered` true, with the peer's name).
  struct SystemSpace {
    wire::Prefix prefix;
    std::string vnet;
    bool peered = false;
  };
  [[nodiscard]] std::vector<SystemSpace> system_spaces(int vnet) const;
  [[nodiscard]] static ActivePath system_path() {
    ActivePath a;
    a.kind = PathKind::System;
    return a;
  }

 private:
  void index_peer(std::size_t i);

  // The sessions of each peer address, in order: every TABLE_DUMP (v1) record and BGP4MP
  // message names its peer by address, and a scan of the roles was 2 % of a bview's stage.
  struct AddressHash {
    std::size_t operator()(const wire::IpAddress& a) const noexcept;
  };
  using Sessions = absl::InlinedVector<std::uint32_t, 2>;
  Policy policy_;
  std::vector<PeerRole> peers_;
  absl::flat_hash_map<wire::IpAddress, Sessions, AddressHash> by_address_;
  int hub_ = -1;
};

}  // namespace bgpfa::analyzer
