// The analyzer's failure path (issue 10's lag): a session of a loaded table ends and every prefix
// it carried is decided again, logged and counted into the open episode.
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

// Arg: prefixes. The primary link's session resets (no graceful restart): its ~3/4 of the /24s
// move to the secondary link.
void BM_SessionDown(benchmark::State& st) {
  const auto n = static_cast<std::size_t>(st.range(0));
  std::size_t changes = 0;
  for (auto _ : st) {
    st.PauseTiming();
    auto an = bench::loaded_analyzer(n);
    an->advance(1'000'000'000);  // the load's episode closes: the failure comes after a quiet period
    const std::size_t before = an->event_count();
    st.ResumeTiming();
    an->session_down(2'000'000'000, 0, "session down 192.0.2.1 (er1 primary): Established -> Idle");
    st.PauseTiming();
    changes += an->event_count() - before;
    an.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(changes));
  st.counters["changes"] = static_cast<double>(changes) / static_cast<double>(st.iterations());
}
BENCHMARK(BM_SessionDown)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// Arg: prefixes. The primary link withdraws every route it has, one prefix at a time (the lag
// benchmark's `withdraw`: UPDATEs of withdrawals, each decided and logged as it comes).
void BM_WithdrawAll(benchmark::State& st) {
  const auto n = static_cast<std::size_t>(st.range(0));
  std::size_t changes = 0;
  const std::string cause = "UPDATE from 192.0.2.1";
  for (auto _ : st) {
    st.PauseTiming();
    auto an = bench::loaded_analyzer(n);
    an->advance(1'000'000'000);
    std::vector<wire::Prefix> prefixes;
    an->table().for_each([&](const rib::PrefixKey& k, const rib::PrefixEntry& e) {
      for (const auto& r : e.routes)
        if (r.peer == 0) prefixes.push_back(k.to_prefix());
    });
    std::sort(prefixes.begin(), prefixes.end(), [](const wire::Prefix& a, const wire::Prefix& b) {
      return rib::PrefixKey::from(a) < rib::PrefixKey::from(b);
    });
    const std::size_t before = an->event_count();
    st.ResumeTiming();
    std::uint64_t t = 2'000'000'000;
    for (const auto& p : prefixes) an->withdraw(t++, 0, p, 0, cause);
    st.PauseTiming();
    changes += an->event_count() - before;
    an.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(changes));
  st.counters["changes"] = static_cast<double>(changes) / static_cast<double>(st.iterations());
}
BENCHMARK(BM_WithdrawAll)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

// Arg: prefixes. The same withdrawals as UPDATE messages of 1,000 withdrawn /24s each, through
// the feed (NLRI decoding and each prefix's lookup started ahead of its turn).
void BM_FeedWithdraw(benchmark::State& st) {
  const auto n = static_cast<std::size_t>(st.range(0));
  std::size_t changes = 0;
  const std::string cause = "UPDATE from 192.0.2.1";
  for (auto _ : st) {
    st.PauseTiming();
    auto an = bench::loaded_analyzer(n);
    an->advance(1'000'000'000);
    std::vector<rib::PrefixKey> keys;
    an->table().for_each([&](const rib::PrefixKey& k, const rib::PrefixEntry& e) {
      for (const auto& r : e.routes)
        if (r.peer == 0) keys.push_back(k);
    });
    std::sort(keys.begin(), keys.end());
    std::vector<std::vector<std::uint8_t>> fields;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i % 1000 == 0) fields.emplace_back();
      std::uint8_t buf[17];
      std::uint8_t* out = buf;
      wire::encode_prefix(keys[i].to_prefix(), out);
      fields.back().insert(fields.back().end(), buf, out);
    }
    const std::size_t before = an->event_count();
    st.ResumeTiming();
    std::uint64_t t = 2'000'000'000;
    for (const auto& f : fields) {
      wire::Update u;
      u.withdrawn = f;
      feed::feed_update(*an, t++, 0, u, wire::DecodeContext{}, false, cause);
    }
    st.PauseTiming();
    changes += an->event_count() - before;
    an.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(changes));
  st.counters["changes"] = static_cast<double>(changes) / static_cast<double>(st.iterations());
}
BENCHMARK(BM_FeedWithdraw)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
