#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/duration.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace anchor {

class Logger;

struct WebOptions {
  std::string listen_address = ":9877";
  std::string telemetry_path = "/metrics";
  Duration timeout_offset = std::chrono::milliseconds(500);
  Duration max_scrape_timeout = std::chrono::seconds(30);
};

// Where the server gets what it serves; main wires these to the collector.
struct ExporterHandlers {
  using Clock = std::chrono::steady_clock;
  std::function<std::vector<prometheus::MetricFamily>(Clock::time_point deadline)> collect;
  std::function<std::string()> landing_page;
};

// Splits "host:port", ":port" or "[v6]:port"; an empty host means all interfaces.
bool ParseListenAddress(const std::string& address, std::string& host, int& port);

// The scrape deadline: Prometheus' X-Prometheus-Scrape-Timeout-Seconds less the offset, capped
// by the configured maximum (which is also used when the header is absent or unreadable).
std::chrono::steady_clock::time_point ScrapeDeadline(const std::string& timeout_header,
                                                     const WebOptions& options,
                                                     std::chrono::steady_clock::time_point now);

// The exporter's own HTTP server: the telemetry path and the landing page.
class ExporterServer {
 public:
  ExporterServer(WebOptions options, ExporterHandlers handlers, const Logger& log);
  ~ExporterServer();
  ExporterServer(const ExporterServer&) = delete;
  ExporterServer& operator=(const ExporterServer&) = delete;

  // Binds the listen address; false (with a logged reason) when it cannot.
  bool Bind();
  // Serves until Stop(); returns when the server has stopped.
  void Serve();
  void Stop();
  // True once Serve() accepts connections (a Stop() before that would be lost).
  bool running() const;
  int port() const { return port_; }

 private:
  void HandleMetrics(const httplib::Request& req, httplib::Response& res) const;

  WebOptions options_;
  ExporterHandlers handlers_;
  const Logger& log_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace anchor
