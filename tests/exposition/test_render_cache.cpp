// RenderCache against the uncached renderer: the same bytes in both formats, gzipped or not,
// and never a stale batch (changed answer, batch gone, new static labels).

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "collect/batch_answer.h"
#include "collect/batch_families.h"
#include "exposition/http_compression.h"
#include "exposition/render_cache.h"
#include "support/exporter_harness.h"
#include "support/gzip.h"

using anchor::test::GunzipMembers;
namespace {

using anchor::ExpositionFormat;
using anchor::ExpositionParts;
using anchor::FetchResult;
using anchor::RenderCache;

std::shared_ptr<const FetchResult> Answer(const std::string& id, const std::string& status,
                                          int sessions, double percentage = 42.5) {
  auto result = std::make_shared<FetchResult>();
  result->batch =
      anchor::ParseBatchResponse(anchor::test::BatchJson(id, status, sessions, percentage)).value();
  result->duration_seconds = 0.25;
  return result;
}

// What the collector hands the server: targets and answers, families built on demand. As the
// collector does, an answer that did not change keeps its BatchAnswer object.
struct Scrape {
  std::vector<anchor::BatchTarget> targets;
  std::vector<std::shared_ptr<const FetchResult>> results;
  mutable std::map<const FetchResult*, std::shared_ptr<const anchor::BatchAnswer>> made;

  void Add(const std::string& id, std::shared_ptr<const FetchResult> result,
           std::map<std::string, std::string> labels = {{"team", "growth"}}) {
    targets.push_back({id, std::move(labels)});
    results.push_back(std::move(result));
  }

  ExpositionParts Parts() const {
    ExpositionParts parts;
    for (size_t i = 0; i < targets.size(); ++i) {
      auto& known = made[results[i].get()];
      if (!known) {
        known = std::make_shared<const anchor::BatchAnswer>(targets[i], results[i],
                                                            anchor::SessionHistograms::kActive);
      }
      parts.series.push_back(known);
    }
    prometheus::MetricFamily own;
    own.name = "anchorbrowser_exporter_batches";
    own.help = "Batches.";
    own.type = prometheus::MetricType::Gauge;
    own.metric.emplace_back();
    own.metric.back().gauge.value = static_cast<double>(targets.size());
    parts.other.push_back(own);
    return parts;
  }
};

Scrape ManyBatches(int count) {
  static const char* kStatuses[] = {"completed", "failed", "completed", "processing", "pending"};
  Scrape scrape;
  for (int i = 0; i < count; ++i) {
    const std::string id = "batch-" + std::to_string(i);
    scrape.Add(id, Answer(id, kStatuses[i % 5], 8 + i % 5));
  }
  auto failed = std::make_shared<FetchResult>();
  failed->error = anchor::FetchError::kTimeout;
  scrape.Add("batch-down", failed);
  return scrape;
}

// Small blocks and no single-stream shortcut, so that a few hundred batches make many members.
RenderCache::Options SmallBlocks() {
  RenderCache::Options options;
  options.block_bytes = 4096;
  options.single_stream_below = 0;
  return options;
}

void CheckSame(RenderCache& cache, const ExpositionParts& parts) {
  for (const auto format : {ExpositionFormat::kText004, ExpositionFormat::kOpenMetrics100}) {
    INFO("OpenMetrics: " << (format == ExpositionFormat::kOpenMetrics100));
    const std::string expected = anchor::RenderUncached(parts, format);
    CHECK(cache.Render(parts, format, false) == expected);
    const std::string gz = cache.Render(parts, format, true);
    REQUIRE_FALSE(gz.empty());
    CHECK(GunzipMembers(gz) == expected);
  }
}

// `text` with the exemplars (OpenMetrics: " # {...} value timestamp" after a bucket's value) cut.
std::string WithoutExemplars(const std::string& text) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const size_t exemplar = text.find(" # {", pos);
    out.append(text, pos, (exemplar < end ? exemplar : end) - pos);
    out += '\n';
    pos = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("RenderCache writes the bytes of the uncached renderer, scrape after scrape",
          "[unit][web][render_cache]") {
  const Scrape scrape = ManyBatches(400);
  const ExpositionParts parts = scrape.Parts();
  RenderCache cache(SmallBlocks());

  // The merged families, as the collector built them before the cache existed.
  std::vector<anchor::BatchSnapshot> snapshots;
  for (size_t i = 0; i < scrape.targets.size(); ++i) {
    snapshots.push_back({&scrape.targets[i], scrape.results[i].get()});
  }
  auto families = anchor::BuildBatchFamilies(snapshots);
  families.insert(families.end(), parts.other.begin(), parts.other.end());
  for (const auto format : {ExpositionFormat::kText004, ExpositionFormat::kOpenMetrics100}) {
    // BuildBatchFamilies has no exemplars: the OpenMetrics text is the same without them.
    CHECK(WithoutExemplars(anchor::RenderUncached(parts, format)) ==
          anchor::SerializeExposition(families, format));
  }

  CheckSame(cache, parts);  // first scrape: everything rendered
  CheckSame(cache, parts);  // then everything from the cache
  const auto stats = cache.last_stats();
  CHECK(stats.batches_rendered == 0);
  CHECK(stats.batches_reused == scrape.targets.size());
  CHECK(stats.blocks_compressed == 0);
  CHECK(stats.blocks_reused > 20);
}

TEST_CASE("RenderCache's gzip members stay within 1.5x of one gzip stream",
          "[unit][web][render_cache]") {
  const ExpositionParts parts = ManyBatches(2000).Parts();
  RenderCache cache;
  RenderCache::Options no_shortcut;
  no_shortcut.single_stream_below = 0;
  RenderCache blocks(no_shortcut);
  for (const auto format : {ExpositionFormat::kText004, ExpositionFormat::kOpenMetrics100}) {
    const std::string text = anchor::RenderUncached(parts, format);
    const auto single = anchor::GzipFast(text);
    REQUIRE(single);
    const std::string gz = blocks.Render(parts, format, true);
    CHECK(GunzipMembers(gz) == text);
    CHECK(blocks.last_stats().gzip_members > 10);
    CHECK(static_cast<double>(gz.size()) <= 1.5 * static_cast<double>(single->size()));
  }
  // Under RenderCache::Options::single_stream_below (1 MiB), one stream.
  const ExpositionParts small = ManyBatches(50).Parts();
  const auto single = anchor::GzipFast(anchor::RenderUncached(small, ExpositionFormat::kText004));
  CHECK(cache.Render(small, ExpositionFormat::kText004, true) == *single);
}

TEST_CASE("RenderCache never serves a stale batch", "[unit][web][render_cache]") {
  Scrape scrape = ManyBatches(300);
  RenderCache cache(SmallBlocks());
  CheckSame(cache, scrape.Parts());

  SECTION("a batch whose answer changed shows the new values on the next scrape") {
    scrape.results[7] = Answer("batch-7", "completed", 9, 87.5);
    const auto parts = scrape.Parts();
    CHECK(cache.Render(parts, ExpositionFormat::kText004, false)
              .find("anchorbrowser_batch_progress_ratio{batch_id=\"batch-7\",team=\"growth\"} "
                    "0.875\n") != std::string::npos);
    CHECK(cache.last_stats().batches_rendered == 1);
    CheckSame(cache, parts);
  }
  SECTION("a batch that leaves is gone") {
    scrape.targets.erase(scrape.targets.begin() + 5);
    scrape.results.erase(scrape.results.begin() + 5);
    const auto parts = scrape.Parts();
    CheckSame(cache, parts);
    CHECK(cache.Render(parts, ExpositionFormat::kText004, false).find("\"batch-5\"") ==
          std::string::npos);
  }
  SECTION("a reload that changes static labels changes the text") {
    // A reload builds a new collector: new labels come with new answers.
    for (size_t i = 0; i < scrape.targets.size(); ++i) {
      scrape.targets[i].labels = {{"team", "search"}};
      scrape.results[i] = std::make_shared<FetchResult>(*scrape.results[i]);
    }
    const auto parts = scrape.Parts();
    CheckSame(cache, parts);
    const std::string text = cache.Render(parts, ExpositionFormat::kOpenMetrics100, false);
    CHECK(text.find("team=\"growth\"") == std::string::npos);
    CHECK(text.find("team=\"search\"") != std::string::npos);
  }
  SECTION("batches that reorder or newly finish keep the output identical") {
    std::swap(scrape.targets[3], scrape.targets[200]);
    std::swap(scrape.results[3], scrape.results[200]);
    scrape.results[10] = Answer("batch-10", "completed", 3);
    CheckSame(cache, scrape.Parts());
    CheckSame(cache, scrape.Parts());
  }
}

TEST_CASE("concurrent answers share the cached blocks instead of copying them",
          "[unit][web][render_cache]") {
  const Scrape scrape = ManyBatches(400);
  const ExpositionParts parts = scrape.Parts();
  RenderCache cache(SmallBlocks());
  for (const bool gzip : {false, true}) {
    INFO("gzip: " << gzip);
    cache.RenderBlocks(parts, ExpositionFormat::kText004, gzip);  // makes the blocks
    const auto a = cache.RenderBlocks(parts, ExpositionFormat::kText004, gzip);
    const auto b = cache.RenderBlocks(parts, ExpositionFormat::kText004, gzip);
    REQUIRE(a.size() == b.size());
    REQUIRE(a.size() > 20);
    // All but the section headers and the own families, made for each answer.
    size_t shared = 0, total = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      total += a[k]->size();
      shared += a[k] == b[k] ? a[k]->size() : 0;
    }
    CHECK(static_cast<double>(shared) >= 0.9 * static_cast<double>(total));
  }
}

TEST_CASE("RenderCache keeps what the forms asked for need, and renders released text again",
          "[unit][web][render_cache]") {
  Scrape scrape = ManyBatches(300);
  RenderCache::Options options = SmallBlocks();
  options.idle_renders = 3;
  RenderCache cache(options);
  const auto text = [&] { return cache.Render(scrape.Parts(), ExpositionFormat::kText004, true); };
  const auto expected = [&] {
    return anchor::RenderUncached(scrape.Parts(), ExpositionFormat::kText004);
  };
  CheckSame(cache, scrape.Parts());
  const size_t both = cache.HeldBytes();
  // Only gzipped text 0.0.4 asked for: OpenMetrics and the plain blocks go.
  for (int i = 0; i < 4; ++i) CHECK(GunzipMembers(text()) == expected());
  CHECK(cache.HeldBytes() < both / 2);
  // The batches' own text was released once the blocks holding it were reused.
  CHECK(cache.last_stats().batches_reused == scrape.targets.size());
  // A changed batch in the middle breaks the blocks around it: their batches are rendered again.
  scrape.results[150] = Answer("batch-150", "completed", 9, 87.5);
  CHECK(GunzipMembers(text()) == expected());
  CHECK(cache.last_stats().batches_rendered > 1);
  CheckSame(cache, scrape.Parts());
}

namespace {

// A part that counts how often its series are asked for, and whose value the test changes
// behind the cache's back (which SeriesSource forbids): only identity tells the cache anything.
class CountingSource final : public anchor::SeriesSource {
 public:
  explicit CountingSource(double v) : value(v) {}
  std::vector<prometheus::MetricFamily> Families() const override {
    ++calls;
    prometheus::MetricFamily f;
    f.name = "part_value";
    f.help = "A value.";
    f.type = prometheus::MetricType::Gauge;
    f.metric.emplace_back();
    f.metric.back().gauge.value = value;
    return {f};
  }
  mutable int calls = 0;
  double value;
};

}  // namespace

TEST_CASE("RenderCache knows a part by its object, not by its series",
          "[unit][web][render_cache]") {
  auto part = std::make_shared<CountingSource>(1);
  ExpositionParts parts;
  parts.series = {part};
  RenderCache cache;
  CHECK(cache.Render(parts, ExpositionFormat::kText004, false).find("part_value 1\n") !=
        std::string::npos);
  part->value = 2;  // the same object: the cache does not ask again
  CHECK(cache.Render(parts, ExpositionFormat::kText004, false).find("part_value 1\n") !=
        std::string::npos);
  CHECK(part->calls == 1);
  CHECK(cache.last_stats().batches_reused == 1);

  // An equal part in a new object is rendered from that object.
  auto copy = std::make_shared<CountingSource>(2);
  parts.series = {copy};
  CHECK(cache.Render(parts, ExpositionFormat::kText004, false).find("part_value 2\n") !=
        std::string::npos);
  CHECK(copy->calls == 1);
  CHECK(cache.last_stats().batches_rendered == 1);
}
