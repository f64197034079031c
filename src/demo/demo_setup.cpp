#include "demo/demo_setup.h"

namespace anchor {

DemoBatches MakeDemoBatches() {
  using std::chrono::seconds;
  DemoBatches batches;
  // The last two have finished when the demo starts (one completed, one failed, as more than
  // half of its sessions fail) and stay so for 15 minutes, so that completion times and the
  // failed-batch alert have data at once.
  batches.configured = {
      // Created before the demo started: it finishes within seconds.
      {"demo-checkout-flow", 50, seconds(120), 0.05, 0.2, seconds(110)},
      {"demo-price-scrape", 200, seconds(240), 0.15, 0.3},
      {"demo-login-audit", 1000, seconds(360), 0.02, 0.1},
      {"demo-flaky-portal", 80, seconds(180), 0.6, 0.5},
      {"demo-nightly-export", 120, seconds(300), 0.03, 0.1, seconds(300), seconds(900)},
      {"demo-legacy-sync", 60, seconds(240), 0.75, 0.4, seconds(240), seconds(900)},
  };
  batches.discovered = {
      {"demo-nightly-crawl", 300, seconds(300), 0.08, 0.2},
      {"demo-ad-hoc-report", 30, seconds(90), 0.1, 0.3},
  };
  return batches;
}

void ServeDemoBatches(SimulatedApi& api, const DemoBatches& batches, bool loop) {
  for (const auto& spec : batches.configured) api.Add(spec, loop);
  for (const auto& spec : batches.discovered) api.Add(spec, loop);
}

Config DemoConfig(const std::string& base_url, const DemoBatches& batches) {
  Config config;
  config.anchor.base_url = base_url;
  config.anchor.api_key = Secret(kDemoApiKey);
  config.anchor.timeout = std::chrono::seconds(5);
  config.discovery.enabled = true;
  config.discovery.refresh_interval = std::chrono::seconds(15);
  for (const auto& spec : batches.configured) {
    BatchTarget target;
    target.id = spec.id;
    target.labels["env"] = "demo";
    config.batches.push_back(std::move(target));
  }
  // A configured id the simulated API does not know: a batch that is down, with its reason
  // (not_found, HTTP 404), as a mistyped or deleted batch id would be.
  config.batches.push_back({kDemoMissingBatch, {{"env", "demo"}}});
  return config;
}

}  // namespace anchor
