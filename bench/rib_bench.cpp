// Micro-benchmarks of the RIB insert path: attribute interning plus the route table's announce,
// over the routes of a real full-table dump (RIS bview of 2002-07-22, ~115 k routes) and over a
// synthetic table shaped like bench/speaker_bench.sh's (distinct /24s, N attribute sets that
// differ in one community). Counters: routes per second and RIB bytes per route (the same
// memory_bytes() + bytes() that `replay --stats` prints).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>

#include "app/cli/mrt_decoder.hpp"
#include "app/render/dump_sink.hpp"
#include "bgp/mrt/reader.hpp"
#include "analyzer/analyzer.hpp"
#include "feed/feed.hpp"
#include "rib/route_table.hpp"

using namespace bgpfa;

namespace {

struct Routes {
  std::deque<std::vector<std::uint8_t>> blocks;  // stable: PathAttributes point into them
  std::vector<wire::PathAttributes> attrs;
  std::vector<rib::PrefixKey> prefixes;
  std::vector<wire::Prefix> wire_prefixes;
  std::vector<std::uint16_t> peers;
  std::vector<wire::IpAddress> peer_addresses;  // by the peer numbers above
  std::vector<bool> four_octet_as;
};

// Every TABLE_DUMP / TABLE_DUMP_V2 route of the dump, decoded once before timing.
class Capture final : public app::DumpSink {
 public:
  explicit Capture(Routes& r) : r_(r) {}
  void table_dump(const mrt::Record&, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) override {
    add(t.prefix, peer(t.peer_ip), a, t.four_octet_as);
  }
  void rib_entry(const mrt::Record&, const mrt::Rib& rib, const mrt::RibEntry&, const mrt::PeerEntry& p,
                 const wire::PathAttributes& a) override {
    if (rib.generic_nlri.empty() && rib.safi == 1) add(rib.prefix, peer(p.ip), a, true);
  }
  void bgp4mp_entry(const mrt::Record&, const mrt::Bgp4mpEntry&, const wire::PathAttributes&) override {}
  void state_change(const mrt::Record&, const mrt::StateChange&, bool) override {}
  void update(const app::UpdateInfo&) override {}
  void other_message(const mrt::Record&, const mrt::Bgp4mpMessage&, wire::MessageType, wire::Bytes) override {}
  void peer_index_table(const mrt::Record&, const mrt::PeerIndexTable&) override {}

 private:
  std::uint16_t peer(const wire::IpAddress& ip) {
    for (std::size_t i = 0; i < peers_.size(); ++i)
      if (peers_[i] == ip) return static_cast<std::uint16_t>(i);
    peers_.push_back(ip);
    r_.peer_addresses.push_back(ip);
    return static_cast<std::uint16_t>(peers_.size() - 1);
  }
  void add(const wire::Prefix& p, std::uint16_t peer, const wire::PathAttributes& a, bool four) {
    r_.blocks.emplace_back(a.block.begin(), a.block.end());
    const auto& b = r_.blocks.back();
    wire::DecodeContext ctx;
    ctx.four_octet_as = four;
    wire::PathAttributes copy;
    (void)wire::decode_path_attributes(wire::Bytes(b.data(), b.size()), ctx, false, copy);
    r_.attrs.push_back(std::move(copy));
    r_.prefixes.push_back(rib::PrefixKey::from(p));
    r_.wire_prefixes.push_back(p);
    r_.peers.push_back(peer);
    r_.four_octet_as.push_back(four);
  }
  Routes& r_;
  std::vector<wire::IpAddress> peers_;
};

const Routes* bview() {
  static const Routes* routes = [] () -> const Routes* {
    const char* env = std::getenv("BGPFA_BENCH_DUMP");
    const std::string path = env ? env : BGPFA_SHARED_DIR "/fixtures/mrt/ris/bview.20020722.2337.gz";
    if (!std::filesystem::exists(path)) return nullptr;
    static Routes r;
    Capture sink(r);
    mrt::Reader reader(path);
    app::MrtDecoder decoder(sink, path, true, true);
    mrt::Record rec;
    while (reader.next(rec)) decoder.record(rec);
    return &r;
  }();
  return routes;
}

// The bview's routes, or the benchmark skipped with why.
const Routes* bview_or_skip(benchmark::State& st) {
  const Routes* r = bview();
  if (!r) st.SkipWithError("no bview fixture (set BGPFA_BENCH_DUMP)");
  return r;
}

// Resident bytes of this process (/proc/self/statm).
std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

void report(benchmark::State& st, std::size_t routes, std::size_t bytes) {
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(routes));
  st.counters["routes_per_s"] = benchmark::Counter(static_cast<double>(st.iterations() * routes), benchmark::Counter::kIsRate);
  st.counters["rib_bytes_per_route"] = static_cast<double>(bytes) / static_cast<double>(routes);
}

// intern + announce for every route of the dump, into a fresh RIB each iteration.
void BM_RibInsertBview(benchmark::State& st) {
  const Routes* r = bview_or_skip(st);
  if (!r) return;
  std::size_t bytes = 0;
  for (auto _ : st) {
    auto store = std::make_unique<rib::AttrStore>();
    auto table = std::make_unique<rib::RouteTable>(64);
    for (std::size_t i = 0; i < r->attrs.size(); ++i)
      benchmark::DoNotOptimize(table->announce(r->prefixes[i], r->peers[i], 0, store->intern(r->attrs[i], r->four_octet_as[i])));
    st.PauseTiming();
    bytes = table->memory_bytes() + store->bytes();
    table.reset();
    store.reset();
    st.ResumeTiming();
  }
  report(st, r->attrs.size(), bytes);
}
BENCHMARK(BM_RibInsertBview)->Unit(benchmark::kMillisecond);

// The route table alone (attributes interned before timing).
void BM_TableAnnounceBview(benchmark::State& st) {
  const Routes* r = bview_or_skip(st);
  if (!r) return;
  rib::AttrStore store;
  std::vector<rib::AttrRef> sets;
  for (std::size_t i = 0; i < r->attrs.size(); ++i) sets.push_back(store.intern(r->attrs[i], r->four_octet_as[i]));
  std::size_t bytes = 0;
  for (auto _ : st) {
    auto table = std::make_unique<rib::RouteTable>(64);
    for (std::size_t i = 0; i < sets.size(); ++i) benchmark::DoNotOptimize(table->announce(r->prefixes[i], r->peers[i], 0, sets[i]));
    st.PauseTiming();
    bytes = table->memory_bytes();
    table.reset();
    st.ResumeTiming();
  }
  report(st, sets.size(), bytes);
}
BENCHMARK(BM_TableAnnounceBview)->Unit(benchmark::kMillisecond);

// bench/speaker_bench.sh's shape: range(0) distinct /24s from one peer, range(1) attribute sets
// (the dump's sets, each route with one more community numbered by route modulo sets).
void BM_RibInsertSynthetic(benchmark::State& st) {
  const Routes* r = bview_or_skip(st);
  if (!r) return;
  const auto n = static_cast<std::size_t>(st.range(0)), sets = static_cast<std::size_t>(st.range(1));
  // One attribute block per set: a dump route's block plus COMMUNITIES 60000:k appended.
  std::deque<std::vector<std::uint8_t>> blocks;
  std::vector<wire::PathAttributes> attrs(sets);
  std::vector<bool> four(sets);
  for (std::size_t k = 0; k < sets; ++k) {
    const wire::PathAttributes& base = r->attrs[k % r->attrs.size()];
    std::vector<std::uint8_t> b;
    std::vector<std::uint8_t> comms(base.communities.begin(), base.communities.end());
    const std::uint8_t extra[4] = {0xea, 0x60, static_cast<std::uint8_t>(k >> 8), static_cast<std::uint8_t>(k)};
    comms.insert(comms.end(), extra, extra + 4);
    for (const auto& raw : base.all)
      if (raw.type != 8) wire::encode_attribute(b, raw.type, raw.value);
    wire::encode_attribute(b, 8, wire::Bytes(comms.data(), comms.size()));
    blocks.push_back(std::move(b));
    wire::DecodeContext ctx;
    ctx.four_octet_as = four[k] = r->four_octet_as[k % r->attrs.size()];
    (void)wire::decode_path_attributes(wire::Bytes(blocks.back().data(), blocks.back().size()), ctx, false, attrs[k]);
  }
  std::size_t bytes = 0, rss_growth = 0;
  for (auto _ : st) {
    const std::size_t rss_before = resident_bytes();
    auto store = std::make_unique<rib::AttrStore>();
    auto table = std::make_unique<rib::RouteTable>(1);
    for (std::size_t i = 0; i < n; ++i) {
      wire::Prefix p;
      p.address = wire::IpAddress::v4(0x01000000u + static_cast<std::uint32_t>(i << 8));
      p.length = 24;
      benchmark::DoNotOptimize(table->announce(rib::PrefixKey::from(p), 0, 0, store->intern(attrs[i % sets], four[i % sets])));
    }
    st.PauseTiming();
    bytes = table->memory_bytes() + store->bytes();
    // The first load's growth of the process (later ones reuse what the first freed): what
    // peer-bench measures live, so it shows what the allocator keeps beyond memory_bytes().
    if (!rss_growth) rss_growth = resident_bytes() - rss_before;
    table.reset();
    store.reset();
    st.ResumeTiming();
  }
  report(st, n, bytes);
  st.counters["rss_growth_per_route"] = static_cast<double>(rss_growth) / static_cast<double>(n);
}
BENCHMARK(BM_RibInsertSynthetic)->Args({1000000, 300000})->Unit(benchmark::kMillisecond)->Iterations(3);

// The whole RIB + analyzer stage as `replay --stats` times it (bench/replay_ab.sh's input and
// configuration: every peer a role, in turn ExpressRoute primary, secondary and VPN, Azure's
// prefix limits off): the feed's snapshot_route() for every route of the dump, into a fresh
// analyzer each iteration; range(0) 1: the dump is the baseline (no events), 0: every route is a
// change (as the bview is when its updates file, recorded earlier, is replayed first). The
// replay decodes each route into one reused PathAttributes, hot in cache; here each route has
// its own (~115 k of them, 50 MB), fetched a few routes ahead so the bench does not time those
// misses. Long enough to profile (`perf record`).
void BM_StageBview(benchmark::State& st) {
  const Routes* r = bview_or_skip(st);
  if (!r) return;
  analyzer::Policy policy;
  policy.azure_limits = false;
  std::vector<analyzer::PeerRole> roles;
  for (std::size_t i = 0; i < r->peer_addresses.size(); ++i) {
    analyzer::PeerRole role;
    role.address = r->peer_addresses[i];
    role.asn = 64512 + static_cast<std::uint32_t>(i);
    if (i % 3 == 2) {
      role.gateway = analyzer::Gateway::Vpn;
      role.vpn_instance = static_cast<int>((i / 3) % 2);
    } else {
      role.circuit = static_cast<int>(i / 3);
      role.link = i % 3 ? analyzer::Link::Secondary : analyzer::Link::Primary;
    }
    roles.push_back(role);
  }
  for (std::size_t c = 0; c <= r->peer_addresses.size() / 3; ++c) {
    policy.circuits.push_back("c" + std::to_string(c));
    policy.weights.push_back(0);
  }
  std::size_t bytes = 0;
  for (auto _ : st) {
    auto an = std::make_unique<analyzer::Analyzer>(policy, roles);
    auto feed = std::make_unique<feed::Feed>(*an);
    feed->baseline_from_dumps(st.range(0) != 0);
    std::uint64_t t = 1'000'000;
    const std::size_t n = r->attrs.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + 4 < n) {
        const auto& next = r->attrs[i + 4];
        for (std::size_t b = 0; b < sizeof next; b += 64) __builtin_prefetch(reinterpret_cast<const char*>(&next) + b);
        __builtin_prefetch(next.all.data());
        __builtin_prefetch(next.block.data());
      }
      feed->snapshot_route(t++, r->peers[i], r->wire_prefixes[i], 0, r->attrs[i], r->four_octet_as[i]);
    }
    feed->flush();
    st.PauseTiming();
    bytes = an->memory_bytes();
    feed.reset();
    an.reset();
    st.ResumeTiming();
  }
  report(st, r->attrs.size(), bytes);
}
BENCHMARK(BM_StageBview)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// Interning alone, the same set again (the hit path of a table dump).
void BM_AttrInternHit(benchmark::State& st) {
  const Routes* r = bview_or_skip(st);
  if (!r) return;
  rib::AttrStore store;
  std::vector<rib::AttrRef> keep;
  for (std::size_t i = 0; i < r->attrs.size(); ++i) keep.push_back(store.intern(r->attrs[i], r->four_octet_as[i]));
  for (auto _ : st)
    for (std::size_t i = 0; i < r->attrs.size(); ++i) benchmark::DoNotOptimize(store.intern(r->attrs[i], r->four_octet_as[i]));
  report(st, r->attrs.size(), store.bytes());
}
BENCHMARK(BM_AttrInternHit)->Unit(benchmark::kMillisecond);

}  // namespace
