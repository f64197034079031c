// BuildBatchFamilies and BatchFamiliesOf (src/collect/batch_families.h): hand-built batches in,
// anchorbrowser_batch_* families out. Every family, its label sets, the state sets one-hot, and
// no series for a field the API did not give.
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collect/batch_families.h"
#include "exposition/gauge_histogram.h"

using anchor::Batch;
using anchor::BatchSnapshot;
using anchor::BatchTarget;
using anchor::FetchResult;
using anchor::SessionHistograms;
using prometheus::MetricFamily;
using Labels = std::map<std::string, std::string>;

namespace {

const MetricFamily* Family(const std::vector<MetricFamily>& families, const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> Names(const std::vector<MetricFamily>& families) {
  std::vector<std::string> out;
  out.reserve(families.size());
  for (const auto& f : families) out.push_back(f.name);
  return out;
}

Labels LabelsOf(const prometheus::ClientMetric& m) {
  Labels out;
  for (const auto& l : m.label) out[l.name] = l.value;
  return out;
}

// The series of `name` whose labels are exactly `labels`.
const prometheus::ClientMetric* Series(const std::vector<MetricFamily>& families,
                                       const std::string& name, const Labels& labels) {
  const auto* f = Family(families, name);
  if (f == nullptr) return nullptr;
  for (const auto& m : f->metric) {
    if (LabelsOf(m) == labels) return &m;
  }
  return nullptr;
}

std::optional<double> Value(const std::vector<MetricFamily>& families, const std::string& name,
                            const Labels& labels) {
  const auto* m = Series(families, name, labels);
  if (m == nullptr) return std::nullopt;
  return m->gauge.value;
}

// Series of `name` for `batch_id`.
size_t Count(const std::vector<MetricFamily>& families, const std::string& name,
             const std::string& batch_id) {
  const auto* f = Family(families, name);
  if (f == nullptr) return 0;
  size_t n = 0;
  for (const auto& m : f->metric) n += LabelsOf(m).at("batch_id") == batch_id ? 1 : 0;
  return n;
}

Labels With(Labels base, const std::string& name, const std::string& value) {
  base[name] = value;
  return base;
}

// A batch with every field the API can give.
Batch FullBatch(const std::string& status = "processing") {
  Batch b;
  b.batch_id = "full";
  b.status = status;
  b.total_requests = 50;
  b.completed_requests = 20;
  b.failed_requests = 5;
  b.processing_requests = 15;
  b.pending_requests = 10;
  b.progress_ratio = 0.5;
  b.phase = "ready";
  b.created_at = 1795860000;
  b.completed_at = 1795863600.5;
  b.error_field_valid = true;
  anchor::SessionSummary s;
  s.count_by_status = {{"completed", 20}, {"failed", 5}, {"processing", 15}, {"paused", 2}};
  s.retries = 7;
  s.retried_sessions = 4;
  s.with_error = 3;
  s.errors_by_class = {{"timeout", 2}, {"other", 1}};
  s.duration = anchor::SessionHistogram({10, 60});
  for (const double v : {5.0, 20.0, 30.0, 100.0}) s.duration.Add(v);
  s.queue = anchor::SessionHistogram({1});
  for (const double v : {0.5, 2.0}) s.queue.Add(v);
  s.oldest_running_start = 1795860010;
  s.first_start = 1795860001;
  s.last_completion = 1795860500;
  b.sessions = s;
  return b;
}

FetchResult Ok(Batch b, double seconds = 0.25) {
  FetchResult r;
  r.batch = std::move(b);
  r.http_status = 200;
  r.duration_seconds = seconds;
  return r;
}

}  // namespace

TEST_CASE("a full batch gives every family, labelled batch_id then its labels", "[unit][collect]") {
  const BatchTarget target{"full", {{"team", "growth"}, {"env", "prod"}}};
  const FetchResult result = Ok(FullBatch());
  const auto f = anchor::BuildBatchFamilies({BatchSnapshot{&target, &result}});
  const Labels base{{"batch_id", "full"}, {"team", "growth"}, {"env", "prod"}};

  const auto names = Names(f);
  // Every family a batch that is up can have, in a stable order (no fetch_error while up).
  CHECK(names == std::vector<std::string>{
                     "anchorbrowser_batch_up",
                     "anchorbrowser_batch_total_requests",
                     "anchorbrowser_batch_requests",
                     "anchorbrowser_batch_progress_ratio",
                     "anchorbrowser_batch_status",
                     "anchorbrowser_batch_phase",
                     "anchorbrowser_batch_sessions",
                     "anchorbrowser_batch_session_retries",
                     "anchorbrowser_batch_retried_sessions",
                     "anchorbrowser_batch_error",
                     "anchorbrowser_batch_created_timestamp_seconds",
                     "anchorbrowser_batch_completion_timestamp_seconds",
                     "anchorbrowser_batch_fetch_duration_seconds",
                     "anchorbrowser_batch_last_http_status",
                     "anchorbrowser_batch_session_duration_seconds",
                     "anchorbrowser_batch_session_queue_seconds",
                     "anchorbrowser_batch_session_oldest_running_start_timestamp_seconds",
                     "anchorbrowser_batch_session_first_start_timestamp_seconds",
                     "anchorbrowser_batch_session_last_completion_timestamp_seconds",
                     "anchorbrowser_batch_sessions_with_error",
                     "anchorbrowser_batch_session_errors",
                 });
  for (const auto& family : f) {
    INFO(family.name);
    CHECK_FALSE(family.help.empty());
    const bool histogram = family.name == "anchorbrowser_batch_session_duration_seconds" ||
                           family.name == "anchorbrowser_batch_session_queue_seconds";
    CHECK(family.type == (histogram ? anchor::kGaugeHistogram : prometheus::MetricType::Gauge));
    for (const auto& m : family.metric) {
      REQUIRE_FALSE(m.label.empty());
      CHECK(m.label[0].name == "batch_id");  // first, then the target's labels
    }
  }

  CHECK(Value(f, "anchorbrowser_batch_up", base) == 1);
  CHECK(Value(f, "anchorbrowser_batch_total_requests", base) == 50);
  CHECK(Value(f, "anchorbrowser_batch_requests", With(base, "state", "completed")) == 20);
  CHECK(Value(f, "anchorbrowser_batch_requests", With(base, "state", "failed")) == 5);
  CHECK(Value(f, "anchorbrowser_batch_requests", With(base, "state", "processing")) == 15);
  CHECK(Value(f, "anchorbrowser_batch_requests", With(base, "state", "pending")) == 10);
  CHECK(Value(f, "anchorbrowser_batch_progress_ratio", base) == 0.5);
  CHECK(Value(f, "anchorbrowser_batch_session_retries", base) == 7);
  CHECK(Value(f, "anchorbrowser_batch_retried_sessions", base) == 4);
  CHECK(Value(f, "anchorbrowser_batch_sessions_with_error", base) == 3);
  // Error classes: only those with a session, in the order the parse gives them.
  CHECK(Count(f, "anchorbrowser_batch_session_errors", "full") == 2);
  CHECK(Value(f, "anchorbrowser_batch_session_errors", With(base, "class", "timeout")) == 2);
  CHECK(Value(f, "anchorbrowser_batch_session_errors", With(base, "class", "other")) == 1);
  CHECK_FALSE(Value(f, "anchorbrowser_batch_session_errors", With(base, "class", "proxy")));
  CHECK(Value(f, "anchorbrowser_batch_error", base) == 0);
  CHECK(Value(f, "anchorbrowser_batch_created_timestamp_seconds", base) == 1795860000);
  CHECK(Value(f, "anchorbrowser_batch_completion_timestamp_seconds", base) == 1795863600.5);
  CHECK(Value(f, "anchorbrowser_batch_fetch_duration_seconds", base) == 0.25);
  CHECK(Value(f, "anchorbrowser_batch_last_http_status", base) == 200);
  CHECK(Value(f, "anchorbrowser_batch_session_oldest_running_start_timestamp_seconds", base) ==
        1795860010);
  CHECK(Value(f, "anchorbrowser_batch_session_first_start_timestamp_seconds", base) == 1795860001);
  CHECK(Value(f, "anchorbrowser_batch_session_last_completion_timestamp_seconds", base) ==
        1795860500);

  // Sessions by status: every known status (0 when none), then "other" for any other seen.
  const std::map<std::string, double> sessions = {{"pending", 0},    {"processing", 15},
                                                  {"completed", 20}, {"failed", 5},
                                                  {"cancelled", 0},  {"other", 2}};
  CHECK(Count(f, "anchorbrowser_batch_sessions", "full") == sessions.size());
  for (const auto& [status, n] : sessions) {
    INFO(status);
    CHECK(Value(f, "anchorbrowser_batch_sessions", With(base, "status", status)) == n);
  }
}

TEST_CASE("status and phase are state sets: one 1, the rest 0", "[unit][collect]") {
  const BatchTarget target{"b", {}};
  const Labels base{{"batch_id", "b"}};
  for (const char* status : {"pending", "processing", "completed", "failed", "cancelled"}) {
    INFO(status);
    const auto result = Ok(FullBatch(status));
    const auto f = anchor::BatchFamiliesOf(target, result);
    CHECK(Count(f, "anchorbrowser_batch_status", "b") == 5);
    for (const char* s : {"pending", "processing", "completed", "failed", "cancelled"}) {
      CHECK(Value(f, "anchorbrowser_batch_status", With(base, "status", s)) ==
            (std::string(s) == status ? 1 : 0));
    }
  }
  auto phased = FullBatch();
  phased.phase = "configuring";
  const auto f = anchor::BatchFamiliesOf(target, Ok(phased));
  CHECK(Count(f, "anchorbrowser_batch_phase", "b") == 4);
  for (const char* p : {"queued", "provisioning", "configuring", "ready"}) {
    CHECK(Value(f, "anchorbrowser_batch_phase", With(base, "phase", p)) ==
          (std::string(p) == "configuring" ? 1 : 0));
  }
}

TEST_CASE("an unknown status or phase is the state other", "[unit][collect]") {
  const BatchTarget target{"odd", {}};
  const Labels base{{"batch_id", "odd"}};
  auto b = FullBatch("paused");
  b.phase = "warming";
  const auto f = anchor::BatchFamiliesOf(target, Ok(b));
  CHECK(Count(f, "anchorbrowser_batch_status", "odd") == 6);
  CHECK(Value(f, "anchorbrowser_batch_status", With(base, "status", "other")) == 1);
  CHECK(Value(f, "anchorbrowser_batch_status", With(base, "status", "processing")) == 0);
  CHECK(Count(f, "anchorbrowser_batch_phase", "odd") == 5);
  CHECK(Value(f, "anchorbrowser_batch_phase", With(base, "phase", "other")) == 1);
  CHECK(Value(f, "anchorbrowser_batch_phase", With(base, "phase", "ready")) == 0);
}

// The parser folds unknown values already; the families do too, whatever built the Batch.
TEST_CASE("any number of session statuses is at most six series", "[unit][collect]") {
  const BatchTarget target{"many", {}};
  auto b = FullBatch();
  for (int i = 0; i < 5000; ++i) b.sessions->count_by_status["made_up_" + std::to_string(i)] = 1;
  const auto f = anchor::BatchFamiliesOf(target, Ok(b));
  CHECK(Count(f, "anchorbrowser_batch_sessions", "many") == 6);
  CHECK(Value(f, "anchorbrowser_batch_sessions", {{"batch_id", "many"}, {"status", "other"}}) ==
        5002);
}

TEST_CASE("absent fields give no series, never 0", "[unit][collect]") {
  const BatchTarget target{"sparse", {}};
  const Labels base{{"batch_id", "sparse"}};
  const FetchResult empty = Ok(Batch{});  // nothing but up and the fetch itself is known
  const auto f = anchor::BuildBatchFamilies({BatchSnapshot{&target, &empty}});
  const auto names = Names(f);
  // A missing phase is still a state set, all 0: "the API reports none".
  CHECK(names == std::vector<std::string>{"anchorbrowser_batch_up", "anchorbrowser_batch_phase",
                                          "anchorbrowser_batch_fetch_duration_seconds",
                                          "anchorbrowser_batch_last_http_status"});
  CHECK(Count(f, "anchorbrowser_batch_phase", "sparse") == 4);
  for (const char* p : {"queued", "provisioning", "configuring", "ready"}) {
    CHECK(Value(f, "anchorbrowser_batch_phase", With(base, "phase", p)) == 0);
  }

  // Some request counts: only those get a state series.
  Batch some;
  some.completed_requests = 3;
  some.pending_requests = 0;
  some.error = "quota exceeded";
  some.error_field_valid = true;
  const auto g = anchor::BatchFamiliesOf(target, Ok(some));
  CHECK(Count(g, "anchorbrowser_batch_requests", "sparse") == 2);
  CHECK(Value(g, "anchorbrowser_batch_requests", With(base, "state", "completed")) == 3);
  CHECK(Value(g, "anchorbrowser_batch_requests", With(base, "state", "pending")) == 0);
  CHECK_FALSE(Value(g, "anchorbrowser_batch_requests", With(base, "state", "failed")));
  CHECK(Value(g, "anchorbrowser_batch_error", base) == 1);
  CHECK(Count(g, "anchorbrowser_batch_total_requests", "sparse") == 0);
  CHECK(Count(g, "anchorbrowser_batch_status", "sparse") == 0);

  // A phase of the wrong type is dropped: no state set rather than one saying "none".
  Batch bad_phase;
  bad_phase.invalid_fields = {"progress.current_phase"};
  CHECK(Count(anchor::BatchFamiliesOf(target, Ok(bad_phase)), "anchorbrowser_batch_phase",
              "sparse") == 0);

  // An answer without a status line (timeout, connection, TLS) has no last HTTP status.
  FetchResult no_status = Ok(Batch{});
  no_status.http_status = 0;
  CHECK(Count(anchor::BatchFamiliesOf(target, no_status), "anchorbrowser_batch_last_http_status",
              "sparse") == 0);

  // Sessions without any timestamps: counts and sums, no first/last/oldest series.
  Batch sessions;
  sessions.sessions.emplace();
  sessions.status = "processing";
  sessions.created_at = 1795860000;
  const auto h = anchor::BatchFamiliesOf(target, Ok(sessions));
  CHECK(Value(h, "anchorbrowser_batch_session_retries", base) == 0);
  CHECK(Count(h, "anchorbrowser_batch_sessions", "sparse") == 5);
  for (const char* absent : {"anchorbrowser_batch_session_oldest_running_start_timestamp_seconds",
                             "anchorbrowser_batch_session_first_start_timestamp_seconds",
                             "anchorbrowser_batch_session_last_completion_timestamp_seconds"}) {
    INFO(absent);
    CHECK(Count(h, absent, "sparse") == 0);
  }
}

TEST_CASE("a failed fetch gives up 0, its reason and its HTTP status only", "[unit][collect]") {
  const BatchTarget target{"down", {{"team", "a"}}};
  const Labels base{{"batch_id", "down"}, {"team", "a"}};
  FetchResult failed;
  failed.error = anchor::FetchError::kNotFound;
  failed.http_status = 404;
  const auto f = anchor::BuildBatchFamilies({BatchSnapshot{&target, &failed}});
  const auto names = Names(f);
  CHECK(names == std::vector<std::string>{"anchorbrowser_batch_up",
                                          "anchorbrowser_batch_fetch_error",
                                          "anchorbrowser_batch_last_http_status"});
  CHECK(Value(f, "anchorbrowser_batch_up", base) == 0);
  CHECK(Count(f, "anchorbrowser_batch_fetch_error", "down") == 1);  // the failing reason only
  CHECK(Value(f, "anchorbrowser_batch_fetch_error", With(base, "reason", "not_found")) == 1);
  CHECK(Value(f, "anchorbrowser_batch_last_http_status", base) == 404);

  FetchResult timeout;
  timeout.error = anchor::FetchError::kTimeout;
  const auto g = anchor::BuildBatchFamilies({BatchSnapshot{&target, &timeout}});
  CHECK(Value(g, "anchorbrowser_batch_fetch_error", With(base, "reason", "timeout")) == 1);
  CHECK(Count(g, "anchorbrowser_batch_last_http_status", "down") == 0);
}

TEST_CASE("session histograms are cumulative, +Inf last and equal to the count",
          "[unit][collect]") {
  const BatchTarget target{"h", {}};
  const auto f = anchor::BatchFamiliesOf(target, Ok(FullBatch()));
  const auto* d = Series(f, "anchorbrowser_batch_session_duration_seconds", {{"batch_id", "h"}});
  REQUIRE(d != nullptr);
  CHECK(d->histogram.sample_count == 4);
  CHECK(d->histogram.sample_sum == 155);
  // Runs 5, 20, 30, 100 over bounds 10, 60: <=10: 1, <=60: 3, +Inf: 4.
  REQUIRE(d->histogram.bucket.size() == 3);
  CHECK(d->histogram.bucket[0].upper_bound == 10);
  CHECK(d->histogram.bucket[0].cumulative_count == 1);
  CHECK(d->histogram.bucket[1].upper_bound == 60);
  CHECK(d->histogram.bucket[1].cumulative_count == 3);
  CHECK(d->histogram.bucket[2].upper_bound == std::numeric_limits<double>::infinity());
  CHECK(d->histogram.bucket[2].cumulative_count == 4);
  const auto* q = Series(f, "anchorbrowser_batch_session_queue_seconds", {{"batch_id", "h"}});
  REQUIRE(q != nullptr);
  CHECK(q->histogram.sample_count == 2);
  REQUIRE(q->histogram.bucket.size() == 2);
  CHECK(q->histogram.bucket[0].cumulative_count == 1);
  CHECK(q->histogram.bucket[1].cumulative_count == 2);

  // Without created_at no wait is known: no queue histogram, the run times stay.
  auto uncreated = FullBatch();
  uncreated.created_at.reset();
  const auto g = anchor::BatchFamiliesOf(target, Ok(uncreated));
  CHECK(Count(g, "anchorbrowser_batch_session_queue_seconds", "h") == 0);
  CHECK(Count(g, "anchorbrowser_batch_session_duration_seconds", "h") == 1);
}

TEST_CASE("sessions.histograms selects the batches that export histograms", "[unit][collect]") {
  const BatchTarget running{"running", {}}, done{"done", {}}, unknown{"unknown", {}};
  const auto running_result = Ok(FullBatch("processing"));
  const auto done_result = Ok(FullBatch("completed"));
  auto no_status = FullBatch();
  no_status.status.reset();
  const auto unknown_result = Ok(no_status);
  const std::vector<BatchSnapshot> all = {
      {&running, &running_result}, {&done, &done_result}, {&unknown, &unknown_result}};
  const std::string d = "anchorbrowser_batch_session_duration_seconds";
  const std::string gauge = "anchorbrowser_batch_session_first_start_timestamp_seconds";

  const auto active = anchor::BuildBatchFamilies(all, SessionHistograms::kActive);
  CHECK(Count(active, d, "running") == 1);
  CHECK(Count(active, d, "done") == 0);
  CHECK(Count(active, d, "unknown") == 0);
  CHECK(Count(active, gauge, "done") == 1);  // the gauges stay

  const auto every = anchor::BuildBatchFamilies(all, SessionHistograms::kAll);
  for (const char* id : {"running", "done", "unknown"}) CHECK(Count(every, d, id) == 1);

  const auto off = anchor::BuildBatchFamilies(all, SessionHistograms::kOff);
  CHECK(Family(off, d) == nullptr);
  CHECK(Family(off, "anchorbrowser_batch_session_queue_seconds") == nullptr);
  CHECK(Count(off, gauge, "running") == 1);
}

TEST_CASE("one family holds the series of every batch, in the batches' order", "[unit][collect]") {
  const BatchTarget a{"a", {}}, b{"b", {{"team", "x"}}};
  const auto up = Ok(FullBatch());
  FetchResult down;
  down.error = anchor::FetchError::kServerError;
  down.http_status = 500;
  const auto f = anchor::BuildBatchFamilies({{&a, &up}, {&b, &down}});
  const auto* family = Family(f, "anchorbrowser_batch_up");
  REQUIRE(family != nullptr);
  REQUIRE(family->metric.size() == 2);
  CHECK(LabelsOf(family->metric[0]) == Labels{{"batch_id", "a"}});
  CHECK(family->metric[0].gauge.value == 1);
  CHECK(LabelsOf(family->metric[1]) == Labels{{"batch_id", "b"}, {"team", "x"}});
  CHECK(family->metric[1].gauge.value == 0);
  CHECK(Family(f, "anchorbrowser_batch_fetch_error")->metric.size() == 1);
  CHECK(anchor::BuildBatchFamilies({}).empty());
}

TEST_CASE("BatchFamiliesOf gives every family, empty ones included, in the same order",
          "[unit][collect]") {
  const BatchTarget target{"x", {}};
  const auto full = anchor::BatchFamiliesOf(target, Ok(FullBatch()));
  FetchResult down;
  down.error = anchor::FetchError::kTimeout;
  const auto failed = anchor::BatchFamiliesOf(target, down);
  REQUIRE(full.size() == 22);
  REQUIRE(failed.size() == full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    INFO(full[i].name);
    CHECK(failed[i].name == full[i].name);
    CHECK(failed[i].type == full[i].type);
  }
  CHECK(full.front().name == "anchorbrowser_batch_up");
  size_t empty = 0;
  for (const auto& family : failed) empty += family.metric.empty() ? 1 : 0;
  CHECK(empty == 20);  // all but up and fetch_error: a timeout read no HTTP status
}

TEST_CASE("a batch without session errors has no error class series", "[unit][collect]") {
  const BatchTarget target{"full", {}};
  Batch b = FullBatch();
  b.sessions->with_error = 0;
  b.sessions->errors_by_class.clear();
  const FetchResult result = Ok(b);
  const auto f = anchor::BuildBatchFamilies({BatchSnapshot{&target, &result}});
  CHECK(Family(f, "anchorbrowser_batch_session_errors") == nullptr);
  CHECK(Value(f, "anchorbrowser_batch_sessions_with_error", {{"batch_id", "full"}}) == 0);
}
