// The analyzer's failure paths (issue 10's lag): a session of a loaded table ends, or withdraws
// every route, and each prefix it carried is decided again, logged and counted into the episode.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bench/loaded_analyzer.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/update.hpp"
#include "feed/update_feed.hpp"

namespace {

using namespace bgpfa;

// Each iteration: a fresh table of range(0) prefixes after a quiet period (untimed), the input
// `prepare` makes from it (untimed), then `fail` (timed). Counts the changes it logged.
template <class Prepare, class Fail>
void time_failure(benchmark::State& st, Prepare prepare, Fail fail) {
  const auto n = static_cast<std::size_t>(st.range(0));
  std::size_t changes = 0;
  for (auto _ : st) {
    st.PauseTiming();
    auto an = bench::loaded_analyzer(n);
    an->advance(1'000'000'000);  // the load's episode closes: the failure comes after a quiet period
    auto input = prepare(*an);
    const std::size_t before = an->event_count();
    st.ResumeTiming();
    fail(*an, input);
    st.PauseTiming();
    changes += an->event_count() - before;
    an.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(changes));
  st.counters["changes"] = static_cast<double>(changes) / static_cast<double>(st.iterations());
}

// The prefixes the primary link (peer 0) carries, in prefix order, as its UPDATEs would list them.
std::vector<rib::PrefixKey> primary_prefixes(const analyzer::Analyzer& an) {
  std::vector<rib::PrefixKey> keys;
  an.table().for_each([&](const rib::PrefixKey& k, const rib::PrefixEntry& e) {
    for (const auto& r : e.routes)
      if (r.peer == 0) keys.push_back(k);
  });
  std::sort(keys.begin(), keys.end());
  return keys;
}

const std::string kCause = "UPDATE from 192.0.2.1 (er1 primary)";

// The primary link's session resets (no graceful restart): its ~3/4 of the /24s move to the
// secondary link.
void BM_SessionDown(benchmark::State& st) {
  time_failure(
      st, [](analyzer::Analyzer&) { return 0; },
      [](analyzer::Analyzer& an, int) { an.session_down(2'000'000'000, 0, "session down 192.0.2.1 (er1 primary): Established -> Idle"); });
}
BENCHMARK(BM_SessionDown)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// Both links of the circuit go (the secondary 1 ms after the primary): the /24s only
// ExpressRoute carried are left without a route of their own and follow the VPN's /16s
// (longest-prefix match over a less specific route, the orphan path).
void BM_BothLinksDown(benchmark::State& st) {
  time_failure(
      st, [](analyzer::Analyzer&) { return 0; },
      [](analyzer::Analyzer& an, int) {
        an.session_down(2'000'000'000, 0, "session down 192.0.2.1 (er1 primary): Established -> Idle");
        an.session_down(2'000'001'000, 1, "session down 192.0.2.2 (er1 secondary): Established -> Idle");
      });
}
BENCHMARK(BM_BothLinksDown)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// The primary link withdraws every route it has, one call per prefix.
void BM_WithdrawAll(benchmark::State& st) {
  time_failure(st, primary_prefixes, [](analyzer::Analyzer& an, const std::vector<rib::PrefixKey>& keys) {
    std::uint64_t t = 2'000'000'000;
    for (const auto& k : keys) an.withdraw(t++, 0, k.to_prefix(), 0, kCause);
  });
}
BENCHMARK(BM_WithdrawAll)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// The same withdrawals as UPDATE messages of 1,000 withdrawn /24s each, through the feed (NLRI
// decoding, each prefix's lookup started ahead of its turn).
void BM_FeedWithdraw(benchmark::State& st) {
  const auto fields = [](analyzer::Analyzer& an) {
    const auto keys = primary_prefixes(an);
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i % 1000 == 0) out.emplace_back();
      std::uint8_t buf[17];
      std::uint8_t* end = buf;
      wire::encode_prefix(keys[i].to_prefix(), end);
      out.back().insert(out.back().end(), buf, end);
    }
    return out;
  };
  time_failure(st, fields, [](analyzer::Analyzer& an, const std::vector<std::vector<std::uint8_t>>& withdrawn) {
    std::uint64_t t = 2'000'000'000;
    for (const auto& f : withdrawn) {
      wire::Update u;
      u.withdrawn = f;
      feed::feed_update(an, t++, 0, u, wire::DecodeContext{}, false, kCause);
    }
  });
}
BENCHMARK(BM_FeedWithdraw)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
