#pragma once

#include <string>

#include "base/probe_outcome.h"
#include "collect/batch_collector.h"
#include "web/batch_page.h"
#include "web/landing_page.h"

namespace anchor {

// The pages built from what the collector holds, read from collect's own types: a field added
// to TrackedBatch reaches the landing page here, not in the application.

// GET /: the tracked batches, discovery and `reload`, dated by the collector's clock.
std::string CollectorLandingPage(const BatchCollector& collector, const std::string& telemetry_path,
                                 const LandingPageReload& reload);

// GET /batches/<id>: what the collector holds of a tracked batch, texts from the API masked of
// the key; none when the id is not tracked.
std::optional<BatchPageInfo> CollectorBatchPage(const BatchCollector& collector,
                                                const std::string& batch_id);

// GET /sd: every tracked batch, discovery refreshed first when due (as a scrape does).
std::string CollectorServiceDiscovery(BatchCollector& collector, Deadline deadline);

// GET /probe?target=X&debug=true: the trace of the fetch followed by the metrics, as text.
struct ProbeDebugAnswer {
  ProbeOutcome outcome = ProbeOutcome::kOk;
  std::string text;  // for kOk
};
ProbeDebugAnswer CollectorProbeDebug(BatchCollector& collector, const std::string& target,
                                     Deadline deadline);

}  // namespace anchor
