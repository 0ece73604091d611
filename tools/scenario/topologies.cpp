// The topologies of the design (../shared/DESIGN.md, "The Azure side" and "Routing rules"), each
// a scripted capture as the Azure gateway (AS 65515) would record it. Their configurations are
// fixtures/topologies/NAME.conf; tests/app/test_topologies.cpp replays each against a
// hand-checked expectation in fixtures/topologies/NAME*.expected.
#include "tools/scenario/script.hpp"

namespace bgpfa::scenario {

namespace {

constexpr std::uint32_t kOnPrem = 65100;  // the on-premises network's AS, behind every edge
constexpr std::uint32_t kMsee = 12076;    // Microsoft's edge routers

// ExpressRoute: er1 on 192.0.2.1 (primary) / .2 (secondary), er2 on 192.0.2.5 / .6.
Peer er1p() { return make_peer(v4(192, 0, 2, 1), kMsee); }
Peer er1s() { return make_peer(v4(192, 0, 2, 2), kMsee); }
Peer er2p() { return make_peer(v4(192, 0, 2, 5), kMsee); }
Peer er2s() { return make_peer(v4(192, 0, 2, 6), kMsee); }
// VPN gateway instances' BGP addresses (the gateway side of each VPN session).
constexpr std::uint32_t kInst0 = 0x0a0cff04, kInst1 = 0x0a0cff05;  // 10.12.255.4, 10.12.255.5
// On-premises VPN devices.
Peer hq(std::uint32_t local = kInst0) { return make_peer(v4(10, 52, 255, 253), 65050, local); }
Peer branch() { return make_peer(v4(10, 60, 255, 1), 65061, kInst0); }

std::vector<std::uint8_t> er(const Peer& p, std::vector<std::uint32_t> tail = {kOnPrem}) {
  std::vector<std::uint32_t> path{kMsee};
  path.insert(path.end(), tail.begin(), tail.end());
  return attrs(path, p.mrt.peer_ip.v4_value());
}
std::vector<std::uint8_t> vpn(const Peer& p, std::vector<std::uint32_t> tail = {kOnPrem}) {
  std::vector<std::uint32_t> path{p.mrt.peer_as};
  path.insert(path.end(), tail.begin(), tail.end());
  return attrs(path, p.mrt.peer_ip.v4_value());
}

const wire::Prefix k10_1 = prefix(v4(10, 1, 0, 0), 16), k10_2 = prefix(v4(10, 2, 0, 0), 16);

// One circuit, both links equal: active-active (expressroute/designing-for-high-availability-with-expressroute).
void er_active_active(Script& sc) {
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1, k10_2});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {k10_1, k10_2});
  sc.down(er1p(), s(30));  // the primary link fails: the secondary carries everything
}

// The secondary prepends: active-passive by AS path (same source).
void er_prepend(Script& sc) {
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s(), {kOnPrem, kOnPrem, kOnPrem}), {k10_1});
  sc.down(er1p(), s(30));
}

// The primary also advertises more specific routes: active-passive by prefix length.
void er_more_specific(Script& sc) {
  const wire::Prefix lo = prefix(v4(10, 1, 0, 0), 17), hi = prefix(v4(10, 1, 128, 0), 17);
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1, lo, hi});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {k10_1});
  sc.down(er1p(), s(30));  // the /17s follow the /16 on the secondary
}

// Two circuits, connection weights er1 100, er2 50
// (expressroute/designing-for-disaster-recovery-with-expressroute-privatepeering).
void er_weights(Script& sc) {
  for (const Peer& p : {er1p(), er1s(), er2p(), er2s()}) {
    sc.up(p, s(0));
    sc.announce(p, s(0.1), er(p), {k10_1});
  }
  sc.down(er1p(), s(30));
  sc.down(er1s(), s(30.5));  // the whole of er1: er2 takes over
}

// Two circuits, equal weight and AS path: ECMP across circuits (same source).
void er_ecmp_circuits(Script& sc) {
  for (const Peer& p : {er1p(), er1s(), er2p(), er2s()}) {
    sc.up(p, s(0));
    sc.announce(p, s(0.1), er(p), {k10_1});
  }
  sc.down(er1p(), s(30));  // three sessions still share it
}

const wire::Prefix k10_50 = prefix(v4(10, 50, 0, 0), 16);

// S2S VPN alone, one instance (vpn-gateway/vpn-gateway-bgp-overview).
void vpn_single(Script& sc) {
  sc.up(hq(), s(0));
  sc.announce(hq(), s(0.1), vpn(hq()), {k10_50});
  sc.down(hq(), s(30));  // no other path: a black hole
}

// Active-active VPN gateway, one on-premises device peering with both instances' BGP addresses
// (vpn-gateway/about-active-active-gateways): the MRT local address says which session it is.
void vpn_active_active(Script& sc) {
  sc.up(hq(kInst0), s(0));
  sc.announce(hq(kInst0), s(0.1), vpn(hq(kInst0)), {k10_50});
  sc.up(hq(kInst1), s(1));
  sc.announce(hq(kInst1), s(1.1), vpn(hq(kInst1)), {k10_50});
  sc.down(hq(kInst1), s(30));  // instance 1 in maintenance: instance 0 carries, no black hole
}

// ExpressRoute and VPN for the same prefixes (expressroute/expressroute-howto-coexist-resource-manager).
void er_vpn(Script& sc) {
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {k10_1});
  sc.up(hq(), s(2));
  sc.announce(hq(), s(2.1), vpn(hq()), {k10_1});
  sc.down(er1p(), s(30));
  sc.down(er1s(), s(30.2));  // the circuit is gone: the VPN carries
  sc.up(er1p(), s(60));
  sc.announce(er1p(), s(60.3), er(er1p()), {k10_1});  // back on the primary
}

// The VPN advertises a more specific prefix than ExpressRoute: it wins by longest prefix match
// (virtual-network/virtual-networks-udr-overview), a classic misconfiguration.
void vpn_more_specific(Script& sc) {
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {k10_1});
  sc.up(hq(), s(2));
  sc.announce(hq(), s(2.1), vpn(hq()), {k10_1, prefix(v4(10, 1, 5, 0), 24)});
}

// Two sites on one instance (vpn-gateway/vpn-gateway-highlyavailable, multi-site).
void vpn_multi_site(Script& sc) {
  const wire::Prefix shared = prefix(v4(10, 80, 0, 0), 16), hq_only = prefix(v4(10, 81, 0, 0), 16),
                     branch_only = prefix(v4(10, 82, 0, 0), 16), prepended = prefix(v4(10, 83, 0, 0), 16);
  sc.up(hq(), s(0));
  sc.announce(hq(), s(0.1), vpn(hq()), {shared, hq_only, prepended});
  sc.up(branch(), s(1));
  sc.announce(branch(), s(1.1), vpn(branch()), {shared, branch_only});
  sc.announce(branch(), s(1.2), vpn(branch(), {kOnPrem, kOnPrem}), {prepended});
  sc.down(hq(), s(30));
}

// A hub with ExpressRoute and a VNet-to-VNet connection to vnet2's gateway, spokes with and
// without gateway transit (vpn-gateway/vpn-gateway-vnet-vnet-rm-ps,
// virtual-network/virtual-network-peering-overview).
void vnet_transit(Script& sc) {
  const Peer vnet2 = make_peer(v4(10, 14, 255, 4), 65516, kInst0);
  sc.up(er1p(), s(0));
  // 10.1.0.0/16 is spoke1's address space (filtered: a finding), 10.12.5.0/24 inside the hub's.
  sc.announce(er1p(), s(0.1), er(er1p()), {prefix(v4(10, 60, 0, 0), 16), k10_1, prefix(v4(10, 12, 5, 0), 24)});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {prefix(v4(10, 60, 0, 0), 16)});
  sc.up(vnet2, s(2));
  sc.announce(vnet2, s(2.1), attrs({65516}, v4(10, 14, 255, 4)), {prefix(v4(10, 14, 0, 0), 16), prefix(0, 0)});
}

// Azure drops a VPN BGP session above 4,000 prefixes, until it is back under
// (expressroute/expressroute-routing#route-aggregation-and-prefix-limits, VPN gateway FAQ).
void prefix_limit(Script& sc) {
  sc.up(er1p(), s(0));
  sc.announce(er1p(), s(0.1), er(er1p()), {k10_1});
  sc.up(er1s(), s(1));
  sc.announce(er1s(), s(1.1), er(er1s()), {k10_1});
  sc.up(hq(), s(2));
  sc.announce(hq(), s(2.1), vpn(hq()), {k10_1});
  std::vector<wire::Prefix> many;  // 10.128.0.0/24 ... 10.143.159.0/24: 4,000 more
  for (std::uint32_t i = 0; i < 4000; ++i) many.push_back(prefix(v4(10, 128, 0, 0) + (i << 8), 24));
  for (std::size_t i = 0; i < 3500; i += 500)  // 3,501 prefixes: under the limit
    sc.announce(hq(), s(10), vpn(hq()), std::vector<wire::Prefix>(many.begin() + static_cast<std::ptrdiff_t>(i),
                                                                    many.begin() + static_cast<std::ptrdiff_t>(i + 500)));
  sc.announce(hq(), s(30), vpn(hq()), std::vector<wire::Prefix>(many.begin() + 3500, many.end()));  // 4,001: dropped
  sc.withdraw(hq(), s(60), {many.back()});  // 4,000: back under the limit, the routes count again
}

// Dual stack: each link carries an IPv4 and an IPv6 session; the primary's IPv6 session goes
// over Azure's 100 IPv6 prefixes on private peering and is dropped, its IPv4 session is not
// (expressroute/expressroute-routing#route-aggregation-and-prefix-limits).
void er_dual_stack_limit(Script& sc) {
  const Peer p6 = make_peer6("2001:db8:1::1", kMsee, "2001:db8:1::100"), s6 = make_peer6("2001:db8:2::1", kMsee, "2001:db8:2::100");
  const wire::Prefix site6 = prefix6("2001:db8:100::/48");
  for (const Peer& p : {er1p(), er1s()}) {
    sc.up(p, s(0));
    sc.announce(p, s(0.1), er(p), {k10_1});
  }
  for (const Peer& p : {p6, s6}) {
    sc.up(p, s(1));
    sc.announce6(p, s(1.1), {kMsee, kOnPrem}, {site6});
  }
  std::vector<wire::Prefix> more;  // 2001:db8:200:0::/64 ... 2001:db8:200:63::/64
  for (int i = 0; i < 100; ++i) {
    wire::Prefix x = prefix6("2001:db8:200::/64");
    x.address.octets[6] = static_cast<std::uint8_t>(i >> 8);
    x.address.octets[7] = static_cast<std::uint8_t>(i & 0xff);
    more.push_back(x);
  }
  sc.announce6(p6, s(10), {kMsee, kOnPrem}, more);  // 101 IPv6 prefixes: the session is dropped
  sc.withdraw6(p6, s(40), {more.back()});           // 100: back under the limit
}

}  // namespace

const std::vector<Topology>& topologies() {
  static const std::vector<Topology> all = {
      {"er-active-active", "one circuit, both links equal (ECMP); the primary fails", er_active_active},
      {"er-prepend", "the secondary link prepends: active-passive; the primary fails", er_prepend},
      {"er-more-specific", "the primary link also sends more specific routes; the primary fails", er_more_specific},
      {"er-weights", "two circuits, connection weights 100 and 50; the first circuit fails", er_weights},
      {"er-ecmp-circuits", "two circuits of equal weight and AS path share traffic; one link fails", er_ecmp_circuits},
      {"vpn-single", "a site-to-site VPN alone; its session fails", vpn_single},
      {"vpn-active-active", "one device peering with both VPN instances; instance 1 goes down", vpn_active_active},
      {"er-vpn", "ExpressRoute and VPN for the same prefix; the circuit fails and returns", er_vpn},
      {"vpn-more-specific", "the VPN advertises a more specific prefix than ExpressRoute", vpn_more_specific},
      {"vpn-multi-site", "two VPN sites with shared and distinct prefixes; one site fails", vpn_multi_site},
      {"vnet-transit", "hub with ExpressRoute and VNet-to-VNet, spokes with and without gateway transit", vnet_transit},
      {"prefix-limit", "a VPN peer goes over 4,000 prefixes and back under", prefix_limit},
      {"er-dual-stack-limit", "IPv4 and IPv6 sessions per link; the primary's IPv6 session goes over 100 prefixes and back", er_dual_stack_limit},
  };
  return all;
}

}  // namespace bgpfa::scenario
