#include "collect/batch_collector.h"

#include "collect/batch_families.h"
#include "collect/self_metrics.h"
#include "config/config_loader.h"
#include "log/logger.h"

namespace anchor {

namespace {

prometheus::MetricFamily ScrapeDurationFamily(double seconds) {
  prometheus::MetricFamily f;
  f.name = "anchorbrowser_exporter_scrape_duration_seconds";
  f.help = "Time this collection of all batches took.";
  f.type = prometheus::MetricType::Gauge;
  f.metric.emplace_back();
  f.metric.back().gauge.value = seconds;
  return f;
}

std::string JoinFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

}  // namespace

BatchCollector::BatchCollector(const Config& config, SelfMetrics& metrics, const Logger& log)
    : config_(config),
      metrics_(metrics),
      log_(log),
      client_(config_.anchor, log, [m = &metrics](int status) { m->CountApiRequest(status); }),
      fetcher_(client_, config_.anchor.max_concurrency) {}

void BatchCollector::Record(const BatchTarget& target,
                            const std::shared_ptr<const FetchResult>& result) {
  {
    std::lock_guard<std::mutex> lock(last_mu_);
    last_[target.id] = {result, std::chrono::system_clock::now()};
  }
  if (!result->ok()) {
    metrics_.CountFetchError(result->error);
    log_.Warn("batch fetch failed", {{"batch_id", target.id},
                                     {"reason", FetchErrorReason(result->error)},
                                     {"detail", result->detail}});
    return;
  }
  const Batch& batch = *result->batch;
  if (!batch.invalid_fields.empty()) {
    for (const auto& field : batch.invalid_fields) metrics_.CountInvalidField(field);
    log_.Warn("dropped invalid fields from batch response",
              {{"batch_id", target.id}, {"fields", JoinFields(batch.invalid_fields)}});
  }
  if (batch.error && log_.Enabled(LogLevel::kDebug)) {
    log_.Debug("batch reports an error", {{"batch_id", target.id}, {"error", *batch.error}});
  }
}

std::vector<prometheus::MetricFamily> BatchCollector::Collect(Clock::time_point deadline) {
  const auto start = Clock::now();
  std::vector<std::string> ids;
  ids.reserve(config_.batches.size());
  for (const auto& target : config_.batches) ids.push_back(target.id);

  const auto results = fetcher_.FetchAll(ids, deadline);
  std::vector<BatchSnapshot> snapshots;
  snapshots.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    Record(config_.batches[i], results[i]);
    snapshots.push_back({&config_.batches[i], results[i].get()});
  }
  auto families = BuildBatchFamilies(snapshots);
  auto self = metrics_.Collect();
  families.insert(families.end(), std::make_move_iterator(self.begin()),
                  std::make_move_iterator(self.end()));
  families.push_back(
      ScrapeDurationFamily(std::chrono::duration<double>(Clock::now() - start).count()));
  return families;
}

BatchCollector::ProbeResult BatchCollector::Probe(const std::string& batch_id,
                                                  Clock::time_point deadline) {
  ProbeResult out;
  if (!IsValidBatchId(batch_id)) {
    out.status = ProbeStatus::kInvalidTarget;
    return out;
  }
  BatchTarget target{batch_id, {}};
  bool tracked = false;
  for (const auto& t : config_.batches) {
    if (t.id == batch_id) {
      target = t;
      tracked = true;
    }
  }
  if (!tracked && !config_.probe.allow_unlisted) {
    out.status = ProbeStatus::kUnlisted;
    return out;
  }
  const auto result = fetcher_.FetchAll({batch_id}, deadline).front();
  Record(target, result);
  out.families = BuildBatchFamilies({{&target, result.get()}});
  return out;
}

bool BatchCollector::IsTracked(const std::string& batch_id) const {
  for (const auto& t : config_.batches) {
    if (t.id == batch_id) return true;
  }
  return false;
}

std::vector<TrackedBatch> BatchCollector::TrackedBatches() const {
  std::vector<TrackedBatch> out;
  std::lock_guard<std::mutex> lock(last_mu_);
  for (const auto& t : config_.batches) {
    TrackedBatch tb{t, nullptr, {}};
    if (const auto it = last_.find(t.id); it != last_.end()) {
      tb.last = it->second.first;
      tb.last_fetch = it->second.second;
    }
    out.push_back(std::move(tb));
  }
  return out;
}

}  // namespace anchor
