#include "app/cli/rib_snapshot.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <tuple>

#include <fmt/format.h>

#include "bgp/mrt/writer.hpp"

namespace bgpfa::app {

std::string write_rib_snapshot(const analyzer::Analyzer& a, const std::string& path, std::uint32_t time,
                               std::uint32_t collector_id) {
  std::vector<std::pair<rib::PrefixKey, const rib::PrefixEntry*>> rows;
  a.table().for_each([&](const rib::PrefixKey& k, const rib::PrefixEntry& e) {
    if (!e.routes.empty()) rows.emplace_back(k, &e);
  });
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
    return std::tie(x.first.v6, x.first.hi, x.first.lo, x.first.length) <
           std::tie(y.first.v6, y.first.hi, y.first.lo, y.first.length);
  });

  const std::string tmp = path + ".tmp";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) return fmt::format("cannot write RIB snapshot {}: {}", tmp, std::strerror(errno));
  std::vector<std::uint8_t> out;
  mrt::PeerIndexTable table;
  table.collector_id = collector_id;
  table.view_name = "bgpfa";
  for (const auto& p : a.peers()) table.peers.push_back(mrt::PeerEntry{0, 0, p.address, p.asn});
  mrt::append_peer_index_table(out, time, table);

  std::vector<mrt::RibSnapshotEntry> entries;
  std::vector<std::vector<std::uint8_t>> attrs;
  std::uint32_t sequence = 0;
  for (const auto& [key, entry] : rows) {
    attrs.resize(entry->routes.size());
    entries.clear();
    bool add_path = false;
    for (std::size_t i = 0; i < entry->routes.size(); ++i) {
      const rib::Route& r = entry->routes[i];
      attrs[i].clear();
      r.attrs->encode(attrs[i]);
      entries.push_back({r.peer, time, r.path_id, attrs[i]});
      add_path |= r.path_id != 0;
    }
    // Entries by peer, then path identifier: the order does not depend on arrival.
    std::sort(entries.begin(), entries.end(),
              [](const auto& x, const auto& y) { return std::tie(x.peer_index, x.path_id) < std::tie(y.peer_index, y.path_id); });
    mrt::append_rib_record(out, time, sequence++, key.to_prefix(), add_path, entries);
    if (out.size() > (1u << 20)) {
      f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  f.close();
  if (!f) return fmt::format("cannot write RIB snapshot {}: {}", tmp, std::strerror(errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno));
  return {};
}

}  // namespace bgpfa::app
