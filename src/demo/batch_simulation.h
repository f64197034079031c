#pragma once

#include <chrono>
#include <string>

#include "demo/session_errors.h"

namespace anchor {

// A simulated batch: its sessions start, run, complete or fail, and retry on a fixed schedule
// derived from the batch id, so the same spec and time always give the same answer.
struct SimulatedBatchSpec {
  std::string id;
  int sessions = 50;
  std::chrono::seconds duration{180};  // from creation until the last session ends
  double failure_rate = 0.1;           // share of sessions that end failed
  double retry_rate = 0.25;            // share of sessions that retry at least once
  // How long before the server started it was created; negative: it is created that long after
  // (until then the API does not know it).
  std::chrono::seconds started_ago{0};
  // When looping: how long it stays finished before it starts over.
  std::chrono::seconds pause{60};
  bool stuck_session = false;  // one session never ends, so the batch never finishes by itself
  // Why its failed sessions fail: one kind for most of them (the rest mixed), or all mixed.
  SimulatedFailure failure = SimulatedFailure::kMixed;
};

// The start of the fake token in the live_view_url of simulated sessions (followed by the
// session id): text that the exporter must never show.
inline constexpr const char* kDemoLiveViewTokenPrefix = "demo-live-token-";

// The body of GET /v1/batch-sessions/{id} for `spec`, `elapsed_seconds` after creation at
// `created_at` (Unix seconds).
std::string RenderSimulatedBatch(const SimulatedBatchSpec& spec, double created_at,
                                 double elapsed_seconds);

// The batch status at `elapsed_seconds` (what the list endpoint reports), without rendering.
std::string SimulatedStatus(const SimulatedBatchSpec& spec, double elapsed_seconds);

}  // namespace anchor
