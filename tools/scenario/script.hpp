// Helpers for scripted BGP4MP_ET captures: peers (with the gateway-side address that tells
// sessions apart), prefixes, path attributes, and a script of state changes and updates.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bgp/mrt/writer.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::scenario {

inline constexpr std::uint32_t kStart = 1700000000;  // 2023-11-14T22:13:20Z
inline constexpr std::uint16_t kIdle = 1, kOpenConfirm = 5, kEstablished = 6;

// The recorded speaker is the Azure gateway (AS 65515); `local` is its address on the session.
struct Peer {
  mrt::Bgp4mpPeer mrt;
};

inline std::uint32_t v4(int a, int b, int c, int d) {
  return static_cast<std::uint32_t>(a) << 24 | static_cast<std::uint32_t>(b) << 16 | static_cast<std::uint32_t>(c) << 8 |
         static_cast<std::uint32_t>(d);
}

inline Peer make_peer(std::uint32_t ip, std::uint32_t asn, std::uint32_t local = 0xc0000264 /* 192.0.2.100 */) {
  Peer p;
  p.mrt.peer_as = asn;
  p.mrt.local_as = 65515;
  p.mrt.peer_ip = wire::IpAddress::v4(ip);
  p.mrt.local_ip = wire::IpAddress::v4(local);
  return p;
}

inline wire::Prefix prefix(std::uint32_t addr, std::uint8_t len) {
  wire::Prefix p;
  p.address = wire::IpAddress::v4(addr);
  p.length = len;
  return p;
}

inline std::vector<std::uint8_t> nlri(const std::vector<wire::Prefix>& ps) {
  std::vector<std::uint8_t> out(ps.size() * 17);
  std::uint8_t* p = out.data();
  for (const auto& x : ps) wire::encode_prefix(x, p);
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

// ORIGIN IGP, AS_PATH sequence, NEXT_HOP, optional communities and LOCAL_PREF.
inline std::vector<std::uint8_t> attrs(const std::vector<std::uint32_t>& path, std::uint32_t next_hop,
                                       const std::vector<std::uint32_t>& communities = {}, std::uint32_t local_pref = 0) {
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
  if (local_pref) {
    std::uint8_t lp[4];
    wire::store_u32(lp, local_pref);
    wire::encode_attribute(out, 5, wire::Bytes(lp, 4));
  }
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

// IPv6 (dual stack): addresses and prefixes from text, sessions over IPv6.
inline wire::IpAddress v6(const char* text) { return *wire::parse_address(text); }
inline wire::Prefix prefix6(const char* text) { return *wire::parse_prefix(text); }
inline Peer make_peer6(const char* ip, std::uint32_t asn, const char* local) {
  Peer p;
  p.mrt.peer_as = asn;
  p.mrt.local_as = 65515;
  p.mrt.afi = 2;
  p.mrt.peer_ip = v6(ip);
  p.mrt.local_ip = v6(local);
  return p;
}
// ORIGIN IGP, AS_PATH, and MP_REACH_NLRI (RFC 4760) for IPv6 unicast with a global next hop.
inline std::vector<std::uint8_t> attrs6(const std::vector<std::uint32_t>& path, const wire::IpAddress& next_hop,
                                        const std::vector<wire::Prefix>& ps) {
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
  std::vector<std::uint8_t> mp{0, 2, 1, 16};
  mp.insert(mp.end(), next_hop.octets.begin(), next_hop.octets.end());
  mp.push_back(0);  // reserved
  const auto n = nlri(ps);
  mp.insert(mp.end(), n.begin(), n.end());
  wire::encode_attribute(out, 14, mp);
  return out;
}

class Script {
 public:
  void state(const Peer& p, std::uint64_t at_us, std::uint16_t from, std::uint16_t to) {
    mrt::append_bgp4mp_et_state_change(out_, ts(at_us), p.mrt, from, to);
  }
  void up(const Peer& p, std::uint64_t at_us) { state(p, at_us, kOpenConfirm, kEstablished); }
  void down(const Peer& p, std::uint64_t at_us) { state(p, at_us, kEstablished, kIdle); }
  void announce(const Peer& p, std::uint64_t at_us, const std::vector<std::uint8_t>& a, const std::vector<wire::Prefix>& ps) {
    const auto msg = wire::encode_update({}, a, nlri(ps));
    mrt::append_bgp4mp_et_message(out_, ts(at_us), p.mrt, false, msg);
  }
  void withdraw(const Peer& p, std::uint64_t at_us, const std::vector<wire::Prefix>& ps) {
    const auto msg = wire::encode_update(nlri(ps), {}, {});
    mrt::append_bgp4mp_et_message(out_, ts(at_us), p.mrt, false, msg);
  }
  void announce6(const Peer& p, std::uint64_t at_us, const std::vector<std::uint32_t>& path, const std::vector<wire::Prefix>& ps) {
    const auto msg = wire::encode_update({}, attrs6(path, p.mrt.peer_ip, ps), {});
    mrt::append_bgp4mp_et_message(out_, ts(at_us), p.mrt, false, msg);
  }
  void withdraw6(const Peer& p, std::uint64_t at_us, const std::vector<wire::Prefix>& ps) {
    std::vector<std::uint8_t> mp{0, 2, 1}, a;
    const auto n = nlri(ps);
    mp.insert(mp.end(), n.begin(), n.end());
    wire::encode_attribute(a, 15, mp);
    const auto msg = wire::encode_update({}, a, {});
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

// The design's topologies (tools/scenario/topologies.cpp); each has a configuration in
// fixtures/topologies/NAME.conf.
struct Topology {
  const char* name;
  const char* what;
  std::function<void(Script&)> write;
};
[[nodiscard]] const std::vector<Topology>& topologies();

}  // namespace bgpfa::scenario
