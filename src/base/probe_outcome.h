#pragma once

namespace anchor {

// How a /probe target was handled, from the collector that checks it to the route that answers
// 200 or 400: one name for the concept in every layer.
enum class ProbeOutcome {
  kOk,             // fetched (up or down: the metrics say which)
  kInvalidTarget,  // not a valid batch id; never sent to the API
  kUnlisted,       // valid, but neither configured nor discovered (probe.allow_unlisted: false)
};

}  // namespace anchor
