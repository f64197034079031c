#pragma once

#include <string>

#include "anchor/batch_list.h"
#include "anchor/fetch_result.h"
#include "anchor/fetch_trace.h"
#include "base/clock.h"

namespace anchor {

// Where the collect layer reads batches from: the Anchor Browser API (ApiClient) in the
// exporter, an in-memory source in unit tests. Thread-safe: the fetcher and discovery call it
// from many threads at once.
class BatchSource {
 public:
  BatchSource() = default;
  virtual ~BatchSource() = default;
  BatchSource(const BatchSource&) = delete;
  BatchSource& operator=(const BatchSource&) = delete;

  // One batch (GET /v1/batch-sessions/{id}), answered by `deadline` whatever the server does.
  // The id satisfies IsValidBatchId. With a `trace`, also records what the request did.
  virtual FetchResult FetchBatch(const std::string& batch_id, Deadline deadline,
                                 FetchTrace* trace) = 0;
  // One page of the list (GET /v1/batch-sessions) with the query's filters, by `deadline`.
  virtual BatchListResult ListBatches(const BatchListQuery& query, Deadline deadline) = 0;
};

}  // namespace anchor
