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
      // One of its sessions hangs (the stuck-session alert); it starts over with the loop.
      {"demo-login-audit", 1000, seconds(360), 0.02, 0.1, seconds(0), seconds(60), true},
      // Most of its sessions fail, most of those blocked by the target site (captcha, 403):
      // the error-class alert's case.
      {"demo-flaky-portal", 80, seconds(180), 0.7, 0.5, seconds(0), seconds(60), false,
       SimulatedFailure::kBlocked},
      {"demo-nightly-export", 120, seconds(300), 0.03, 0.1, seconds(300), seconds(900)},
      // Failed, mostly at the proxy (407, 502 from the gateway).
      {"demo-legacy-sync", 60, seconds(240), 0.75, 0.4, seconds(240), seconds(900), false,
       SimulatedFailure::kProxy},
  };
  batches.discovered = {
      // Few failures, mostly timeouts of slow pages.
      {"demo-nightly-crawl", 300, seconds(300), 0.08, 0.2, seconds(0), seconds(60), false,
       SimulatedFailure::kTimeout},
      {"demo-ad-hoc-report", 30, seconds(90), 0.1, 0.3},
      // Finishes 15-20 s after the demo starts, then leaves discovery.
      {"demo-quick-check", 20, seconds(40), 0.0, 0.1, seconds(20), seconds(600)},
      // Created 15 s after the demo starts: discovery finds it later.
      {"demo-late-arrival", 100, seconds(240), 0.1, 0.2, seconds(-15)},
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
  // Short, so that batches that start and finish show up within seconds (a local API).
  config.discovery.refresh_interval = std::chrono::seconds(2);
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
