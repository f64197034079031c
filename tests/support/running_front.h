#pragma once

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/http_front.h"

namespace anchor::test {

// An HttpFront on 127.0.0.1 (port 0) serving on a thread of its own, for the front's unit tests;
// stopped and joined when it goes out of scope.
class RunningFront {
 public:
  // Fails the test (REQUIRE) when Bind() fails.
  RunningFront(HttpFrontOptions options, HttpHandler handler);
  ~RunningFront();
  RunningFront(const RunningFront&) = delete;
  RunningFront& operator=(const RunningFront&) = delete;

  int port() const { return front_.port(); }
  HttpFront& front() { return front_; }
  // Stops the front and waits until Serve() has returned.
  void Stop();

 private:
  HttpFront front_;
  std::thread serving_;
};

// Options for a test front: loopback, port 0, few threads.
HttpFrontOptions TestFrontOptions();

// A handler that records each request it answers and answers 200 with "<method> <path>\n".
class RecordingHandler {
 public:
  HttpHandler handler();
  std::vector<HttpRequest> requests() const;
  std::vector<std::string> paths() const;

 private:
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

}  // namespace anchor::test
