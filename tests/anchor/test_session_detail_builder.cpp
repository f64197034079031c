// The batch page's session tables: the bounded selection, and what the parse hands it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "anchor/session_detail_builder.h"

using anchor::SessionDetail;
using anchor::SessionDetailBuilder;

namespace {

std::string Id(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "s-%04d", i);
  return buf;
}

std::vector<std::string> RunningIds(const SessionDetail& d) {
  std::vector<std::string> out;
  for (const auto& r : d.longest_running) out.push_back(r.session_id);
  return out;
}

std::vector<std::string> RetriedIds(const SessionDetail& d) {
  std::vector<std::string> out;
  for (const auto& r : d.most_retried) out.push_back(r.session_id);
  return out;
}

}  // namespace

TEST_CASE("the ten earliest processing sessions are kept, whatever the order",
          "[unit][anchor][detail]") {
  std::vector<int> order(1000);
  for (int i = 0; i < 1000; ++i) order[i] = i;
  std::mt19937 rng(21);
  std::shuffle(order.begin(), order.end(), rng);
  SessionDetailBuilder builder;
  for (const int i : order) builder.AddRunning(Id(i), 1000.0 + i);
  SessionDetail d;
  builder.Finish(d);
  std::vector<std::string> want(10);
  for (int i = 0; i < 10; ++i) want[i] = Id(i);
  CHECK(RunningIds(d) == want);
  CHECK(d.longest_running.front().started_at == 1000.0);
  CHECK(d.longest_running.back().started_at == 1009.0);
  CHECK(d.most_retried.empty());
}

TEST_CASE("fewer sessions than rows are all kept, earliest first", "[unit][anchor][detail]") {
  SessionDetailBuilder builder;
  builder.AddRunning("c", 30);
  builder.AddRunning("a", 10);
  builder.AddRunning("b", 20);
  SessionDetail d;
  builder.Finish(d);
  CHECK(RunningIds(d) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("the most retried sessions: highest first, ties by id, none without retries",
          "[unit][anchor][detail]") {
  SessionDetailBuilder builder;
  builder.AddRetried("zero", 0);
  builder.AddRetried("negative", -3);
  for (int i = 30; i >= 0; --i) builder.AddRetried(Id(i), 1 + i % 4);  // 1..4, many ties
  SessionDetail d;
  builder.Finish(d);
  REQUIRE(d.most_retried.size() == 10);
  // retries 4: ids 3, 7, 11, ..., 27 (7 of them); then retries 3: 2, 6, 10.
  CHECK(RetriedIds(d) == std::vector<std::string>{Id(3), Id(7), Id(11), Id(15), Id(19), Id(23),
                                                  Id(27), Id(2), Id(6), Id(10)});
  CHECK(d.most_retried.front().retries == 4);
  CHECK(d.most_retried.back().retries == 3);
}

TEST_CASE("empty ids and ids over 64 bytes are skipped", "[unit][anchor][detail]") {
  SessionDetailBuilder builder;
  builder.AddRunning("", 1);
  builder.AddRunning(std::string(65, 'x'), 2);
  builder.AddRunning(std::string(64, 'y'), 3);
  builder.AddRetried(std::string(65, 'x'), 5);
  SessionDetail d;
  builder.Finish(d);
  CHECK(RunningIds(d) == std::vector<std::string>{std::string(64, 'y')});
  CHECK(d.most_retried.empty());
}

TEST_CASE("the parse fills the session tables from sessions[]", "[unit][anchor][detail]") {
  std::string body = R"({"data": {"batch_id": "b1", "status": "running",
    "created_at": "2030-01-01T00:00:00Z", "sessions": [)";
  for (int i = 0; i < 40; ++i) {
    char entry[256];
    std::snprintf(entry, sizeof(entry),
                  R"(%s{"session_id": "%s", "status": "%s", "retry_count": %d,
                  "started_at": "2030-01-01T00:%02d:00Z", "cdp_url": "wss://x"})",
                  i == 0 ? "" : ",", Id(i).c_str(), i % 2 == 0 ? "processing" : "failed", i % 7,
                  59 - i);
    body += entry;
  }
  body += R"(, {"session_id": 42, "status": "processing", "retry_count": 9,
             "started_at": "2029-01-01T00:00:00Z"}]}})";
  const auto r = anchor::ParseBatchResponse(body);
  REQUIRE(r.ok());
  REQUIRE(r->sessions);
  const auto& d = r->sessions->detail;
  // processing: the even ones; the latest index started first.
  CHECK(RunningIds(d) == std::vector<std::string>{Id(38), Id(36), Id(34), Id(32), Id(30), Id(28),
                                                  Id(26), Id(24), Id(22), Id(20)});
  REQUIRE(d.most_retried.size() == 10);
  CHECK(d.most_retried.front().session_id == Id(6));  // retry_count 6: 6, 13, 20, 27, 34
  CHECK(d.most_retried.front().retries == 6);
  CHECK(r->sessions->retries > 0);
}

TEST_CASE("the key is redacted from the session ids of the detail", "[unit][anchor][detail]") {
  SessionDetail d;
  d.top_errors = {{"auth failed for sk-123", 1}};
  d.longest_running = {{"run-sk-123", 5}};
  d.most_retried = {{"sk-123", 2}};
  anchor::RedactDetail(d, anchor::Secret("sk-123"));
  // Error messages were masked before they were normalised (SessionErrorTally).
  CHECK(d.top_errors[0].message == "auth failed for sk-123");
  CHECK(d.longest_running[0].session_id == "run-<redacted>");
  CHECK(d.most_retried[0].session_id == "<redacted>");
}
