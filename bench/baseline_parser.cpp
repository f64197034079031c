// The status parser as it was before session timestamps were read (aggregates of status and
// retry_count only), kept so that the benchmark measures before and after in the same run.
#include "baseline_parser.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "anchor/batch_parser.h"
#include "anchor/json_body.h"
#include "anchor/timestamp.h"

namespace anchor::bench {
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
  explicit BatchReader(Batch& batch) : batch_(batch) {}

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
    for (const auto& s : sessions->GetArray()) {
      if (!s.IsObject()) {
        Invalid("sessions[]");
        continue;
      }
      if (const Value* st = Field(s, "status")) {
        if (IsPlainToken(*st)) {
          ++summary.count_by_status[std::string(st->GetString(), st->GetStringLength())];
        } else {
          Invalid("sessions[].status");
        }
      }
      if (const Value* rc = Field(s, "retry_count")) {
        const auto n = AsCount(*rc);
        // Each count fits int64; their sum must too (a huge one is invalid, not undefined).
        if (n && *n <= std::numeric_limits<std::int64_t>::max() - summary.retries) {
          summary.retries += *n;
          summary.retried_sessions += *n > 0 ? 1 : 0;
        } else {
          Invalid("sessions[].retry_count");
        }
      }
    }
    batch_.sessions = std::move(summary);
  }

  Batch& batch_;
};

template <typename ParseFn>
Result<Batch> ParseWith(ParseFn parse) {
  rapidjson::Document doc;
  parse(doc);
  if (doc.HasParseError()) {
    return Error{std::string("body is not valid JSON (") +
                 rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                 std::to_string(doc.GetErrorOffset()) + ")"};
  }
  if (!doc.IsObject()) return Error{"body is not a JSON object"};
  const auto data = doc.FindMember("data");
  if (data == doc.MemberEnd() || !data->value.IsObject()) {
    return Error{"body has no \"data\" object"};
  }
  Batch batch;
  BatchReader(batch).Read(data->value);
  return batch;
}

}  // namespace

Result<Batch> BaselineParseInPlace(std::string& body) {
  return ParseWith([&body](rapidjson::Document& doc) {
    doc.ParseInsitu<kJsonBodyParseFlags | rapidjson::kParseInsituFlag>(body.data() +
                                                                       Utf8BomLength(body));
  });
}

}  // namespace anchor::bench
