// Big batches: parse-and-convert time of one status response (ParseBatchResponseInPlace +
// BuildBatchFamilies + text serialization) against RapidJSON alone parsing the same bytes.
// Rendering: /metrics for many batches already fetched (BuildBatchFamilies + TextSerializer).
#include <malloc.h>
#include <prometheus/text_serializer.h>
#include <rapidjson/document.h>
#include <time.h>

#include <iostream>
#include <sstream>

#include "anchor/batch_parser.h"
#include "baseline_parser.h"
#include "bench_util.h"
#include "collect/batch_families.h"
#include "exposition/text_exposition.h"

namespace anchor::bench {
namespace {

double MBps(size_t bytes, double seconds) { return static_cast<double>(bytes) / 1e6 / seconds; }

// What the exporter's /metrics handler does with the families.
std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
  return SerializeTextExposition(families);
}

// prometheus-cpp's serializer, which the handler used before (for comparison).
std::string SerializePrometheusCpp(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

// CPU time of this thread: what a step costs when the shared machine's other load is left out.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

FetchResult ParseOrFail(std::string body) {
  auto parsed = ParseBatchResponseInPlace(body);
  if (!parsed.ok()) Fail("the synthetic body does not parse: " + parsed.error());
  FetchResult result;
  result.batch = std::move(parsed).value();
  result.http_status = 200;
  result.duration_seconds = 0.05;
  return result;
}

struct ParseRow {
  int sessions;
  size_t bytes;
  Stats full, parse_only, floor_insitu, floor_copying, before;
};

// The four measurements alternate inside one loop, so drift on this shared machine hits them
// alike. Copying the body (in-situ parsing overwrites it) happens outside the timed part.
ParseRow MeasureParse(int sessions, int reps) {
  const std::string id = Uuid(1, static_cast<std::uint64_t>(sessions));
  const std::string body = BatchBody(id, sessions, "processing");
  const BatchTarget target{id, {{"env", "prod"}}};
  std::vector<double> full, parse_only, insitu, copying, before;
  size_t checksum = 0;
  std::string work;
  for (int i = 0; i < reps; ++i) {
    work = body;
    auto start = Clock::now();
    {
      auto parsed = ParseBatchResponseInPlace(work);
      FetchResult result;
      result.batch = std::move(parsed).value();
      checksum += Serialize(BuildBatchFamilies({{&target, &result}})).size();
    }
    full.push_back(SecondsSince(start));

    // Before session timestamps were read: the earlier parser, and no session histograms.
    work = body;
    start = Clock::now();
    {
      auto parsed = BaselineParseInPlace(work);
      FetchResult result;
      result.batch = std::move(parsed).value();
      checksum +=
          Serialize(BuildBatchFamilies({{&target, &result}}, SessionHistograms::kOff)).size();
    }
    before.push_back(SecondsSince(start));

    work = body;
    start = Clock::now();
    checksum += ParseBatchResponseInPlace(work).ok() ? 1 : 0;
    parse_only.push_back(SecondsSince(start));

    work = body;
    start = Clock::now();
    {
      rapidjson::Document doc;
      doc.ParseInsitu(work.data());
      checksum += doc.HasParseError() ? 0 : 1;
    }
    insitu.push_back(SecondsSince(start));

    start = Clock::now();
    {
      rapidjson::Document doc;
      doc.Parse(body.data(), body.size());
      checksum += doc.HasParseError() ? 0 : 1;
    }
    copying.push_back(SecondsSince(start));
  }
  if (checksum == 0) Fail("nothing was parsed");
  return {sessions,          body.size(),        Summarize(full),  Summarize(parse_only),
          Summarize(insitu), Summarize(copying), Summarize(before)};
}

void BigBatches(const Options& options) {
  std::cout
      << "## Big batches: parse and convert one status response\n\n"
      << "parse+convert = ParseBatchResponseInPlace + BuildBatchFamilies + text "
         "serialization of that batch; floor = rapidjson::Document::ParseInsitu of the same "
         "bytes (what the exporter's parser builds on). Bodies carry every documented "
         "session field (~480 bytes per session). Best (min) of the repetitions, which "
         "leaves out the shared machine's interference, and the median; the ratio uses "
         "the best times (the callgrind section below gives the same ratio without any "
         "timing). \"before\" is the same run with the parser as it was before session "
         "timestamps were read (bench/baseline_parser.cpp) and no session histograms. Session "
         "timestamps differ from session to session, with milliseconds.\n\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<ParseRow> results;
  for (const int sessions : {1000, 5000}) {
    const int reps = options.quick ? (sessions == 1000 ? 5 : 2) : (sessions == 1000 ? 300 : 80);
    const ParseRow r = MeasureParse(sessions, reps);
    results.push_back(r);
    rows.push_back({std::to_string(sessions), Fixed(r.bytes / 1e6, 2) + " MB", Ms(r.full.min),
                    Fixed(MBps(r.bytes, r.full.min), 0), Ms(r.full.median), Ms(r.parse_only.min),
                    Ms(r.floor_insitu.min), Fixed(MBps(r.bytes, r.floor_insitu.min), 0),
                    Ms(r.floor_insitu.median), Ms(r.floor_copying.min),
                    Fixed(r.full.min / r.floor_insitu.min, 3) + "x",
                    Fixed(r.full.median / r.floor_insitu.median, 3) + "x", Ms(r.before.min),
                    Fixed(r.before.min / r.floor_insitu.min, 3) + "x", std::to_string(r.full.n)});
  }
  PrintTable({"sessions", "body", "parse+convert (best)", "MB/s", "median", "parse only (best)",
              "RapidJSON in situ (best)", "MB/s", "median", "RapidJSON Parse, copying (best)",
              "ratio (best)", "ratio (medians)", "before: parse+convert (best)",
              "before: ratio (best)", "reps"},
             rows);
  if (options.quick) return;
  for (const auto& r : results) {
    const double ratio = r.full.min / r.floor_insitu.min;
    ReportTarget(
        options, "parse-and-convert, " + std::to_string(r.sessions) + " sessions (best of reps)",
        "<= 1.5x RapidJSON's parse", Fixed(ratio, 3) + "x", ratio <= 1.5,
        "medians: " + Fixed(r.full.median / r.floor_insitu.median, 3) +
            "x; before session times were read: " + Fixed(r.before.min / r.floor_insitu.min, 3) +
            "x");
  }
}

void Rendering(const Options& options) {
  const int batches = options.quick ? 100 : 1000;
  const int reps = options.quick ? 3 : 40;
  const FetchResult parsed =
      ParseOrFail(BatchBody(Uuid(2, 0), 1000, "completed"));  // every batch alike but its id
  std::vector<BatchTarget> targets;
  std::vector<FetchResult> results(static_cast<size_t>(batches), parsed);
  for (int i = 0; i < batches; ++i) {
    targets.push_back({Uuid(3, static_cast<std::uint64_t>(i)), {{"env", "prod"}}});
    results[static_cast<size_t>(i)].duration_seconds = 0.05 + i * 1e-5;
  }
  std::vector<BatchSnapshot> snapshots;
  snapshots.reserve(static_cast<size_t>(batches));
  for (int i = 0; i < batches; ++i) snapshots.push_back({&targets[i], &results[i]});

  std::vector<double> total, cpu, build, serialize, reference;
  size_t series = 0, bytes = 0;
  for (int i = 0; i < reps; ++i) {
    const auto start = Clock::now();
    const double cpu_start = ThreadCpuSeconds();
    const auto families = BuildBatchFamilies(snapshots);
    const double built = SecondsSince(start);
    const std::string text = Serialize(families);
    total.push_back(SecondsSince(start));
    cpu.push_back(ThreadCpuSeconds() - cpu_start);
    build.push_back(built);
    serialize.push_back(total.back() - built);
    const auto before = Clock::now();
    if (SerializePrometheusCpp(families) != text && i == 0) {
      std::cout << "(note: prometheus-cpp's text differs, e.g. in HELP escaping or NaN)\n\n";
    }
    reference.push_back(SecondsSince(before));
    series = 0;
    for (const auto& f : families) series += f.metric.size();
    bytes = text.size();
  }
  const Stats t = Summarize(total), c = Summarize(cpu), b = Summarize(build),
              s = Summarize(serialize), r = Summarize(reference);
  std::cout << "## Rendering: /metrics for cached batches\n\n"
            << "BuildBatchFamilies + SerializeTextExposition (what the exporter's /metrics "
               "handler runs) for batches already fetched (completed, 1,000 sessions, one extra "
               "static label). No network. Wall time, and CPU time of the rendering thread "
               "(the same work without the shared machine's other load); prometheus-cpp's "
               "TextSerializer on the same families for comparison.\n\n";
  PrintTable({"batches", "series", "text", "median", "p99", "CPU median", "build families",
              "serialize", "prometheus-cpp TextSerializer", "reps"},
             {{std::to_string(batches), std::to_string(series), Fixed(bytes / 1e6, 2) + " MB",
               Ms(t.median), Ms(t.p99), Ms(c.median), Ms(b.median), Ms(s.median), Ms(r.median),
               std::to_string(t.n)}});
  if (!options.quick) {
    ReportTarget(options, "render /metrics for 1000 cached batches (CPU time, median)", "< 20 ms",
                 Ms(c.median), c.median < 0.020,
                 "wall: median " + Ms(t.median) + ", p99 " + Ms(t.p99));
  }
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  // Multi-megabyte bodies and documents would otherwise come from fresh mmap()s in some
  // repetitions and from reused heap in others (glibc's threshold moves as chunks are freed),
  // and page faults made the 5,000-session ratio swing between 0.9x and 5.6x from run to run.
  // With both kept on the heap, every repetition parses into memory that is already mapped.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);  // NOLINT(concurrency-mt-unsafe): no thread yet
  mallopt(M_TRIM_THRESHOLD, 512 << 20);  // NOLINT(concurrency-mt-unsafe)
  const auto options = anchor::bench::ParseOptions(argc, argv);
  if (options.Runs("parse")) anchor::bench::BigBatches(options);
  if (options.Runs("render")) anchor::bench::Rendering(options);
  return 0;
}
