// Measures how long a scrape waits while many idle connections are open, for httplib's default
// thread pool and for the exporter's BoundedTaskQueue. Not a test: numbers vary by machine.
//   make bench-build && cmake --build build --target bench_idle_connections
//   build/bench/bench_idle_connections
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "net/listen_backlog.h"
#include "support/web_fixtures.h"
#include "web/bounded_task_queue.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Run(const char* name, std::function<httplib::TaskQueue*()> queue, time_t keep_alive,
           int idle, bool send_one_request) {
  httplib::Server server;
  server.new_task_queue = std::move(queue);
  server.set_keep_alive_timeout(keep_alive);
  server.set_read_timeout(2, 0);
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("up 1\n", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  anchor::WidenListenBacklog(server);
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::vector<int> fds;
  for (int i = 0; i < idle; ++i) {
    const int fd = anchor::test::ConnectLoopback(port);
    if (fd < 0) break;
    if (send_one_request) {
      const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
      (void)!write(fd, req, sizeof(req) - 1);
    }
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the server accept them
  const double cpu_before = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(300));
  const auto res = client.Get("/metrics");
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // While the idle connections time out: what polling them costs.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double cpu = CpuSeconds() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%-28s idle=%d %-18s keep-alive=%lds: scrape %d after %.3f s; CPU %.0f%% of one "
      "core\n",
      name, static_cast<int>(fds.size()), send_one_request ? "(one request each)" : "(silent)",
      static_cast<long>(keep_alive), res ? res->status : 0, secs, 100 * cpu / wall);
  for (const int fd : fds) close(fd);
  server.stop();
  t.join();
  return secs;
}

}  // namespace

int main() {
  // httplib's defaults (8 threads, 5 s keep-alive): the scrape waits 200 / 8 * 5 s.
  Run(
      "httplib ThreadPool(8)", [] { return new httplib::ThreadPool(8); }, 5, 200, false);
  for (const bool one_request : {false, true}) {
    Run(
        "httplib ThreadPool(16)", [] { return new httplib::ThreadPool(16); }, 2, 200, one_request);
    Run(
        "BoundedTaskQueue(64, 64)", [] { return new anchor::BoundedTaskQueue(64, 64); }, 2, 200,
        one_request);
    Run(
        "BoundedTaskQueue(256, 256)", [] { return new anchor::BoundedTaskQueue(256, 256); }, 2, 200,
        one_request);
    Run(
        "BoundedTaskQueue(256, 256)", [] { return new anchor::BoundedTaskQueue(256, 256); }, 2,
        1000, one_request);
  }
}
