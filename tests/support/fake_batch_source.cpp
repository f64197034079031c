#include "support/fake_batch_source.h"

#include <algorithm>
#include <stdexcept>

namespace anchor::test {

void FakeBatchSource::SetBatch(const std::string& id, const std::string& status,
                               std::vector<std::string> invalid_fields) {
  FetchResult r;
  r.batch.emplace();
  r.batch->batch_id = id;
  r.batch->status = status;
  r.batch->invalid_fields = std::move(invalid_fields);
  r.http_status = 200;
  std::lock_guard<std::mutex> lock(mu_);
  answers_[id] = std::move(r);
  throws_.erase(id);
}

void FakeBatchSource::SetResult(const std::string& id, FetchResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_[id] = std::move(result);
  throws_.erase(id);
}

void FakeBatchSource::SetError(const std::string& id, FetchError error, int http_status,
                               Clock::Steady::duration retry_after) {
  FetchResult r;
  r.error = error;
  r.http_status = http_status;
  r.detail = "scripted " + std::string(FetchErrorReason(error));
  // As the API client hands it over: a wait, for the fetcher to anchor on its own clock.
  if (retry_after.count() > 0) r.retry_after = std::chrono::ceil<std::chrono::seconds>(retry_after);
  std::lock_guard<std::mutex> lock(mu_);
  answers_[id] = std::move(r);
  throws_.erase(id);
}

void FakeBatchSource::SetThrows(const std::string& id, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  throws_[id] = message;
}

void FakeBatchSource::Hold(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  held_.insert(id);
}

void FakeBatchSource::Release(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_.erase(id);
  }
  changed_.notify_all();
}

bool FakeBatchSource::WaitForRequests(const std::string& id, int count) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
    const auto it = requests_.find(id);
    return it != requests_.end() && it->second >= count;
  });
}

bool FakeBatchSource::WaitForTotalRequests(int count) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(10),
                           [&] { return static_cast<int>(request_log_.size()) >= count; });
}

bool FakeBatchSource::WaitForListRequests(int count) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(10),
                           [&] { return static_cast<int>(list_queries_.size()) >= count; });
}

std::vector<std::string> FakeBatchSource::RequestLog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return request_log_;
}

int FakeBatchSource::Requests(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = requests_.find(id);
  return it == requests_.end() ? 0 : it->second;
}

int FakeBatchSource::TotalRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(request_log_.size());
}

Deadline FakeBatchSource::LastFetchDeadline() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_fetch_deadline_;
}

int FakeBatchSource::PeakInFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_in_flight_;
}

FetchResult FakeBatchSource::FetchBatch(const std::string& batch_id, Deadline deadline,
                                        FetchTrace* /*trace*/) {
  std::unique_lock<std::mutex> lock(mu_);
  ++requests_[batch_id];
  request_log_.push_back(batch_id);
  last_fetch_deadline_ = deadline;
  ++in_flight_;
  peak_in_flight_ = std::max(peak_in_flight_, in_flight_);
  changed_.notify_all();
  const bool released =
      changed_.wait_until(lock, deadline, [&] { return held_.count(batch_id) == 0; });
  --in_flight_;
  if (!released) {
    FetchResult timeout;
    timeout.error = FetchError::kTimeout;
    timeout.detail = "no answer before the deadline";
    return timeout;
  }
  if (const auto t = throws_.find(batch_id); t != throws_.end()) {
    throw std::runtime_error(t->second);
  }
  const auto it = answers_.find(batch_id);
  if (it == answers_.end()) {
    FetchResult missing;
    missing.error = FetchError::kNotFound;
    missing.http_status = 404;
    return missing;
  }
  return it->second;
}

void FakeBatchSource::SetListed(std::vector<Listed> batches) {
  std::lock_guard<std::mutex> lock(mu_);
  listed_ = std::move(batches);
}

void FakeBatchSource::SetListError(FetchError error, int http_status,
                                   std::chrono::seconds retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  list_error_ = error;
  list_http_status_ = http_status;
  list_retry_after_ = retry_after;
}

int FakeBatchSource::ListRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(list_queries_.size());
}

std::vector<BatchListQuery> FakeBatchSource::ListQueries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return list_queries_;
}

BatchListResult FakeBatchSource::ListBatches(const BatchListQuery& query, Deadline /*deadline*/) {
  std::lock_guard<std::mutex> lock(mu_);
  list_queries_.push_back(query);
  changed_.notify_all();
  BatchListResult out;
  if (list_error_ != FetchError::kNone) {
    out.error = list_error_;
    out.http_status = list_http_status_;
    out.detail = "scripted " + std::string(FetchErrorReason(list_error_));
    if (list_retry_after_.count() > 0) out.retry_after = list_retry_after_;
    return out;
  }
  std::vector<const Listed*> matching;
  for (const auto& b : listed_) {
    if (query.status.empty() || b.status == query.status) matching.push_back(&b);
  }
  const auto limit = static_cast<size_t>(query.limit);
  const auto first = static_cast<size_t>(query.page - 1) * limit;
  BatchListPage page;
  for (size_t i = first; i < matching.size() && i < first + limit; ++i) {
    page.batch_ids.push_back(matching[i]->id);
    page.statuses.push_back(matching[i]->status);
  }
  page.has_next = first + limit < matching.size();
  page.total_pages = static_cast<int>((matching.size() + limit - 1) / limit);
  out.page = std::move(page);
  out.http_status = 200;
  return out;
}

}  // namespace anchor::test
