// The simulated Anchor API (src/demo/simulated_api.h): the list endpoint's query, filters and
// pages, and batches that appear, finish and start over as its clock says.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "anchor/timestamp.h"
#include "demo/simulated_api.h"

using anchor::ListedBatch;
using anchor::ListQuery;
using anchor::ListQueryFromParams;
using anchor::RenderBatchList;
using std::chrono::seconds;

namespace {

constexpr double kNow = 1795860000;  // 2026-11-28T10:00:00Z

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

// The ids on one page of RenderBatchList, and its pagination object.
struct Page {
  std::vector<std::string> ids;
  int current = 0, total_pages = 0, total_records = 0;
  bool has_next = false, has_prev = false;
};

Page ListPage(const std::vector<ListedBatch>& batches, const ListQuery& query) {
  const auto doc = Json(RenderBatchList(batches, query));
  Page page;
  for (const auto& b : doc["data"]["batches"].GetArray())
    page.ids.emplace_back(b["batch_id"].GetString());
  const auto& p = doc["data"]["pagination"];
  page.current = p["current_page"].GetInt();
  page.total_pages = p["total_pages"].GetInt();
  page.total_records = p["total_records"].GetInt();
  page.has_next = p["has_next"].GetBool();
  page.has_prev = p["has_prev"].GetBool();
  return page;
}

std::vector<ListedBatch> FiveBatches() {
  return {{"b1", "pending", kNow - 50},
          {"b2", "processing", kNow - 40},
          {"b3", "completed", kNow - 30},
          {"b4", "processing", kNow - 20},
          {"b5", "processing", kNow - 10}};
}

anchor::SimulatedBatchSpec Spec(const std::string& id, int started_ago, bool loop_pause = false) {
  anchor::SimulatedBatchSpec spec;
  spec.id = id;
  spec.sessions = 10;
  spec.duration = seconds(100);
  spec.failure_rate = 0;
  spec.started_ago = seconds(started_ago);
  spec.pause = seconds(loop_pause ? 50 : 60);
  return spec;
}

}  // namespace

TEST_CASE("the list query takes the documented parameters and clamps them", "[unit][demo]") {
  const auto defaults = ListQueryFromParams({});
  CHECK(defaults.status.empty());
  CHECK(defaults.created_after == 0);
  CHECK(defaults.page == 1);
  CHECK(defaults.limit == 20);

  const auto q = ListQueryFromParams({{"status", "processing"},
                                      {"created_after", "2026-11-28T10:00:00Z"},
                                      {"page", "3"},
                                      {"limit", "7"}});
  CHECK(q.status == "processing");
  CHECK(q.created_after == kNow);
  CHECK(q.page == 3);
  CHECK(q.limit == 7);

  CHECK(ListQueryFromParams({{"page", "0"}}).page == 1);
  CHECK(ListQueryFromParams({{"page", "-4"}}).page == 1);
  CHECK(ListQueryFromParams({{"limit", "0"}}).limit == 1);
  CHECK(ListQueryFromParams({{"limit", "1000"}}).limit == 100);
  CHECK(ListQueryFromParams({{"created_after", "yesterday"}}).created_after == 0);
}

TEST_CASE("the list endpoint pages its batches", "[unit][demo]") {
  ListQuery query;
  query.limit = 2;
  const auto first = ListPage(FiveBatches(), query);
  CHECK(first.ids == std::vector<std::string>{"b1", "b2"});
  CHECK(first.current == 1);
  CHECK(first.total_pages == 3);
  CHECK(first.total_records == 5);
  CHECK(first.has_next);
  CHECK_FALSE(first.has_prev);

  query.page = 2;
  const auto second = ListPage(FiveBatches(), query);
  CHECK(second.ids == std::vector<std::string>{"b3", "b4"});
  CHECK(second.has_next);
  CHECK(second.has_prev);

  query.page = 3;
  const auto last = ListPage(FiveBatches(), query);
  CHECK(last.ids == std::vector<std::string>{"b5"});
  CHECK_FALSE(last.has_next);
  CHECK(last.has_prev);

  query.page = 9;  // beyond the last page: empty, still counted
  const auto beyond = ListPage(FiveBatches(), query);
  CHECK(beyond.ids.empty());
  CHECK(beyond.total_records == 5);
  CHECK_FALSE(beyond.has_next);

  const auto none = ListPage({}, ListQuery{});
  CHECK(none.ids.empty());
  CHECK(none.total_pages == 0);
  CHECK(none.total_records == 0);
  CHECK_FALSE(none.has_next);
}

TEST_CASE("the list endpoint filters by status and creation time before paging", "[unit][demo]") {
  ListQuery query;
  query.status = "processing";
  query.limit = 2;
  const auto processing = ListPage(FiveBatches(), query);
  CHECK(processing.ids == std::vector<std::string>{"b2", "b4"});
  CHECK(processing.total_records == 3);
  CHECK(processing.total_pages == 2);

  ListQuery recent;
  recent.created_after = kNow - 30;  // b3 was created exactly then: included
  CHECK(ListPage(FiveBatches(), recent).ids == std::vector<std::string>{"b3", "b4", "b5"});

  // The listed creation time is the batch's, as RFC 3339.
  const auto doc = Json(RenderBatchList(FiveBatches(), recent));
  CHECK(std::string(doc["data"]["batches"][0]["created_at"].GetString()) ==
        anchor::FormatRfc3339(kNow - 30));
  CHECK(std::string(doc["data"]["batches"][0]["status"].GetString()) == "completed");
}

TEST_CASE("the API's error body", "[unit][demo]") {
  const auto doc = Json(anchor::ApiErrorBody(404, "Batch not found"));
  CHECK(doc["error"]["code"].GetInt() == 404);
  CHECK(std::string(doc["error"]["message"].GetString()) == "Batch not found");
}

TEST_CASE("simulated batches follow the API's clock", "[unit][demo]") {
  double now = kNow;
  anchor::SimulatedApi api([&now] { return now; });
  api.Add(Spec("sim-old", 30), /*loop=*/false);
  api.Add(Spec("sim-late", -20), /*loop=*/false);  // created 20 s from now

  CHECK_FALSE(api.BatchBody("sim-unknown"));
  CHECK_FALSE(api.BatchBody("sim-late"));  // not created yet
  REQUIRE(api.BatchBody("sim-old"));
  auto listed = api.Listed();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == "sim-old");
  CHECK(listed[0].created_at == kNow - 30);
  CHECK(listed[0].status == "processing");  // 30 s into 100 s
  CHECK(*api.BatchBody("sim-old") ==
        anchor::RenderSimulatedBatch(Spec("sim-old", 30), kNow - 30, 30));

  now += 20;
  REQUIRE(api.BatchBody("sim-late"));
  listed = api.Listed();  // by id
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].id == "sim-late");
  CHECK(listed[0].status == "pending");
  CHECK(listed[0].created_at == kNow + 20);

  now += 1000;  // long after both ended: without a loop they stay finished
  for (const auto& b : api.Listed()) CHECK(b.status == "completed");
  CHECK(*api.BatchBody("sim-old") ==
        anchor::RenderSimulatedBatch(Spec("sim-old", 30), kNow - 30, 1050));

  api.Remove("sim-old");
  CHECK_FALSE(api.BatchBody("sim-old"));
  CHECK(api.Listed().size() == 1);
}

TEST_CASE("a looping simulated batch starts over after its pause", "[unit][demo]") {
  double now = kNow;
  anchor::SimulatedApi api([&now] { return now; });
  const auto spec = Spec("sim-loop", 0, /*loop_pause=*/true);  // 100 s run + 50 s pause
  api.Add(spec, /*loop=*/true);
  now += 120;  // finished, pausing
  CHECK(*api.BatchBody("sim-loop") == anchor::RenderSimulatedBatch(spec, kNow, 120));
  now += 40;  // 160 s: 10 s into the second cycle, created again at 150 s
  CHECK(*api.BatchBody("sim-loop") == anchor::RenderSimulatedBatch(spec, kNow + 150, 10));
  now += 2 * 150;  // two cycles later: 10 s into the fourth
  CHECK(*api.BatchBody("sim-loop") == anchor::RenderSimulatedBatch(spec, kNow + 450, 10));
}
