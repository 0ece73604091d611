#include "bench/loaded_analyzer.hpp"

#include <string>
#include <vector>

#include "bgp/wire/attribute.hpp"

namespace bgpfa::bench {

using namespace bgpfa::analyzer;

namespace {

// An AS_PATH of `hops` 4-octet ASNs and a NEXT_HOP, as an attribute block.
std::vector<std::uint8_t> attr_block(std::uint32_t first_as, int hops, std::uint32_t next_hop) {
  std::vector<std::uint8_t> b = {0x40, 0x01, 0x01, 0x00, 0x40, 0x02, static_cast<std::uint8_t>(2 + 4 * hops), 0x02,
                                 static_cast<std::uint8_t>(hops)};
  for (int i = 0; i < hops; ++i) {
    const std::uint32_t a = first_as + static_cast<std::uint32_t>(i);
    b.insert(b.end(), {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                       static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
  }
  b.insert(b.end(), {0x40, 0x03, 0x04, static_cast<std::uint8_t>(next_hop >> 24), static_cast<std::uint8_t>(next_hop >> 16),
                     static_cast<std::uint8_t>(next_hop >> 8), static_cast<std::uint8_t>(next_hop)});
  return b;
}

}  // namespace

std::unique_ptr<Analyzer> loaded_analyzer(std::size_t n) {
  Policy policy;
  policy.circuits = {"er1"};
  policy.weights = {0};
  policy.azure_limits = false;  // a generated full table, not a session Azure would drop
  PeerRole p, s, v;
  p.address = wire::IpAddress::v4(0xc0000201);
  s.address = wire::IpAddress::v4(0xc0000202);
  v.address = wire::IpAddress::v4(0xc0000203);
  p.asn = s.asn = 12076;
  v.asn = 65010;
  p.circuit = s.circuit = 0;
  s.link = Link::Secondary;
  v.gateway = Gateway::Vpn;
  auto an = std::make_unique<Analyzer>(policy, std::vector<PeerRole>{p, s, v});
  std::vector<rib::AttrRef> sets;
  for (std::uint32_t i = 0; i < 64; ++i) {
    wire::PathAttributes a;
    const auto block = attr_block(64512 + i, 3 + static_cast<int>(i % 5), 0xc0000201 + i % 3);
    (void)wire::decode_path_attributes(block, wire::DecodeContext{}, true, a);
    sets.push_back(an->intern(a, true));
  }
  const std::string cause = "bench";
  auto prefix = [](std::uint32_t addr, std::uint8_t len) {
    wire::Prefix x;
    x.address = wire::IpAddress::v4(addr);
    x.length = len;
    return x;
  };
  std::uint64_t t = 1000000;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t addr = 0x0a000000u + static_cast<std::uint32_t>(i << 8);
    if ((addr & 0xffffff) == 0) {
      an->announce(t++, 0, prefix(addr & 0xff000000, 8), 0, sets[0], cause);
      an->announce(t++, 1, prefix(addr & 0xff000000, 8), 0, sets[1], cause);
    }
    if ((addr & 0xffff) == 0) an->announce(t++, 2, prefix(addr, 16), 0, sets[2], cause);
    const auto& set = sets[i % sets.size()];
    if (i % 4 == 0) {
      an->announce(t++, 2, prefix(addr, 24), 0, set, cause);
    } else {
      an->announce(t++, 0, prefix(addr, 24), 0, set, cause);
      an->announce(t++, 1, prefix(addr, 24), 0, set, cause);
    }
  }
  return an;
}

}  // namespace bgpfa::bench
