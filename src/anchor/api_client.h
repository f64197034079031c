#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "anchor/api_endpoint.h"
#include "anchor/batch_list.h"
#include "anchor/batch_parser.h"
#include "anchor/batch_source.h"
#include "anchor/deadline_watchdog.h"
#include "anchor/fetch_result.h"
#include "anchor/fetch_trace.h"
#include "anchor/raw_response.h"
#include "base/result.h"
#include "config/config.h"

namespace httplib {
class Client;
}

namespace anchor {

// Reads batches from the Anchor Browser API. Thread-safe: concurrent calls each take a kept-alive
// connection from a small pool (one per concurrent request, reused between scrapes).
class ApiClient final : public BatchSource {
 public:
  using Clock = std::chrono::steady_clock;
  // Called once per HTTP answer with its status code (for the requests counter).
  using ResponseObserver = std::function<void(int status)>;

  // Fetched batches are parsed with `parse` (session histogram bounds, error classes).
  explicit ApiClient(const AnchorConfig& config, ResponseObserver on_response = {},
                     SessionParseOptions parse = {});
  ~ApiClient() override;
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GET /v1/batch-sessions/{batch_id}. Ends by `deadline` (or after anchor.timeout, whichever
  // is first), whatever the server does. The id must satisfy IsValidBatchId. With a `trace`,
  // also records what the request did (for /probe?debug=true).
  FetchResult FetchBatch(const std::string& batch_id, Clock::time_point deadline,
                         FetchTrace* trace = nullptr) override;

  // GET /v1/batch-sessions with the query's filters and page (discovery).
  BatchListResult ListBatches(const BatchListQuery& query, Clock::time_point deadline) override;

  // Connections opened so far (TLS handshakes, for an https base URL).
  std::uint64_t connections_opened() const;

  // Where the key came from, for messages: "environment variable X" or "file Y". Never the key.
  std::string KeySource() const;
  // `text` with every occurrence of the key replaced by "<redacted>" (Redacted()).
  std::string Masked(std::string text) const;

 private:
  struct Exchange;
  // GET `path` (below anchor.url's path) by `deadline`: connect, send, classify.
  RawResponse Get(const std::string& path, Clock::time_point deadline, FetchTrace* trace);
  // A pooled connection to `address` (httplib opens it on first use), with this request's
  // timeouts.
  std::unique_ptr<httplib::Client> ConnectionTo(const std::string& address,
                                                Clock::duration remaining);
  // Sends the GET on `client` and reads the answer, ended by the watchdog at `deadline`.
  Exchange Send(httplib::Client& client, const std::string& path, Clock::time_point deadline,
                FetchTrace* trace);
  // What the exchange amounts to: a complete answer (decoded, its connection pooled again) or
  // why there is none (the connection dropped).
  RawResponse Classify(std::unique_ptr<httplib::Client> client, Exchange exchange,
                       const std::string& address, Clock::time_point deadline, FetchTrace* trace);
  // `raw` with its complete body decoded per its Content-Encoding (body_decoding.h), or with
  // the reason when that fails for a 200.
  RawResponse Decode(RawResponse raw, FetchTrace* trace) const;
  // Why the request failed (httplib's error enum is too coarse): error and detail.
  ApiOutcome Explain(httplib::Client& client, int httplib_error, const std::string& address,
                     Clock::time_point deadline);
  // The address to connect to (our own getaddrinfo, cached briefly), or why the lookup failed.
  Result<std::string> Resolve(FetchTrace* trace);
  std::unique_ptr<httplib::Client> AcquireConnection();
  void ReleaseConnection(std::unique_ptr<httplib::Client> client);

  const AnchorConfig config_;
  ResponseObserver on_response_;
  const SessionParseOptions parse_options_;
  const ApiEndpoint endpoint_;
  DeadlineWatchdog watchdog_;

  mutable std::mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  std::uint64_t connections_opened_ = 0;
  // The last name lookup (guarded by pool_mu_). Requests use addresses_[next_address_]; a
  // failed connect moves on to the next one, so a dead address is not retried forever.
  std::vector<std::string> addresses_;
  std::size_t next_address_ = 0;
  Clock::time_point resolved_at_{};
};

}  // namespace anchor
