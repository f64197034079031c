#pragma once

#include <string>

namespace anchor::test {

// Batch bodies with session timestamps, for the session-lifecycle tests: a batch created at
// kSessionBatchCreated (2026-11-28T10:00:00Z).
constexpr double kSessionBatchCreated = 1795860000;

// A session started `start` s after the batch's creation that ran `run` s (or still runs when
// run < 0), as the API writes one.
std::string SessionJson(const std::string& status, double start, double run,
                        const std::string& error = "null");

// A batch status body holding `sessions` (a comma-separated list of SessionJson).
std::string SessionBatchBody(const std::string& status, const std::string& sessions);

// Sessions that ran 10, 20, ..., 100 s after waiting 1, 2, ..., 10 s; one still running since
// 5 s after creation, one pending.
std::string TenthsBody(const std::string& status = "processing");

}  // namespace anchor::test
