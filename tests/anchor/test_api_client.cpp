// ApiClient (src/anchor/api_client.cpp) against the scripted fake API on loopback: every kind of
// answer maps to its FetchError and a detail fit for a log line, which never holds the key.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "anchor/api_client.h"
#include "anchor/retry_after.h"
#include "demo/simulated_api.h"
#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/session_bodies.h"

namespace {

using anchor::ApiClient;
using anchor::FakeAnchorApi;
using anchor::FetchError;
using anchor::FetchResult;
using Clock = std::chrono::steady_clock;

const char* const kKey = "sk-unit-test-key-0123456789";

struct ClientAndApi {
  ClientAndApi() : api(FakeAnchorApi::Options{kKey, "", "", 8}) {
    REQUIRE(api.Start());
    config = anchor::test::TestConfig(api.base_url(), kKey).anchor;
  }
  FetchResult Fetch(const std::string& id,
                    std::chrono::milliseconds budget = std::chrono::seconds(5)) {
    ApiClient client(config);
    return client.FetchBatch(id, Clock::now() + budget);
  }
  void Answer(const std::string& id, int status, std::string body,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    FakeAnchorApi::Answer answer;
    answer.status = status;
    answer.body = std::move(body);
    answer.headers = std::move(headers);
    api.SetAnswer(id, std::move(answer));
  }

  FakeAnchorApi api;
  anchor::AnchorConfig config;
};

void CheckNoKey(const FetchResult& r) {
  CHECK(r.detail.find(kKey) == std::string::npos);
  CHECK(r.detail.find("sk-unit") == std::string::npos);
}

}  // namespace

TEST_CASE("a 200 with a batch body is a batch", "[unit][anchor][api_client]") {
  ClientAndApi t;
  t.api.SetBatchJson("b1", anchor::test::BatchJson("b1", "processing", 4));
  const FetchResult r = t.Fetch("b1");
  REQUIRE(r.ok());
  CHECK(r.error == FetchError::kNone);
  CHECK(r.http_status == 200);
  CHECK(r.detail.empty());
  CHECK(r.batch->batch_id == "b1");
  CHECK(r.batch->status == "processing");
  CHECK(r.body_bytes > 0);
}

TEST_CASE("HTTP statuses map to their fault with the API's message", "[unit][anchor][api_client]") {
  ClientAndApi t;
  struct Case {
    int status;
    FetchError error;
    std::string detail;
  };
  for (const Case& c :
       {Case{404, FetchError::kNotFound, "HTTP 404: Batch not found"},
        Case{403, FetchError::kUnauthorized,
             "HTTP 403: Forbidden (the API rejected the key from environment variable "
             "ANCHORBROWSER_API_KEY)"},
        Case{429, FetchError::kRateLimited, "HTTP 429: Too many requests"},
        Case{500, FetchError::kServerError, "HTTP 500: Internal error"},
        Case{503, FetchError::kServerError, "HTTP 503: Unavailable"},
        Case{400, FetchError::kClientError, "HTTP 400: Bad request"}}) {
    INFO(c.status);
    const std::string message = c.detail.substr(c.detail.find(": ") + 2);
    t.Answer("b1", c.status,
             anchor::ApiErrorBody(c.status, message.substr(0, message.find(" (the API"))));
    const FetchResult r = t.Fetch("b1");
    CHECK_FALSE(r.ok());
    CHECK(r.error == c.error);
    CHECK(r.http_status == c.status);
    CHECK(r.detail == c.detail);
    CheckNoKey(r);
  }
}

TEST_CASE("a rejected key is unauthorized, naming where the key came from, never the key",
          "[unit][anchor][api_client][secrets]") {
  ClientAndApi t;
  t.api.SetBatchJson("b1", anchor::test::BatchJson("b1", "processing", 1));
  anchor::AnchorConfig wrong = t.config;
  wrong.api_key = anchor::Secret("sk-wrong-key-9876543210");
  wrong.api_key_file = "/run/secrets/anchor";
  ApiClient client(wrong);
  const FetchResult r = client.FetchBatch("b1", Clock::now() + std::chrono::seconds(5));
  CHECK(r.error == FetchError::kUnauthorized);
  CHECK(r.http_status == 401);
  CHECK(r.detail ==
        "HTTP 401: Invalid API Key (the API rejected the key from file /run/secrets/anchor)");
  CHECK(r.detail.find("sk-wrong") == std::string::npos);
  CHECK(t.api.RejectedKeyCount() == 1);
}

TEST_CASE("an API message that quotes the key is masked", "[unit][anchor][api_client][secrets]") {
  ClientAndApi t;
  t.Answer("b1", 400, anchor::ApiErrorBody(400, std::string("bad key ") + kKey));
  const FetchResult r = t.Fetch("b1");
  CHECK(r.error == FetchError::kClientError);
  CHECK(r.detail == "HTTP 400: bad key <redacted>");
  CheckNoKey(r);
}

TEST_CASE("session error texts that quote the key show no piece of it",
          "[unit][anchor][api_client][secrets]") {
  ClientAndApi t;
  const std::string key = kKey;
  std::string sessions;
  // The key around the 200-byte cut of a normalised message, and where numbers would be
  // collapsed ("...-0123456789" becomes "...-<n>" when normalised first).
  for (std::size_t offset = 180; offset < 200; offset += 3) {
    sessions += anchor::test::SessionJson(
                    "failed", 1, 10, "\"" + std::string(offset, 'q') + " " + key + " refused\"") +
                ",";
  }
  sessions += anchor::test::SessionJson("failed", 1, 10, "\"timed out, key " + key + "\"");
  t.api.SetBatchJson("b1", anchor::test::SessionBatchBody("failed", sessions));
  const FetchResult r = t.Fetch("b1");
  REQUIRE(r.ok());
  REQUIRE(r.batch->sessions);
  const auto& top = r.batch->sessions->detail.top_errors;
  REQUIRE(top.size() == 8);
  for (const auto& row : top) {
    INFO(row.message);
    for (std::size_t i = 0; i + 8 <= key.size(); ++i) {
      CHECK(row.message.find(key.substr(i, 8)) == std::string::npos);
    }
  }
  CHECK(r.batch->sessions->errors_by_class ==
        std::vector<std::pair<std::string, std::int64_t>>{{"timeout", 1}, {"other", 7}});
}

TEST_CASE("429 carries Retry-After", "[unit][anchor][api_client]") {
  ClientAndApi t;
  t.Answer("b1", 429, anchor::ApiErrorBody(429, "slow down"), {{"Retry-After", "30"}});
  const FetchResult r = t.Fetch("b1");
  CHECK(r.error == FetchError::kRateLimited);
  REQUIRE(r.retry_after.has_value());
  // A wait, not a date: the fetcher anchors it on its own clock.
  CHECK(*r.retry_after == std::chrono::seconds(30));
}

TEST_CASE("HTML and truncated bodies are invalid responses or server errors",
          "[unit][anchor][api_client]") {
  ClientAndApi t;
  const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";

  t.Answer("b1", 502, html);
  FetchResult r = t.Fetch("b1");
  CHECK(r.error == FetchError::kServerError);
  CHECK(r.detail == "HTTP 502");  // no API message in an HTML page

  t.Answer("b1", 200, html);
  r = t.Fetch("b1");
  CHECK(r.error == FetchError::kInvalidResponse);
  CHECK(r.http_status == 200);
  CHECK(r.detail.find("not valid JSON") != std::string::npos);

  const std::string full = anchor::test::BatchJson("b1", "processing", 3);
  t.Answer("b1", 200, full.substr(0, full.size() / 2));
  r = t.Fetch("b1");
  CHECK(r.error == FetchError::kInvalidResponse);
  CHECK(r.detail.find("not valid JSON") != std::string::npos);
  CheckNoKey(r);
}

TEST_CASE("a body over max_response_bytes is abandoned as too large",
          "[unit][anchor][api_client]") {
  ClientAndApi t;
  t.api.SetBatchJson("b1", anchor::test::BatchJson("b1", "processing", 50));
  t.config.max_response_bytes = 256;
  const FetchResult r = t.Fetch("b1");
  CHECK(r.error == FetchError::kTooLarge);
  CHECK(r.detail == "response body larger than anchor.max_response_bytes (256)");
}

TEST_CASE("no answer by the deadline is a timeout", "[unit][anchor][api_client]") {
  ClientAndApi t;
  FakeAnchorApi::Answer slow;
  slow.never_answer = true;
  t.api.SetAnswer("b1", slow);
  const FetchResult r = t.Fetch("b1", std::chrono::milliseconds(200));
  CHECK(r.error == FetchError::kTimeout);
  CHECK(r.detail == "no answer before the deadline");
  t.api.Stop();  // releases the held request
}

TEST_CASE("a refused connection says so", "[unit][anchor][api_client]") {
  ClientAndApi t;
  const int port = t.api.port();
  t.api.Stop();
  const FetchResult r = t.Fetch("b1");
  CHECK(r.error == FetchError::kConnection);
  CHECK(r.http_status == 0);
  CHECK(r.detail == "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("the list call parses a page or says why not", "[unit][anchor][api_client][list]") {
  ClientAndApi t;
  t.api.SetListedBatches({{"l1", "processing", 0}, {"l2", "pending", 0}});
  ApiClient client(t.config);
  anchor::BatchListQuery query;
  auto listed = client.ListBatches(query, Clock::now() + std::chrono::seconds(5));
  REQUIRE(listed.ok());
  CHECK(listed.http_status == 200);
  CHECK(listed.page->batch_ids.size() == 2);

  FakeAnchorApi::Answer html;
  html.body = "<html>maintenance</html>";
  t.api.SetListAnswer(html);
  listed = client.ListBatches(query, Clock::now() + std::chrono::seconds(5));
  CHECK_FALSE(listed.ok());
  CHECK(listed.error == FetchError::kInvalidResponse);
  CHECK(listed.detail.rfind("body is not valid JSON (", 0) == 0);

  FakeAnchorApi::Answer unavailable;
  unavailable.status = 503;
  unavailable.body = anchor::ApiErrorBody(503, std::string("down, key ") + kKey);
  t.api.SetListAnswer(unavailable);
  listed = client.ListBatches(query, Clock::now() + std::chrono::seconds(5));
  CHECK(listed.error == FetchError::kServerError);
  CHECK(listed.detail == "HTTP 503: down, key <redacted>");
}

TEST_CASE("Retry-After takes seconds or an HTTP date", "[unit][anchor][ratelimit]") {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);
  CHECK(anchor::ParseRetryAfter("30", now) == std::chrono::seconds(30));
  // A date is a wait from `now` (negative when past).
  CHECK(now + *anchor::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now) ==
        std::chrono::system_clock::from_time_t(1445412480));
  CHECK(anchor::ParseRetryAfter("Tue, 14 Nov 2023 22:14:00 GMT", now) == std::chrono::seconds(40));
  CHECK_FALSE(anchor::ParseRetryAfter("soon", now).has_value());
  CHECK_FALSE(anchor::ParseRetryAfter("-5", now).has_value());
}

// Found by reading ParseRetryAfter, confirmed by fuzz/fuzz_timestamp under UBSan: a date after
// 2262 or before 1970 overflowed system_clock's nanoseconds in from_time_t.
TEST_CASE("Retry-After dates far from now do not overflow the clock", "[unit][anchor][ratelimit]") {
  using std::chrono::system_clock;
  const auto now = system_clock::from_time_t(1700000000);
  const auto late = anchor::ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now);
  REQUIRE(late);
  CHECK(now + *late > now + std::chrono::hours(24 * 365 * 200));
  const auto early = anchor::ParseRetryAfter("Sat, 01 Jan 0000 00:00:00 GMT", now);
  REQUIRE(early);
  CHECK(now + *early == system_clock::from_time_t(0));
}
