#include "demo/batch_simulation.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "anchor/timestamp.h"
#include "demo/session_errors.h"
#include "demo/simulation_random.h"

namespace anchor {
namespace {

double Uniform(const std::string& id, int session, int salt) {
  return SimulationUniform(id, session, salt);
}

struct SessionState {
  const char* status;
  int retries;
  double start;  // seconds after creation
  double end;
};

// A standard normal value (Box-Muller) from two of the uniform draws.
double Normal(const std::string& id, int session) {
  const double u1 = std::max(Uniform(id, session, 2), 1e-12);
  const double u2 = Uniform(id, session, 6);
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Skewed like real browser sessions: most start soon after creation and run for about 6% of the
// batch's duration (log-normal), a few wait long, 2% are slow outliers near the end of the
// batch, and the stuck session (session 0 when the spec has one) never ends.
SessionState Simulate(const SimulatedBatchSpec& spec, int i, double elapsed) {
  const double d = static_cast<double>(spec.duration.count());
  SessionState s{};
  const double wait = Uniform(spec.id, i, 1);
  s.start = d * (0.1 + 0.6 * wait * wait);
  const bool outlier = Uniform(spec.id, i, 7) < 0.02;
  const double run = outlier
                         ? d * (0.22 + 0.06 * Uniform(spec.id, i, 8))
                         : d * std::clamp(0.06 * std::exp(0.5 * Normal(spec.id, i)), 0.01, 0.28);
  s.end = std::min(s.start + run, d);
  if (spec.stuck_session && i == 0) {
    s.start = 0;  // running from the first scrape on
    s.end = std::numeric_limits<double>::infinity();
  }
  const bool fails = Uniform(spec.id, i, 3) < spec.failure_rate;
  const bool retries = fails || Uniform(spec.id, i, 4) < spec.retry_rate;
  const int max_retries = fails ? 3 : 1 + static_cast<int>(Uniform(spec.id, i, 5) * 2);
  if (elapsed < s.start) {
    s.status = "pending";
  } else if (elapsed < s.end) {
    s.status = "processing";
    // Retries happen while a session runs: one more at each third of its run.
    const double run = (elapsed - s.start) / (s.end - s.start);
    s.retries = retries ? std::min(max_retries, static_cast<int>(run * 3)) : 0;
  } else {
    s.status = fails ? "failed" : "completed";
    s.retries = retries ? max_retries : 0;
  }
  return s;
}

const char* PhaseAt(double elapsed, double d) {
  if (elapsed < 0.05 * d) return "queued";
  if (elapsed < 0.1 * d) return "provisioning";
  if (elapsed < 0.2 * d) return "configuring";
  return "ready";
}

// The batch status rule: done when every session ended; failed when most of them failed.
const char* BatchStatus(const SimulatedBatchSpec& spec, int completed, int failed, double elapsed) {
  const int n = spec.sessions;
  const bool done = n > 0 && completed + failed == n;
  if (done) return failed * 2 > n ? "failed" : "completed";
  return elapsed < 0.1 * static_cast<double>(spec.duration.count()) ? "pending" : "processing";
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// The moment `at` seconds after creation, or null while it has not come yet.
void TimeOrNull(JsonWriter& w, double created_at, double at, bool reached) {
  if (reached) {
    w.String(FormatRfc3339(created_at + at).c_str());
  } else {
    w.Null();
  }
}

void TextOrNull(JsonWriter& w, const char* text) {
  if (text != nullptr) {
    w.String(text);
  } else {
    w.Null();
  }
}

// cdp_url and live_view_url, as the API sends them for a session with a browser: the running
// ones and, as the API keeps them, every fourth of the others; null for the rest. The live view
// carries a (fake) token in its query string: the exporter must never show either.
void WriteLiveUrls(JsonWriter& w, const std::string& session_id, int i, const SessionState& s) {
  const bool live = std::string(s.status) == "processing" || i % 4 == 0;
  w.Key("cdp_url");
  if (live) {
    w.String(("wss://connect.anchorbrowser.io?sessionId=" + session_id).c_str());
  } else {
    w.Null();
  }
  w.Key("live_view_url");
  if (live) {
    w.String(("https://live.anchorbrowser.io/inspector.html?host=connect.anchorbrowser.io&"
              "sessionId=" +
              session_id + "&token=" + std::string(kDemoLiveViewTokenPrefix) + session_id)
                 .c_str());
  } else {
    w.Null();
  }
}

// What the sessions add up to: the batch's counters and when its last session ended.
struct SessionCounts {
  int completed = 0;
  int failed = 0;
  int processing = 0;
  int pending = 0;
  double last_end = 0;  // seconds after creation
};

void WriteSession(JsonWriter& w, const SimulatedBatchSpec& spec, int i, const SessionState& s,
                  double created_at, double elapsed) {
  w.StartObject();
  w.Key("item_index");
  w.Int(i);
  w.Key("session_id");
  w.String((spec.id + "-s" + std::to_string(i)).c_str());
  w.Key("status");
  w.String(s.status);
  w.Key("retry_count");
  w.Int(s.retries);
  w.Key("started_at");
  TimeOrNull(w, created_at, s.start, elapsed >= s.start);
  w.Key("completed_at");
  TimeOrNull(w, created_at, s.end, elapsed >= s.end);
  w.Key("error");
  if (std::string(s.status) == "failed") {
    w.String(SimulateSessionError(spec.id, i, spec.failure).text.c_str());
  } else {
    w.Null();
  }
  WriteLiveUrls(w, spec.id + "-s" + std::to_string(i), i, s);
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.EndObject();
}

// The "sessions" array, counted as it is written.
SessionCounts WriteSessions(JsonWriter& w, const SimulatedBatchSpec& spec, double created_at,
                            double elapsed) {
  SessionCounts counts;
  w.Key("sessions");
  w.StartArray();
  for (int i = 0; i < spec.sessions; ++i) {
    const SessionState s = Simulate(spec, i, elapsed);
    const std::string st = s.status;
    counts.completed += st == "completed";
    counts.failed += st == "failed";
    counts.processing += st == "processing";
    counts.pending += st == "pending";
    if (std::isfinite(s.end)) counts.last_end = std::max(counts.last_end, s.end);
    WriteSession(w, spec, i, s, created_at, elapsed);
  }
  w.EndArray();
  return counts;
}

// The batch's own fields after its sessions: status, counters, times and progress.
void WriteBatchFields(JsonWriter& w, const SimulatedBatchSpec& spec, const SessionCounts& counts,
                      double created_at, double elapsed) {
  const int n = spec.sessions;
  const std::string status = BatchStatus(spec, counts.completed, counts.failed, elapsed);
  const bool batch_failed = status == "failed";
  w.Key("batch_id");
  w.String(spec.id.c_str());
  w.Key("status");
  w.String(status.c_str());
  w.Key("total_requests");
  w.Int(n);
  w.Key("completed_requests");
  w.Int(counts.completed);
  w.Key("failed_requests");
  w.Int(counts.failed);
  w.Key("processing_requests");
  w.Int(counts.processing);
  w.Key("pending_requests");
  w.Int(counts.pending);
  w.Key("created_at");
  w.String(FormatRfc3339(created_at).c_str());
  w.Key("actual_completion_time");
  TimeOrNull(w, created_at, counts.last_end, status == "completed" || batch_failed);
  w.Key("error");
  TextOrNull(w, batch_failed ? "more than half of the sessions failed" : nullptr);
  w.Key("progress");
  w.StartObject();
  w.Key("percentage");
  w.Double(n > 0 ? 100.0 * (counts.completed + counts.failed) / n : 100.0);
  w.Key("current_phase");
  w.String(PhaseAt(elapsed, static_cast<double>(spec.duration.count())));
  w.EndObject();
}

}  // namespace

std::string SimulatedStatus(const SimulatedBatchSpec& spec, double elapsed) {
  int completed = 0, failed = 0;
  for (int i = 0; i < spec.sessions; ++i) {
    const std::string st = Simulate(spec, i, elapsed).status;
    completed += st == "completed";
    failed += st == "failed";
  }
  return BatchStatus(spec, completed, failed, elapsed);
}

std::string RenderSimulatedBatch(const SimulatedBatchSpec& spec, double created_at,
                                 double elapsed) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("data");
  w.StartObject();
  const SessionCounts counts = WriteSessions(w, spec, created_at, elapsed);
  WriteBatchFields(w, spec, counts, created_at, elapsed);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

}  // namespace anchor
