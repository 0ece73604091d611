// Report micro-benchmarks (issue 12): the JSON writer's strings, the findings scan over a table
// with nested covers, and the whole JSON report, streamed (Analyzer::report with a ReportStream)
// against materialised (Report::active_paths and events).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "app/render/json_out.hpp"
#include "app/render/report_format.hpp"
#include "bgp/wire/attribute.hpp"

namespace {

using namespace bgpfa;
using namespace bgpfa::analyzer;

void BM_JsonOutStr(benchmark::State& st) {
  const std::string path = "3549 3356 1299 2914 65001 65002 {64512,64513}";
  std::string s;
  std::size_t bytes = 0;
  for (auto _ : st) {
    app::JsonOut o(s);
    for (int i = 0; i < 1000; ++i) o.str(path).ch(',');
    bytes += o.size();
    o.drain([](std::string_view v) { benchmark::DoNotOptimize(v.data()); });
  }
  st.SetItemsProcessed(st.iterations() * 1000);
  st.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_JsonOutStr);

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

// n /24s under /16s under /8s: both ExpressRoute links carry the /8s and most /24s, the VPN the
// /16s and every fourth /24 alone (VPN more specific than ExpressRoute: findings walk covers).
std::unique_ptr<Analyzer> loaded_analyzer(std::size_t n) {
  Policy policy;
  policy.circuits = {"er1"};
  policy.weights = {0};
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

void BM_Findings(benchmark::State& st) {
  const auto an = loaded_analyzer(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) benchmark::DoNotOptimize(an->findings());
  st.SetItemsProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_Findings)->Arg(100000)->Unit(benchmark::kMillisecond);

// Arg 1: rows and events streamed (replay --report json); 0: materialised in the Report.
void BM_ReportJson(benchmark::State& st) {
  const auto an = loaded_analyzer(static_cast<std::size_t>(st.range(0)));
  const bool streamed = st.range(1) != 0;
  std::size_t bytes = 0;
  for (auto _ : st) {
    ReportStream stream;
    const Report r = an->report(false, -1, streamed ? &stream : nullptr);
    app::render_json(r, an->policy().circuits, [&](std::string_view v) { bytes += v.size(); }, &stream);
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
  st.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ReportJson)->Args({100000, 0})->Args({100000, 1})->Unit(benchmark::kMillisecond);

}  // namespace
