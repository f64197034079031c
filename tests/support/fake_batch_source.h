#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "anchor/batch_source.h"
#include "base/clock.h"

namespace anchor::test {

// An in-memory BatchSource for unit tests of the collect layer: scripted answers per batch and
// a scripted list, counted requests, and requests held until the test releases them. No
// sockets, no sleeps. Thread-safe.
class FakeBatchSource final : public BatchSource {
 public:
  struct Listed {
    std::string id;
    std::string status;
  };

  FakeBatchSource() = default;

  // The batch answers 200 with this status (and these fields named invalid).
  void SetBatch(const std::string& id, const std::string& status,
                std::vector<std::string> invalid_fields = {});
  // The batch answers with this result (a whole Batch, e.g. with sessions).
  void SetResult(const std::string& id, FetchResult result);
  // The batch answers with this error; a `retry_after` > 0 sets the 429's Retry-After (a wait,
  // rounded up to whole seconds, as the API client reports it).
  void SetError(const std::string& id, FetchError error, int http_status,
                Clock::Steady::duration retry_after = {});
  // FetchBatch throws std::runtime_error(`message`) for this batch.
  void SetThrows(const std::string& id, const std::string& message);
  // Requests for the batch wait until Release() or their deadline (then they time out, as a
  // server that never answers). A batch never released hangs.
  void Hold(const std::string& id);
  void Release(const std::string& id);

  // Block until `count` requests (for `id`, or in all) have started; false after 10 s of real
  // time, which only a bug takes.
  bool WaitForRequests(const std::string& id, int count) const;
  bool WaitForTotalRequests(int count) const;
  int Requests(const std::string& id) const;  // started so far
  int TotalRequests() const;
  int PeakInFlight() const;                     // most requests running at once
  std::vector<std::string> RequestLog() const;  // the ids requested, in order
  Deadline LastFetchDeadline() const;           // the deadline of the latest FetchBatch

  // The list endpoint holds these batches (pages of query.limit, filtered by query.status).
  void SetListed(std::vector<Listed> batches);
  // Every list request fails with this error (a 429 with this Retry-After wait, when > 0);
  // kNone: answers again.
  void SetListError(FetchError error, int http_status = 0, std::chrono::seconds retry_after = {});
  int ListRequests() const;
  bool WaitForListRequests(int count) const;  // as WaitForRequests
  std::vector<BatchListQuery> ListQueries() const;

  FetchResult FetchBatch(const std::string& batch_id, Deadline deadline,
                         FetchTrace* trace) override;
  BatchListResult ListBatches(const BatchListQuery& query, Deadline deadline) override;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // a request started or a batch was released
  std::map<std::string, FetchResult> answers_;
  std::map<std::string, std::string> throws_;
  std::set<std::string> held_;
  std::map<std::string, int> requests_;
  std::vector<std::string> request_log_;
  Deadline last_fetch_deadline_{};
  int in_flight_ = 0;
  int peak_in_flight_ = 0;
  std::vector<Listed> listed_;
  FetchError list_error_ = FetchError::kNone;
  int list_http_status_ = 0;
  std::chrono::seconds list_retry_after_{};
  std::vector<BatchListQuery> list_queries_;
};

}  // namespace anchor::test
