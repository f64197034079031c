// Exemplars in the OpenMetrics writer (exposition/exemplar.h): their text, the 128-character
// bound, escaping, and the strict parser of python3-prometheus-client reading them back.
#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <vector>

#include "exposition/exposition_writer.h"
#include "exposition/gauge_histogram.h"
#include "exposition/openmetrics_exposition.h"
#include "exposition/text_exposition.h"
#include "support/exposition.h"

using anchor::BucketExemplars;
using anchor::Exemplar;
using anchor::FamilyExemplars;
using anchor::exposition::AppendExemplar;
using anchor::test::StrictOpenMetricsExemplars;
using prometheus::MetricFamily;

namespace {

std::string ExemplarText(const Exemplar& e) {
  std::string out;
  AppendExemplar(out, e);
  return out;
}

// A gauge histogram of one series with buckets 1 and 10, +Inf left to the writer.
MetricFamily Histogram() {
  MetricFamily f;
  f.name = "job_seconds";
  f.help = "Run time.";
  f.type = anchor::kGaugeHistogram;
  prometheus::ClientMetric m;
  m.label = {{"batch_id", "b1"}};
  m.histogram.sample_count = 4;
  m.histogram.sample_sum = 120.5;
  m.histogram.bucket = {{1, 1.0}, {2, 10.0}};
  f.metric.push_back(m);
  m.label = {{"batch_id", "b2"}};
  f.metric.push_back(m);
  return f;
}

}  // namespace

TEST_CASE("an exemplar is its label, its value and its timestamp in seconds",
          "[unit][exposition][exemplars]") {
  CHECK(ExemplarText({{"session_id", "s-1"}, 7.25, 1795860011.5}) ==
        R"( # {session_id="s-1"} 7.25 1795860011.500)");
  CHECK(ExemplarText({{"session_id", "s-1"}, 30, 1795860011}) ==
        R"( # {session_id="s-1"} 30 1795860011)");
  // Millisecond precision, as sample timestamps.
  CHECK(ExemplarText({{"session_id", "s"}, 0.5, 1795860011.0123}) ==
        R"( # {session_id="s"} 0.5 1795860011.012)");
  // No timestamp when it is not a number.
  CHECK(ExemplarText({{"session_id", "s"}, 1, std::numeric_limits<double>::quiet_NaN()}) ==
        R"( # {session_id="s"} 1)");
  CHECK(ExemplarText({{"id", "a\"b\\c\nd"}, 1, 2}) == R"( # {id="a\"b\\c\nd"} 1 2)");
}

TEST_CASE("an exemplar whose label exceeds 128 characters is left out",
          "[unit][exposition][exemplars]") {
  CHECK_FALSE(ExemplarText({{"session_id", std::string(118, 'a')}, 1, 2}).empty());
  CHECK(ExemplarText({{"session_id", std::string(119, 'a')}, 1, 2}).empty());
  // Characters, not bytes: 118 two-byte characters fit.
  std::string wide;
  for (int i = 0; i < 118; ++i) wide += "\xc3\xa9";
  CHECK_FALSE(ExemplarText({{"session_id", wide}, 1, 2}).empty());
  CHECK(ExemplarText({{"session_id", wide + "\xc3\xa9"}, 1, 2}).empty());
  CHECK(ExemplarText({{"", "x"}, 1, 2}).empty());
}

TEST_CASE("bucket exemplars pass the strict OpenMetrics parser, +Inf included",
          "[unit][exposition][exemplars][openmetrics]") {
  const std::vector<MetricFamily> families = {Histogram()};
  FamilyExemplars exemplars;
  BucketExemplars first(3);
  first[0] = Exemplar{{"session_id", "fast-one"}, 0.75, 1795860001.25};
  first[2] = Exemplar{{"session_id", "slowest"}, 100.5, 1795860100};  // +Inf, added by the writer
  exemplars.metrics = {first};                                        // the second series has none
  const std::string text = anchor::SerializeOpenMetrics(families, {exemplars});
  CHECK(text.find(R"(job_seconds_bucket{batch_id="b1",le="1.0"} 1 # {session_id="fast-one"} )"
                  "0.75 1795860001.250\n") != std::string::npos);
  CHECK(text.find(R"(job_seconds_bucket{batch_id="b1",le="10.0"} 2)"
                  "\n") != std::string::npos);
  std::string output;
  REQUIRE(StrictOpenMetricsExemplars(text, output) == 0);
  CHECK(output ==
        "job_seconds_bucket batch_id=b1,le=1.0 session_id=fast-one 0.75 1795860001.250\n"
        "job_seconds_bucket batch_id=b1,le=+Inf session_id=slowest 100.5 1795860100.000\n");
  // Without exemplars the writer's text is what it was.
  CHECK(anchor::SerializeOpenMetrics(families) ==
        anchor::SerializeOpenMetrics(families, {FamilyExemplars{}}));
  CHECK(anchor::SerializeOpenMetrics(families).find(" # {") == std::string::npos);
}
