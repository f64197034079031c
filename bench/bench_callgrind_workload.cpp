// A fixed, deterministic in-process workload for `valgrind --tool=callgrind`: each "scrape"
// parses B in-memory status responses of S sessions (ParseBatchResponseInPlace), builds the
// batch families and serializes them as text. No network, no clock, no threads, so the
// instruction count repeats exactly and a regression shows as a number.
//
//   bench_callgrind_workload [--quick] [--floor]
// --floor runs the same scrapes with RapidJSON's in-situ parse only (the floor of the parse).
// bench/run.sh runs it with --collect-atstart=no; only the scrapes are counted.
#include <rapidjson/document.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

#include <iostream>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "bench_util.h"
#include "collect/batch_families.h"
#include "exposition/text_exposition.h"

namespace anchor::bench {
namespace {

// One scrape of the exporter's CPU path; returns the size of the text it produced.
size_t ExporterScrape(std::vector<std::string>& bodies, const std::vector<BatchTarget>& targets) {
  std::vector<FetchResult> results(bodies.size());
  std::vector<BatchSnapshot> snapshots;
  snapshots.reserve(bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    results[i].batch = ParseBatchResponseInPlace(bodies[i]).value();
    snapshots.push_back({&targets[i], &results[i]});
  }
  return SerializeTextExposition(BuildBatchFamilies(snapshots)).size();
}

size_t FloorScrape(std::vector<std::string>& bodies) {
  size_t ok = 0;
  for (auto& body : bodies) {
    rapidjson::Document doc;
    doc.ParseInsitu(body.data());
    ok += doc.HasParseError() ? 0 : 1;
  }
  return ok;
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  bool quick = false, floor = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--floor") {
      floor = true;
    } else {
      Fail("unknown argument \"" + arg + "\" (expected --quick, --floor)");
    }
  }
  const int batches = quick ? 10 : 100;
  const int sessions = 1000;
  const int scrapes = quick ? 1 : 3;

  std::vector<std::string> bodies;
  std::vector<anchor::BatchTarget> targets;
  for (int i = 0; i < batches; ++i) {
    const std::string id = Uuid(4, static_cast<std::uint64_t>(i));
    bodies.push_back(BatchBody(id, sessions, i % 2 == 0 ? "processing" : "completed"));
    targets.push_back({id, {{"env", "prod"}}});
  }
  size_t produced = 0;
  for (int s = 0; s < scrapes; ++s) {
    std::vector<std::string> work = bodies;  // in-situ parsing overwrites them; not counted
    CALLGRIND_TOGGLE_COLLECT;
    produced += floor ? FloorScrape(work) : ExporterScrape(work, targets);
    CALLGRIND_TOGGLE_COLLECT;
  }
  if (produced == 0) Fail("the workload produced nothing");
  std::cout << "workload=" << (floor ? "rapidjson-floor" : "exporter") << " batches=" << batches
            << " sessions=" << sessions << " scrapes=" << scrapes << " produced=" << produced
            << std::endl;
  return 0;
}
