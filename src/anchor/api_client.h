#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "anchor/batch_list.h"
#include "anchor/deadline_watchdog.h"
#include "anchor/fetch_result.h"
#include "config/config.h"

namespace httplib {
class Client;
}

namespace anchor {

// Reads batches from the Anchor Browser API. Thread-safe: concurrent calls each take a kept-alive
// connection from a small pool (one per concurrent request, reused between scrapes).
class ApiClient {
 public:
  using Clock = std::chrono::steady_clock;
  // Called once per HTTP answer with its status code (for the requests counter).
  using ResponseObserver = std::function<void(int status)>;

  // Session run and queue times of fetched batches are binned into `buckets`.
  explicit ApiClient(const AnchorConfig& config, ResponseObserver on_response = {},
                     SessionBuckets buckets = {});
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GET /v1/batch-sessions/{batch_id}. Ends by `deadline` (or after anchor.timeout, whichever
  // is first), whatever the server does. The id must satisfy IsValidBatchId.
  FetchResult FetchBatch(const std::string& batch_id, Clock::time_point deadline);

  // GET /v1/batch-sessions with the query's filters and page (discovery).
  BatchListResult ListBatches(const BatchListQuery& query, Clock::time_point deadline);

  // Connections opened so far (TLS handshakes, for an https base URL).
  std::uint64_t connections_opened() const;

 private:
  struct RawResponse;
  RawResponse Get(const std::string& path, Clock::time_point deadline);
  // Classifies a non-200 or failed answer; false when `raw` is a usable 200.
  static bool Failed(const RawResponse& raw, FetchError& error, std::string& detail,
                     std::optional<std::chrono::system_clock::time_point>& retry_after);
  std::unique_ptr<httplib::Client> AcquireConnection();
  void ReleaseConnection(std::unique_ptr<httplib::Client> client);

  const AnchorConfig config_;
  ResponseObserver on_response_;
  const SessionBuckets buckets_;
  std::string scheme_host_port_;
  std::string path_prefix_;
  DeadlineWatchdog watchdog_;

  mutable std::mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  std::uint64_t connections_opened_ = 0;
};

// Parses a Retry-After value (delay in seconds or an HTTP date) relative to `now`.
std::optional<std::chrono::system_clock::time_point> ParseRetryAfter(
    const std::string& value, std::chrono::system_clock::time_point now);

}  // namespace anchor
