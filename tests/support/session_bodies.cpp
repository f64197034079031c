#include "support/session_bodies.h"

#include "anchor/timestamp.h"

namespace anchor::test {

std::string SessionJson(const std::string& status, double start, double run,
                        const std::string& error) {
  std::string s = R"({"status": ")" + status + R"(", "retry_count": 0, "started_at": ")" +
                  anchor::FormatRfc3339(kSessionBatchCreated + start) + R"(", "completed_at": )";
  s += run < 0 ? "null" : "\"" + anchor::FormatRfc3339(kSessionBatchCreated + start + run) + "\"";
  return s + R"(, "error": )" + error + "}";
}

std::string SessionBatchBody(const std::string& status, const std::string& sessions) {
  return R"({"data": {"status": ")" + status +
         R"(", "created_at": "2026-11-28T10:00:00Z", "sessions": [)" + sessions + "]}}";
}

std::string TenthsBody(const std::string& status) {
  std::string sessions;
  for (int i = 1; i <= 10; ++i) {
    sessions += SessionJson(i % 4 == 0 ? "failed" : "completed", i, 10.0 * i,
                            i % 4 == 0 ? R"("navigation timeout")" : "null") +
                ",";
  }
  sessions += SessionJson("processing", 5, -1) + ",";
  sessions += R"({"status": "pending", "retry_count": 0, "started_at": null, "completed_at": null,
                 "error": ""})";
  return SessionBatchBody(status, sessions);
}

}  // namespace anchor::test
