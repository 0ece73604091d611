// The analyzer's failure path (issue 10's lag): a session of a loaded table ends and every prefix
// it carried is decided again, logged and counted into the open episode.
#include <benchmark/benchmark.h>

#include "bench/loaded_analyzer.hpp"

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

}  // namespace
