#pragma once

#include <string>
#include <vector>

#include "anchor/fetch_result.h"
#include "base/result.h"
#include "config/secret.h"

namespace anchor {

// A query of GET /v1/batch-sessions (the list endpoint).
struct BatchListQuery {
  std::string status;         // one status; empty: any
  int page = 1;               // >= 1
  int limit = 100;            // 1-100
  std::string created_after;  // RFC 3339; empty: no bound
};

// One page of the list: the ids it holds and whether another page follows.
struct BatchListPage {
  std::vector<std::string> batch_ids;  // valid ids only (IsValidBatchId); others are dropped
  std::vector<std::string> statuses;   // status of each id ("" when absent or invalid)
  bool has_next = false;
  int total_pages = 0;  // pagination.total_pages; 0 when absent or invalid
  int dropped_ids = 0;  // entries without a usable batch_id
};

// The outcome of one list request: a page, or an error carried as a value with its reason.
struct BatchListResult : ApiOutcome {
  std::optional<BatchListPage> page;
  bool ok() const { return page.has_value(); }
};

// The path and query of `query` ("/v1/batch-sessions?page=1&limit=100&status=..."), values
// percent-encoded.
std::string BatchListPath(const BatchListQuery& query);

// `page` without any id that holds `key` (it would become a label value: dropped and counted in
// dropped_ids), its statuses masked of it.
BatchListPage RedactedPage(BatchListPage page, const Secret& key);

// Parses the body of the list endpoint ({"data": {"batches": [...], "pagination": {...}}}), or
// says why the body is not such an object.
Result<BatchListPage> ParseBatchListResponse(std::string_view body);

}  // namespace anchor
