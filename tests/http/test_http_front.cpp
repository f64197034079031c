// HttpFront with a trivial handler on a loopback port: binding, stopping, the connection cap
// (a full front displaces or refuses) and a full worker pool (503).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_connection.h"
#include "support/running_front.h"

using anchor::HttpFront;
using anchor::HttpRequest;
using anchor::HttpResponse;
using anchor::test::AnswerStatuses;
using anchor::test::RawConnection;
using anchor::test::RecordingHandler;
using anchor::test::RunningFront;
using anchor::test::TestFrontOptions;
using namespace std::chrono_literals;

namespace {

const std::string kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

// A handler that holds every request until Open(); Held() tells how many it holds.
class HoldingHandler {
 public:
  anchor::HttpHandler handler() {
    return [this](const HttpRequest&) {
      std::unique_lock<std::mutex> lock(mu_);
      ++held_;
      cv_.notify_all();
      // Bounded, so that a failed test cannot hang the front's shutdown.
      cv_.wait_for(lock, 20s, [&] { return open_; });
      return HttpResponse::Text(200, "released\n");
    };
  }
  bool WaitHeld(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 20s, [&] { return held_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0;
  bool open_ = false;
};

// Waits (up to 10 s) until `done` holds; the front registers connections on its own thread.
template <class Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

// The descriptor of the socket listening on `port` in this process, or -1.
int ListeningSocketOn(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t size = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) {
      continue;
    }
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
        address.sin_family == AF_INET && ntohs(address.sin_port) == port) {
      return fd;
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("HttpFront binds a free port, serves, and Stop() ends Serve()", "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront front(TestFrontOptions(), handler.handler());
  CHECK(front.port() > 0);
  CHECK(Eventually([&] { return front.front().running(); }));
  RawConnection conn(front.port());
  REQUIRE(conn.Send(kGet));
  CHECK(AnswerStatuses(conn.ReadAnswers(1)) == std::vector<int>{200});
  front.Stop();  // returns once Serve() has: the idle connection is closed too
  CHECK_FALSE(front.front().running());
  conn.ReadUntilClose(5s);
  CHECK(conn.closed());
  const RawConnection after(front.port());  // nothing listens any more
  CHECK_FALSE(after.ok());
}

TEST_CASE("HttpFront: Stop() before Serve() makes Serve() return at once", "[unit][web][http]") {
  HttpFront front(TestFrontOptions(), [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE(front.Bind().ok());
  front.Stop();
  CHECK(front.Serve().ok());
  CHECK_FALSE(front.running());
}

TEST_CASE("HttpFront::Bind reports a port in use, a bad host and a TLS set-up failure",
          "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront first(TestFrontOptions(), handler.handler());
  auto options = TestFrontOptions();
  options.port = first.port();
  HttpFront second(options, handler.handler());
  CHECK_FALSE(second.Bind().ok());

  options = TestFrontOptions();
  options.host = "no such host.invalid";
  HttpFront unresolvable(options, handler.handler());
  const auto unresolved = unresolvable.Bind();
  REQUIRE_FALSE(unresolved.ok());
  CHECK(unresolved.error().rfind("cannot resolve no such host.invalid", 0) == 0);

  // TLS is a step of its own: its failure is told apart by the call, not by the text.
  HttpFront tls(TestFrontOptions(), handler.handler());
  const auto tls_set_up =
      tls.UseTls([](SSL_CTX&) { return anchor::Status(anchor::Error{"no certificate"}); });
  REQUIRE_FALSE(tls_set_up.ok());
  CHECK(tls_set_up.error() == "no certificate");
}

TEST_CASE("HttpFront::Serve returns the reason when the listener fails for good",
          "[unit][web][http]") {
  HoldingHandler holding;
  HttpFront front(TestFrontOptions(), holding.handler());
  REQUIRE(front.Bind().ok());
  const int listener = ListeningSocketOn(front.port());
  REQUIRE(listener >= 0);
  std::promise<anchor::Status> served;
  std::thread serving([&] { served.set_value(front.Serve()); });
  RawConnection busy(front.port());  // an answer in progress is finished first
  REQUIRE(busy.Send(kGet));
  REQUIRE(holding.WaitHeld(1));
  // Shut down behind the front's back, accept() fails with EINVAL: no retry can cure that,
  // unlike running out of descriptors.
  REQUIRE(::shutdown(listener, SHUT_RDWR) == 0);
  auto result = served.get_future();
  CHECK(result.wait_for(200ms) == std::future_status::timeout);
  holding.Open();
  CHECK(AnswerStatuses(busy.ReadUntilClose(5s)) == std::vector<int>{200});
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  const anchor::Status status = result.get();
  serving.join();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error() == "cannot accept connections: Invalid argument");
  CHECK(front.connection_stats().accept_errors == 1);
}

TEST_CASE("a full HttpFront displaces an idle connection, and refuses when all are busy",
          "[unit][web][http]") {
  auto options = TestFrontOptions();
  options.max_connections = 2;
  HoldingHandler holding;
  RunningFront front(options, holding.handler());
  CHECK(front.front().connection_stats().cap == 2);

  RawConnection a(front.port());
  RawConnection b(front.port());
  REQUIRE(Eventually([&] { return front.front().connection_stats().open == 2; }));
  RawConnection c(front.port());  // full: the older head (a) goes
  a.ReadUntilClose(5s);
  CHECK(a.closed());
  CHECK(Eventually([&] { return front.front().connection_stats().displaced == 1; }));

  // b and c busy answering: a new connection is closed unanswered.
  REQUIRE(b.Send(kGet));
  REQUIRE(c.Send(kGet));
  REQUIRE(holding.WaitHeld(2));
  RawConnection refused(front.port());
  refused.Send(kGet);
  CHECK(AnswerStatuses(refused.ReadUntilClose(5s)).empty());
  CHECK(refused.closed());
  CHECK(front.front().connection_stats().refused == 1);
  holding.Open();
  CHECK(AnswerStatuses(b.ReadAnswers(1)) == std::vector<int>{200});
  CHECK(AnswerStatuses(c.ReadAnswers(1)) == std::vector<int>{200});
}

TEST_CASE("HttpFront answers 503 when every worker is busy and the queue full",
          "[unit][web][http]") {
  auto options = TestFrontOptions();
  options.worker_threads = 1;
  options.worker_queue = 0;
  HoldingHandler holding;
  RunningFront front(options, holding.handler());
  RawConnection first(front.port());
  REQUIRE(first.Send(kGet));
  REQUIRE(holding.WaitHeld(1));
  RawConnection second(front.port());
  REQUIRE(second.Send(kGet));
  const auto answer = second.ReadAnswers(1);
  CHECK(AnswerStatuses(answer) == std::vector<int>{503});
  CHECK(answer.find("503 service unavailable: too many requests in progress\n") !=
        std::string::npos);
  holding.Open();
  CHECK(AnswerStatuses(first.ReadAnswers(1)) == std::vector<int>{200});
  // The worker is free again. It returns to the pool just after the answer is handed to the
  // connection, so the client can read the answer a moment before: a request sent at once may
  // still find it busy (503). What must hold is that it becomes free, not that it wins the race.
  CHECK(Eventually([&] {
    RawConnection next(front.port());
    return next.Send(kGet) && AnswerStatuses(next.ReadAnswers(1)) == std::vector<int>{200};
  }));
}

TEST_CASE("HttpFront::Stop() finishes the answer in progress", "[unit][web][http]") {
  HoldingHandler holding;
  RunningFront front(TestFrontOptions(), holding.handler());
  RawConnection conn(front.port());
  REQUIRE(conn.Send(kGet));
  REQUIRE(holding.WaitHeld(1));
  std::thread stopping([&] { front.Stop(); });
  // The listener closes first; the answer in progress is not cut short.
  CHECK(Eventually([&] { return !RawConnection(front.port()).ok(); }));
  holding.Open();
  stopping.join();
  const auto data = conn.ReadUntilClose(5s);
  CHECK(AnswerStatuses(data) == std::vector<int>{200});
  CHECK(data.find("Connection: close\r\n") != std::string::npos);
  CHECK(conn.closed());
}
