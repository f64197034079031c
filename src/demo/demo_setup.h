#pragma once

#include <vector>

#include "config/config.h"
#include "demo/batch_simulation.h"
#include "demo/simulated_api.h"

namespace anchor {

// The batches `--demo` simulates: different sizes, speeds and failure rates, so every metric
// moves within a few minutes. The configured ones are listed in the config; the others are
// found through discovery, as an operator would find batches created by a pipeline.
struct DemoBatches {
  std::vector<SimulatedBatchSpec> configured;
  std::vector<SimulatedBatchSpec> discovered;
};
DemoBatches MakeDemoBatches();

// Adds every demo batch to the simulated API (looping, so the demo keeps changing).
void ServeDemoBatches(SimulatedApi& api, const DemoBatches& batches, bool loop);

// The batch id DemoConfig lists that the simulated API answers with 404.
inline constexpr const char* kDemoMissingBatch = "demo-retired-batch";

// A config pointing at a running simulated API (its base URL, key kDemoApiKey): the configured
// demo batches, discovery on, and kDemoMissingBatch.
Config DemoConfig(const std::string& base_url, const DemoBatches& batches);

}  // namespace anchor
