#include "support/fake_anchor_api.h"

#include <httplib.h>

#include <algorithm>
#include <memory>

namespace anchor {
namespace {

std::unique_ptr<httplib::Server> MakeServer(const FakeAnchorApi::Options& options) {
  std::unique_ptr<httplib::Server> server;
  if (!options.cert_file.empty()) {
    server =
        std::make_unique<httplib::SSLServer>(options.cert_file.c_str(), options.key_file.c_str());
  } else {
    server = std::make_unique<httplib::Server>();
  }
  const int threads = options.threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server->set_tcp_nodelay(true);
  server->set_keep_alive_timeout(5);
  server->set_keep_alive_max_count(1000);
  return server;
}

}  // namespace

FakeAnchorApi::FakeAnchorApi(Options options)
    : options_(std::move(options)),
      server_(MakeServer(options_), /*tls=*/!options_.cert_file.empty()) {
  server_.server().Get(
      "/v1/batch-sessions",
      [this](const httplib::Request& req, httplib::Response& res) { HandleList(req, res); });
  server_.server().Get(
      R"(/v1/batch-sessions/([^/]+))",
      [this](const httplib::Request& req, httplib::Response& res) { HandleBatch(req, res); });
}

FakeAnchorApi::~FakeAnchorApi() { Stop(); }

Status FakeAnchorApi::Start(int port) { return server_.Start(port); }

void FakeAnchorApi::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.Stop();
}

void FakeAnchorApi::SetAnswer(const std::string& batch_id, Answer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  simulated_.Remove(batch_id);
  answers_[batch_id] = std::move(answer);
}

void FakeAnchorApi::SetBatchJson(const std::string& batch_id, std::string body) {
  Answer answer;
  answer.body = std::move(body);
  SetAnswer(batch_id, std::move(answer));
}

void FakeAnchorApi::AddSimulatedBatch(SimulatedBatchSpec spec, bool loop) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_.erase(spec.id);
  simulated_.Add(std::move(spec), loop);
}

void FakeAnchorApi::Remove(const std::string& batch_id) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_.erase(batch_id);
  simulated_.Remove(batch_id);
}

void FakeAnchorApi::SetListedBatches(std::vector<ListedBatch> batches) {
  std::lock_guard<std::mutex> lock(mu_);
  listed_ = std::move(batches);
}

void FakeAnchorApi::SetListAnswer(std::optional<Answer> answer) {
  std::lock_guard<std::mutex> lock(mu_);
  list_answer_ = std::move(answer);
}

void FakeAnchorApi::SetListDelay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  list_delay_ = delay;
}

int FakeAnchorApi::ListRequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return list_requests_;
}

void FakeAnchorApi::HandleList(const httplib::Request& req, httplib::Response& res) {
  Answer answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++list_requests_;
    ++total_requests_;
    if (req.get_header_value("anchor-api-key") != options_.api_key) {
      ++rejected_keys_;
      answer.status = 401;
      answer.body = ApiErrorBody(401, "Invalid API Key");
    } else if (list_answer_) {
      answer = *list_answer_;
    } else {
      std::vector<ListedBatch> all = listed_;
      for (auto& b : simulated_.Listed()) all.push_back(std::move(b));
      answer.body = RenderBatchList(all, ListQueryFromParams(req.params));
      answer.delay = list_delay_;
    }
  }
  Send(answer, res);
}

int FakeAnchorApi::RequestCount(const std::string& batch_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = request_counts_.find(batch_id);
  return it == request_counts_.end() ? 0 : it->second;
}

int FakeAnchorApi::TotalRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_requests_;
}

int FakeAnchorApi::PeakConcurrentRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_in_flight_;
}

int FakeAnchorApi::RejectedKeyCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_keys_;
}

bool FakeAnchorApi::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void FakeAnchorApi::HandleBatch(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  Answer answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++request_counts_[id];
    ++total_requests_;
    peak_in_flight_ = std::max(peak_in_flight_, ++in_flight_);
    if (req.get_header_value("anchor-api-key") != options_.api_key) {
      ++rejected_keys_;
      answer.status = 401;
      answer.body = ApiErrorBody(401, "Invalid API Key");
    } else if (auto body = simulated_.BatchBody(id)) {
      answer.body = std::move(*body);
    } else if (const auto it = answers_.find(id); it != answers_.end()) {
      answer = it->second;
    } else {
      answer.status = 404;
      answer.body = ApiErrorBody(404, "Batch not found");
    }
  }
  Send(answer, res);
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
}

void FakeAnchorApi::Send(const Answer& answer, httplib::Response& res) {
  if (answer.never_answer) {
    SleepUnlessStopped(std::chrono::hours(1));
    res.status = 503;
    return;
  }
  if (answer.delay.count() > 0 && !SleepUnlessStopped(answer.delay)) return;
  res.status = answer.status;
  for (const auto& [name, value] : answer.headers) res.set_header(name, value);
  if (answer.filler_bytes > 0) {
    // Chunked, without Content-Length: the client only learns the size by reading.
    const auto body = std::make_shared<std::string>(answer.body);
    const size_t total = body->size() + answer.filler_bytes;
    res.set_chunked_content_provider(
        "application/json", [body, total](size_t offset, httplib::DataSink& sink) {
          static const std::string kChunk(size_t{64} * 1024, '[');
          if (offset >= total) {
            sink.done();
          } else if (offset < body->size()) {
            sink.write(body->data() + offset, body->size() - offset);
          } else {
            sink.write(kChunk.data(), std::min(kChunk.size(), total - offset));
          }
          return true;
        });
    return;
  }
  if (answer.trickle.count() == 0) {
    res.set_content(answer.body, answer.content_type);
    return;
  }
  const auto body = std::make_shared<std::string>(answer.body);
  const auto interval = answer.trickle;
  res.set_content_provider(body->size(), "application/json",
                           [this, body, interval](size_t offset, size_t, httplib::DataSink& sink) {
                             if (!SleepUnlessStopped(interval)) return false;
                             sink.write(body->data() + offset, 1);
                             return true;
                           });
}

}  // namespace anchor
