// Writes the scripted ExpressRoute/VPN failover capture bundled in fixtures/failover/:
// ER primary up, secondary up, VPN up, primary fails, secondary fails, primary returns.
// Usage: bgpfa-scenario OUT.mrt   (deterministic: the same bytes every run)
// With a topology name first, one of the design's topologies instead (tools/scenario/topologies.cpp).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tools/scenario/script.hpp"

using namespace bgpfa;
using namespace bgpfa::scenario;

namespace {

void failover(Script& sc) {
  const Peer primary = make_peer(0xc0000201, 12076);    // 192.0.2.1
  const Peer secondary = make_peer(0xc0000202, 12076);  // 192.0.2.2
  const Peer vpn = make_peer(0xc0000203, 65010);        // 192.0.2.3

  const std::vector<wire::Prefix> cloud = {prefix(0x0a010000, 16), prefix(0x0a020000, 16), prefix(0x0a030000, 16)};
  const wire::Prefix only_primary = prefix(0x0a040000, 16);   // 10.4.0.0/16: no redundancy
  const wire::Prefix vpn_specific = prefix(0x0a010500, 24);   // 10.1.5.0/24: VPN more specific
  const auto er_attrs_p = attrs({12076, 65100}, 0xc0000201, {0x2f2c0001});
  const auto er_attrs_s = attrs({12076, 65100}, 0xc0000202, {0x2f2c0001});
  const auto vpn_attrs = attrs({65010, 65100}, 0xc0000203);

  // 0 s: ExpressRoute primary comes up and sends the cloud prefixes.
  sc.state(primary, s(0), kOpenConfirm, kEstablished);
  sc.announce(primary, s(0.120), er_attrs_p, cloud);
  sc.announce(primary, s(0.125), er_attrs_p, {only_primary});
  // 1 s: secondary up with an equal path: ECMP.
  sc.state(secondary, s(1), kOpenConfirm, kEstablished);
  sc.announce(secondary, s(1.100), er_attrs_s, cloud);
  // 2 s: VPN up: fallback, plus a more specific prefix.
  sc.state(vpn, s(2), kOpenConfirm, kEstablished);
  sc.announce(vpn, s(2.200), vpn_attrs, cloud);
  sc.announce(vpn, s(2.210), vpn_attrs, {vpn_specific});
  // 30 s: primary fails (hold timer): its routes go.
  sc.state(primary, s(30), kEstablished, kIdle);
  // 60 s: secondary withdraws its routes over 350 ms, then the session drops.
  sc.withdraw(secondary, s(60.000), {cloud[0]});
  sc.withdraw(secondary, s(60.150), {cloud[1]});
  sc.withdraw(secondary, s(60.350), {cloud[2]});
  sc.state(secondary, s(60.400), kEstablished, kIdle);
  // 90 s: primary returns and re-advertises in two bursts.
  sc.state(primary, s(90), kOpenConfirm, kEstablished);
  sc.announce(primary, s(90.300), er_attrs_p, {cloud[0], cloud[1]});
  sc.announce(primary, s(90.800), er_attrs_p, {cloud[2], only_primary});
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage = "usage: bgpfa-scenario OUT.mrt              the bundled failover capture\n"
                      "       bgpfa-scenario TOPOLOGY OUT.mrt     one of the design's topologies\n"
                      "       bgpfa-scenario --list               the topologies\n";
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& t : topologies()) fmt::print("{:<20} {}\n", t.name, t.what);
    return 0;
  }
  if (argc != 2 && argc != 3) {
    fmt::print(stderr, "{}", usage);
    return 2;
  }
  Script sc;
  if (argc == 2) {
    failover(sc);
  } else {
    const Topology* top = nullptr;
    for (const auto& t : topologies())
      if (t.name == std::string(argv[1])) top = &t;
    if (!top) {
      fmt::print(stderr, "bgpfa-scenario: no topology \"{}\" (bgpfa-scenario --list)\n", argv[1]);
      return 2;
    }
    top->write(sc);
  }
  const char* out = argv[argc - 1];
  std::ofstream f(out, std::ios::binary);
  f.write(reinterpret_cast<const char*>(sc.bytes().data()), static_cast<std::streamsize>(sc.bytes().size()));
  if (!f) {
    fmt::print(stderr, "bgpfa-scenario: cannot write {}\n", out);
    return 1;
  }
  return 0;
}
