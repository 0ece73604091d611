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
#include "bench/loaded_analyzer.hpp"

namespace {

using namespace bgpfa;
using namespace bgpfa::analyzer;
using bench::loaded_analyzer;

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
