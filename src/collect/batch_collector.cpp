#include "collect/batch_collector.h"

#include <algorithm>
#include <set>

#include "anchor/api_client.h"
#include "base/text.h"
#include "collect/batch_families.h"
#include "collect/erase_untracked.h"
#include "collect/self_metrics.h"
#include "config/batch_id.h"
#include "exposition/own_family.h"
#include "exposition/render_cache.h"
#include "log/logger.h"

namespace anchor {

namespace {

prometheus::MetricFamily Gauge(const char* name, const char* help) {
  return OwnFamily(name, help, prometheus::MetricType::Gauge);
}

// Failed unlisted probes are logged by reason (FetchErrorReason: a dozen values).
constexpr size_t kProbeLogKeys = 32;

prometheus::MetricFamily Counter(const char* name, const char* help, double value) {
  return SingleSampleFamily(name, help, prometheus::MetricType::Counter, value);
}

}  // namespace

BatchCollector::BatchCollector(const Config& config, SelfMetrics& metrics, const Logger& log,
                               const Clock& clock)
    : BatchCollector(
          config,
          std::make_unique<ApiClient>(
              config.anchor, [m = &metrics](int status) { m->CountApiRequest(status); },
              SessionParseOptions(config.sessions.buckets, config.sessions.error_classes)),
          nullptr, metrics, log, clock) {}

BatchCollector::BatchCollector(const Config& config, BatchSource& source, SelfMetrics& metrics,
                               const Logger& log, const Clock& clock)
    : BatchCollector(config, nullptr, &source, metrics, log, clock) {}

BatchCollector::BatchCollector(const Config& config, std::unique_ptr<ApiClient> own_client,
                               BatchSource* source, SelfMetrics& metrics, const Logger& log,
                               const Clock& clock)
    : config_(config),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      own_client_(std::move(own_client)),
      source_(source != nullptr ? *source : *own_client_),
      fetcher_(source_, config_.anchor, config_.cache, metrics, log, clock,
               static_cast<size_t>(config_.probe.max_unlisted_state)),
      answers_(config_.sessions.histograms),
      probe_log_(clock, kProbeLogInterval, kProbeLogKeys) {
  // Looked up for every discovered id of every scrape (thousands); the first of duplicates wins.
  for (size_t i = 0; i < config_.batches.size(); ++i) configured_.emplace(config_.batches[i].id, i);
  if (config_.discovery.enabled) {
    discovery_ = std::make_unique<BatchDiscovery>(
        source_, config_.discovery, config_.anchor.max_concurrency, config_.anchor.timeout, metrics,
        log, [this](const std::string& id) { return SeenFinished(id); }, clock);
  }
}

BatchCollector::~BatchCollector() { discovery_.reset(); }

void BatchCollector::Record(const BatchTarget& target,
                            const std::shared_ptr<const FetchResult>& result) {
  if (!result->ok()) metrics_.CountFetchError(result->error);
  if (result->ok()) {
    for (const auto& field : result->batch->invalid_fields) metrics_.CountInvalidField(field);
  }
  {
    std::lock_guard<std::mutex> lock(faults_mu_);
    auto& recorded = faults_[target.id].recorded;
    const bool same_answer = !recorded.owner_before(result) && !result.owner_before(recorded);
    recorded = result;
    if (!same_answer) LogChange(target, *result);  // else a cache hit: nothing new to log
  }
  if (result->ok() && result->batch->error && log_.Enabled(LogLevel::kDebug)) {
    log_.Debug("batch reports an error",
               {{"batch_id", target.id}, {"error", *result->batch->error}});
  }
}

void BatchCollector::RecordUnlisted(const std::string& batch_id, const FetchResult& result) {
  if (result.ok()) {
    for (const auto& field : result.batch->invalid_fields) metrics_.CountInvalidField(field);
    return;
  }
  metrics_.CountFetchError(result.error);
  const std::string_view reason = FetchErrorReason(result.error);
  const auto line = probe_log_.Admit(reason);
  if (!line.log) return;
  log_.Warn("probes of unlisted batches failed",
            {{"reason", line.overflow ? std::string_view("other") : reason},
             {"probes", line.count},  // since the last line of this reason
             {"interval_seconds",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::seconds>(kProbeLogInterval).count())},
             {"last_batch_id", batch_id},
             {"http_status", result.http_status},
             {"detail", result.detail}});
}

void BatchCollector::PruneFaults(const std::vector<std::string>& tracked_ids) {
  std::lock_guard<std::mutex> lock(faults_mu_);
  EraseUntracked(faults_, tracked_ids);
}

std::size_t BatchCollector::FaultHistorySize() const {
  std::lock_guard<std::mutex> lock(faults_mu_);
  return faults_.size();
}

void BatchCollector::AddStateFamilies(std::vector<prometheus::MetricFamily>& own) const {
  const auto stats = fetcher_.GetStats();
  auto tracked =
      Gauge("anchorbrowser_exporter_tracked_state_entries",
            "Tracked batches whose state (last answer, Retry-After) the exporter holds.");
  AddSample(tracked, static_cast<double>(stats.tracked));
  own.push_back(std::move(tracked));
  auto unlisted = Gauge("anchorbrowser_exporter_probe_unlisted_state_entries",
                        "Ids probed with probe.allow_unlisted whose state the exporter holds.");
  AddSample(unlisted, static_cast<double>(stats.unlisted));
  own.push_back(std::move(unlisted));
  auto limit = Gauge("anchorbrowser_exporter_probe_unlisted_state_limit",
                     "The most such ids held: probe.max_unlisted_state.");
  AddSample(limit, static_cast<double>(stats.unlisted_limit));
  own.push_back(std::move(limit));
  own.push_back(Counter("anchorbrowser_exporter_probe_unlisted_state_evictions_total",
                        "Unlisted ids whose state was forgotten to stay within the limit.",
                        static_cast<double>(stats.unlisted_evictions)));
}

// faults_mu_ is held. One warn line when a batch goes down or fails for another reason, one info
// line when it recovers, nothing while it stays as it was.
void BatchCollector::LogChange(const BatchTarget& target, const FetchResult& result) {
  FaultState& state = faults_[target.id];
  const auto now = clock_.SteadyNow();
  if (!result.ok()) {
    const FetchError previous = state.error;
    state.failures = previous == FetchError::kNone ? 1 : state.failures + 1;
    if (previous == FetchError::kNone) state.since = now;
    state.error = result.error;
    if (previous == result.error) return;
    const std::string_view msg = previous == FetchError::kNone
                                     ? "batch fetch failed"
                                     : "batch fetch failing for another reason";
    log_.Warn(msg, {{"batch_id", target.id},
                    {"reason", FetchErrorReason(result.error)},
                    {"previous_reason", previous == FetchError::kNone
                                            ? std::string_view("")
                                            : std::string_view(FetchErrorReason(previous))},
                    {"http_status", result.http_status},
                    {"detail", result.detail}});
    return;
  }
  if (state.error != FetchError::kNone) {
    log_.Info("batch fetch recovered",
              {{"batch_id", target.id},
               {"failures", state.failures},
               {"down_seconds", std::chrono::duration<double>(now - state.since).count()},
               {"last_reason", FetchErrorReason(state.error)}});
    state.error = FetchError::kNone;
    state.failures = 0;
  }
  const auto& fields = result.batch->invalid_fields;
  if (fields != state.invalid_fields) {
    if (!fields.empty()) {
      log_.Warn("dropped invalid fields from batch response",
                {{"batch_id", target.id}, {"fields", text::Join(fields, ",")}});
    } else {
      log_.Info("batch response has no invalid fields any more", {{"batch_id", target.id}});
    }
    state.invalid_fields = fields;
  }
}

bool BatchCollector::SeenFinished(const std::string& batch_id) const {
  const auto last = fetcher_.State(batch_id).last;
  if (!last || !last->ok()) return false;
  const auto& status = last->batch->status;
  return status && IsTerminalStatus(*status);
}

const BatchTarget* BatchCollector::Configured(const std::string& batch_id) const {
  const auto it = configured_.find(batch_id);
  return it == configured_.end() ? nullptr : &config_.batches[it->second];
}

std::vector<BatchTarget> BatchCollector::Targets(Deadline deadline, bool* truncated) {
  std::vector<BatchTarget> targets = config_.batches;
  if (!discovery_) return targets;
  const auto found = discovery_->Current(deadline);
  if (truncated != nullptr) *truncated = found.truncated;
  for (const auto& id : found.batch_ids) {
    if (Configured(id) == nullptr) targets.push_back({id, {}});  // configured labels win
  }
  return targets;
}

// Finished batches come first, each group in tracking order: their answers are kept
// (cache.terminal_ttl), so their text stays together and RenderCache reuses its blocks.
ExpositionParts BatchCollector::CollectBatches(Deadline deadline) {
  const auto start = std::chrono::steady_clock::now();  // real time: a scrape's duration
  bool truncated = false;
  auto targets = Targets(deadline, &truncated);
  std::vector<std::string> ids;
  ids.reserve(targets.size());
  for (const auto& target : targets) ids.push_back(target.id);

  fetcher_.Track(ids);
  auto results = fetcher_.FetchAll(ids, deadline);
  for (size_t i = 0; i < results.size(); ++i) Record(targets[i], results[i]);
  PruneFaults(ids);
  answers_.Prune(ids);
  std::vector<size_t> order(targets.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](size_t i) {
    const auto& r = *results[i];
    return r.ok() && r.batch->status && IsTerminalStatus(*r.batch->status);
  });
  ExpositionParts out;
  out.series.reserve(order.size());
  for (const size_t i : order) out.series.push_back(answers_.Of(targets[i], results[i]));
  out.other = metrics_.Collect();
  AddScrapeFamilies(out.other, {start, deadline, targets.size(), truncated});
  return out;
}

void BatchCollector::AddScrapeFamilies(std::vector<prometheus::MetricFamily>& own,
                                       const ScrapeFacts& scrape) const {
  auto batches = Gauge("anchorbrowser_exporter_batches",
                       "Batches exported by this scrape, by where they came from.");
  const double configured = static_cast<double>(config_.batches.size());
  AddSample(batches, configured, {{"source", "configured"}});
  AddSample(batches, static_cast<double>(scrape.tracked) - configured, {{"source", "discovered"}});
  own.push_back(std::move(batches));
  if (discovery_) {
    auto cut = Gauge("anchorbrowser_exporter_discovery_truncated",
                     "1 when discovery.max_batches cut the list of discovered batches, else 0.");
    AddSample(cut, scrape.truncated ? 1 : 0);
    own.push_back(std::move(cut));
  }
  AddStateFamilies(own);
  auto duration = Gauge("anchorbrowser_exporter_scrape_duration_seconds",
                        "Time this collection of all batches took.");
  AddSample(duration,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - scrape.start).count());
  own.push_back(std::move(duration));
  // Prometheus 2.42 keeps scrape_timeout_seconds behind a feature flag: this lets an alert
  // compare the duration with what the scrape was allowed.
  auto allowed = Gauge("anchorbrowser_exporter_scrape_deadline_seconds",
                       "Time this collection was allowed to take: the scrape timeout Prometheus "
                       "announced less --web.timeout-offset, at most --web.max-scrape-timeout.");
  AddSample(allowed,
            std::max(0.0, std::chrono::duration<double>(scrape.deadline - scrape.start).count()));
  own.push_back(std::move(allowed));
}

std::vector<prometheus::MetricFamily> BatchCollector::Collect(Deadline deadline) {
  return MergedFamilies(CollectBatches(deadline));
}

BatchCollector::ProbeResult BatchCollector::Probe(const std::string& batch_id, Deadline deadline,
                                                  FetchExplanation* explanation) {
  ProbeResult out;
  if (!IsValidBatchId(batch_id)) {
    out.outcome = ProbeOutcome::kInvalidTarget;
    return out;
  }
  const BatchTarget* configured = Configured(batch_id);
  const BatchTarget target = configured != nullptr ? *configured : BatchTarget{batch_id, {}};
  const bool tracked = configured != nullptr || IsTracked(batch_id);
  if (!tracked && !config_.probe.allow_unlisted) {
    out.outcome = ProbeOutcome::kUnlisted;
    return out;
  }
  std::shared_ptr<const FetchResult> result;
  if (!tracked) {
    result = fetcher_.FetchUnlisted(batch_id, deadline, explanation);
    RecordUnlisted(batch_id, *result);
  } else {
    result = explanation != nullptr ? fetcher_.FetchExplained(batch_id, deadline, *explanation)
                                    : fetcher_.FetchAll({batch_id}, deadline).front();
    Record(target, result);
  }
  out.families = BuildBatchFamilies({{&target, result.get()}}, config_.sessions.histograms);
  out.result = result;
  return out;
}

void BatchCollector::RefreshDiscovery(Deadline deadline) {
  if (discovery_) discovery_->Current(deadline);
}

bool BatchCollector::IsTracked(const std::string& batch_id) const {
  if (Configured(batch_id) != nullptr) return true;
  return discovery_ && discovery_->Contains(batch_id);
}

std::vector<TrackedBatch> BatchCollector::TrackedBatches() const {
  std::vector<TrackedBatch> out;
  for (const auto& t : config_.batches) out.push_back({t, false, nullptr, {}});
  if (discovery_) {
    for (const auto& id : discovery_->Known()) {
      if (Configured(id) == nullptr) out.push_back({{id, {}}, true, nullptr, {}});
    }
  }
  for (auto& tb : out) {
    auto state = fetcher_.State(tb.target.id);
    tb.last = std::move(state.last);
    tb.last_fetch = state.answered_at;
    tb.in_flight = state.in_flight;
    tb.retry_after = state.retry_after;
  }
  return out;
}

std::optional<BatchDiscovery::Status> BatchCollector::DiscoveryStatus() const {
  if (!discovery_) return std::nullopt;
  return discovery_->GetStatus();
}

}  // namespace anchor
