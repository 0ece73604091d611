// Micro-benchmarks: UPDATE decoding, attribute decoding, bgpdump line rendering.
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include "app/render/bgpdump_format.hpp"
#include "bgp/mrt/writer.hpp"
#include "bgp/wire/update.hpp"

using namespace bgpfa;

namespace {

std::vector<std::uint8_t> hex(const char* s) {
  std::vector<std::uint8_t> out;
  for (; s[0] && s[1]; s += 2) {
    while (*s == ' ') ++s;
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out.push_back(static_cast<std::uint8_t>(nib(s[0]) << 4 | nib(s[1])));
  }
  return out;
}

// A typical Internet UPDATE: 6-AS path, communities, 8 IPv4 prefixes.
const auto kAttrs = hex(
    "40010100" "40021a0206" "00000d1c" "00000ce7" "00000b62" "0000fde8" "0000fde9" "0000fdea"
    "400304c0000201" "80040400000064" "c0080c0d1c00010d1c00020d1c0003");
const auto kNlri = hex("180a0001" "180a0002" "180a0003" "180a0004" "180a0005" "180a0006" "180a0007" "180a0008");
const auto kBody = [] {
  auto m = wire::encode_update({}, kAttrs, kNlri);
  return std::vector<std::uint8_t>(m.begin() + 19, m.end());
}();

void BM_DecodeUpdate(benchmark::State& st) {
  wire::Update u;
  const wire::DecodeContext ctx;
  for (auto _ : st) {
    auto err = wire::decode_update(kBody, ctx, u);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(u.attributes.as_path.data.data());
  }
  st.SetItemsProcessed(st.iterations() * 8);  // routes
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * kBody.size()));
}
BENCHMARK(BM_DecodeUpdate);

void BM_DecodeAttributes(benchmark::State& st) {
  wire::PathAttributes a;
  const wire::DecodeContext ctx;
  for (auto _ : st) {
    auto err = wire::decode_path_attributes(kAttrs, ctx, true, a);
    benchmark::DoNotOptimize(err);
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * kAttrs.size()));
}
BENCHMARK(BM_DecodeAttributes);

void BM_RenderBgpdumpLines(benchmark::State& st) {
  wire::Update u;
  (void)wire::decode_update(kBody, wire::DecodeContext{}, u);
  mrt::Record r;
  r.header.type = 17;
  r.header.seconds = 1700000000;
  mrt::Bgp4mpPeer peer;
  peer.peer_ip = wire::IpAddress::v4(0xc0000201);
  peer.peer_as = 3356;
  const int devnull = ::open("/dev/null", O_WRONLY);
  app::OutBuffer out(devnull);
  app::BgpdumpFormat fmt(out, {});
  for (auto _ : st) fmt.update(app::UpdateInfo{r, peer, false, false, true, u, false, false});
  out.flush();
  ::close(devnull);
  st.SetItemsProcessed(st.iterations() * 8);  // lines
}
BENCHMARK(BM_RenderBgpdumpLines);

}  // namespace


// RIB + analyzer stage: announcements of distinct prefixes from one peer, attributes interned
// once per 16 routes (as in a table dump), then a second peer's equal routes (ECMP).
#include "analyzer/analyzer.hpp"

namespace {
void BM_AnalyzerAnnounce(benchmark::State& st) {
  using namespace bgpfa::analyzer;
  const std::size_t n = static_cast<std::size_t>(st.range(0));
  wire::PathAttributes attrs;
  (void)wire::decode_path_attributes(kAttrs, wire::DecodeContext{}, true, attrs);
  for (auto _ : st) {
    st.PauseTiming();
    Policy policy;
    policy.circuits = {"er1"};
    policy.weights = {0};
    policy.azure_limits = false;  // a table over Azure's 4,000-route limit would drop the sessions
    PeerRole a, b;
    a.address = wire::IpAddress::v4(0xc0000201);
    b.address = wire::IpAddress::v4(0xc0000202);
    a.asn = b.asn = 12076;
    a.circuit = b.circuit = 0;
    b.link = Link::Secondary;
    auto an = std::make_unique<Analyzer>(policy, std::vector<PeerRole>{a, b});
    const std::string cause = "bench";
    st.ResumeTiming();
    for (std::size_t peer = 0; peer < 2; ++peer) {
      rib::AttrRef set;
      for (std::size_t i = 0; i < n; ++i) {
        if (i % 16 == 0) set = an->intern(attrs, true);
        wire::Prefix p;
        p.address = wire::IpAddress::v4(0x0a000000u + static_cast<std::uint32_t>(i << 8));
        p.length = 24;
        an->announce(1000000 + i, static_cast<int>(peer), p, 0, set, cause);
      }
    }
    st.PauseTiming();
    an.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(2 * n));
}
BENCHMARK(BM_AnalyzerAnnounce)->Arg(100000)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
