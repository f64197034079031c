#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "demo/simulated_api.h"
#include "net/loopback_server.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace anchor {

// A real HTTP(S) server on 127.0.0.1 that answers like the Anchor Browser batch API, for tests
// and benchmarks only (never linked into the exporter): they script its answers (status,
// body, delay, a trickled body, no answer at all) and count the requests it receives. It can
// also serve the demo's simulated batches (SimulatedApi), as `--demo`'s server does.
class FakeAnchorApi {
 public:
  struct Options {
    std::string api_key = kDemoApiKey;
    std::string cert_file;  // with key_file: serve HTTPS
    std::string key_file;
    int threads = 64;  // concurrent requests it can hold (slow answers occupy one each)
  };

  // A scripted answer for one batch id.
  struct Answer {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};  // before the headers
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds trickle{0};  // > 0: send the body one byte per interval
    bool never_answer = false;             // hold the request until the server stops
    std::size_t filler_bytes = 0;          // > 0: stream this many bytes of '[' after `body`,
                                           // generated on the fly (huge bodies, no memory)
    // httplib's server gzips a JSON body for a client that accepts gzip: another type keeps a
    // body (e.g. one with its own Content-Encoding header) byte for byte.
    std::string content_type = "application/json";
  };

  using ListedBatch = anchor::ListedBatch;

  explicit FakeAnchorApi(Options options);
  FakeAnchorApi() : FakeAnchorApi(Options{}) {}
  ~FakeAnchorApi();
  FakeAnchorApi(const FakeAnchorApi&) = delete;
  FakeAnchorApi& operator=(const FakeAnchorApi&) = delete;

  // Binds an ephemeral port on 127.0.0.1 (or `port`) and serves from a background thread.
  // Else why the server cannot start (bad certificate, port taken).
  Status Start(int port = 0);
  void Stop();
  int port() const { return server_.port(); }
  std::string base_url() const { return server_.base_url(); }

  void SetAnswer(const std::string& batch_id, Answer answer);
  void SetBatchJson(const std::string& batch_id, std::string body);
  // A batch that moves through its lifecycle in real time, created `spec.started_ago` before
  // now; with `loop`, it starts over `spec.pause` after finishing, so a demo keeps changing.
  void AddSimulatedBatch(SimulatedBatchSpec spec, bool loop);
  void Remove(const std::string& batch_id);
  // The simulated batches (answered before scripted ones), e.g. for ServeDemoBatches.
  SimulatedApi& simulated() { return simulated_; }

  // What GET /v1/batch-sessions lists besides the simulated batches (filtered by status and
  // created_after, paginated by page and limit as the API documents). SetListAnswer overrides
  // it with a scripted answer.
  void SetListedBatches(std::vector<ListedBatch> batches);
  void SetListAnswer(std::optional<Answer> answer);
  // How long each list request takes before its answer (the API's latency).
  void SetListDelay(std::chrono::milliseconds delay);
  int ListRequestCount() const;

  // Requests received for one batch id (any answer), and in total.
  int RequestCount(const std::string& batch_id) const;
  int TotalRequests() const;
  // Requests that carried a key other than the expected one.
  int RejectedKeyCount() const;
  // The most requests it held at the same time.
  int PeakConcurrentRequests() const;

 private:
  void HandleBatch(const httplib::Request& req, httplib::Response& res);
  void HandleList(const httplib::Request& req, httplib::Response& res);
  void Send(const Answer& answer, httplib::Response& res);
  bool SleepUnlessStopped(std::chrono::milliseconds d);

  Options options_;
  SimulatedApi simulated_;
  LoopbackServer server_;

  mutable std::mutex mu_;
  std::map<std::string, Answer> answers_;
  std::map<std::string, int> request_counts_;
  int total_requests_ = 0;
  int rejected_keys_ = 0;
  std::vector<ListedBatch> listed_;
  std::optional<Answer> list_answer_;
  int list_requests_ = 0;
  std::chrono::milliseconds list_delay_{0};
  int in_flight_ = 0;
  int peak_in_flight_ = 0;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stopping_{false};
};

}  // namespace anchor
