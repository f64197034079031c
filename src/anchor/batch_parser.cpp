#include "anchor/batch_parser.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "anchor/batch_stream.h"
#include "anchor/json_body.h"
#include "anchor/session_detail_builder.h"
#include "anchor/session_errors.h"
#include "anchor/session_exemplars.h"
#include "anchor/timestamp.h"
#include "config/label_names.h"

namespace anchor {
namespace {

using rapidjson::Value;

// An enum the API sends (batch status, session status, phase) becomes a label value: one of
// `known`, else "other" (counted as invalid), so that an odd upstream cannot grow the series of
// a batch. Returns the index in `known`, or known.size() for another string.
size_t EnumIndex(const Value& v, const std::vector<std::string>& known) {
  const std::string_view value(v.GetString(), v.GetStringLength());
  for (size_t i = 0; i < known.size(); ++i) {
    if (value == known[i]) return i;
  }
  return known.size();
}

// A count: a non-negative integer (an integral float such as 5.0 is accepted).
std::optional<std::int64_t> AsCount(const Value& v) {
  if (v.IsInt64()) {
    const auto n = v.GetInt64();
    return n >= 0 ? std::optional<std::int64_t>(n) : std::nullopt;
  }
  if (v.IsUint64()) return std::nullopt;  // beyond int64: not a plausible count
  if (v.IsDouble()) {
    const double d = v.GetDouble();
    if (std::isfinite(d) && d >= 0 && d <= 9.0e15 && std::floor(d) == d) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

// Turns the kept parts of a status response into a Batch: the top-level fields from the `data`
// object BatchStream keeps, the sessions as BatchStream hands them over, one by one.
class BatchReader : public SessionSink {
 public:
  BatchReader(Batch& batch, const SessionParseOptions& options)
      : batch_(batch),
        errors_(*options.error_classes, options.api_key),
        slowest_run_(options.buckets.duration.size() + 1),
        slowest_wait_(options.buckets.queue.size() + 1) {
    summary_.duration = SessionHistogram(options.buckets.duration);
    summary_.queue = SessionHistogram(options.buckets.queue);
  }

  void Session(const SessionFields& f) override { ReadSession(f); }
  void NotASession() override { SessionInvalid("sessions[]"); }

  // After the parse: the fields of `data`, then what the sessions gave.
  void Read(const Value& data) {
    ReadToken(data, "batch_id", batch_.batch_id);
    ReadEnum(data, "status", "status", KnownStatuses(), batch_.status);
    ReadCount(data, "total_requests", batch_.total_requests);
    ReadCount(data, "completed_requests", batch_.completed_requests);
    ReadCount(data, "failed_requests", batch_.failed_requests);
    ReadCount(data, "processing_requests", batch_.processing_requests);
    ReadCount(data, "pending_requests", batch_.pending_requests);
    ReadTime(data, "created_at", batch_.created_at);
    ReadTime(data, "actual_completion_time", batch_.completed_at);
    ReadError(data);
    ReadProgress(data);
    FinishSessions(data);
  }

 private:
  // Null and missing are the same: the value is unknown. Anything else of the wrong shape is
  // invalid and counted.
  const Value* Field(const Value& obj, const char* name) const {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  static void AddOnce(std::vector<std::string>& fields, const char* field) {
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) fields.emplace_back(field);
  }
  void Invalid(const char* field) { AddOnce(batch_.invalid_fields, field); }
  // Sessions are read before the top-level fields; their problems are listed after them.
  void SessionInvalid(const char* field) { AddOnce(session_invalid_, field); }

  void ReadToken(const Value& obj, const char* name, std::optional<std::string>& out) {
    const Value* v = Field(obj, name);
    if (v == nullptr) return;
    if (v->IsString()) {
      out = std::string(v->GetString(), v->GetStringLength());
    } else {
      Invalid(name);
    }
  }

  // A known value as it comes, another string as "other" (and counted), anything else dropped.
  void ReadEnum(const Value& obj, const char* name, const char* field,
                const std::vector<std::string>& known, std::optional<std::string>& out) {
    const Value* v = Field(obj, name);
    if (v == nullptr) return;
    if (!v->IsString()) {
      Invalid(field);
      return;
    }
    const size_t i = EnumIndex(*v, known);
    if (i == known.size()) Invalid(field);
    out = i < known.size() ? known[i] : std::string(labels::kOtherValue);
  }

  void ReadCount(const Value& obj, const char* name, std::optional<std::int64_t>& out) {
    const Value* v = Field(obj, name);
    if (v == nullptr) return;
    out = AsCount(*v);
    if (!out) Invalid(name);
  }

  void ReadTime(const Value& obj, const char* name, std::optional<double>& out) {
    const Value* v = Field(obj, name);
    if (v == nullptr) return;
    if (v->IsString()) out = ParseRfc3339(std::string_view(v->GetString(), v->GetStringLength()));
    if (!out) Invalid(name);
  }

  void ReadError(const Value& data) {
    const auto it = data.FindMember("error");
    if (it == data.MemberEnd()) return;
    if (it->value.IsNull()) {
      batch_.error_field_valid = true;
    } else if (it->value.IsString()) {
      batch_.error_field_valid = true;
      if (it->value.GetStringLength() > 0) {
        batch_.error = std::string(it->value.GetString(), it->value.GetStringLength());
      }
    } else {
      Invalid("error");
    }
  }

  void ReadProgress(const Value& data) {
    const Value* progress = Field(data, "progress");
    if (progress == nullptr) return;
    if (!progress->IsObject()) {
      Invalid("progress");
      return;
    }
    if (const Value* pct = Field(*progress, "percentage")) {
      const double p = pct->IsNumber() ? pct->GetDouble() : std::nan("");
      if (std::isfinite(p) && p >= 0 && p <= 100) {
        batch_.progress_ratio = p / 100.0;
      } else {
        Invalid("progress.percentage");
      }
    }
    ReadEnum(*progress, "current_phase", "progress.current_phase", KnownPhases(), batch_.phase);
  }

  // The summary of the sessions streamed, when `sessions` was a list: known statuses and
  // "other", and the queue waits, which need created_at (it may come after the sessions).
  void FinishSessions(const Value& data) {
    const Value* sessions = Field(data, "sessions");
    if (sessions != nullptr && !sessions->IsArray()) Invalid("sessions");
    if (sessions != nullptr && sessions->IsArray()) {
      const auto& known = KnownStatuses();
      for (size_t i = 0; i < known.size(); ++i) {
        if (known_counts_[i] > 0) summary_.count_by_status[known[i]] = known_counts_[i];
      }
      if (other_count_ > 0) summary_.count_by_status[labels::kOtherValue] = other_count_;
      if (batch_.created_at) {
        for (const Start& start : starts_) {
          // Started before the batch was created: clock skew, not a wait.
          const double wait = start.started - *batch_.created_at;
          if (wait >= 0) {
            slowest_wait_.Offer(summary_.queue.Add(wait), wait, start.started, start.id);
          } else {
            SessionInvalid("sessions[].started_at");
          }
        }
      }
      summary_.errors_by_class = errors_.ByClass();
      summary_.detail.top_errors = errors_.TopMessages();
      detail_.Finish(summary_.detail);
      slowest_run_.Finish(summary_.duration, ids_);
      slowest_wait_.Finish(summary_.queue, ids_);
      batch_.sessions = std::move(summary_);
    }
    for (const auto& field : session_invalid_) Invalid(field.c_str());
  }

  std::optional<double> SessionTime(const Value* v, Rfc3339Parser& parser, const char* field) {
    if (v == nullptr) return std::nullopt;
    std::optional<double> t;
    if (v->IsString()) t = parser.Parse(std::string_view(v->GetString(), v->GetStringLength()));
    if (!t) SessionInvalid(field);
    return t;
  }

  void ReadSession(const SessionFields& f) {
    bool processing = false;
    if (f.status != nullptr) {
      if (f.status->IsString()) {
        processing = CountStatus(*f.status) == kProcessing;
      } else {
        SessionInvalid("sessions[].status");
      }
    }
    if (f.retry_count != nullptr) {
      const auto n = AsCount(*f.retry_count);
      // Each count fits int64; their sum must too (a huge one is invalid, not undefined).
      if (n && *n <= std::numeric_limits<std::int64_t>::max() - summary_.retries) {
        summary_.retries += *n;
        summary_.retried_sessions += *n > 0 ? 1 : 0;
        detail_.AddRetried(SessionId(f), *n);
      } else {
        SessionInvalid("sessions[].retry_count");
      }
    }
    if (f.error != nullptr) {
      if (f.error->IsString()) {
        if (f.error->GetStringLength() > 0) {
          ++summary_.with_error;
          errors_.Add(std::string_view(f.error->GetString(), f.error->GetStringLength()));
        }
      } else {
        SessionInvalid("sessions[].error");
      }
    }
    ReadSessionTimes(f, processing, ExemplarIdOf(f.session_id));
  }

  // The session's id when it is a string short enough to be an exemplar's label (its characters
  // are checked by ExemplarPicker, only for the sessions it picks).
  static std::string_view ExemplarIdOf(const Value* v) {
    if (v == nullptr || !v->IsString() || v->GetStringLength() > kMaxExemplarIdBytes) return {};
    return {v->GetString(), v->GetStringLength()};
  }

  // Known statuses are counted in an array (no string or map lookup per session), any other
  // string as "other" (5,000 made-up statuses are one series, not 5,000). Returns the index in
  // KnownStatuses(), or its size for another status.
  static constexpr size_t kProcessing = 1;  // KnownStatuses()[1]
  size_t CountStatus(const Value& status) {
    const size_t i = EnumIndex(status, KnownStatuses());
    if (i < KnownStatuses().size()) {
      ++known_counts_[i];
    } else {
      ++other_count_;
      SessionInvalid("sessions[].status");
    }
    return i;
  }

  void ReadSessionTimes(const SessionFields& f, bool processing, std::string_view id) {
    const auto started = SessionTime(f.started_at, starts_parser_, "sessions[].started_at");
    const auto completed =
        SessionTime(f.completed_at, completions_parser_, "sessions[].completed_at");
    IdArena::Ref ref;
    if (started) {
      summary_.first_start = std::min(summary_.first_start.value_or(*started), *started);
      if (processing) {
        summary_.oldest_running_start =
            std::min(summary_.oldest_running_start.value_or(*started), *started);
        detail_.AddRunning(SessionId(f), *started);
      }
      // 16 bytes (and its id) for the ~40 of a session that has started_at
      ref = ids_.Add(id);
      starts_.push_back({*started, ref});
    }
    if (completed) {
      summary_.last_completion =
          std::max(summary_.last_completion.value_or(*completed), *completed);
      if (started) {
        const double run = *completed - *started;
        if (run >= 0) {
          slowest_run_.Offer(summary_.duration.Add(run), run, *completed, ref);
        } else {
          SessionInvalid("sessions[].completed_at");  // completed before it started
        }
      }
    }
  }

  // The session's id for the batch page's tables; empty (not shown) when it is not a string.
  static std::string_view SessionId(const SessionFields& f) {
    if (f.session_id == nullptr || !f.session_id->IsString()) return {};
    return {f.session_id->GetString(), f.session_id->GetStringLength()};
  }

  Batch& batch_;
  SessionSummary summary_;
  SessionErrorTally errors_;     // classes and messages of the sessions' error texts
  SessionDetailBuilder detail_;  // the batch page's session tables
  std::vector<std::string> session_invalid_;
  // started_at of each session, for the queue waits, with its exemplar id
  struct Start {
    double started = 0;
    IdArena::Ref id;
  };
  std::vector<Start> starts_;
  IdArena ids_;
  ExemplarPicker slowest_run_;   // exemplars of summary_.duration
  ExemplarPicker slowest_wait_;  // exemplars of summary_.queue
  // Sessions of a batch mostly start in the same minutes, and end in the same minutes.
  Rfc3339Parser starts_parser_;
  Rfc3339Parser completions_parser_;
  std::int64_t known_counts_[5] = {};  // per KnownStatuses() entry
  std::int64_t other_count_ = 0;       // sessions with any other status string
};

template <typename ParseFn>
Result<Batch> ParseWith(ParseFn parse, const SessionParseOptions& options) {
  Batch batch;
  BatchReader reader(batch, options);
  BatchStream stream;
  if (Status parsed = parse(stream, reader); !parsed.ok()) return Error{parsed.error()};
  reader.Read(stream.data());
  return batch;
}

}  // namespace

Result<Batch> ParseBatchResponseInPlace(std::string& body, const SessionParseOptions& options) {
  return ParseWith(
      [&body](BatchStream& stream, SessionSink& sink) { return stream.ParseInPlace(body, sink); },
      options);
}

Result<Batch> ParseBatchResponse(std::string_view body, const SessionParseOptions& options) {
  return ParseWith(
      [body](BatchStream& stream, SessionSink& sink) { return stream.Parse(body, sink); }, options);
}

const SessionBuckets& DefaultSessionBuckets() {
  static const SessionBuckets kDefault;
  return kDefault;
}

const SessionParseOptions& DefaultSessionParseOptions() {
  static const SessionParseOptions kDefault;
  return kDefault;
}

std::optional<std::string> ParseApiErrorMessage(std::string_view body) {
  rapidjson::Document doc;
  if (!ParseJsonBody(doc, body).ok() || !doc.IsObject()) return std::nullopt;
  const auto err = doc.FindMember("error");
  if (err == doc.MemberEnd() || !err->value.IsObject()) return std::nullopt;
  const auto msg = err->value.FindMember("message");
  if (msg == err->value.MemberEnd() || !msg->value.IsString()) return std::nullopt;
  std::string text(msg->value.GetString(), std::min<size_t>(msg->value.GetStringLength(), 200));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace anchor
