// Fuzzes the parsers of API bodies: GET /v1/batch-sessions/{id} (copying and in-place), the list
// GET /v1/batch-sessions, and error bodies. Whatever the upstream sends, a parser returns values
// in range or a reason, and both status parsing modes agree.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "anchor/batch_list.h"
#include "anchor/batch_parser.h"
#include "config/batch_id.h"
#include "config/config_loader.h"
#include "fuzz_check.h"

namespace {

bool IsPlainToken(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

void CheckCount(const std::optional<std::int64_t>& n) { FUZZ_CHECK(!n || *n >= 0); }

void CheckBatch(const anchor::Batch& b) {
  for (const auto* n : {&b.total_requests, &b.completed_requests, &b.failed_requests,
                        &b.processing_requests, &b.pending_requests}) {
    CheckCount(*n);
  }
  if (b.progress_ratio) {
    FUZZ_CHECK(std::isfinite(*b.progress_ratio));
    FUZZ_CHECK(*b.progress_ratio >= 0.0 && *b.progress_ratio <= 1.0);
  }
  FUZZ_CHECK(!b.created_at || std::isfinite(*b.created_at));
  FUZZ_CHECK(!b.completed_at || std::isfinite(*b.completed_at));
  FUZZ_CHECK(!b.status || IsPlainToken(*b.status));
  FUZZ_CHECK(!b.phase || IsPlainToken(*b.phase));
  FUZZ_CHECK(!b.error || !b.error->empty());
  FUZZ_CHECK(!b.error || b.error_field_valid);
  if (b.sessions) {
    std::int64_t with_status = 0;
    for (const auto& [status, count] : b.sessions->count_by_status) {
      FUZZ_CHECK(IsPlainToken(status));
      FUZZ_CHECK(count > 0);
      with_status += count;
    }
    FUZZ_CHECK(with_status >= 0);
    // Known statuses and "other": a batch has at most six session-status series.
    FUZZ_CHECK(b.sessions->count_by_status.size() <= anchor::KnownStatuses().size() + 1);
    FUZZ_CHECK(b.sessions->retries >= 0);
    FUZZ_CHECK(b.sessions->retried_sessions >= 0);
    FUZZ_CHECK(b.sessions->retried_sessions <= b.sessions->retries);
  }
  auto fields = b.invalid_fields;
  std::sort(fields.begin(), fields.end());
  FUZZ_CHECK(std::adjacent_find(fields.begin(), fields.end()) == fields.end());
}

bool SameSessions(const anchor::SessionSummary& a, const anchor::SessionSummary& b) {
  return a.count_by_status == b.count_by_status && a.retries == b.retries &&
         a.retried_sessions == b.retried_sessions;
}

bool SameBatch(const anchor::Batch& a, const anchor::Batch& b) {
  // Timestamps and ratios come from the same text through the same code: exact equality.
  return a.batch_id == b.batch_id && a.status == b.status && a.total_requests == b.total_requests &&
         a.completed_requests == b.completed_requests && a.failed_requests == b.failed_requests &&
         a.processing_requests == b.processing_requests &&
         a.pending_requests == b.pending_requests && a.progress_ratio == b.progress_ratio &&
         a.phase == b.phase && a.created_at == b.created_at && a.completed_at == b.completed_at &&
         a.error == b.error && a.error_field_valid == b.error_field_valid &&
         a.sessions.has_value() == b.sessions.has_value() &&
         (!a.sessions || SameSessions(*a.sessions, *b.sessions)) &&
         a.invalid_fields == b.invalid_fields;
}

// Why a parse failed; "" when it did not.
std::string ErrorOf(const anchor::Result<anchor::Batch>& r) { return r.ok() ? "" : r.error(); }

void CheckResult(const anchor::Result<anchor::Batch>& r) {
  FUZZ_CHECK(r.ok() || !r.error().empty());
  if (r.ok()) CheckBatch(*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const auto copied = anchor::ParseBatchResponse(body);
  CheckResult(copied);
  std::string buffer(body);
  const auto in_place = anchor::ParseBatchResponseInPlace(buffer);
  CheckResult(in_place);
  FUZZ_CHECK(ErrorOf(copied) == ErrorOf(in_place));
  FUZZ_CHECK(!copied.ok() || SameBatch(*copied, *in_place));

  if (const auto page = anchor::ParseBatchListResponse(body)) {
    FUZZ_CHECK(page->batch_ids.size() == page->statuses.size());
    FUZZ_CHECK(page->dropped_ids >= 0);
    for (const auto& id : page->batch_ids) FUZZ_CHECK(anchor::IsValidBatchId(id));
  } else {
    FUZZ_CHECK(!page.error().empty());
  }

  if (const auto message = anchor::ParseApiErrorMessage(body)) {
    FUZZ_CHECK(message->size() <= 200);
    for (const char c : *message) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
  }
  return 0;
}
