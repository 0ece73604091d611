// Writes a large synthetic RIB as one MRT TABLE_DUMP_V2 file, for benchmarks (bench/grpc_bench.sh,
// bench/scale_bench.sh): N IPv4 /24 prefixes from 1.0.0.0 on an ExpressRoute circuit's two links
// (192.0.2.1 primary, 192.0.2.2 secondary, AS 12076) and every 8th also on two VPN peers
// (192.0.2.3 and 192.0.2.4, AS 65010); with --full every prefix is on all four, as a production
// ExpressRoute + VPN gateway sees a full table. A third of the prefixes are prepended on the
// secondary (er-primary), the rest are equal (er-ecmp); AS paths, MEDs and communities vary so
// that there are ~4,000 attribute sets. --ipv6 M adds M IPv6 /48s from 3fff::/20 (RFC 9637's
// documentation block) the same way on four IPv6 sessions of the same roles (2001:db8::1 to ::4:
// ExpressRoute's IPv6 private peering and the VPN instances have sessions of their own).
// Usage: bgpfa-table-gen OUT.mrt [PREFIXES] [--ipv6 M] [--full]   (default 1,000,000 IPv4; the same
// bytes every run)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bgp/mrt/writer.hpp"
#include "bgp/wire/attribute.hpp"

using namespace bgpfa;

namespace {

constexpr std::uint32_t kTime = 1700000000;

// ORIGIN IGP, a 4-octet AS_PATH sequence, NEXT_HOP, MED, one community.
std::vector<std::uint8_t> attrs(const std::vector<std::uint32_t>& path, std::uint32_t next_hop, std::uint32_t med,
                                std::uint32_t community) {
  std::vector<std::uint8_t> out;
  const std::uint8_t origin = 0;
  wire::encode_attribute(out, 1, wire::Bytes(&origin, 1));
  std::vector<std::uint8_t> seg{2, static_cast<std::uint8_t>(path.size())};
  std::uint8_t b[4];
  for (auto asn : path) {
    wire::store_u32(b, asn);
    seg.insert(seg.end(), b, b + 4);
  }
  wire::encode_attribute(out, 2, seg);
  wire::store_u32(b, next_hop);
  wire::encode_attribute(out, 3, wire::Bytes(b, 4));
  wire::store_u32(b, med);
  wire::encode_attribute(out, 4, wire::Bytes(b, 4));
  wire::store_u32(b, community);
  wire::encode_attribute(out, 8, wire::Bytes(b, 4));
  return out;
}

}  // namespace

// 3fff:0:0::/48 + i: 2^28 of them fit the /20.
wire::IpAddress v6_prefix(std::uint32_t i) {
  wire::IpAddress a;
  a.afi = wire::Afi::Ipv6;
  const std::uint64_t hi = (std::uint64_t{0x3fff} << 48) | (std::uint64_t{i} << 16);
  for (int k = 0; k < 8; ++k) a.octets[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(hi >> (56 - 8 * k));
  return a;
}

wire::IpAddress v6_peer(std::uint8_t n) {  // 2001:db8::n
  wire::IpAddress a;
  a.afi = wire::Afi::Ipv6;
  a.octets[0] = 0x20, a.octets[1] = 0x01, a.octets[2] = 0x0d, a.octets[3] = 0xb8, a.octets[15] = n;
  return a;
}

// The IPv4 attributes with the next hop as TABLE_DUMP_V2 writes it for IPv6 (RFC 6396 4.3.4):
// an MP_REACH_NLRI of the next hop alone, in place of NEXT_HOP.
std::vector<std::uint8_t> attrs6(const std::vector<std::uint32_t>& path, const wire::IpAddress& next_hop, std::uint32_t med,
                                 std::uint32_t community) {
  auto v4 = attrs(path, 0, med, community);
  std::vector<std::uint8_t> out;
  for (std::size_t at = 0; at < v4.size();) {  // copy every attribute but NEXT_HOP (flags, type, length 1 octet)
    const std::size_t len = 3u + v4[at + 2];
    if (v4[at + 1] != 3) out.insert(out.end(), v4.begin() + static_cast<std::ptrdiff_t>(at), v4.begin() + static_cast<std::ptrdiff_t>(at + len));
    at += len;
  }
  std::vector<std::uint8_t> mp{16};
  mp.insert(mp.end(), next_hop.octets.begin(), next_hop.octets.begin() + 16);
  wire::encode_attribute(out, 14, mp);
  return out;
}

int main(int argc, char** argv) {
  const char* usage = "usage: bgpfa-table-gen OUT.mrt [PREFIXES] [--ipv6 M] [--full]\n";
  if (argc < 2) {
    fmt::print(stderr, "{}", usage);
    return 2;
  }
  long n = 1'000'000, n6 = 0;
  bool full = false, counted = false;
  for (int i = 2; i < argc; ++i) {
    char* end = nullptr;
    if (!std::strcmp(argv[i], "--full")) {
      full = true;
    } else if (!std::strcmp(argv[i], "--ipv6") && i + 1 < argc) {
      n6 = std::strtol(argv[++i], &end, 10);
      if (*end || n6 < 0 || n6 > (1l << 28)) {
        fmt::print(stderr, "bgpfa-table-gen: --ipv6 must be 0 to 268,435,456 (/48s of 3fff::/20)\n");
        return 2;
      }
    } else if (!counted && argv[i][0] != '-') {
      n = std::strtol(argv[i], &end, 10);
      counted = true;
      if (*end || n <= 0 || n > 14'000'000) {
        fmt::print(stderr, "bgpfa-table-gen: PREFIXES must be 1 to 14,000,000 (/24s from 1.0.0.0 on)\n");
        return 2;
      }
    } else {
      fmt::print(stderr, "bgpfa-table-gen: unexpected {}\n{}", argv[i], usage);
      return 2;
    }
  }
  std::ofstream f(argv[1], std::ios::binary | std::ios::trunc);
  if (!f) {
    fmt::print(stderr, "bgpfa-table-gen: cannot write {}\n", argv[1]);
    return 2;
  }
  std::vector<std::uint8_t> out;
  mrt::PeerIndexTable table;
  table.collector_id = 0xc0000264;  // 192.0.2.100
  table.view_name = "bgpfa-table-gen";
  const std::uint32_t peers[] = {0xc0000201, 0xc0000202, 0xc0000203, 0xc0000204};
  for (std::size_t i = 0; i < 4; ++i)
    table.peers.push_back(mrt::PeerEntry{2, peers[i], wire::IpAddress::v4(peers[i]), i < 2 ? 12076u : 65010u});
  if (n6)  // the IPv6 sessions: indexes 4 to 7, same roles and AS numbers
    for (std::uint8_t i = 0; i < 4; ++i)
      table.peers.push_back(mrt::PeerEntry{3, peers[i], v6_peer(static_cast<std::uint8_t>(i + 1)), i < 2 ? 12076u : 65010u});
  mrt::append_peer_index_table(out, kTime, table);
  const auto flush = [&] {
    if (out.size() > (1u << 20)) {
      f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  };

  std::vector<std::vector<std::uint8_t>> bytes(4);
  std::vector<mrt::RibSnapshotEntry> entries;
  for (long i = 0; i < n; ++i) {
    const auto u = static_cast<std::uint32_t>(i);
    const std::uint32_t origin = 64512 + u % 1000, med = u % 4 * 10, community = (12076u << 16) | (u % 4);
    const bool prepended = u % 3 == 0, vpn = full || u % 8 == 0;
    bytes[0] = attrs({12076, origin}, peers[0], med, community);
    bytes[1] = prepended ? attrs({12076, 12076, origin}, peers[1], med, community) : attrs({12076, origin}, peers[1], med, community);
    entries.clear();
    entries.push_back({0, kTime, 0, bytes[0]});
    entries.push_back({1, kTime, 0, bytes[1]});
    if (vpn) {
      bytes[2] = attrs({65010, origin}, peers[2], 0, community);
      bytes[3] = attrs({65010, origin}, peers[3], 0, community);
      entries.push_back({2, kTime, 0, bytes[2]});
      entries.push_back({3, kTime, 0, bytes[3]});
    }
    wire::Prefix p;
    p.address = wire::IpAddress::v4((1u << 24) + u * 256);
    p.length = 24;
    mrt::append_rib_record(out, kTime, u, p, false, entries);
    flush();
  }
  for (long i = 0; i < n6; ++i) {
    const auto u = static_cast<std::uint32_t>(i);
    const std::uint32_t origin = 64512 + u % 1000, med = u % 4 * 10, community = (12076u << 16) | (u % 4);
    const bool prepended = u % 3 == 0, vpn = full || u % 8 == 0;
    entries.clear();
    for (std::uint16_t k = 0; k < (vpn ? 4 : 2); ++k) {
      const std::uint32_t first = k < 2 ? 12076 : 65010;
      bytes[k] = k == 1 && prepended ? attrs6({first, first, origin}, v6_peer(static_cast<std::uint8_t>(k + 1)), med, community)
                                     : attrs6({first, origin}, v6_peer(static_cast<std::uint8_t>(k + 1)), k < 2 ? med : 0, community);
      entries.push_back({static_cast<std::uint16_t>(4 + k), kTime, 0, bytes[k]});
    }
    wire::Prefix p;
    p.address = v6_prefix(u);
    p.length = 48;
    mrt::append_rib_record(out, kTime, static_cast<std::uint32_t>(n + i), p, false, entries);
    flush();
  }
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  f.close();
  if (!f) {
    fmt::print(stderr, "bgpfa-table-gen: cannot write {}\n", argv[1]);
    return 2;
  }
  return 0;
}
