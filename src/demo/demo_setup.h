#pragma once

#include <vector>

#include "config/config.h"
#include "demo/batch_simulation.h"

namespace anchor {

class FakeAnchorApi;

// The batches `--demo` simulates: different sizes, speeds and failure rates, so every metric
// moves within a few minutes. The configured ones are listed in the config; the others are
// found through discovery, as an operator would find batches created by a pipeline.
struct DemoBatches {
  std::vector<SimulatedBatchSpec> configured;
  std::vector<SimulatedBatchSpec> discovered;
};
DemoBatches MakeDemoBatches();

// Adds every demo batch to the fake API (looping, so the demo keeps changing).
void ServeDemoBatches(FakeAnchorApi& api, const DemoBatches& batches, bool loop);

// The batch id DemoConfig lists that the simulated API answers with 404.
inline constexpr const char* kDemoMissingBatch = "demo-retired-batch";

// A config pointing at a running fake API: the configured demo batches, discovery on, and
// kDemoMissingBatch.
Config DemoConfig(const FakeAnchorApi& api, const DemoBatches& batches);

}  // namespace anchor
