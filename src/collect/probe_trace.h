#pragma once

#include <string>

#include "anchor/fetch_result.h"
#include "collect/batch_fetcher.h"

namespace anchor {

// The text of /probe?target=X&debug=true up to the metrics: how the fetch of `batch_id` was
// answered (request, answer, timing, parse problems, cache and rate-limit state), one
// "name: value" per line. Holds no secret: the key header is masked by the API client.
std::string RenderProbeTrace(const std::string& batch_id, const FetchExplanation& explanation,
                             const FetchResult& result);

}  // namespace anchor
