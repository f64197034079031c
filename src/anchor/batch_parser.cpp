#include "anchor/batch_parser.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

#include "anchor/json_body.h"
#include "anchor/timestamp.h"

namespace anchor {
namespace {

using rapidjson::Value;

// Enum-like values (status, phase) become label values: keep them short and plain so that an
// odd upstream cannot blow up label cardinality or inject text.
bool IsPlainToken(const Value& v) {
  if (!v.IsString() || v.GetStringLength() == 0 || v.GetStringLength() > 64) return false;
  const char* s = v.GetString();
  return std::all_of(s, s + v.GetStringLength(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
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

class BatchReader {
 public:
  BatchReader(Batch& batch, const SessionBuckets& buckets) : batch_(batch), buckets_(buckets) {}

  void Read(const Value& data) {
    ReadToken(data, "batch_id", "batch_id", batch_.batch_id, /*plain=*/false);
    ReadToken(data, "status", "status", batch_.status, /*plain=*/true);
    ReadCount(data, "total_requests", batch_.total_requests);
    ReadCount(data, "completed_requests", batch_.completed_requests);
    ReadCount(data, "failed_requests", batch_.failed_requests);
    ReadCount(data, "processing_requests", batch_.processing_requests);
    ReadCount(data, "pending_requests", batch_.pending_requests);
    ReadTime(data, "created_at", batch_.created_at);
    ReadTime(data, "actual_completion_time", batch_.completed_at);
    ReadError(data);
    ReadProgress(data);
    ReadSessions(data);
  }

 private:
  // Null and missing are the same: the value is unknown. Anything else of the wrong shape is
  // invalid and counted.
  const Value* Field(const Value& obj, const char* name) const {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  void Invalid(const std::string& field) {
    if (std::find(batch_.invalid_fields.begin(), batch_.invalid_fields.end(), field) ==
        batch_.invalid_fields.end()) {
      batch_.invalid_fields.push_back(field);
    }
  }

  void ReadToken(const Value& obj, const char* name, const std::string& field,
                 std::optional<std::string>& out, bool plain) {
    const Value* v = Field(obj, name);
    if (v == nullptr) return;
    if (plain ? IsPlainToken(*v) : v->IsString()) {
      out = std::string(v->GetString(), v->GetStringLength());
    } else {
      Invalid(field);
    }
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
    ReadToken(*progress, "current_phase", "progress.current_phase", batch_.phase, true);
  }

  void ReadSessions(const Value& data) {
    const Value* sessions = Field(data, "sessions");
    if (sessions == nullptr) return;
    if (!sessions->IsArray()) {
      Invalid("sessions");
      return;
    }
    SessionSummary summary;
    summary.duration = SessionHistogram(buckets_.duration);
    summary.queue = SessionHistogram(buckets_.queue);
    for (const auto& s : sessions->GetArray()) {
      if (!s.IsObject()) {
        Invalid("sessions[]");
        continue;
      }
      ReadSession(SessionFields(s), summary);
    }
    const auto& known = KnownStatuses();
    for (size_t i = 0; i < known.size(); ++i) {
      if (known_counts_[i] > 0) summary.count_by_status[known[i]] += known_counts_[i];
    }
    batch_.sessions = std::move(summary);
  }

  // The fields of one session that are read, found in one pass over its members (instead of a
  // linear FindMember per field: sessions are most of a big body). Null counts as missing; of
  // duplicate keys the first non-null one is read.
  struct SessionValues {
    const Value* status = nullptr;
    const Value* retry_count = nullptr;
    const Value* started_at = nullptr;
    const Value* completed_at = nullptr;
    const Value* error = nullptr;
  };
  static SessionValues SessionFields(const Value& session) {
    SessionValues f;
    for (const auto& m : session.GetObject()) {
      const Value* v = m.value.IsNull() ? nullptr : &m.value;
      const char* name = m.name.GetString();
      const auto length = m.name.GetStringLength();
      const Value** slot = nullptr;
      if (length == 6 && std::memcmp(name, "status", 6) == 0) {
        slot = &f.status;
      } else if (length == 11 && std::memcmp(name, "retry_count", 11) == 0) {
        slot = &f.retry_count;
      } else if (length == 10 && std::memcmp(name, "started_at", 10) == 0) {
        slot = &f.started_at;
      } else if (length == 12 && std::memcmp(name, "completed_at", 12) == 0) {
        slot = &f.completed_at;
      } else if (length == 5 && std::memcmp(name, "error", 5) == 0) {
        slot = &f.error;
      }
      if (slot != nullptr && *slot == nullptr) *slot = v;
    }
    return f;
  }

  std::optional<double> SessionTime(const Value* v, Rfc3339Parser& parser, const char* field) {
    if (v == nullptr) return std::nullopt;
    std::optional<double> t;
    if (v->IsString()) t = parser.Parse(std::string_view(v->GetString(), v->GetStringLength()));
    if (!t) Invalid(field);
    return t;
  }

  void ReadSession(const SessionValues& f, SessionSummary& summary) {
    bool processing = false;
    if (f.status != nullptr) {
      if (IsPlainToken(*f.status)) {
        const std::string_view status(f.status->GetString(), f.status->GetStringLength());
        processing = CountStatus(status, summary) == kProcessing;
      } else {
        Invalid("sessions[].status");
      }
    }
    if (f.retry_count != nullptr) {
      const auto n = AsCount(*f.retry_count);
      // Each count fits int64; their sum must too (a huge one is invalid, not undefined).
      if (n && *n <= std::numeric_limits<std::int64_t>::max() - summary.retries) {
        summary.retries += *n;
        summary.retried_sessions += *n > 0 ? 1 : 0;
      } else {
        Invalid("sessions[].retry_count");
      }
    }
    if (f.error != nullptr) {
      if (f.error->IsString()) {
        summary.with_error += f.error->GetStringLength() > 0 ? 1 : 0;
      } else {
        Invalid("sessions[].error");
      }
    }
    ReadSessionTimes(f, processing, summary);
  }

  // Known statuses are counted in an array (no string or map lookup per session), others in
  // the summary's map. Returns the index in KnownStatuses(), or its size for another status.
  static constexpr size_t kProcessing = 1;  // KnownStatuses()[1]
  size_t CountStatus(std::string_view status, SessionSummary& summary) {
    const auto& known = KnownStatuses();
    for (size_t i = 0; i < known.size(); ++i) {
      if (status == known[i]) {
        ++known_counts_[i];
        return i;
      }
    }
    ++summary.count_by_status[std::string(status)];
    return known.size();
  }

  void ReadSessionTimes(const SessionValues& f, bool processing, SessionSummary& summary) {
    const auto started = SessionTime(f.started_at, starts_, "sessions[].started_at");
    const auto completed = SessionTime(f.completed_at, completions_, "sessions[].completed_at");
    if (started) {
      summary.first_start = std::min(summary.first_start.value_or(*started), *started);
      if (processing) {
        summary.oldest_running_start =
            std::min(summary.oldest_running_start.value_or(*started), *started);
      }
      if (batch_.created_at) {
        // Started before the batch was created: clock skew, not a wait.
        const double wait = *started - *batch_.created_at;
        if (wait >= 0) {
          summary.queue.Add(wait);
        } else {
          Invalid("sessions[].started_at");
        }
      }
    }
    if (completed) {
      summary.last_completion = std::max(summary.last_completion.value_or(*completed), *completed);
      if (started) {
        const double run = *completed - *started;
        if (run >= 0) {
          summary.duration.Add(run);
        } else {
          Invalid("sessions[].completed_at");  // completed before it started
        }
      }
    }
  }

  Batch& batch_;
  const SessionBuckets& buckets_;
  // Sessions of a batch mostly start in the same minutes, and end in the same minutes.
  Rfc3339Parser starts_;
  Rfc3339Parser completions_;
  std::int64_t known_counts_[5] = {};  // per KnownStatuses() entry
};

template <typename ParseFn>
BatchParseResult ParseWith(ParseFn parse, const SessionBuckets& buckets) {
  rapidjson::Document doc;
  parse(doc);
  if (doc.HasParseError()) {
    return {std::nullopt, std::string("body is not valid JSON (") +
                              rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                              std::to_string(doc.GetErrorOffset()) + ")"};
  }
  if (!doc.IsObject()) return {std::nullopt, "body is not a JSON object"};
  const auto data = doc.FindMember("data");
  if (data == doc.MemberEnd() || !data->value.IsObject()) {
    return {std::nullopt, "body has no \"data\" object"};
  }
  Batch batch;
  BatchReader(batch, buckets).Read(data->value);
  return {std::move(batch), ""};
}

}  // namespace

BatchParseResult ParseBatchResponseInPlace(std::string& body, const SessionBuckets& buckets) {
  return ParseWith(
      [&body](rapidjson::Document& doc) {
        doc.ParseInsitu<kJsonBodyParseFlags | rapidjson::kParseInsituFlag>(body.data() +
                                                                           Utf8BomLength(body));
      },
      buckets);
}

BatchParseResult ParseBatchResponse(std::string_view body, const SessionBuckets& buckets) {
  return ParseWith([body](rapidjson::Document& doc) { ParseJsonBody(doc, body); }, buckets);
}

const SessionBuckets& DefaultSessionBuckets() {
  static const SessionBuckets kDefault;
  return kDefault;
}

std::optional<std::string> ParseApiErrorMessage(std::string_view body) {
  rapidjson::Document doc;
  ParseJsonBody(doc, body);
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
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
