#pragma once

#include <vector>

#include "config/config.h"
#include "demo/batch_simulation.h"

namespace anchor {

class FakeAnchorApi;

// The batches `--demo` simulates: different sizes, speeds and failure rates, so every metric
// moves within a few minutes.
std::vector<SimulatedBatchSpec> DemoBatches();

// A config pointing at a running fake API, tracking the demo batches.
Config DemoConfig(const FakeAnchorApi& api, const std::vector<SimulatedBatchSpec>& batches);

}  // namespace anchor
