// The endpoints of ExporterServer. Authentication and the method check have run before any of
// these (see ExporterServer::Harden).
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>

#include "config/config_loader.h"
#include "log/logger.h"
#include "web/exporter_server.h"
#include "web/http_compression.h"
#include "web/text_exposition.h"

namespace anchor {
namespace {

constexpr const char* kExpositionType = "text/plain; version=0.0.4; charset=utf-8";

void PlainText(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain; charset=utf-8");
}

// Sends an exposition, gzipped when the client accepts it (Prometheus does).
void SendExposition(const httplib::Request& req, httplib::Response& res, std::string text) {
  if (AcceptsGzip(req.get_header_value("Accept-Encoding"))) {
    if (auto gzipped = GzipFast(text)) {
      // Compressed here at the fastest level: cpp-httplib would gzip a plain body itself at
      // level 6, ~4x the CPU (bench/README.md). A body from a content provider of known length
      // is sent as it is.
      auto body = std::make_shared<const std::string>(std::move(*gzipped));
      res.set_header("Content-Encoding", "gzip");
      res.set_content_provider(body->size(), kExpositionType,
                               [body](size_t offset, size_t length, httplib::DataSink& sink) {
                                 sink.write(body->data() + offset, length);
                                 return true;
                               });
      return;
    }
  }
  // Moved, not copied: the text of 1,000 batches is ~3 MB (set_content would copy it).
  res.body = std::move(text);
  res.set_header("Content-Type", kExpositionType);
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

  // False after answering 503.
  bool Held(httplib::Response& res) const {
    if (!held_) {
      PlainText(res, 503,
                "Limit of concurrent requests reached (" + std::to_string(max_) +
                    "), try again later.\n");
    }
    return held_;
  }

 private:
  std::atomic<int>& in_flight_;
  const int max_;
  bool held_ = false;
};

}  // namespace

void ExporterServer::AddRoutes() {
  using httplib::Request;
  using httplib::Response;
  server_->Get(options_.telemetry_path,
               [this](const Request& req, Response& res) { HandleMetrics(req, res); });
  server_->Get("/probe", [this](const Request& req, Response& res) { HandleProbe(req, res); });
  server_->Get("/-/healthy",
               [](const Request&, Response& res) { PlainText(res, 200, "Healthy\n"); });
  server_->Get("/-/ready", [this](const Request&, Response& res) {
    const Readiness r = handlers_.readiness ? handlers_.readiness() : Readiness{false, "starting"};
    if (r.ready) {
      PlainText(res, 200, "Ready\n");
    } else {
      PlainText(res, 503, "Not ready: " + r.reason + "\n");
    }
  });
  // With a content reader, httplib does not try to read a body that was never announced (curl -X
  // POST sends no Content-Length; httplib would otherwise wait for the connection to close).
  server_->Post(
      "/-/reload", [this](const Request& req, Response& res, const httplib::ContentReader& read) {
        const bool has_body =
            req.has_header("Transfer-Encoding") ||
            (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
        // A body is read and ignored (at most ServerLimits::kMaxBodyBytes), so the
        // next request on the connection starts where it should.
        if (has_body && !read([](const char*, size_t) { return true; })) {
          PlainText(res, 413, "413 payload too large\n");
          return;
        }
        HandleReload(res);
      });
  if (options_.telemetry_path != "/") {
    server_->Get("/", [this](const Request&, Response& res) {
      res.set_content(handlers_.landing_page(), "text/html; charset=utf-8");
    });
  }
}

void ExporterServer::HandleMetrics(const httplib::Request& req, httplib::Response& res) {
  const RequestSlot slot(in_flight_, options_.max_requests);
  if (!slot.Held(res)) return;
  const auto deadline = ScrapeDeadline(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"),
                                       options_, std::chrono::steady_clock::now());
  std::string text;
  {
    const auto families = handlers_.collect(deadline);
    text = SerializeTextExposition(families);
  }  // the families are freed before the answer is sent
  SendExposition(req, res, std::move(text));
}

// blackbox_exporter style: /probe?target=<batch_id>. Bad requests get 400 with a reason and
// never reach the API. Only `target` is read: labels come from the config or from relabeling.
void ExporterServer::HandleProbe(const httplib::Request& req, httplib::Response& res) {
  const auto targets = req.get_param_value_count("target");
  if (targets == 0 || req.get_param_value("target").empty()) {
    PlainText(res, 400, "Target parameter is missing\n");
    return;
  }
  if (targets > 1) {
    PlainText(res, 400, "Target parameter given more than once\n");
    return;
  }
  const std::string target = req.get_param_value("target");
  // Checked here as well as by the collector, so that nothing else sees a bad id.
  if (!IsValidBatchId(target)) {
    PlainText(res, 400, "Invalid target: a batch id must match [A-Za-z0-9_-]{1,128}\n");
    return;
  }
  const RequestSlot slot(in_flight_, options_.max_requests);
  if (!slot.Held(res)) return;
  const auto deadline = ScrapeDeadline(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"),
                                       options_, std::chrono::steady_clock::now());
  ProbeAnswer answer;
  if (req.get_param_value("debug") == "true" && handlers_.probe_debug) {
    auto debug = handlers_.probe_debug(target, deadline);
    if (debug.outcome == ProbeOutcome::kOk) {
      PlainText(res, 200, debug.text);
      return;
    }
    answer.outcome = debug.outcome;
  } else {
    answer = handlers_.probe(target, deadline);
  }
  switch (answer.outcome) {
    case ProbeOutcome::kInvalidTarget:
      PlainText(res, 400, "Invalid target: a batch id must match [A-Za-z0-9_-]{1,128}\n");
      return;
    case ProbeOutcome::kUnlisted:
      PlainText(res, 400,
                "Unknown target " + target +
                    ": not a configured or discovered batch (set probe.allow_unlisted: true to "
                    "probe any batch id)\n");
      return;
    case ProbeOutcome::kOk:
      SendExposition(req, res, SerializeTextExposition(answer.families));
      return;
  }
}

void ExporterServer::HandleReload(httplib::Response& res) {
  const std::string err = handlers_.reload ? handlers_.reload() : "reload is not available";
  if (err.empty()) {
    PlainText(res, 200, "Reloaded\n");
  } else {
    PlainText(res, 500, "failed to reload config: " + err + "\n");
  }
}

}  // namespace anchor
