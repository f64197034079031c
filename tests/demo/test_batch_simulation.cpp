// The demo's batch simulation (src/demo/batch_simulation.h): given a spec and a time, the same
// answer every time, moving forward as the time does.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>

#include "anchor/timestamp.h"
#include "demo/batch_simulation.h"
#include "demo/session_errors.h"

using anchor::RenderSimulatedBatch;
using anchor::SimulatedBatchSpec;
using anchor::SimulatedStatus;
using std::chrono::seconds;

namespace {

constexpr double kCreated = 1795860000;  // 2026-11-28T10:00:00Z

rapidjson::Document Render(const SimulatedBatchSpec& spec, double elapsed) {
  rapidjson::Document doc;
  doc.Parse(RenderSimulatedBatch(spec, kCreated, elapsed).c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.HasMember("data"));
  return doc;
}

int Int(const rapidjson::Document& doc, const char* key) { return doc["data"][key].GetInt(); }

std::string Text(const rapidjson::Document& doc, const char* key) {
  return doc["data"][key].IsString() ? doc["data"][key].GetString() : "(null)";
}

SimulatedBatchSpec Spec(const std::string& id, double failure_rate = 0.1) {
  SimulatedBatchSpec spec;
  spec.id = id;
  spec.sessions = 40;
  spec.duration = seconds(200);
  spec.failure_rate = failure_rate;
  return spec;
}

}  // namespace

TEST_CASE("the same spec and time give the same body", "[unit][demo]") {
  const auto spec = Spec("sim-same");
  for (const double t : {0.0, 37.5, 150.0, 400.0}) {
    INFO(t);
    CHECK(RenderSimulatedBatch(spec, kCreated, t) == RenderSimulatedBatch(spec, kCreated, t));
  }
}

TEST_CASE("a simulated batch goes from pending to finished as time passes", "[unit][demo]") {
  const auto spec = Spec("sim-progress");
  const auto start = Render(spec, 0);
  CHECK(Text(start, "status") == "pending");
  CHECK(Int(start, "pending_requests") == 40);
  CHECK(Int(start, "completed_requests") + Int(start, "failed_requests") == 0);
  CHECK(start["data"]["progress"]["percentage"].GetDouble() == 0);
  CHECK(std::string(start["data"]["progress"]["current_phase"].GetString()) == "queued");
  CHECK(start["data"]["actual_completion_time"].IsNull());
  CHECK(Text(start, "created_at") == anchor::FormatRfc3339(kCreated));

  // Phases by share of the duration: queued < 5 %, provisioning < 10 %, configuring < 20 %.
  const auto phase = [&spec](double t) {
    return std::string(Render(spec, t)["data"]["progress"]["current_phase"].GetString());
  };
  CHECK(phase(9.9) == "queued");
  CHECK(phase(10) == "provisioning");
  CHECK(phase(19.9) == "provisioning");
  CHECK(phase(20) == "configuring");
  CHECK(phase(39.9) == "configuring");
  CHECK(phase(40) == "ready");
  CHECK(phase(500) == "ready");

  // Progress never goes back, and the counts always add up to the total.
  double last = -1;
  for (double t = 0; t <= 200; t += 10) {
    INFO(t);
    const auto doc = Render(spec, t);
    const double pct = doc["data"]["progress"]["percentage"].GetDouble();
    CHECK(pct >= last);
    last = pct;
    CHECK(Int(doc, "total_requests") == 40);
    CHECK(Int(doc, "completed_requests") + Int(doc, "failed_requests") +
              Int(doc, "processing_requests") + Int(doc, "pending_requests") ==
          40);
    CHECK(doc["data"]["sessions"].Size() == 40);
    CHECK(Text(doc, "status") == SimulatedStatus(spec, t));  // the list agrees with the body
  }
  CHECK(Text(Render(spec, 100), "status") == "processing");

  // At the end of its duration every session has ended.
  const auto done = Render(spec, 200);
  CHECK(Text(done, "status") == "completed");
  CHECK(done["data"]["progress"]["percentage"].GetDouble() == 100);
  CHECK(Int(done, "completed_requests") + Int(done, "failed_requests") == 40);
  const auto completion = anchor::ParseRfc3339(Text(done, "actual_completion_time"));
  REQUIRE(completion);
  CHECK(*completion > kCreated);
  CHECK(*completion <= kCreated + 200);
  CHECK(done["data"]["error"].IsNull());
  // Failed sessions carry an error (the simulated text of their session) and, like every
  // failed one, retried.
  int i = 0;
  for (const auto& s : done["data"]["sessions"].GetArray()) {
    if (std::string(s["status"].GetString()) == "failed") {
      CHECK(std::string(s["error"].GetString()) ==
            anchor::SimulateSessionError(spec.id, i, spec.failure).text);
      CHECK(s["retry_count"].GetInt() == 3);
    } else {
      CHECK(s["error"].IsNull());
    }
    ++i;
  }
}

TEST_CASE("every simulated session has an id, retries and times for exemplars and the page",
          "[unit][demo]") {
  const auto spec = Spec("sim-fields", /*failure_rate=*/0.3);
  std::set<std::string> ids;
  int with_times = 0;
  for (const double t : {100.0, 200.0}) {
    const auto doc = Render(spec, t);
    for (const auto& s : doc["data"]["sessions"].GetArray()) {
      REQUIRE(s["session_id"].IsString());
      CHECK(s["retry_count"].IsInt());
      if (t == 200.0) ids.insert(s["session_id"].GetString());
      const bool ended = std::string(s["status"].GetString()) == "completed" ||
                         std::string(s["status"].GetString()) == "failed";
      if (ended) {
        CHECK(s["started_at"].IsString());
        CHECK(s["completed_at"].IsString());
        ++with_times;
      }
    }
  }
  CHECK(ids.size() == 40);  // unique
  CHECK(with_times > 40);
}

TEST_CASE("simulated sessions carry cdp_url and a live_view_url with a token, as the API does",
          "[unit][demo]") {
  const auto spec = Spec("sim-live");
  const auto doc = Render(spec, 100);  // some sessions running, some ended
  int live = 0, running = 0;
  for (const auto& s : doc["data"]["sessions"].GetArray()) {
    const std::string id = s["session_id"].GetString();
    INFO(id);
    REQUIRE(s.HasMember("cdp_url"));
    REQUIRE(s.HasMember("live_view_url"));
    if (std::string(s["status"].GetString()) == "processing") {
      ++running;
      CHECK(s["cdp_url"].IsString());
    }
    if (!s["cdp_url"].IsString()) {
      CHECK(s["live_view_url"].IsNull());
      continue;
    }
    ++live;
    CHECK(std::string(s["cdp_url"].GetString()).rfind("wss://", 0) == 0);
    const std::string view = s["live_view_url"].GetString();
    CHECK(view.find("?host=") != std::string::npos);
    CHECK(view.find(std::string("&token=") + anchor::kDemoLiveViewTokenPrefix + id) !=
          std::string::npos);
  }
  CHECK(running > 0);
  CHECK(live > running);  // ended sessions keep theirs too, some of them
  CHECK(live < 40);       // and some have none
}

TEST_CASE("a batch most of whose sessions fail ends failed, with an error", "[unit][demo]") {
  const auto spec = Spec("sim-doomed", /*failure_rate=*/0.9);
  const auto done = Render(spec, 200);
  CHECK(Text(done, "status") == "failed");
  CHECK(Int(done, "failed_requests") * 2 > 40);
  CHECK(Text(done, "error") == "more than half of the sessions failed");
  CHECK(SimulatedStatus(spec, 200) == "failed");
}

TEST_CASE("a stuck session keeps its batch from finishing", "[unit][demo]") {
  auto spec = Spec("sim-stuck");
  spec.stuck_session = true;
  const auto later = Render(spec, 10 * 200);
  CHECK(Text(later, "status") == "processing");
  CHECK(Int(later, "processing_requests") == 1);
  CHECK(later["data"]["actual_completion_time"].IsNull());
  const auto& stuck = later["data"]["sessions"][0];
  CHECK(std::string(stuck["status"].GetString()) == "processing");
  CHECK(std::string(stuck["started_at"].GetString()) == anchor::FormatRfc3339(kCreated));
  CHECK(stuck["completed_at"].IsNull());
}

TEST_CASE("a batch without sessions is done at once", "[unit][demo]") {
  auto spec = Spec("sim-empty");
  spec.sessions = 0;
  const auto doc = Render(spec, 0);
  CHECK(doc["data"]["sessions"].Size() == 0);
  CHECK(doc["data"]["progress"]["percentage"].GetDouble() == 100);
  // No session ended, so the status rule does not call it done.
  CHECK(Text(doc, "status") == "pending");
}
