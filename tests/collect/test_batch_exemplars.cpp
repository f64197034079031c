// Exemplars from a parsed answer to the /metrics text: BatchSeriesOf (collect/batch_families.h)
// through BatchAnswer, the uncached renderer and RenderCache, read back by the strict OpenMetrics
// parser of python3-prometheus-client; none in text 0.0.4.
#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "anchor/batch_parser.h"
#include "anchor/timestamp.h"
#include "collect/batch_answer.h"
#include "exposition/render_cache.h"
#include "exposition/text_exposition.h"
#include "support/exposition.h"
#include "support/session_bodies.h"

using anchor::ExpositionFormat;
using anchor::ExpositionParts;
using anchor::FetchResult;
using anchor::test::kSessionBatchCreated;
using anchor::test::StrictOpenMetricsExemplars;

namespace {

std::string At(double offset) { return anchor::FormatRfc3339(kSessionBatchCreated + offset); }

// Sessions (id, started after creation, run time) of a running batch created at
// kSessionBatchCreated.
std::shared_ptr<const FetchResult> Answer(
    const std::vector<std::tuple<std::string, double, double>>& sessions) {
  std::string list;
  for (const auto& [id, start, run] : sessions) {
    if (!list.empty()) list += ",";
    list += R"({"session_id": )" + id + R"(, "status": "completed", "started_at": ")" + At(start) +
            R"(", "completed_at": ")" + At(start + run) + R"("})";
  }
  auto result = std::make_shared<FetchResult>();
  result->batch =
      anchor::ParseBatchResponse(R"({"data": {"status": "processing", "created_at": ")" + At(0) +
                                 R"(", "sessions": [)" + list + "]}}")
          .value();
  return result;
}

ExpositionParts Parts(const std::vector<std::shared_ptr<const FetchResult>>& answers) {
  ExpositionParts parts;
  for (size_t i = 0; i < answers.size(); ++i) {
    parts.series.push_back(std::make_shared<const anchor::BatchAnswer>(
        anchor::BatchTarget{"b" + std::to_string(i + 1), {{"team", "growth"}}}, answers[i],
        anchor::SessionHistograms::kActive));
  }
  return parts;
}

std::vector<std::string> Lines(const std::string& text, const std::string& containing) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(containing) != std::string::npos) out.push_back(line);
  }
  return out;
}

// Sessions of b1: the slowest run in (5, 10] is "slow-7", in (60, 120] "slow-100", above every
// bound "stuck-5000"; the queue waits are 1, 2, 3, 40.
const std::vector<std::tuple<std::string, double, double>> kSessions = {
    {R"("quick-6")", 1, 6},
    {R"("slow-7")", 2, 7},
    {R"("slow-100")", 3, 100},
    {R"("stuck-5000")", 40, 5000}};

}  // namespace

TEST_CASE("each session histogram bucket carries its slowest session in OpenMetrics",
          "[unit][collect][exemplars][openmetrics]") {
  const auto parts = Parts({Answer(kSessions), Answer({{"null", 1, 8}, {R"("b2-only")", 1, 9}})});
  const std::string text = anchor::RenderUncached(parts, ExpositionFormat::kOpenMetrics100);
  std::string output;
  REQUIRE(StrictOpenMetricsExemplars(text, output) == 0);
  const std::string d = "anchorbrowser_batch_session_duration_seconds_bucket batch_id=";
  const std::string q = "anchorbrowser_batch_session_queue_seconds_bucket batch_id=";
  // A time `offset` s after the batch's creation, as the parser prints it.
  const auto t = [](int offset) {
    return std::to_string(static_cast<long long>(kSessionBatchCreated) + offset) + ".000\n";
  };
  CHECK(output == d + "b1,le=10.0,team=growth session_id=slow-7 7 " + t(9) +  //
                      d + "b1,le=120.0,team=growth session_id=slow-100 100 " + t(103) + d +
                      "b1,le=+Inf,team=growth session_id=stuck-5000 5000 " + t(5040) + d +
                      "b2,le=10.0,team=growth session_id=b2-only 9 " + t(10) + q +
                      "b1,le=1.0,team=growth session_id=quick-6 1 " + t(1) + q +
                      "b1,le=2.5,team=growth session_id=slow-7 2 " + t(2) + q +
                      "b1,le=5.0,team=growth session_id=slow-100 3 " + t(3) + q +
                      "b1,le=60.0,team=growth session_id=stuck-5000 40 " + t(40) + q +
                      "b2,le=1.0,team=growth session_id=b2-only 1 " + t(1));
  // A bucket line holding no session has none.
  for (const auto& line : Lines(text, "_bucket{")) {
    const bool empty = line.find("} 0") != std::string::npos;
    if (empty) CHECK(line.find(" # {") == std::string::npos);
  }
}

TEST_CASE("exemplars are OpenMetrics only: the text format is what it was",
          "[unit][collect][exemplars]") {
  const auto parts = Parts({Answer(kSessions)});
  const std::string text = anchor::RenderUncached(parts, ExpositionFormat::kText004);
  CHECK(text.find(" # {") == std::string::npos);
  CHECK(text == anchor::SerializeTextExposition(anchor::MergedFamilies(parts)));
  const std::string om = anchor::RenderUncached(parts, ExpositionFormat::kOpenMetrics100);
  CHECK(Lines(om, " # {session_id=").size() == 7);
}

TEST_CASE("the render cache gives the exemplars the uncached renderer gives",
          "[unit][collect][exemplars][render_cache]") {
  const auto answer = [](const std::string& id, std::shared_ptr<const FetchResult> result) {
    return std::make_shared<const anchor::BatchAnswer>(
        anchor::BatchTarget{id, {}}, std::move(result), anchor::SessionHistograms::kActive);
  };
  const auto b1 = answer("b1", Answer(kSessions));  // the same object every scrape: cached
  ExpositionParts parts;
  parts.series = {b1, answer("b2", Answer({{R"("other")", 2, 3}}))};
  anchor::RenderCache cache;
  for (int round = 0; round < 3; ++round) {
    for (const auto format : {ExpositionFormat::kOpenMetrics100, ExpositionFormat::kText004}) {
      CHECK(cache.Render(parts, format, false) == anchor::RenderUncached(parts, format));
    }
    // A new answer for b2, with another slowest session.
    parts.series = {b1, answer("b2", Answer({{R"("other")", 2, 3}, {R"("slower")", 2, 4.5}}))};
  }
  const std::string om = cache.Render(parts, ExpositionFormat::kOpenMetrics100, false);
  CHECK(om.find(R"(session_id="slower"} 4.5 )") != std::string::npos);
  CHECK(om.find(R"(session_id="other"} 3 )") == std::string::npos);
  CHECK(om.find(R"(session_id="stuck-5000"} 5000 )") != std::string::npos);
}
