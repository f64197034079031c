#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/duration.h"
#include "web/web_config.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace anchor {

class Logger;
class BasicAuthenticator;
class ServerCertificate;

struct WebOptions {
  std::string listen_address = ":9877";
  std::string telemetry_path = "/metrics";
  Duration timeout_offset = std::chrono::milliseconds(500);
  Duration max_scrape_timeout = std::chrono::seconds(30);
  // Connections served at once (one thread each); as many more wait in a queue.
  int max_connections = 256;
  // Scrapes (telemetry path and /probe) answered at once; more get 503. 0: no limit.
  int max_requests = 40;
};

// Fixed limits of the exporter's HTTP server (see BoundedTaskQueue for why they matter).
struct ServerLimits {
  static constexpr int kKeepAliveSeconds = 2;    // idle time allowed before and between requests
  static constexpr int kKeepAliveRequests = 10;  // requests per connection
  static constexpr int kReadTimeoutSeconds = 2;  // per read of a request and per TLS handshake step
  static constexpr int kWriteTimeoutSeconds = 10;  // per write of a response
  static constexpr std::size_t kMaxBodyBytes = 4096;
};

enum class ProbeOutcome { kOk, kInvalidTarget, kUnlisted };
struct ProbeAnswer {
  ProbeOutcome outcome = ProbeOutcome::kOk;
  std::vector<prometheus::MetricFamily> families;
};

// /probe?target=X&debug=true: the trace of the fetch followed by the metrics, as text/plain.
struct ProbeDebugAnswer {
  ProbeOutcome outcome = ProbeOutcome::kOk;
  std::string text;  // for kOk
};

// /-/ready: 200 when ready, else 503 with `reason` (one line).
struct Readiness {
  bool ready = false;
  std::string reason;
};

// Where the server gets what it serves; the application wires these to the collector.
struct ExporterHandlers {
  using Clock = std::chrono::steady_clock;
  std::function<std::vector<prometheus::MetricFamily>(Clock::time_point deadline)> collect;
  std::function<ProbeAnswer(const std::string& target, Clock::time_point deadline)> probe;
  std::function<ProbeDebugAnswer(const std::string& target, Clock::time_point deadline)>
      probe_debug;
  std::function<std::string()> landing_page;
  std::function<Readiness()> readiness;
  std::function<std::string()> reload;  // "" on success, else why the running config was kept
};

// Splits "host:port", ":port" or "[v6]:port"; an empty host means all interfaces.
bool ParseListenAddress(const std::string& address, std::string& host, int& port);

// The scrape deadline: Prometheus' X-Prometheus-Scrape-Timeout-Seconds less the offset, capped
// by the configured maximum (which is also used when the header is absent or unreadable).
std::chrono::steady_clock::time_point ScrapeDeadline(const std::string& timeout_header,
                                                     const WebOptions& options,
                                                     std::chrono::steady_clock::time_point now);

// The exporter's own HTTP(S) server: telemetry path, /probe, landing page, /-/healthy,
// /-/ready and /-/reload, behind the web config's TLS and basic authentication. Only GET and
// HEAD (POST for /-/reload) are served; other methods get 405, unknown paths 404.
class ExporterServer {
 public:
  // `web` decides between HTTP and HTTPS for the server's life, and the first users.
  ExporterServer(WebOptions options, ExporterHandlers handlers, const Logger& log,
                 const WebConfig& web = {});
  ~ExporterServer();
  ExporterServer(const ExporterServer&) = delete;
  ExporterServer& operator=(const ExporterServer&) = delete;

  // Binds the listen address; false (with a logged reason) when it cannot or TLS set-up failed.
  bool Bind();
  // Serves until Stop(); returns when the server has stopped and in-flight requests are done.
  void Serve();
  void Stop();
  // True once Serve() accepts connections (a Stop() before that would be lost).
  bool running() const;
  int port() const { return port_; }
  bool tls() const { return certificate_ != nullptr; }
  // host:port actually bound (the port resolved when :0 was asked for).
  std::string bound_address() const;

  // Applies a reloaded web config: users and auth_excluded_paths at once, the certificate and
  // key files re-read for new connections. Returns "" or why it was refused (nothing changed).
  // Other TLS settings, and switching TLS on or off, take effect at the next start; that is
  // logged, not refused.
  std::string ApplyWebConfig(const WebConfig& web);

 private:
  struct AuthState;
  static std::shared_ptr<const AuthState> MakeAuthState(const WebConfig& web);
  void Harden();
  void AddRoutes();
  bool Authorize(const httplib::Request& req, httplib::Response& res) const;
  bool CheckMethod(const httplib::Request& req, httplib::Response& res) const;
  bool IsKnownPath(const std::string& path) const;
  void HandleMetrics(const httplib::Request& req, httplib::Response& res);
  void HandleProbe(const httplib::Request& req, httplib::Response& res);
  void HandleReload(httplib::Response& res);

  WebOptions options_;
  ExporterHandlers handlers_;
  const Logger& log_;
  std::unique_ptr<ServerCertificate> certificate_;  // set when serving HTTPS
  std::string tls_error_;
  std::optional<TlsServerConfig> tls_config_;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<const AuthState> auth_;  // read and replaced with std::atomic_load/store
  std::atomic<int> in_flight_{0};
  int port_ = 0;
  std::string host_;
};

}  // namespace anchor
