#include "collect/batch_families.h"

#include <algorithm>
#include <limits>

#include "config/label_names.h"
#include "exposition/gauge_histogram.h"

namespace anchor {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

MetricFamily Gauge(const char* name, const char* help) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = prometheus::MetricType::Gauge;
  return f;
}

// Labels shared by every series of a batch: batch_id, then its static labels.
std::vector<ClientMetric::Label> BaseLabels(const BatchTarget& target) {
  std::vector<ClientMetric::Label> labels;
  labels.reserve(target.labels.size() + 2);
  labels.push_back({labels::kBatchId, target.id});
  for (const auto& [name, value] : target.labels) labels.push_back({name, value});
  return labels;
}

void AddSample(MetricFamily& family, const std::vector<ClientMetric::Label>& base, double value) {
  ClientMetric m;
  m.label = base;
  m.gauge.value = value;
  family.metric.push_back(std::move(m));
}

void AddSample(MetricFamily& family, const std::vector<ClientMetric::Label>& base,
               const char* label, const std::string& label_value, double value) {
  ClientMetric m;
  m.label = base;
  m.label.push_back({label, label_value});
  m.gauge.value = value;
  family.metric.push_back(std::move(m));
}

// A state set: every known state with 0 or 1, plus "other" = 1 when the current state is none
// of them (the parser already folds unknown values into "other"; so does this, whatever built
// the Batch): at most known + 1 series.
void AddStateSet(MetricFamily& family, const std::vector<ClientMetric::Label>& base,
                 const char* label, const std::vector<std::string>& known,
                 const std::optional<std::string>& current) {
  for (const auto& state : known) {
    AddSample(family, base, label, state, current && *current == state ? 1 : 0);
  }
  if (current && std::find(known.begin(), known.end(), *current) == known.end()) {
    AddSample(family, base, label, labels::kOtherValue, 1);
  }
}

// Sessions per status: every known status (0 when none), then "other" for the rest, if any.
void AddSessionCounts(MetricFamily& family, const std::vector<ClientMetric::Label>& base,
                      const SessionSummary& sessions) {
  const auto& known = KnownStatuses();
  for (const auto& status : known) {
    const auto it = sessions.count_by_status.find(status);
    AddSample(family, base, labels::kStatus, status,
              it == sessions.count_by_status.end() ? 0 : static_cast<double>(it->second));
  }
  std::int64_t other = 0;
  bool any_other = false;
  for (const auto& [status, count] : sessions.count_by_status) {
    if (std::find(known.begin(), known.end(), status) == known.end()) {
      other += count;
      any_other = true;
    }
  }
  if (any_other)
    AddSample(family, base, labels::kStatus, labels::kOtherValue, static_cast<double>(other));
}

// A gauge histogram series: cumulative buckets (+Inf last, equal to the count), count and sum.
void AddHistogram(MetricFamily& family, const std::vector<ClientMetric::Label>& base,
                  const SessionHistogram& h) {
  ClientMetric m;
  m.label = base;
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  m.histogram.bucket.reserve(h.bounds.size() + 1);
  std::uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const double bound =
        i < h.bounds.size() ? h.bounds[i] : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, bound});
  }
  family.metric.push_back(std::move(m));
}

// Each bucket's exemplar: the slowest session that fell in it, by its id (OpenMetrics only).
void AddExemplars(FamilyExemplars& exemplars, const MetricFamily& family,
                  const SessionHistogram& h) {
  if (h.exemplars.empty()) return;
  exemplars.metrics.resize(family.metric.size() - 1);  // the series just added by AddHistogram
  BucketExemplars& buckets = exemplars.metrics.emplace_back(h.counts.size());
  for (const SessionExemplar& e : h.exemplars) {
    if (e.bucket >= buckets.size()) continue;
    buckets[e.bucket] =
        Exemplar{{"session_id", std::string(h.ExemplarId(e))}, e.value, e.timestamp};
  }
}

MetricFamily GaugeHistogram(const char* name, const char* help) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = kGaugeHistogram;
  return f;
}

// Whether a batch exports the session histograms (~30 series each): `active` leaves out
// batches that are finished, or whose status is unknown.
bool WantsHistograms(const Batch& b, SessionHistograms mode) {
  switch (mode) {
    case SessionHistograms::kAll:
      return true;
    case SessionHistograms::kActive:
      return b.status && !IsTerminalStatus(*b.status);
    case SessionHistograms::kOff:
      return false;
  }
  return false;
}

struct Families {
  MetricFamily up = Gauge("anchorbrowser_batch_up",
                          "1 if this scrape has the batch's data from the API, 0 if the fetch "
                          "failed (see anchorbrowser_exporter_fetch_errors_total).");
  MetricFamily total = Gauge("anchorbrowser_batch_total_requests",
                             "Session requests in the batch (total_requests).");
  MetricFamily requests = Gauge("anchorbrowser_batch_requests",
                                "Session requests of the batch by state, as the API counts them "
                                "(completed/failed/processing/pending_requests).");
  MetricFamily progress = Gauge("anchorbrowser_batch_progress_ratio",
                                "Progress of the batch from 0 to 1 (progress.percentage / 100).");
  MetricFamily status = Gauge("anchorbrowser_batch_status",
                              "Status of the batch as a state set: 1 for the current status.");
  MetricFamily phase = Gauge("anchorbrowser_batch_phase",
                             "Progress phase of the batch as a state set: 1 for the current "
                             "phase, all 0 while the API reports none.");
  MetricFamily sessions = Gauge("anchorbrowser_batch_sessions",
                                "Entries of the batch's sessions list by session status.");
  MetricFamily retries =
      Gauge("anchorbrowser_batch_session_retries", "Sum of retry_count over the batch's sessions.");
  MetricFamily retried =
      Gauge("anchorbrowser_batch_retried_sessions", "Sessions of the batch with retry_count > 0.");
  MetricFamily error = Gauge("anchorbrowser_batch_error",
                             "1 if the batch reports a non-empty error, else 0 (the text is "
                             "logged at debug level, never exported).");
  MetricFamily created = Gauge("anchorbrowser_batch_created_timestamp_seconds",
                               "When the batch was created (created_at), as Unix time.");
  MetricFamily completed = Gauge("anchorbrowser_batch_completion_timestamp_seconds",
                                 "When the batch finished (actual_completion_time), as Unix "
                                 "time; absent until it has.");
  MetricFamily fetch_duration = Gauge("anchorbrowser_batch_fetch_duration_seconds",
                                      "Time the API request for this batch took.");
  MetricFamily fetch_error = Gauge("anchorbrowser_batch_fetch_error",
                                   "Why this scrape has no data for the batch: 1 for the reason "
                                   "of the failed fetch; no series while the batch is up.");
  MetricFamily last_status = Gauge("anchorbrowser_batch_last_http_status",
                                   "HTTP status of the API's last answer for the batch; absent "
                                   "when no answer was read (timeout, connection, TLS).");
  MetricFamily duration = GaugeHistogram(
      "anchorbrowser_batch_session_duration_seconds",
      "Run time (completed_at - started_at) of the batch's sessions that have both, as they are "
      "now.");
  MetricFamily queue = GaugeHistogram(
      "anchorbrowser_batch_session_queue_seconds",
      "Wait from the batch's created_at to started_at of the batch's sessions that have started.");
  MetricFamily oldest_running =
      Gauge("anchorbrowser_batch_session_oldest_running_start_timestamp_seconds",
            "Earliest started_at among the batch's sessions still processing, as Unix time; absent "
            "when none is.");
  MetricFamily first_start = Gauge("anchorbrowser_batch_session_first_start_timestamp_seconds",
                                   "Earliest started_at of any session of the batch, as Unix "
                                   "time.");
  MetricFamily last_completion =
      Gauge("anchorbrowser_batch_session_last_completion_timestamp_seconds",
            "Latest completed_at of any session of the batch, as Unix time.");
  MetricFamily with_error = Gauge("anchorbrowser_batch_sessions_with_error",
                                  "Sessions of the batch whose error is a non-empty string.");
  MetricFamily session_errors = Gauge(
      "anchorbrowser_batch_session_errors",
      "Sessions of the batch whose error is a non-empty string, by class (sessions.error_classes: "
      "first pattern that matches, else other); classes with no session are left out.");
  bool want_exemplars = false;  // fill the two below (OpenMetrics)
  FamilyExemplars duration_exemplars;
  FamilyExemplars queue_exemplars;

  void Add(const BatchTarget& target, const FetchResult& result, SessionHistograms histograms);
  void AddSessions(const std::vector<ClientMetric::Label>& base, const Batch& b,
                   SessionHistograms histograms);
};

void AddCount(MetricFamily& family, const std::vector<ClientMetric::Label>& base,
              const std::optional<std::int64_t>& value) {
  if (value) AddSample(family, base, static_cast<double>(*value));
}

void Families::AddSessions(const std::vector<ClientMetric::Label>& base, const Batch& b,
                           SessionHistograms histograms) {
  const SessionSummary& s = *b.sessions;
  AddSessionCounts(sessions, base, s);
  AddSample(retries, base, static_cast<double>(s.retries));
  AddSample(retried, base, static_cast<double>(s.retried_sessions));
  AddSample(with_error, base, static_cast<double>(s.with_error));
  for (const auto& [error_class, count] : s.errors_by_class) {
    AddSample(session_errors, base, labels::kClass, error_class, static_cast<double>(count));
  }
  if (s.oldest_running_start) AddSample(oldest_running, base, *s.oldest_running_start);
  if (s.first_start) AddSample(first_start, base, *s.first_start);
  if (s.last_completion) AddSample(last_completion, base, *s.last_completion);
  if (WantsHistograms(b, histograms)) {
    AddHistogram(duration, base, s.duration);
    if (want_exemplars) AddExemplars(duration_exemplars, duration, s.duration);
    // Without created_at no wait is known: no series rather than an empty histogram.
    if (b.created_at) {
      AddHistogram(queue, base, s.queue);
      if (want_exemplars) AddExemplars(queue_exemplars, queue, s.queue);
    }
  }
}

void Families::Add(const BatchTarget& target, const FetchResult& result,
                   SessionHistograms histograms) {
  const auto base = BaseLabels(target);
  AddSample(up, base, result.ok() ? 1 : 0);
  if (result.http_status != 0) AddSample(last_status, base, result.http_status);
  if (!result.ok()) {
    // Only the failing reason: one series per down batch instead of ten per tracked batch.
    AddSample(fetch_error, base, labels::kReason, FetchErrorReason(result.error), 1);
    return;
  }
  const Batch& b = *result.batch;
  AddCount(total, base, b.total_requests);
  const std::pair<const char*, const std::optional<std::int64_t>*> states[] = {
      {"completed", &b.completed_requests},
      {"failed", &b.failed_requests},
      {"processing", &b.processing_requests},
      {"pending", &b.pending_requests}};
  for (const auto& [state, value] : states) {
    if (*value) AddSample(requests, base, labels::kState, state, static_cast<double>(**value));
  }
  if (b.progress_ratio) AddSample(progress, base, *b.progress_ratio);
  if (b.status) AddStateSet(status, base, labels::kStatus, KnownStatuses(), b.status);
  // A phase that is no string leaves the state set out; an unknown one is phase="other".
  const bool phase_invalid = std::find(b.invalid_fields.begin(), b.invalid_fields.end(),
                                       "progress.current_phase") != b.invalid_fields.end();
  if (b.phase || !phase_invalid) AddStateSet(phase, base, labels::kPhase, KnownPhases(), b.phase);
  if (b.sessions) AddSessions(base, b, histograms);
  if (b.error_field_valid) AddSample(error, base, b.error ? 1 : 0);
  if (b.created_at) AddSample(created, base, *b.created_at);
  if (b.completed_at) AddSample(completed, base, *b.completed_at);
  AddSample(fetch_duration, base, result.duration_seconds);
}

std::vector<MetricFamily*> InOrder(Families& f) {
  return {&f.up,         &f.total,         &f.requests,       &f.progress,    &f.status,
          &f.phase,      &f.sessions,      &f.retries,        &f.retried,     &f.error,
          &f.created,    &f.completed,     &f.fetch_duration, &f.fetch_error, &f.last_status,
          &f.duration,   &f.queue,         &f.oldest_running, &f.first_start, &f.last_completion,
          &f.with_error, &f.session_errors};
}

}  // namespace

std::vector<MetricFamily> BuildBatchFamilies(const std::vector<BatchSnapshot>& batches,
                                             SessionHistograms histograms) {
  Families f;
  for (const auto& snapshot : batches) f.Add(*snapshot.target, *snapshot.result, histograms);
  std::vector<MetricFamily> out;
  for (MetricFamily* family : InOrder(f)) {
    if (!family->metric.empty()) out.push_back(std::move(*family));
  }
  return out;
}

std::vector<MetricFamily> BatchFamiliesOf(const BatchTarget& target, const FetchResult& result,
                                          SessionHistograms histograms) {
  Families f;
  f.Add(target, result, histograms);
  std::vector<MetricFamily> out;
  for (MetricFamily* family : InOrder(f)) out.push_back(std::move(*family));
  return out;
}

FamiliesWithExemplars BatchSeriesOf(const BatchTarget& target, const FetchResult& result,
                                    SessionHistograms histograms) {
  Families f;
  f.want_exemplars = true;
  f.Add(target, result, histograms);
  FamiliesWithExemplars out;
  for (MetricFamily* family : InOrder(f)) {
    FamilyExemplars* exemplars = family == &f.duration ? &f.duration_exemplars
                                 : family == &f.queue  ? &f.queue_exemplars
                                                       : nullptr;
    if (exemplars != nullptr && !exemplars->metrics.empty()) {
      out.exemplars.resize(out.families.size());
      out.exemplars.push_back(std::move(*exemplars));
    }
    out.families.push_back(std::move(*family));
  }
  return out;
}

}  // namespace anchor
