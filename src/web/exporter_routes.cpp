// The endpoints of ExporterServer, declared once in Routes(). Authentication and the method
// check have run before any handler (ExporterServer::Answer); the front has read and dropped
// any request body.
#include <atomic>
#include <memory>
#include <string>

#include "config/batch_id.h"
#include "log/logger.h"
#include "web/exporter_server.h"
#include "web/exposition_format.h"
#include "web/http_compression.h"
#include "web/render_cache.h"

namespace anchor {
namespace {

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
// requests and threads. Holds one of `max` slots (none when max <= 0) while it lives.
class RequestSlot {
 public:
  RequestSlot(std::atomic<int>& in_flight, int max) : in_flight_(in_flight), max_(max) {
    held_ = max_ <= 0 || in_flight_.fetch_add(1) < max_;
    if (!held_) in_flight_.fetch_sub(1);
  }
  ~RequestSlot() {
    if (held_ && max_ > 0) in_flight_.fetch_sub(1);
  }
  RequestSlot(const RequestSlot&) = delete;
  RequestSlot& operator=(const RequestSlot&) = delete;

  bool held() const { return held_; }
  HttpResponse Refusal() const {
    return HttpResponse::Text(503, "Limit of concurrent requests reached (" + std::to_string(max_) +
                                       "), try again later.\n");
  }

 private:
  std::atomic<int>& in_flight_;
  const int max_;
  bool held_ = false;
};

const char* const kInvalidTarget = "Invalid target: a batch id must match [A-Za-z0-9_-]{1,128}\n";

}  // namespace

std::vector<ExporterServer::Route> ExporterServer::Routes() {
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
  if (options_.telemetry_path != "/") {
    routes.push_back({"/", {"GET"}, [this](const HttpRequest&) {
                        HttpResponse res = HttpResponse::Text(200, handlers_.landing_page());
                        res.content_type = "text/html; charset=utf-8";
                        return res;
                      }});
  }
  return routes;
}

HttpResponse ExporterServer::HandleMetrics(const HttpRequest& req) {
  const RequestSlot slot(in_flight_, options_.max_requests);
  if (!slot.held()) return slot.Refusal();
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Scrape-Timeout-Seconds"), options_,
                                       std::chrono::steady_clock::now());
  const auto format = NegotiateExpositionFormat(req.Header("Accept"));
  bool gzip = AcceptsGzip(req.Header("Accept-Encoding"));
  HttpResponse res;
  {
    const ExpositionParts parts = handlers_.collect(deadline);
    res.body = render_cache_ ? render_cache_->Render(parts, format.format, gzip)
                             : RenderUncached(parts, format.format);
    if (gzip && !render_cache_) res.body = GzipFast(res.body).value_or("");
    if (gzip && res.body.empty()) {  // zlib failed: send it uncompressed
      gzip = false;
      res.body = RenderUncached(parts, format.format);
    }
  }  // the scrape's families are freed before the answer is sent
  res.content_type = format.content_type;
  res.headers.emplace_back("Vary", "Accept, Accept-Encoding");
  if (gzip) res.headers.emplace_back("Content-Encoding", "gzip");
  return res;
}

// blackbox_exporter style: /probe?target=<batch_id>. Bad requests get 400 with a reason and
// never reach the API. Only `target` is read: labels come from the config or from relabeling.
HttpResponse ExporterServer::HandleProbe(const HttpRequest& req) {
  const auto targets = req.Params("target");
  if (targets.empty() || targets.front().empty()) {
    return HttpResponse::Text(400, "Target parameter is missing\n");
  }
  if (targets.size() > 1) return HttpResponse::Text(400, "Target parameter given more than once\n");
  const std::string& target = targets.front();
  // Checked here as well as by the collector, so that nothing else sees a bad id.
  if (!IsValidBatchId(target)) return HttpResponse::Text(400, kInvalidTarget);
  const RequestSlot slot(in_flight_, options_.max_requests);
  if (!slot.held()) return slot.Refusal();
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Scrape-Timeout-Seconds"), options_,
                                       std::chrono::steady_clock::now());
  ProbeAnswer answer;
  if (req.Params("debug") == std::vector<std::string>{"true"} && handlers_.probe_debug) {
    auto debug = handlers_.probe_debug(target, deadline);
    if (debug.outcome == ProbeOutcome::kOk) return HttpResponse::Text(200, std::move(debug.text));
    answer.outcome = debug.outcome;
  } else {
    answer = handlers_.probe(target, deadline);
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
  return Exposition(req, answer.families);
}

// Prometheus' http_sd_configs: every tracked batch as a target (web/service_discovery.h).
HttpResponse ExporterServer::HandleServiceDiscovery(const HttpRequest& req) const {
  if (!handlers_.service_discovery) return HttpResponse::Text(404, "Not found\n");
  // Prometheus' http_sd announces its refresh interval, which is also its request timeout.
  const auto deadline = ScrapeDeadline(req.Header("X-Prometheus-Refresh-Interval-Seconds"),
                                       options_, std::chrono::steady_clock::now());
  HttpResponse res = HttpResponse::Text(200, handlers_.service_discovery(deadline));
  res.content_type = "application/json";
  return res;
}

HttpResponse ExporterServer::HandleReady() const {
  const Readiness r = handlers_.readiness ? handlers_.readiness() : Readiness{false, "starting"};
  if (r.ready) return HttpResponse::Text(200, "Ready\n");
  return HttpResponse::Text(503, "Not ready: " + r.reason + "\n");
}

HttpResponse ExporterServer::HandleReload() const {
  const std::string err = handlers_.reload ? handlers_.reload() : "reload is not available";
  if (err.empty()) return HttpResponse::Text(200, "Reloaded\n");
  return HttpResponse::Text(500, "failed to reload config: " + err + "\n");
}

}  // namespace anchor
