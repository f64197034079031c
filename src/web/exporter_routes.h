#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/probe_outcome.h"
#include "base/result.h"
#include "http/connection_stats.h"
#include "http/http_message.h"
#include "toolkit/web_config.h"
#include "web/exporter_backend.h"
#include "web/own_metrics.h"
#include "web/web_options.h"

namespace anchor {

class AnswerSlots;
class AuthFailureLog;
class Logger;
class RenderCache;

// The scrape deadline: Prometheus' X-Prometheus-Scrape-Timeout-Seconds less the offset, capped
// by the configured maximum (which is also used when the header is absent or unreadable).
std::chrono::steady_clock::time_point ScrapeDeadline(const std::string& timeout_header,
                                                     const WebOptions& options,
                                                     std::chrono::steady_clock::time_point now);

// The exporter's endpoints, declared once in a table: telemetry path, /probe, /sd, landing
// page, /-/healthy, /-/ready and /-/reload. Answers a parsed request, no sockets: basic
// authentication first (also for unknown paths, so nothing about them is revealed), then 404
// for an unknown path, 405 for a method the route does not serve (HEAD is served wherever GET
// is), then the route's handler; at debug level one log line per request. Thread-safe.
class ExporterRoutes {
 public:
  // Basic-auth users and the paths served without them, replaced as a whole.
  struct AuthPolicy;

  // Until SetAuthPolicy, no route asks for credentials. `backend` must outlive the routes.
  // `connection_stats` (when given) adds the HTTP front's connection counts to each scrape.
  ExporterRoutes(WebOptions options, ExporterBackend& backend, const Logger& log,
                 ConnectionStatsFn connection_stats = {});
  ~ExporterRoutes();
  ExporterRoutes(const ExporterRoutes&) = delete;
  ExporterRoutes& operator=(const ExporterRoutes&) = delete;

  HttpResponse Answer(const HttpRequest& req) const;

  // The handlers these routes may run at once: every scrape slot (--web.max-requests, the one
  // overload gate for scrapes; each may block on the API for its whole deadline) and a few more,
  // so that the cheap endpoints and bcrypt for a new login answer beside them. The front's
  // worker pool is sized by this, so that its size follows the gate instead of a third file.
  std::size_t handler_threads() const;

  // Built apart from SetAuthPolicy, so that a reload can refuse a web config with nothing
  // changed. Fails only when bcrypt cannot be set up.
  static Result<std::shared_ptr<const AuthPolicy>> MakeAuthPolicy(const WebConfig& web);
  // Requests from now on are checked against `policy`.
  void SetAuthPolicy(std::shared_ptr<const AuthPolicy> policy);

 private:
  // One endpoint: adding a route is one entry in Table().
  struct Route {
    std::string path;
    std::vector<std::string> methods;  // HEAD is served wherever GET is
    std::function<HttpResponse(const HttpRequest&)> handle;
    bool authenticated = true;  // behind basic auth (unless in auth_excluded_paths)
    std::string method_refusal = "405 method not allowed\n";
    bool prefix = false;  // serves every path that starts with `path`
  };
  std::vector<Route> Table();
  HttpResponse Dispatch(const HttpRequest& req) const;
  std::optional<HttpResponse> Authorize(const HttpRequest& req, bool route_authenticated) const;
  ServerNumbers Numbers() const;
  HttpResponse HandleMetrics(const HttpRequest& req);
  HttpResponse HandleProbe(const HttpRequest& req);
  HttpResponse HandleServiceDiscovery(const HttpRequest& req) const;
  HttpResponse HandleLandingPage() const;
  HttpResponse HandleBatchPage(const HttpRequest& req) const;
  HttpResponse HandleReady() const;
  HttpResponse HandleReload() const;

  const WebOptions options_;
  ExporterBackend& backend_;
  const ConnectionStatsFn connection_stats_;
  const Logger& log_;
  std::unique_ptr<RenderCache> render_cache_;  // null when options_.render_cache is off
  std::unique_ptr<AuthFailureLog> auth_failures_;
  std::vector<Route> routes_;
  std::shared_ptr<const AuthPolicy> auth_;  // read and replaced with std::atomic_load/store
  std::unique_ptr<AnswerSlots> slots_;      // --web.max-requests (scrapes, their writes)
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace anchor
