#include "web/collector_pages.h"

#include "collect/probe_trace.h"
#include "exposition/text_exposition.h"
#include "version.h"
#include "web/service_discovery.h"

namespace anchor {
namespace {

LandingPageBatch Row(const TrackedBatch& tracked) {
  LandingPageBatch row;
  row.id = tracked.target.id;
  row.labels = tracked.target.labels;
  row.discovered = tracked.discovered;
  row.in_flight = tracked.in_flight;
  if (!tracked.last) return row;
  row.fetched = true;
  row.last_fetch = tracked.last_fetch;
  row.http_status = tracked.last->http_status;
  if (tracked.retry_after.time_since_epoch().count() != 0) row.retry_after = tracked.retry_after;
  row.up = tracked.last->ok();
  if (!row.up) {
    row.down_reason = FetchErrorReason(tracked.last->error);
    row.down_detail = tracked.last->detail;
    return row;
  }
  const Batch& b = *tracked.last->batch;
  row.status = b.status;
  row.progress_ratio = b.progress_ratio;
  row.total_requests = b.total_requests;
  row.completed_requests = b.completed_requests;
  row.failed_requests = b.failed_requests;
  return row;
}

LandingPageDiscovery Discovery(const DiscoveryConfig& config,
                               const std::optional<BatchDiscovery::Status>& status) {
  LandingPageDiscovery d;
  if (!status) return d;
  d.enabled = true;
  d.statuses = config.statuses;
  d.max_batches = config.max_batches;
  d.refresh_interval_seconds = std::chrono::duration<double>(config.refresh_interval).count();
  d.count = status->count;
  d.truncated = status->truncated;
  d.last_success = status->last_success;
  d.last_failure = status->last_failure;
  d.last_failed = status->last_failed;
  d.last_error = status->last_error;
  return d;
}

BatchPageHistogram PageHistogram(const SessionHistogram& h) {
  return BatchPageHistogram{h.bounds, h.counts, h.count};
}

// The API's texts could quote the key back: masked here too, whatever the parse kept.
BatchPageSessions PageSessions(const SessionSummary& s, const Secret& key) {
  BatchPageSessions p;
  p.count_by_status = s.count_by_status;
  p.with_error = s.with_error;
  p.retries = s.retries;
  p.retried_sessions = s.retried_sessions;
  p.errors_by_class = s.errors_by_class;
  p.run_time = PageHistogram(s.duration);
  p.queue = PageHistogram(s.queue);
  for (const auto& e : s.detail.top_errors)
    p.top_errors.emplace_back(Redacted(e.message, key), e.sessions);
  for (const auto& r : s.detail.longest_running) {
    p.longest_running.emplace_back(Redacted(r.session_id, key), r.started_at);
  }
  for (const auto& r : s.detail.most_retried) {
    p.most_retried.emplace_back(Redacted(r.session_id, key), r.retries);
  }
  return p;
}

void FillBatchPage(BatchPageInfo& page, const Batch& b, const Secret& key) {
  page.status = b.status;
  page.phase = b.phase;
  page.progress_ratio = b.progress_ratio;
  page.total_requests = b.total_requests;
  page.completed_requests = b.completed_requests;
  page.failed_requests = b.failed_requests;
  page.processing_requests = b.processing_requests;
  page.pending_requests = b.pending_requests;
  if (b.error) page.error = Redacted(*b.error, key);
  if (b.sessions) page.sessions = PageSessions(*b.sessions, key);
}

}  // namespace

std::optional<BatchPageInfo> CollectorBatchPage(const BatchCollector& collector,
                                                const std::string& batch_id) {
  for (const auto& tracked : collector.TrackedBatches()) {
    if (tracked.target.id != batch_id) continue;
    BatchPageInfo page;
    page.id = tracked.target.id;
    page.labels = tracked.target.labels;
    page.discovered = tracked.discovered;
    page.now = collector.clock().SystemNow();
    page.link_template = collector.config().sessions.link_template;
    if (!tracked.last) return page;
    page.fetched = true;
    page.last_fetch = tracked.last_fetch;
    page.http_status = tracked.last->http_status;
    page.up = tracked.last->ok();
    const Secret& key = collector.config().anchor.api_key;
    if (!page.up) {
      page.down_reason = FetchErrorReason(tracked.last->error);
      page.down_detail = Redacted(tracked.last->detail, key);
      return page;
    }
    FillBatchPage(page, *tracked.last->batch, key);
    return page;
  }
  return std::nullopt;
}

std::string CollectorLandingPage(const BatchCollector& collector, const std::string& telemetry_path,
                                 const LandingPageReload& reload) {
  LandingPageInfo info;
  info.now = collector.clock().SystemNow();  // the clock the batches' answers are dated by
  info.telemetry_path = telemetry_path;
  info.probe_allow_unlisted = collector.config().probe.allow_unlisted;
  info.reload = reload;
  info.discovery = Discovery(collector.config().discovery, collector.DiscoveryStatus());
  info.docs_base_url = kDocsBaseUrl;
  for (const auto& tracked : collector.TrackedBatches()) info.batches.push_back(Row(tracked));
  return RenderLandingPage(info);
}

std::string CollectorServiceDiscovery(BatchCollector& collector, Deadline deadline) {
  collector.RefreshDiscovery(deadline);
  std::vector<ServiceDiscoveryTarget> targets;
  for (const auto& tracked : collector.TrackedBatches()) {
    ServiceDiscoveryTarget t{tracked.target.id, tracked.discovered, std::nullopt,
                             tracked.target.labels};
    if (tracked.last && tracked.last->ok()) t.status = tracked.last->batch->status;
    targets.push_back(std::move(t));
  }
  return RenderServiceDiscovery(targets);
}

ProbeDebugAnswer CollectorProbeDebug(BatchCollector& collector, const std::string& target,
                                     Deadline deadline) {
  FetchExplanation explanation;
  const auto result = collector.Probe(target, deadline, &explanation);
  ProbeDebugAnswer answer;
  answer.outcome = result.outcome;
  if (answer.outcome != ProbeOutcome::kOk) return answer;
  answer.text = RenderProbeTrace(target, explanation, *result.result) +
                "\n# Metrics this probe returns\n" + SerializeTextExposition(result.families);
  return answer;
}

}  // namespace anchor
