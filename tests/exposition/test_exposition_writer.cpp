// The building blocks shared by the text and OpenMetrics writers, called directly: numbers
// ("%.16g" values, canonical bucket bounds), escaping, sample heads, comments and buckets.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "exposition/exposition_writer.h"

namespace ex = anchor::exposition;
using prometheus::ClientMetric;
using prometheus::MetricFamily;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Value(double v) {
  std::string out;
  ex::AppendValue(out, v);
  return out;
}

std::string Canonical(double v) {
  std::string out;
  ex::AppendCanonicalNumber(out, v);
  return out;
}

std::string Escaped(const std::string& text, bool quote) {
  std::string out;
  ex::AppendEscaped(out, text, quote);
  return out;
}

MetricFamily Histogram(std::vector<prometheus::ClientMetric::Bucket> buckets) {
  MetricFamily f;
  f.name = "wait_seconds";
  f.type = prometheus::MetricType::Histogram;
  ClientMetric m;
  m.label = {{"batch_id", "b"}};
  m.histogram.sample_count = 9;
  m.histogram.bucket = std::move(buckets);
  f.metric.push_back(m);
  return f;
}

}  // namespace

TEST_CASE("AppendInteger writes decimal digits", "[unit][web][exposition]") {
  std::string out = "n=";
  ex::AppendInteger(out, 0);
  out += ',';
  ex::AppendInteger(out, std::numeric_limits<std::uint64_t>::max());
  CHECK(out == "n=0,18446744073709551615");
}

TEST_CASE("AppendValue writes what \"%.16g\" does, and NaN and infinities by name",
          "[unit][web][exposition]") {
  for (const double v :
       {0.0, 1.0, -1.0, 7.0, 0.1 + 0.2, 0.05, 2.5e-5, 1e-300, 123456.789, 999999999999999.0, 1e15,
        1e15 + 2, 1.5e300, -2.5, -0.0, static_cast<double>(std::int64_t{1} << 53)}) {
    char expected[40];
    std::snprintf(expected, sizeof(expected), "%.16g", v);
    INFO(expected);
    CHECK(Value(v) == expected);
  }
  CHECK(Value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(Value(kInf) == "+Inf");
  CHECK(Value(-kInf) == "-Inf");
}

TEST_CASE("AppendCanonicalNumber writes bounds as the official clients do",
          "[unit][web][exposition]") {
  CHECK(Canonical(10) == "10.0");
  CHECK(Canonical(1) == "1.0");
  CHECK(Canonical(999999) == "999999.0");
  CHECK(Canonical(1e6) == "1e+06");
  CHECK(Canonical(1.5e6) == "1.5e+06");
  CHECK(Canonical(2.5e6) == "2.5e+06");
  CHECK(Canonical(12345678) == "1.2345678e+07");
  CHECK(Canonical(0.25) == "0.25");
  CHECK(Canonical(0.001) == "0.001");
  CHECK(Canonical(123456.5) == "123456.5");
  CHECK(Canonical(1234567.5) == "1.2345675e+06");
  CHECK(Canonical(0.0001) == "0.0001");
  CHECK(Canonical(1e-5) == "1e-05");
  CHECK(Canonical(kInf) == "+Inf");
  CHECK(Canonical(-kInf) == "-Inf");
}

TEST_CASE("AppendCanonicalNumber writes exponents as Go's FormatFloat 'g' -1 does",
          "[unit][web][exposition]") {
  // From 1e6 to 1e15: at least two exponent digits, never a padded third one.
  CHECK(Canonical(1e6) == "1e+06");
  CHECK(Canonical(1e7) == "1e+07");
  CHECK(Canonical(1e8) == "1e+08");
  CHECK(Canonical(1e9) == "1e+09");
  CHECK(Canonical(1e10) == "1e+10");
  CHECK(Canonical(1e11) == "1e+11");
  CHECK(Canonical(1e12) == "1e+12");
  CHECK(Canonical(1e13) == "1e+13");
  CHECK(Canonical(1e14) == "1e+14");
  CHECK(Canonical(1e15) == "1e+15");
  CHECK(Canonical(2.5e10) == "2.5e+10");
  CHECK(Canonical(123456789012345.0) == "1.23456789012345e+14");
  CHECK(Canonical(1e16) == "1e+16");
  CHECK(Canonical(3e-7) == "3e-07");
}

TEST_CASE("AppendEscaped escapes backslashes, newlines and, in labels, quotes",
          "[unit][web][exposition]") {
  CHECK(Escaped("plain text", true) == "plain text");
  CHECK(Escaped("a\"b\\c\nd", false) == "a\"b\\\\c\\nd");
  CHECK(Escaped("a\"b\\c\nd", true) == "a\\\"b\\\\c\\nd");
  std::string out = "x=";
  ex::AppendEscaped(out, "\n", true);
  CHECK(out == "x=\\n");  // appends
}

TEST_CASE("AppendHead writes name, suffix, labels and a number label", "[unit][web][exposition]") {
  MetricFamily f;
  f.name = "up";
  ClientMetric bare;
  std::string out;
  ex::AppendHead(out, f, bare);
  CHECK(out == "up ");
  ClientMetric labelled;
  labelled.label = {{"batch_id", "b\"1"}, {"team", "x"}};
  out.clear();
  ex::AppendHead(out, f, labelled, "_count");
  CHECK(out == "up_count{batch_id=\"b\\\"1\",team=\"x\"} ");
  out.clear();
  ex::AppendHead(out, f, labelled, "_bucket", {"le", 10, true});
  CHECK(out == "up_bucket{batch_id=\"b\\\"1\",team=\"x\",le=\"10.0\"} ");
  out.clear();
  ex::AppendHead(out, f, bare, "", {"quantile", 0.5, false});
  CHECK(out == "up{quantile=\"0.5\"} ");
}

TEST_CASE("AppendComment writes one comment line", "[unit][web][exposition]") {
  std::string out;
  ex::AppendComment(out, "HELP", "wait_seconds", "_sum", "Time waited.");
  ex::AppendComment(out, "TYPE", "up", "", "gauge");
  CHECK(out == "# HELP wait_seconds_sum Time waited.\n# TYPE up gauge\n");
}

TEST_CASE("AppendBuckets adds +Inf when it is missing", "[unit][web][exposition]") {
  const auto without = Histogram({{2, 0.5}, {5, 10}});
  std::string out;
  ex::AppendBuckets(out, without, without.metric[0]);
  CHECK(out ==
        "wait_seconds_bucket{batch_id=\"b\",le=\"0.5\"} 2\n"
        "wait_seconds_bucket{batch_id=\"b\",le=\"10.0\"} 5\n"
        "wait_seconds_bucket{batch_id=\"b\",le=\"+Inf\"} 9\n");
  const auto with = Histogram({{2, 0.5}, {9, kInf}});
  out.clear();
  ex::AppendBuckets(out, with, with.metric[0]);
  CHECK(out ==
        "wait_seconds_bucket{batch_id=\"b\",le=\"0.5\"} 2\n"
        "wait_seconds_bucket{batch_id=\"b\",le=\"+Inf\"} 9\n");
}

TEST_CASE("EstimateSize grows with the series to write", "[unit][web][exposition]") {
  CHECK(ex::EstimateSize({}) == 0);
  auto one = Histogram({{2, 0.5}});
  auto two = one;
  two.metric.push_back(two.metric[0]);
  CHECK(ex::EstimateSize({one}) > 0);
  CHECK(ex::EstimateSize({two}) > ex::EstimateSize({one}));
}
