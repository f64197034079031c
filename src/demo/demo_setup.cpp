#include "demo/demo_setup.h"

#include "demo/fake_anchor_api.h"

namespace anchor {

std::vector<SimulatedBatchSpec> DemoBatches() {
  using std::chrono::seconds;
  return {
      {"demo-checkout-flow", 50, seconds(120), 0.05, 0.2},
      {"demo-price-scrape", 200, seconds(240), 0.15, 0.3},
      {"demo-login-audit", 1000, seconds(360), 0.02, 0.1},
      {"demo-flaky-portal", 80, seconds(180), 0.6, 0.5},
  };
}

Config DemoConfig(const FakeAnchorApi& api, const std::vector<SimulatedBatchSpec>& batches) {
  Config config;
  config.anchor.base_url = api.base_url();
  config.anchor.api_key = Secret(FakeAnchorApi::Options{}.api_key);
  config.anchor.timeout = std::chrono::seconds(5);
  for (const auto& spec : batches) {
    BatchTarget target;
    target.id = spec.id;
    target.labels["env"] = "demo";
    config.batches.push_back(std::move(target));
  }
  return config;
}

}  // namespace anchor
