// Writes a large synthetic RIB as one MRT TABLE_DUMP_V2 file, for benchmarks (bench/grpc_bench.sh):
// N IPv4 /24 prefixes from 1.0.0.0 on an ExpressRoute circuit's two links (192.0.2.1 primary,
// 192.0.2.2 secondary, AS 12076) and every 8th also on two VPN peers (192.0.2.3 and 192.0.2.4,
// AS 65010). A third of the prefixes are prepended on the secondary (er-primary), the rest are
// equal (er-ecmp); AS paths, MEDs and communities vary so that there are ~4,000 attribute sets.
// Usage: bgpfa-table-gen OUT.mrt [PREFIXES]   (default 1,000,000; the same bytes every run)
#include <cstdio>
#include <cstdlib>
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

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fmt::print(stderr, "usage: bgpfa-table-gen OUT.mrt [PREFIXES]\n");
    return 2;
  }
  const long n = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 1'000'000;
  if (n <= 0 || n > 14'000'000) {
    fmt::print(stderr, "bgpfa-table-gen: PREFIXES must be 1 to 14,000,000 (/24s from 1.0.0.0 on)\n");
    return 2;
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
  mrt::append_peer_index_table(out, kTime, table);

  std::vector<std::vector<std::uint8_t>> bytes(4);
  std::vector<mrt::RibSnapshotEntry> entries;
  for (long i = 0; i < n; ++i) {
    const auto u = static_cast<std::uint32_t>(i);
    const std::uint32_t origin = 64512 + u % 1000, med = u % 4 * 10, community = (12076u << 16) | (u % 4);
    const bool prepended = u % 3 == 0, vpn = u % 8 == 0;
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
    if (out.size() > (1u << 20)) {
      f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  f.close();
  if (!f) {
    fmt::print(stderr, "bgpfa-table-gen: cannot write {}\n", argv[1]);
    return 2;
  }
  return 0;
}
