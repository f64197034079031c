#include <catch2/catch.hpp>

#include "log/logger.h"

using anchor::FormatLogLine;
using anchor::LogFormat;
using anchor::LogLevel;

TEST_CASE("logfmt lines carry ts and level and msg and quoted fields", "[unit][log]") {
  const auto line =
      FormatLogLine(LogFormat::kLogfmt, "2026-01-01T00:00:00.000Z", LogLevel::kWarn,
                    "batch fetch failed", {{"batch_id", "b-1"}, {"detail", "HTTP 500"}});
  CHECK(
      line ==
      R"(ts=2026-01-01T00:00:00.000Z level=warn msg="batch fetch failed" batch_id=b-1 detail="HTTP 500")");
}

TEST_CASE("json lines escape their values", "[unit][log]") {
  const auto line =
      FormatLogLine(LogFormat::kJson, "t", LogLevel::kInfo, "say \"hi\"\n", {{"k", "a\\b"}});
  CHECK(line == R"({"ts":"t","level":"info","msg":"say \"hi\"\n","k":"a\\b"})");
}

TEST_CASE("log levels and formats parse from flag values", "[unit][log]") {
  CHECK(anchor::Logger::ParseLevel("debug") == LogLevel::kDebug);
  CHECK(anchor::Logger::ParseLevel("warn") == LogLevel::kWarn);
  CHECK_FALSE(anchor::Logger::ParseLevel("verbose").has_value());
  CHECK(anchor::Logger::ParseFormat("json") == LogFormat::kJson);
  CHECK_FALSE(anchor::Logger::ParseFormat("xml").has_value());
}

TEST_CASE("json lines keep numbers and booleans as JSON numbers and booleans", "[unit][log]") {
  const auto line = FormatLogLine(LogFormat::kJson, "t", LogLevel::kInfo, "m",
                                  {{"status", 404},
                                   {"bytes", std::size_t{1234}},
                                   {"duration_seconds", 0.25},
                                   {"cache_hit", false},
                                   {"id", "42"}});
  CHECK(
      line ==
      R"({"ts":"t","level":"info","msg":"m","status":404,"bytes":1234,"duration_seconds":0.25,"cache_hit":false,"id":"42"})");
  const auto logfmt = FormatLogLine(LogFormat::kLogfmt, "t", LogLevel::kInfo, "m",
                                    {{"status", 404}, {"duration_seconds", 0.25}, {"ok", true}});
  CHECK(logfmt == "ts=t level=info msg=m status=404 duration_seconds=0.25 ok=true");
}
