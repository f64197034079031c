// Google Benchmark micro-benchmarks of the parser: one status response of N sessions, through
// the exporter's parser and through RapidJSON alone (the floor).
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <map>

#include "anchor/batch_parser.h"
#include "bench_util.h"

namespace anchor::bench {
namespace {

const std::string& Body(int sessions) {
  static std::map<int, std::string> bodies;
  auto& body = bodies[sessions];
  if (body.empty()) body = BatchBody(Uuid(6, sessions), sessions, "processing");
  return body;
}

void BM_ParseBatchResponseInPlace(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  std::string work;
  for (auto _ : state) {
    state.PauseTiming();
    work = body;
    state.ResumeTiming();
    auto parsed = ParseBatchResponseInPlace(work);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ParseBatchResponseInPlace)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

void BM_RapidJsonParseInsitu(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  std::string work;
  for (auto _ : state) {
    state.PauseTiming();
    work = body;
    state.ResumeTiming();
    rapidjson::Document doc;
    doc.ParseInsitu(work.data());
    benchmark::DoNotOptimize(doc.HasParseError());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_RapidJsonParseInsitu)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace anchor::bench
