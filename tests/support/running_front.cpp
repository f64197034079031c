#include "support/running_front.h"

#include <catch2/catch.hpp>
#include <utility>

namespace anchor::test {

RunningFront::RunningFront(HttpFrontOptions options, HttpHandler handler)
    : front_(std::move(options), std::move(handler)) {
  const Status bound = front_.Bind();
  INFO((bound.ok() ? "" : bound.error()));
  REQUIRE(bound.ok());
  serving_ = std::thread([this] { static_cast<void>(front_.Serve()); });
}

RunningFront::~RunningFront() { Stop(); }

void RunningFront::Stop() {
  front_.Stop();
  if (serving_.joinable()) serving_.join();
}

HttpFrontOptions TestFrontOptions() {
  HttpFrontOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.worker_threads = 4;
  options.worker_queue = 4;
  return options;
}

HttpHandler RecordingHandler::handler() {
  return [this](const HttpRequest& req) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    return HttpResponse::Text(200, req.method + " " + req.path + "\n");
  };
}

std::vector<HttpRequest> RecordingHandler::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<std::string> RecordingHandler::paths() const {
  std::vector<std::string> out;
  for (const auto& r : requests()) out.push_back(r.path);
  return out;
}

}  // namespace anchor::test
