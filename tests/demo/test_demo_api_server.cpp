// The demo's API server (src/demo/demo_api_server.h): the simulated batches over HTTP on
// 127.0.0.1, with the API's key check, 401 and 404.
#include <httplib.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "demo/demo_api_server.h"

using std::chrono::seconds;

namespace {

constexpr double kNow = 1795860000;  // 2026-11-28T10:00:00Z

httplib::Result Get(const anchor::DemoApiServer& api, const std::string& path,
                    const std::string& key = anchor::kDemoApiKey) {
  httplib::Client client(api.base_url());
  client.set_read_timeout(seconds(10));
  return client.Get(path, {{"anchor-api-key", key}});
}

}  // namespace

TEST_CASE("the demo API serves its simulated batches on loopback", "[unit][demo]") {
  anchor::DemoApiServer api([] { return kNow; });
  anchor::SimulatedBatchSpec spec;
  spec.id = "demo-unit";
  spec.sessions = 5;
  spec.started_ago = seconds(10);
  api.simulated().Add(spec, /*loop=*/false);
  REQUIRE(api.Start());
  CHECK(api.base_url().rfind("http://127.0.0.1:", 0) == 0);

  const auto batch = Get(api, "/v1/batch-sessions/demo-unit");
  REQUIRE(batch);
  CHECK(batch->status == 200);
  CHECK(batch->get_header_value("Content-Type") == "application/json");
  CHECK(batch->body == anchor::RenderSimulatedBatch(spec, kNow - 10, 10));

  const auto list = Get(api, "/v1/batch-sessions?status=pending");
  REQUIRE(list);
  CHECK(list->status == 200);
  rapidjson::Document doc;
  doc.Parse(list->body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc["data"]["batches"].Size() == 1);
  CHECK(std::string(doc["data"]["batches"][0]["batch_id"].GetString()) == "demo-unit");
  CHECK(Get(api, "/v1/batch-sessions?status=completed")->body.find("demo-unit") ==
        std::string::npos);

  const auto missing = Get(api, "/v1/batch-sessions/demo-nowhere");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body == anchor::ApiErrorBody(404, "Batch not found"));

  for (const char* path : {"/v1/batch-sessions/demo-unit", "/v1/batch-sessions"}) {
    INFO(path);
    const auto refused = Get(api, path, "wrong-key");
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(refused->body == anchor::ApiErrorBody(401, "Invalid API Key"));
  }
  api.Stop();
  CHECK_FALSE(Get(api, "/v1/batch-sessions/demo-unit"));  // stopped: nothing answers
}
