// GET /batches/<id>?format=json: the batch page's data as one JSON object.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <string_view>

#include "base/utf8.h"
#include "web/batch_page.h"
#include "web/histogram_quantile.h"

namespace anchor {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Text from the API as a JSON string: bytes that are not UTF-8 become '?', so the answer is
// valid JSON whatever the API sent.
void Text(JsonWriter& w, std::string_view text) {
  std::string valid(text);
  for (std::size_t at = utf8::FirstInvalidByte(valid); at < valid.size();
       at = utf8::FirstInvalidByte(valid)) {
    valid[at] = '?';
  }
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void OptionalText(JsonWriter& w, const char* key, const std::optional<std::string>& v) {
  w.Key(key);
  if (v) {
    Text(w, *v);
  } else {
    w.Null();
  }
}

void OptionalCount(JsonWriter& w, const char* key, const std::optional<std::int64_t>& v) {
  w.Key(key);
  if (v) {
    w.Int64(*v);
  } else {
    w.Null();
  }
}

// {"sessions": n, "p50": {"seconds": x, "bucket_le": b} or {"above": last} or null, ...}
void Quantiles(JsonWriter& w, const char* key, const BatchPageHistogram& h) {
  w.Key(key);
  w.StartObject();
  w.Key("sessions");
  w.Uint64(h.count);
  for (const auto& [name, q] :
       {std::pair<const char*, double>{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}) {
    const QuantileEstimate e = EstimateQuantile(q, h.bounds, h.counts);
    w.Key(name);
    if (e.where == QuantileEstimate::Where::kNone) {
      w.Null();
      continue;
    }
    w.StartObject();
    if (e.where == QuantileEstimate::Where::kAboveLast) {
      w.Key("above");
      w.Double(e.upper);
    } else {
      w.Key("seconds");
      w.Double(e.value);
      w.Key("bucket_le");
      w.Double(e.upper);
    }
    w.EndObject();
  }
  w.EndObject();
}

void Session(JsonWriter& w, const BatchPageInfo& info, const std::string& id) {
  w.Key("session_id");
  Text(w, id);
  const std::string link = SessionLink(info.link_template, id);
  if (!link.empty()) {
    w.Key("link");
    Text(w, link);
  }
}

void CountedTexts(JsonWriter& w, const char* key, const char* name,
                  const std::vector<std::pair<std::string, std::int64_t>>& rows) {
  w.Key(key);
  w.StartArray();
  for (const auto& [text, n] : rows) {
    w.StartObject();
    w.Key(name);
    Text(w, text);
    w.Key("sessions");
    w.Int64(n);
    w.EndObject();
  }
  w.EndArray();
}

void SessionRows(JsonWriter& w, const BatchPageInfo& info, const BatchPageSessions& s) {
  const double now = std::chrono::duration<double>(info.now.time_since_epoch()).count();
  w.Key("longest_running");
  w.StartArray();
  for (const auto& [id, started] : s.longest_running) {
    w.StartObject();
    Session(w, info, id);
    w.Key("started_at");
    Text(w, Rfc3339Utc(started));
    w.Key("age_seconds");
    w.Double(now - started);
    w.EndObject();
  }
  w.EndArray();
  w.Key("most_retried");
  w.StartArray();
  for (const auto& [id, n] : s.most_retried) {
    w.StartObject();
    Session(w, info, id);
    w.Key("retries");
    w.Int64(n);
    w.EndObject();
  }
  w.EndArray();
}

void Sessions(JsonWriter& w, const BatchPageInfo& info, const BatchPageSessions& s) {
  w.StartObject();
  w.Key("by_status");
  w.StartObject();
  for (const auto& [status, n] : s.count_by_status) {
    Text(w, status);
    w.Int64(n);
  }
  w.EndObject();
  w.Key("with_error");
  w.Int64(s.with_error);
  w.Key("retries");
  w.Int64(s.retries);
  w.Key("retried_sessions");
  w.Int64(s.retried_sessions);
  Quantiles(w, "run_time", s.run_time);
  Quantiles(w, "queue_wait", s.queue);
  CountedTexts(w, "errors_by_class", "class", s.errors_by_class);
  CountedTexts(w, "top_errors", "message", s.top_errors);
  SessionRows(w, info, s);
  w.EndObject();
}

void BatchFields(JsonWriter& w, const BatchPageInfo& info) {
  OptionalText(w, "status", info.status);
  OptionalText(w, "phase", info.phase);
  w.Key("progress_ratio");
  if (info.progress_ratio) {
    w.Double(*info.progress_ratio);
  } else {
    w.Null();
  }
  OptionalCount(w, "total_requests", info.total_requests);
  OptionalCount(w, "completed_requests", info.completed_requests);
  OptionalCount(w, "failed_requests", info.failed_requests);
  OptionalCount(w, "processing_requests", info.processing_requests);
  OptionalCount(w, "pending_requests", info.pending_requests);
  OptionalText(w, "error", info.error);
  w.Key("sessions");
  if (info.sessions) {
    Sessions(w, info, *info.sessions);
  } else {
    w.Null();
  }
}

}  // namespace

std::string RenderBatchPageJson(const BatchPageInfo& info) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("batch_id");
  Text(w, info.id);
  w.Key("labels");
  w.StartObject();
  for (const auto& [name, value] : info.labels) {
    Text(w, name);
    Text(w, value);
  }
  w.EndObject();
  w.Key("source");
  w.String(info.discovered ? "discovered" : "configured");
  w.Key("state");
  w.String(!info.fetched ? "not_fetched" : info.up ? "up" : "down");
  if (info.fetched) {
    w.Key("data_from");
    Text(w, Rfc3339Utc(std::chrono::duration<double>(info.last_fetch.time_since_epoch()).count()));
  }
  if (info.fetched && !info.up) {
    w.Key("reason");
    Text(w, info.down_reason);
    w.Key("http_status");
    w.Int(info.http_status);
    w.Key("detail");
    Text(w, info.down_detail);
  }
  if (info.fetched && info.up) BatchFields(w, info);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace anchor
