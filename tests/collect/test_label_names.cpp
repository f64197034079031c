// labels::kExporterLabelNames (config/label_names.h) is the list of label names the config
// loader refuses as static labels. It must hold every label name the exporter sets: checked here
// on the families it builds, and on the label literals of the collect/ sources.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "collect/batch_families.h"
#include "collect/self_metrics.h"
#include "config/label_names.h"

namespace {

bool Listed(const std::string& name) {
  const auto& names = anchor::labels::kExporterLabelNames;
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::set<std::string> LabelNames(const std::vector<prometheus::MetricFamily>& families) {
  std::set<std::string> out;
  for (const auto& f : families) {
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) out.insert(l.name);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every label name on the exporter's families is reserved", "[unit][collect][labels]") {
  anchor::Batch b;
  b.status = "processing";
  b.completed_requests = b.failed_requests = b.processing_requests = b.pending_requests = 1;
  b.phase = "ready";
  b.created_at = 1795860000;
  b.sessions.emplace();
  b.sessions->count_by_status = {{"processing", 1}};
  b.sessions->errors_by_class = {{"timeout", 1}};
  b.sessions->duration = anchor::SessionHistogram({1});
  b.sessions->queue = anchor::SessionHistogram({1});
  anchor::FetchResult up;
  up.batch = b;
  anchor::FetchResult down;
  down.error = anchor::FetchError::kTimeout;
  const anchor::BatchTarget target{"b1", {{"team", "a"}}};
  const auto batch_families = anchor::BuildBatchFamilies({{&target, &up}, {&target, &down}},
                                                         anchor::SessionHistograms::kAll);
  anchor::SelfMetrics self;
  self.CountApiRequest(200);
  self.CountFetchError(anchor::FetchError::kTimeout);
  self.CountInvalidField("status");
  self.CountCacheHit();
  self.CountDiscoveryError(anchor::FetchError::kTimeout);
  auto names = LabelNames(batch_families);
  CHECK(names.count("team") == 1);  // the static label, the only name not listed
  names.erase("team");
  for (const auto& name : LabelNames(self.Collect())) names.insert(name);
  CHECK(names.size() >= 9);
  for (const auto& name : names) {
    INFO(name);
    CHECK(Listed(name));
  }
}

TEST_CASE("every label literal in the collect sources is reserved", "[unit][collect][labels]") {
  // {{"name", value}} as given to prometheus-cpp's Add() and to AddSample()
  // (exposition/own_family.h).
  const std::regex literal(R"((?:Add|AddSample)\([^;]*?\{\{\s*"([A-Za-z_][A-Za-z0-9_]*)\")");
  const std::string dir = std::string(ANCHOR_SOURCE_DIR) + "/src/collect";
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), literal), end; it != end; ++it) {
      INFO(entry.path().filename().string() << ": " << (*it)[1]);
      CHECK(Listed((*it)[1]));
      ++found;
    }
  }
  CHECK(found >= 2);  // the "source" label of anchorbrowser_exporter_batches at least
}
