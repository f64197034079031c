// gzip end to end: /metrics gzipped by the exporter at the fastest level for a scraper that
// asks for it, plain text for one that refuses it. AcceptsGzip and GzipFast are tested
// directly in exposition/test_http_compression.cpp.
#include <httplib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/gzip.h"

using anchor::test::Gunzip;

TEST_CASE("/metrics is gzipped once for a scraper that accepts gzip", "[gzip][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("b1", anchor::test::BatchJson("b1", "completed", 50));
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  config.batches.push_back({"b1", {}});
  anchor::test::ExporterHarness exporter(config);

  httplib::Client client("127.0.0.1", exporter.port());
  client.set_decompress(false);  // see the bytes on the wire
  const auto plain = client.Get("/metrics");
  REQUIRE(plain);
  CHECK(plain->get_header_value("Content-Encoding").empty());
  const auto gzipped = client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  REQUIRE(gzipped);
  CHECK(gzipped->status == 200);
  CHECK(gzipped->get_header_value("Content-Encoding") == "gzip");
  CHECK(gzipped->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  // Compressed by the exporter at the fastest level (gzip header XFL = 4), not by cpp-httplib at
  // its default level (XFL = 0).
  REQUIRE(gzipped->body.size() > 10);
  CHECK(static_cast<int>(gzipped->body[8]) == 4);
  const std::string text = Gunzip(gzipped->body);
  CHECK(text.find("anchorbrowser_batch_up{batch_id=\"b1\"} 1\n") != std::string::npos);
  // Same series as the plain answer (values such as durations may differ between scrapes).
  CHECK(std::count(text.begin(), text.end(), '\n') ==
        std::count(plain->body.begin(), plain->body.end(), '\n'));
}

TEST_CASE("an Accept-Encoding that refuses gzip (q=0, identity) gets plain text on every page",
          "[gzip][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("b1", anchor::test::BatchJson("b1", "completed", 50));
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  config.batches.push_back({"b1", {}});
  anchor::test::ExporterHarness exporter(config);

  httplib::Client client("127.0.0.1", exporter.port());
  client.set_decompress(false);
  for (const std::string path : {"/metrics", "/", "/-/healthy", "/no-such-page"}) {
    for (const std::string refusal : {"gzip;q=0", "identity", "gzip;q=0, identity", "*;q=0"}) {
      CAPTURE(path, refusal);
      const auto res = client.Get(path, {{"Accept-Encoding", refusal}});
      REQUIRE(res);
      CHECK(res->get_header_value("Content-Encoding").empty());
      CHECK_FALSE(res->body.empty());
      // Not gzip's magic bytes: the body itself is plain text.
      CHECK(res->body.rfind("\x1f\x8b", 0) == std::string::npos);
      CHECK(res->get_header_value_count("Content-Type") == 1);
    }
  }
  const auto star = client.Get("/metrics", {{"Accept-Encoding", "*"}});
  REQUIRE(star);
  CHECK(star->get_header_value("Content-Encoding") == "gzip");
}
