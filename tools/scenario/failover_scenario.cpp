// Writes the scripted ExpressRoute/VPN failover capture bundled in fixtures/failover/:
// ER primary up, secondary up, VPN up, primary fails, secondary fails, primary returns.
// Usage: bgpfa-scenario OUT.mrt   (deterministic: the same bytes every run)
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bgp/mrt/writer.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/update.hpp"

using namespace bgpfa;

namespace {

constexpr std::uint32_t kStart = 1700000000;  // 2023-11-14T22:13:20Z
constexpr std::uint16_t kIdle = 1, kOpenConfirm = 5, kEstablished = 6;

struct Peer {
  mrt::Bgp4mpPeer mrt;
};

Peer make_peer(std::uint32_t ip, std::uint32_t asn) {
  Peer p;
  p.mrt.peer_as = asn;
  p.mrt.local_as = 65515;
  p.mrt.peer_ip = wire::IpAddress::v4(ip);
  p.mrt.local_ip = wire::IpAddress::v4(0xc0000264);  // 192.0.2.100
  return p;
}

wire::Prefix prefix(std::uint32_t addr, std::uint8_t len) {
  wire::Prefix p;
  p.address = wire::IpAddress::v4(addr);
  p.length = len;
  return p;
}

std::vector<std::uint8_t> nlri(const std::vector<wire::Prefix>& ps) {
  std::vector<std::uint8_t> out(ps.size() * 5);
  std::uint8_t* p = out.data();
  for (const auto& x : ps) wire::encode_prefix(x, p);
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

// ORIGIN IGP, AS_PATH sequence, NEXT_HOP, optional communities.
std::vector<std::uint8_t> attrs(const std::vector<std::uint32_t>& path, std::uint32_t next_hop,
                                const std::vector<std::uint32_t>& communities = {}) {
  std::vector<std::uint8_t> out;
  const std::uint8_t origin = 0;
  wire::encode_attribute(out, 1, wire::Bytes(&origin, 1));
  std::vector<std::uint8_t> seg{2, static_cast<std::uint8_t>(path.size())};
  for (auto asn : path) {
    std::uint8_t b[4];
    wire::store_u32(b, asn);
    seg.insert(seg.end(), b, b + 4);
  }
  wire::encode_attribute(out, 2, seg);
  std::uint8_t nh[4];
  wire::store_u32(nh, next_hop);
  wire::encode_attribute(out, 3, wire::Bytes(nh, 4));
  if (!communities.empty()) {
    std::vector<std::uint8_t> c;
    for (auto v : communities) {
      std::uint8_t b[4];
      wire::store_u32(b, v);
      c.insert(c.end(), b, b + 4);
    }
    wire::encode_attribute(out, 8, c);
  }
  return out;
}

class Script {
 public:
  void state(const Peer& p, std::uint64_t at_us, std::uint16_t from, std::uint16_t to) {
    mrt::append_bgp4mp_et_state_change(out_, ts(at_us), p.mrt, from, to);
  }
  void announce(const Peer& p, std::uint64_t at_us, const std::vector<std::uint8_t>& a,
                const std::vector<wire::Prefix>& ps) {
    const auto msg = wire::encode_update({}, a, nlri(ps));
    mrt::append_bgp4mp_et_message(out_, ts(at_us), p.mrt, false, msg);
  }
  void withdraw(const Peer& p, std::uint64_t at_us, const std::vector<wire::Prefix>& ps) {
    const auto msg = wire::encode_update(nlri(ps), {}, {});
    mrt::append_bgp4mp_et_message(out_, ts(at_us), p.mrt, false, msg);
  }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return out_; }

 private:
  static mrt::Timestamp ts(std::uint64_t at_us) {
    const std::uint64_t t = std::uint64_t{kStart} * 1000000 + at_us;
    return {static_cast<std::uint32_t>(t / 1000000), static_cast<std::uint32_t>(t % 1000000)};
  }
  std::vector<std::uint8_t> out_;
};

constexpr std::uint64_t s(double seconds) { return static_cast<std::uint64_t>(seconds * 1e6); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: bgpfa-scenario OUT.mrt\n");
    return 2;
  }
  const Peer primary = make_peer(0xc0000201, 12076);    // 192.0.2.1
  const Peer secondary = make_peer(0xc0000202, 12076);  // 192.0.2.2
  const Peer vpn = make_peer(0xc0000203, 65010);        // 192.0.2.3

  const std::vector<wire::Prefix> cloud = {prefix(0x0a010000, 16), prefix(0x0a020000, 16), prefix(0x0a030000, 16)};
  const wire::Prefix only_primary = prefix(0x0a040000, 16);   // 10.4.0.0/16: no redundancy
  const wire::Prefix vpn_specific = prefix(0x0a010500, 24);   // 10.1.5.0/24: VPN more specific
  const auto er_attrs_p = attrs({12076, 65100}, 0xc0000201, {0x2f2c0001});
  const auto er_attrs_s = attrs({12076, 65100}, 0xc0000202, {0x2f2c0001});
  const auto vpn_attrs = attrs({65010, 65100}, 0xc0000203);

  Script sc;
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

  std::ofstream f(argv[1], std::ios::binary);
  f.write(reinterpret_cast<const char*>(sc.bytes().data()), static_cast<std::streamsize>(sc.bytes().size()));
  if (!f) {
    fmt::print(stderr, "bgpfa-scenario: cannot write {}\n", argv[1]);
    return 1;
  }
  return 0;
}
