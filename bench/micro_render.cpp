// Google Benchmark micro-benchmarks of the renderer: batch families for N fetched batches, and
// their text exposition.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "anchor/batch_parser.h"
#include "bench_util.h"
#include "collect/batch_families.h"
#include "exposition/text_exposition.h"

namespace anchor::bench {
namespace {

// N fetched batches of 1,000 sessions (the same parsed batch under N ids).
struct Fetched {
  std::vector<BatchTarget> targets;
  std::vector<FetchResult> results;
  std::vector<BatchSnapshot> snapshots;

  explicit Fetched(int batches) {
    FetchResult parsed;
    auto batch = ParseBatchResponse(BatchBody(Uuid(7, 0), 1000, "completed"));
    if (!batch.ok()) Fail("the synthetic body does not parse");
    parsed.batch = std::move(batch).value();
    for (int i = 0; i < batches; ++i) {
      targets.push_back({Uuid(7, static_cast<std::uint64_t>(i)), {{"env", "prod"}}});
      results.push_back(parsed);
    }
    for (int i = 0; i < batches; ++i) snapshots.push_back({&targets[i], &results[i]});
  }
};

void BM_BuildBatchFamilies(benchmark::State& state) {
  const Fetched fetched(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto families = BuildBatchFamilies(fetched.snapshots);
    benchmark::DoNotOptimize(families);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BuildBatchFamilies)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_SerializeTextExposition(benchmark::State& state) {
  const Fetched fetched(static_cast<int>(state.range(0)));
  const auto families = BuildBatchFamilies(fetched.snapshots);
  for (auto _ : state) {
    auto text = SerializeTextExposition(families);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SerializeTextExposition)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// prometheus-cpp's serializer, which the exporter used before, for comparison.
void BM_PrometheusCppTextSerializer(benchmark::State& state) {
  const Fetched fetched(static_cast<int>(state.range(0)));
  const auto families = BuildBatchFamilies(fetched.snapshots);
  for (auto _ : state) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    benchmark::DoNotOptimize(out.str());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PrometheusCppTextSerializer)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace anchor::bench
