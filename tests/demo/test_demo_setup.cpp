// What `--demo` simulates (src/demo/demo_setup.h): the batches, the config pointing at them, and
// the states the comments promise at the start of a demo, on a fixed clock.
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "demo/demo_setup.h"

namespace {

constexpr double kStart = 1795860000;  // 2026-11-28T10:00:00Z

// The statuses the list endpoint reports, by id.
std::map<std::string, std::string> Statuses(const anchor::SimulatedApi& api) {
  std::map<std::string, std::string> out;
  for (const auto& b : api.Listed()) out[b.id] = b.status;
  return out;
}

}  // namespace

TEST_CASE("the demo batches have distinct, valid ids", "[unit][demo]") {
  const auto batches = anchor::MakeDemoBatches();
  CHECK(batches.configured.size() >= 3);
  CHECK(batches.discovered.size() >= 2);
  std::set<std::string> ids;
  const std::regex valid("[A-Za-z0-9_-]{1,128}");
  for (const auto* list : {&batches.configured, &batches.discovered}) {
    for (const auto& spec : *list) {
      INFO(spec.id);
      CHECK(std::regex_match(spec.id, valid));
      CHECK(ids.insert(spec.id).second);
      CHECK(spec.sessions > 0);
    }
  }
  CHECK(ids.count(anchor::kDemoMissingBatch) == 0);  // it must stay unknown to the API
}

TEST_CASE("the demo config lists the configured batches and the missing one", "[unit][demo]") {
  const auto batches = anchor::MakeDemoBatches();
  const auto config = anchor::DemoConfig("http://127.0.0.1:1", batches);
  CHECK(config.anchor.base_url == "http://127.0.0.1:1");
  CHECK(config.anchor.api_key.Reveal() == anchor::kDemoApiKey);
  CHECK(config.discovery.enabled);
  REQUIRE(config.batches.size() == batches.configured.size() + 1);
  for (size_t i = 0; i < batches.configured.size(); ++i) {
    CHECK(config.batches[i].id == batches.configured[i].id);
    CHECK(config.batches[i].labels == anchor::LabelMap{{"env", "demo"}});
  }
  CHECK(config.batches.back().id == anchor::kDemoMissingBatch);
  CHECK(config.batches.back().labels == anchor::LabelMap{{"env", "demo"}});
}

TEST_CASE("a fresh demo holds every state at once, on its clock", "[unit][demo]") {
  double now = kStart;
  anchor::SimulatedApi api([&now] { return now; });
  const auto batches = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(api, batches, /*loop=*/true);
  auto at_start = Statuses(api);
  CHECK(at_start.size() == batches.configured.size() + batches.discovered.size() - 1);
  CHECK(at_start["demo-price-scrape"] == "pending");
  CHECK(at_start["demo-nightly-export"] == "completed");
  CHECK(at_start["demo-legacy-sync"] == "failed");
  CHECK(at_start["demo-login-audit"] == "pending");
  CHECK(at_start["demo-quick-check"] == "processing");
  CHECK(at_start.count("demo-late-arrival") == 0);  // created 15 s after the start
  CHECK_FALSE(api.BatchBody("demo-late-arrival"));
  CHECK(api.BatchBody("demo-checkout-flow"));
  CHECK_FALSE(api.BatchBody(anchor::kDemoMissingBatch));

  now = kStart + 20;  // "finishes 15-20 s after the demo starts"; the late one exists now
  auto later = Statuses(api);
  CHECK(later["demo-quick-check"] == "completed");
  CHECK(later["demo-late-arrival"] == "pending");
  CHECK(later["demo-nightly-export"] == "completed");  // finished ones stay so for 15 minutes

  now = kStart + 40 * 60;  // the stuck session keeps the login audit running
  CHECK(Statuses(api)["demo-login-audit"] == "processing");
}
