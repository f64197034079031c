#include "demo/fake_anchor_api.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>

#include "anchor/timestamp.h"
#include "demo/wide_backlog.h"

namespace anchor {
namespace {

std::string ErrorBody(int code, const std::string& message) {
  return R"({"error": {"code": )" + std::to_string(code) + R"(, "message": ")" + message + R"("}})";
}

double NowUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

FakeAnchorApi::FakeAnchorApi(Options options) : options_(std::move(options)) {
  if (!options_.cert_file.empty()) {
    server_ =
        std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(5);
  server_->set_keep_alive_max_count(1000);
  server_->Get("/v1/batch-sessions", [this](const httplib::Request& req, httplib::Response& res) {
    HandleList(req, res);
  });
  server_->Get(
      R"(/v1/batch-sessions/([^/]+))",
      [this](const httplib::Request& req, httplib::Response& res) { HandleBatch(req, res); });
}

FakeAnchorApi::~FakeAnchorApi() { Stop(); }

bool FakeAnchorApi::Start(int port) {
  if (!server_->is_valid()) return false;
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) return false;
    port_ = port;
  }
  WidenListenBacklog(*server_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A stop() before the accept loop runs would be lost and leave it running forever.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void FakeAnchorApi::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeAnchorApi::base_url() const {
  return std::string(options_.cert_file.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(port_);
}

void FakeAnchorApi::SetAnswer(const std::string& batch_id, Answer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  simulated_.erase(batch_id);
  answers_[batch_id] = std::move(answer);
}

void FakeAnchorApi::SetBatchJson(const std::string& batch_id, std::string body) {
  Answer answer;
  answer.body = std::move(body);
  SetAnswer(batch_id, std::move(answer));
}

void FakeAnchorApi::AddSimulatedBatch(SimulatedBatchSpec spec, bool loop) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id = spec.id;
  answers_.erase(id);
  const double created_at = NowUnix() - static_cast<double>(spec.started_ago.count());
  simulated_[id] = Simulated{std::move(spec), created_at, loop};
}

void FakeAnchorApi::Remove(const std::string& batch_id) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_.erase(batch_id);
  simulated_.erase(batch_id);
}

void FakeAnchorApi::SetListedBatches(std::vector<ListedBatch> batches) {
  std::lock_guard<std::mutex> lock(mu_);
  listed_ = std::move(batches);
}

void FakeAnchorApi::SetListAnswer(std::optional<Answer> answer) {
  std::lock_guard<std::mutex> lock(mu_);
  list_answer_ = std::move(answer);
}

int FakeAnchorApi::ListRequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return list_requests_;
}

std::string FakeAnchorApi::RenderList(const httplib::Request& req) const {
  const std::string status = req.get_param_value("status");
  const double after = req.has_param("created_after")
                           ? ParseRfc3339(req.get_param_value("created_after")).value_or(0)
                           : 0;
  const int page = std::max(1, std::atoi(req.get_param_value("page").c_str()));
  const int limit = req.has_param("limit")
                        ? std::clamp(std::atoi(req.get_param_value("limit").c_str()), 1, 100)
                        : 20;
  // Simulated batches are listed with their status of the moment.
  std::vector<ListedBatch> all = listed_;
  for (const auto& [id, sim] : simulated_) {
    all.push_back({id, SimulatedStatus(sim.spec, NowUnix() - sim.created_at), sim.created_at});
  }
  std::vector<const ListedBatch*> matching;
  for (const auto& b : all) {
    if ((status.empty() || b.status == status) && b.created_at >= after) matching.push_back(&b);
  }
  const size_t total = matching.size();
  const size_t pages = (total + limit - 1) / limit;
  std::string out = R"({"data": {"batches": [)";
  for (size_t i = (page - 1) * static_cast<size_t>(limit);
       i < total && i < static_cast<size_t>(page) * limit; ++i) {
    if (out.back() != '[') out += ",";
    out += R"({"batch_id": ")" + matching[i]->id + R"(", "status": ")" + matching[i]->status +
           R"(", "total_requests": 1, "completed_requests": 0, "failed_requests": 0, )" +
           R"("created_at": ")" + FormatRfc3339(matching[i]->created_at) +
           R"(", "actual_completion_time": null})";
  }
  out += R"(], "pagination": {"current_page": )" + std::to_string(page) + R"(, "total_pages": )" +
         std::to_string(pages) + R"(, "total_records": )" + std::to_string(total) +
         R"(, "has_next": )" + (static_cast<size_t>(page) < pages ? "true" : "false") +
         R"(, "has_prev": )" + (page > 1 ? "true" : "false") + "}}}";
  return out;
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
      answer.body = ErrorBody(401, "Invalid API Key");
    } else if (list_answer_) {
      answer = *list_answer_;
    } else {
      answer.body = RenderList(req);
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
      answer.body = ErrorBody(401, "Invalid API Key");
    } else if (const auto sim = simulated_.find(id); sim != simulated_.end()) {
      Simulated& s = sim->second;
      double elapsed = NowUnix() - s.created_at;
      const double cycle = static_cast<double>((s.spec.duration + s.spec.pause).count());
      if (s.loop && elapsed > cycle) {
        s.created_at += std::floor(elapsed / cycle) * cycle;
        elapsed = NowUnix() - s.created_at;
      }
      answer.body = RenderSimulatedBatch(s.spec, s.created_at, elapsed);
    } else if (const auto it = answers_.find(id); it != answers_.end()) {
      answer = it->second;
    } else {
      answer.status = 404;
      answer.body = ErrorBody(404, "Batch not found");
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
    res.set_content(answer.body, "application/json");
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
