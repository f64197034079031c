// The endpoints, declared once in Table(). Authentication and the method check run before any
// handler (Dispatch); the HTTP front has read and dropped any request body.
#include "web/exporter_routes.h"

#include <cstdlib>
#include <set>
#include <string>

#include "base/system_clock.h"
#include "config/batch_id.h"
#include "exposition/exposition_format.h"
#include "exposition/http_compression.h"
#include "exposition/render_cache.h"
#include "http/answer_slots.h"
#include "log/logger.h"
#include "toolkit/auth_failures.h"
#include "toolkit/basic_auth.h"
#include "web/collector_pages.h"
#include "web/own_metrics.h"

namespace anchor {

struct ExporterRoutes::AuthPolicy {
  std::unique_ptr<BasicAuthenticator> authenticator;  // null: no authentication
  std::set<std::string> excluded_paths;
};

namespace {

std::string JoinMethods(const std::vector<std::string>& methods) {
  std::string allow;
  for (const auto& m : methods) {
    allow += (allow.empty() ? "" : ", ") + m;
    if (m == "GET") allow += ", HEAD";
  }
  return allow;
}

bool Allows(const std::vector<std::string>& methods, const std::string& method) {
  for (const auto& m : methods) {
    if (m == method || (m == "GET" && method == "HEAD")) return true;
  }
  return false;
}

// An exposition in the format the Accept header asks for (text 0.0.4 or OpenMetrics), gzipped
// at the fastest level when the client accepts it (Prometheus does).
HttpResponse Exposition(const HttpRequest& req,
                        const std::vector<prometheus::MetricFamily>& families) {
  const auto format = NegotiateExpositionFormat(req.Header("Accept"));
  std::string text = SerializeExposition(families, format.format);
  HttpResponse res;
  res.content_type = format.content_type;
  res.headers.emplace_back("Vary", "Accept, Accept-Encoding");
  if (AcceptsGzip(req.Header("Accept-Encoding"))) {
    if (auto gzipped = GzipFast(text)) {
      res.headers.emplace_back("Content-Encoding", "gzip");
      res.body = std::move(*gzipped);
      return res;
    }
  }
  // Moved, not copied: the text of 1,000 batches is ~3 MB.
  res.body = std::move(text);
  return res;
}

// node_exporter's --web.max-requests: a burst of scrapes must not turn into a burst of API
// requests and threads, nor clients that do not read into answers piling up. A scrape holds a
// slot (AnswerSlots) while it is computed, then while its answer is written (HttpResponse::hold):
// an answer still being sent counts until it is sent, or until a scrape that finds every slot
// held displaces it (the writer that started first), so that clients which never read cannot
// starve scrapes.
void HoldSlot(HttpResponse& res, std::shared_ptr<const AnswerSlots::Slot> slot) {
  // Weak: `hold` alone keeps the slot, so that it goes with the answer.
  res.on_write = [weak =
                      std::weak_ptr<const AnswerSlots::Slot>(slot)](std::function<void()> close) {
    if (auto held = weak.lock()) held->Writing(std::move(close));
  };
  res.hold = std::move(slot);
}

HttpResponse Refusal(std::atomic<std::uint64_t>& refused, int max) {
  refused.fetch_add(1);
  return HttpResponse::Text(503, "Limit of concurrent requests reached (" + std::to_string(max) +
                                     "), try again later.\n");
}

const char* const kInvalidTarget = "Invalid target: a batch id must match [A-Za-z0-9_-]{1,128}\n";

}  // namespace

std::chrono::steady_clock::time_point ScrapeDeadline(const std::string& timeout_header,
                                                     const WebOptions& options,
                                                     std::chrono::steady_clock::time_point now) {
  using std::chrono::duration;
  duration<double> budget = options.max_scrape_timeout;
  char* end = nullptr;
  const double header = timeout_header.empty() ? 0 : std::strtod(timeout_header.c_str(), &end);
  if (header > 0 && end != nullptr && *end == '\0') {
    const double offset = ToSeconds(options.timeout_offset);
    // A timeout shorter than the offset still gets most of itself rather than nothing.
    const double usable = header > offset ? header - offset : header * 0.9;
    budget = std::min(budget, duration<double>(usable));
  }
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(budget);
}

ExporterRoutes::ExporterRoutes(WebOptions options, ExporterBackend& backend, const Logger& log,
                               ConnectionStatsFn connection_stats)
    : options_(std::move(options)),
      backend_(backend),
      connection_stats_(std::move(connection_stats)),
      log_(log),
      auth_failures_(std::make_unique<AuthFailureLog>(log, SystemClock::Instance())),
      auth_(std::make_shared<const AuthPolicy>()),
      slots_(std::make_unique<AnswerSlots>(options_.max_requests)) {
  if (options_.render_cache) render_cache_ = std::make_unique<RenderCache>();
  routes_ = Table();
}

ExporterRoutes::~ExporterRoutes() = default;

Result<std::shared_ptr<const ExporterRoutes::AuthPolicy>> ExporterRoutes::MakeAuthPolicy(
    const WebConfig& web) {
  auto policy = std::make_shared<AuthPolicy>();
  if (!web.basic_auth_users.empty()) {
    auto authenticator = BasicAuthenticator::Create(web.basic_auth_users);
    if (!authenticator.ok()) return Error{authenticator.error()};
    policy->authenticator = std::move(authenticator).value();
  }
  policy->excluded_paths = web.auth_excluded_paths;
  return std::shared_ptr<const AuthPolicy>(std::move(policy));
}

void ExporterRoutes::SetAuthPolicy(std::shared_ptr<const AuthPolicy> policy) {
  std::atomic_store(&auth_, std::move(policy));
}

std::size_t ExporterRoutes::handler_threads() const {
  constexpr std::size_t kBeside = 8;     // cheap endpoints and logins beside the scrapes
  constexpr std::size_t kUncapped = 64;  // scrapes counted when --web.max-requests is 0
  const std::size_t scrapes =
      options_.max_requests > 0 ? static_cast<std::size_t>(options_.max_requests) : kUncapped;
  return scrapes + kBeside;
}

HttpResponse ExporterRoutes::Answer(const HttpRequest& req) const {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse res = Dispatch(req);
  // At debug level, one line per request served (never its headers: they may hold credentials).
  if (log_.Enabled(LogLevel::kDebug)) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log_.Debug("http request", {{"method", req.method},
                                {"path", req.path},
                                {"status", res.status},
                                {"bytes", res.BodySize()},
                                {"duration_seconds", seconds},
                                {"remote_addr", req.remote_addr}});
  }
  return res;
}

HttpResponse ExporterRoutes::Dispatch(const HttpRequest& req) const {
  const Route* route = nullptr;
  for (const auto& r : routes_) {
    if (r.path == req.path || (r.prefix && req.path.rfind(r.path, 0) == 0)) route = &r;
  }
  // Authentication comes first, also for unknown paths: nothing about the paths is revealed.
  if (auto refusal = Authorize(req, route == nullptr || route->authenticated)) return *refusal;
  if (route == nullptr) return HttpResponse::Text(404, "404 page not found\n");
  if (!Allows(route->methods, req.method)) {
    auto res = HttpResponse::Text(405, route->method_refusal);
    res.headers.emplace_back("Allow", JoinMethods(route->methods));
    return res;
  }
  return AnswerOrInternalError(route->handle, req, [&](const std::string& what) {
    log_.Error("request failed", {{"path", req.path}, {"err", what}});
  });
}

std::optional<HttpResponse> ExporterRoutes::Authorize(const HttpRequest& req,
                                                      bool route_authenticated) const {
  const auto auth = std::atomic_load(&auth_);
  if (!route_authenticated || !auth->authenticator || auth->excluded_paths.count(req.path) > 0) {
    return std::nullopt;
  }
  const auto credentials = ParseBasicAuthorization(req.Header("Authorization"));
  const AuthVerdict verdict =
      credentials ? auth->authenticator->Judge(*credentials) : AuthVerdict::kNoCredentials;
  if (verdict == AuthVerdict::kOk) return std::nullopt;
  const std::string user = credentials ? credentials->user : std::string();
  auth_failures_->Record(verdict, user, credentials && auth->authenticator->knows(user),
                         req.remote_addr, req.path);
  auto res = HttpResponse::Text(401, "401 Unauthorized\n");
  res.headers.emplace_back("WWW-Authenticate",
                           R"(Basic realm="anchorbrowser_exporter", charset="UTF-8")");
  return res;
}

std::vector<ExporterRoutes::Route> ExporterRoutes::Table() {
  std::vector<Route> routes = {
      {options_.telemetry_path, {"GET"}, [this](const HttpRequest& r) { return HandleMetrics(r); }},
      {"/probe", {"GET"}, [this](const HttpRequest& r) { return HandleProbe(r); }},
      {"/sd", {"GET"}, [this](const HttpRequest& r) { return HandleServiceDiscovery(r); }},
      {"/-/healthy",
       {"GET"},
       [](const HttpRequest&) { return HttpResponse::Text(200, "Healthy\n"); }},
      {"/-/ready", {"GET"}, [this](const HttpRequest&) { return HandleReady(); }},
      {"/-/reload",
       {"POST"},
       [this](const HttpRequest&) { return HandleReload(); },
       true,
       "This endpoint requires a POST request.\n"},
  };
  routes.push_back({"/batches/",
                    {"GET"},
                    [this](const HttpRequest& r) { return HandleBatchPage(r); },
                    true,
                    "405 method not allowed\n",
                    true});
  if (options_.telemetry_path != "/") {
    routes.push_back({"/", {"GET"}, [this](const HttpRequest&) { return HandleLandingPage(); }});
  }
  return routes;
}

// What the routes and the application count, for the exporter's own families.
ServerNumbers ExporterRoutes::Numbers() const {
  ServerNumbers n;
  const LandingPageReload reload = backend_.LastReload();
  n.reload_ok = reload.ok;
  n.reload_success_seconds = reload.success_seconds;
  if (connection_stats_) n.connections = connection_stats_();
  for (const AuthVerdict verdict : kAuthFailures) {
    n.auth_failures.push_back(auth_failures_->count(verdict));
  }
  n.answers_in_flight = slots_->held();
  n.answers_refused = static_cast<double>(refused_.load());
  n.answers_displaced = static_cast<double>(slots_->displaced());
  return n;
}

HttpResponse ExporterRoutes::HandleMetrics(const HttpRequest& req) {
  std::shared_ptr<const AnswerSlots::Slot> slot = slots_->Acquire();
  if (!slot) return Refusal(refused_, options_.max_requests);
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Scrape-Timeout-Seconds"), options_,
                                       std::chrono::steady_clock::now());
  const auto format = NegotiateExpositionFormat(req.Header("Accept"));
  bool gzip = AcceptsGzip(req.Header("Accept-Encoding"));
  HttpResponse res;
  {
    ExpositionParts parts = backend_.Collector()->CollectBatches(deadline);
    for (auto& f : ServerFamilies(Numbers())) parts.other.push_back(std::move(f));
    if (render_cache_) {
      // Blocks shared with the cache and other answers: a slow client holds no copy of them.
      res.blocks = render_cache_->RenderBlocks(parts, format.format, gzip);
    } else {
      res.body = RenderUncached(parts, format.format);
      if (gzip) res.body = GzipFast(res.body).value_or("");
    }
    if (gzip && res.blocks.empty() && res.body.empty()) {  // zlib failed: send it uncompressed
      gzip = false;
      res.body = RenderUncached(parts, format.format);
    }
  }  // the scrape's families are freed before the answer is sent
  res.content_type = format.content_type;
  res.headers.emplace_back("Vary", "Accept, Accept-Encoding");
  if (gzip) res.headers.emplace_back("Content-Encoding", "gzip");
  HoldSlot(res, std::move(slot));
  return res;
}

// blackbox_exporter style: /probe?target=<batch_id>. Bad requests get 400 with a reason and
// never reach the API. Only `target` is read: labels come from the config or from relabeling.
HttpResponse ExporterRoutes::HandleProbe(const HttpRequest& req) {
  const auto targets = req.Params("target");
  if (targets.empty() || targets.front().empty()) {
    return HttpResponse::Text(400, "Target parameter is missing\n");
  }
  if (targets.size() > 1) return HttpResponse::Text(400, "Target parameter given more than once\n");
  const std::string& target = targets.front();
  // Checked here as well as by the collector, so that nothing else sees a bad id.
  if (!IsValidBatchId(target)) return HttpResponse::Text(400, kInvalidTarget);
  std::shared_ptr<const AnswerSlots::Slot> slot = slots_->Acquire();
  if (!slot) return Refusal(refused_, options_.max_requests);
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Scrape-Timeout-Seconds"), options_,
                                       std::chrono::steady_clock::now());
  const auto collector = backend_.Collector();
  BatchCollector::ProbeResult answer;
  if (req.Params("debug") == std::vector<std::string>{"true"}) {
    auto debug = CollectorProbeDebug(*collector, target, deadline);
    if (debug.outcome == ProbeOutcome::kOk) {
      auto res = HttpResponse::Text(200, std::move(debug.text));
      HoldSlot(res, std::move(slot));
      return res;
    }
    answer.outcome = debug.outcome;
  } else {
    answer = collector->Probe(target, deadline);
  }
  switch (answer.outcome) {
    case ProbeOutcome::kInvalidTarget:
      return HttpResponse::Text(400, kInvalidTarget);
    case ProbeOutcome::kUnlisted:
      return HttpResponse::Text(
          400, "Unknown target " + target +
                   ": not a configured or discovered batch (set probe.allow_unlisted: true to "
                   "probe any batch id)\n");
    case ProbeOutcome::kOk:
      break;
  }
  auto res = Exposition(req, answer.families);
  HoldSlot(res, std::move(slot));
  return res;
}

// Prometheus' http_sd_configs: every tracked batch as a target (web/service_discovery.h).
HttpResponse ExporterRoutes::HandleServiceDiscovery(const HttpRequest& req) const {
  // Prometheus' http_sd announces its refresh interval, which is also its request timeout.
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Refresh-Interval-Seconds"),
                                       options_, std::chrono::steady_clock::now());
  HttpResponse res =
      HttpResponse::Text(200, CollectorServiceDiscovery(*backend_.Collector(), deadline));
  res.content_type = "application/json";
  return res;
}

HttpResponse ExporterRoutes::HandleLandingPage() const {
  HttpResponse res = HttpResponse::Text(
      200,
      CollectorLandingPage(*backend_.Collector(), options_.telemetry_path, backend_.LastReload()));
  res.content_type = "text/html; charset=utf-8";
  return res;
}

// GET /batches/<id>: HTML, or JSON for ?format=json or an Accept that asks for JSON and not
// HTML. Only tracked batches: no request reaches the API.
HttpResponse ExporterRoutes::HandleBatchPage(const HttpRequest& req) const {
  const std::string id = req.path.substr(std::string_view("/batches/").size());
  if (!IsValidBatchId(id)) return HttpResponse::Text(404, "404 page not found\n");
  const auto format = req.Params("format");
  const std::string accept = req.Header("Accept");
  bool json = accept.find("application/json") != std::string::npos &&
              accept.find("text/html") == std::string::npos;
  if (format.size() == 1 && (format[0] == "json" || format[0] == "html")) {
    json = format[0] == "json";
  } else if (!format.empty()) {
    return HttpResponse::Text(400, "format must be html or json\n");
  }
  const auto page = CollectorBatchPage(*backend_.Collector(), id);
  if (!page) return HttpResponse::Text(404, "Unknown batch " + id + ": not tracked\n");
  HttpResponse res =
      HttpResponse::Text(200, json ? RenderBatchPageJson(*page) : RenderBatchPageHtml(*page));
  res.content_type = json ? "application/json" : "text/html; charset=utf-8";
  res.headers.emplace_back("Vary", "Accept");
  return res;
}

HttpResponse ExporterRoutes::HandleReady() const {
  const Readiness r = backend_.CurrentReadiness();
  if (r.ready) return HttpResponse::Text(200, "Ready\n");
  return HttpResponse::Text(503, "Not ready: " + r.reason + "\n");
}

HttpResponse ExporterRoutes::HandleReload() const {
  const Status reloaded = backend_.ReloadConfig();
  if (reloaded.ok()) return HttpResponse::Text(200, "Reloaded\n");
  return HttpResponse::Text(500, "failed to reload config: " + reloaded.error() + "\n");
}

}  // namespace anchor
