#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/probe_outcome.h"
#include "web/exposition_parts.h"
#include "web/http_message.h"
#include "web/web_config.h"
#include "web/web_options.h"

namespace anchor {

class Logger;
class BasicAuthenticator;
class HttpFront;
class ServerCertificate;
class RenderCache;

// Fixed limits of the exporter's HTTP server besides those of RequestHeadLimits.
struct ServerLimits {
  static constexpr std::size_t kMaxBodyBytes = 4096;  // read and dropped; larger: 413
  static constexpr int kWriteTimeoutSeconds = 60;     // to send one answer
  static constexpr std::size_t kIoThreads = 2;
};

// /probe?target=X: the metrics of one batch, when the target was accepted.
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
  std::function<ExpositionParts(Clock::time_point deadline)> collect;
  std::function<ProbeAnswer(const std::string& target, Clock::time_point deadline)> probe;
  std::function<ProbeDebugAnswer(const std::string& target, Clock::time_point deadline)>
      probe_debug;
  std::function<std::string()> landing_page;
  // GET /sd: the http_sd_configs JSON (RenderServiceDiscovery) of every tracked batch.
  std::function<std::string(Clock::time_point deadline)> service_discovery;
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

// The exporter's own HTTP(S) server: telemetry path, /probe, /sd, landing page, /-/healthy,
// /-/ready and /-/reload, behind the web config's TLS and basic authentication. Only GET and
// HEAD (POST for /-/reload) are served; other methods get 405, unknown paths 404. HTTP is served
// by HttpFront (limits, deadlines and framing checks for hostile clients).
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
  // Connections open now, and how many may be (--web.max-connections or the derived cap).
  std::size_t open_connections() const;
  std::size_t connection_cap() const;

  // Applies a reloaded web config: users and auth_excluded_paths at once, the certificate and
  // key files re-read for new connections. Returns "" or why it was refused (nothing changed).
  // Other TLS settings, and switching TLS on or off, take effect at the next start; that is
  // logged, not refused.
  std::string ApplyWebConfig(const WebConfig& web);

 private:
  struct AuthState;
  // One endpoint: adding a route is one entry in Routes().
  struct Route {
    std::string path;
    std::vector<std::string> methods;  // HEAD is served wherever GET is
    std::function<HttpResponse(const HttpRequest&)> handle;
    bool authenticated = true;  // behind basic auth (unless in auth_excluded_paths)
    std::string method_refusal = "405 method not allowed\n";
  };
  static std::shared_ptr<const AuthState> MakeAuthState(const WebConfig& web);
  std::vector<Route> Routes();
  HttpResponse Answer(const HttpRequest& req) const;  // Dispatch, and the debug log line
  HttpResponse Dispatch(const HttpRequest& req) const;
  std::optional<HttpResponse> Authorize(const HttpRequest& req, bool route_authenticated) const;
  HttpResponse HandleMetrics(const HttpRequest& req);
  HttpResponse HandleProbe(const HttpRequest& req);
  HttpResponse HandleServiceDiscovery(const HttpRequest& req) const;
  HttpResponse HandleReady() const;
  HttpResponse HandleReload() const;

  WebOptions options_;
  ExporterHandlers handlers_;
  const Logger& log_;
  std::unique_ptr<ServerCertificate> certificate_;  // set when serving HTTPS
  std::optional<TlsServerConfig> tls_config_;
  std::vector<Route> routes_;
  std::unique_ptr<HttpFront> front_;
  std::shared_ptr<const AuthState> auth_;  // read and replaced with std::atomic_load/store
  std::atomic<int> in_flight_{0};
  std::unique_ptr<RenderCache> render_cache_;  // null when options_.render_cache is off
  int port_ = 0;
  std::string host_;
};

}  // namespace anchor
