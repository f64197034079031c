#include "web/exporter_server.h"

#include <httplib.h>

#include <cstdlib>
#include <memory>

#include "log/logger.h"
#include "web/http_compression.h"
#include "web/text_exposition.h"
#include "web/wide_backlog.h"

namespace anchor {

bool ParseListenAddress(const std::string& address, std::string& host, int& port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string::npos ||
      port_text.size() > 5) {
    return false;
  }
  port = std::atoi(port_text.c_str());
  if (port > 65535) return false;
  if (host.empty()) host = "0.0.0.0";
  return true;
}

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

ExporterServer::ExporterServer(WebOptions options, ExporterHandlers handlers, const Logger& log)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      log_(log),
      server_(std::make_unique<httplib::Server>()) {
  // The answer goes out as two writes (headers, body); with Nagle's algorithm the body waits
  // for the scraper's delayed ACK of the headers, ~40 ms per scrape on Linux.
  server_->set_tcp_nodelay(true);
  server_->Get(options_.telemetry_path, [this](const httplib::Request& req,
                                               httplib::Response& res) { HandleMetrics(req, res); });
  if (options_.telemetry_path != "/") {
    server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(handlers_.landing_page(), "text/html; charset=utf-8");
    });
  }
}

ExporterServer::~ExporterServer() = default;

void ExporterServer::HandleMetrics(const httplib::Request& req, httplib::Response& res) const {
  const auto deadline = ScrapeDeadline(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"),
                                       options_, std::chrono::steady_clock::now());
  std::string text;
  {
    const auto families = handlers_.collect(deadline);
    text = SerializeTextExposition(families);
  }  // the families are freed before the answer is sent
  const char* content_type = "text/plain; version=0.0.4; charset=utf-8";
  if (AcceptsGzip(req.get_header_value("Accept-Encoding"))) {
    if (auto gzipped = GzipFast(text)) {
      // Compressed here at the fastest level: cpp-httplib would gzip a plain body itself at
      // level 6, ~4x the CPU (bench/README.md). A body from a content provider of known length
      // is sent as it is.
      auto body = std::make_shared<const std::string>(std::move(*gzipped));
      res.set_header("Content-Encoding", "gzip");
      res.set_content_provider(body->size(), content_type,
                               [body](size_t offset, size_t length, httplib::DataSink& sink) {
                                 sink.write(body->data() + offset, length);
                                 return true;
                               });
      return;
    }
  }
  // Moved, not copied: the text of 1,000 batches is ~3 MB (set_content would copy it).
  res.body = std::move(text);
  res.set_header("Content-Type", content_type);
}

bool ExporterServer::Bind() {
  std::string host;
  if (!ParseListenAddress(options_.listen_address, host, port_)) {
    log_.Error("invalid --web.listen-address", {{"address", options_.listen_address}});
    return false;
  }
  if (port_ == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ > 0) return WidenListenBacklog(*server_);
  } else if (server_->bind_to_port(host, port_)) {
    return WidenListenBacklog(*server_);
  }
  log_.Error("cannot listen", {{"address", options_.listen_address}});
  return false;
}

void ExporterServer::Serve() { server_->listen_after_bind(); }

void ExporterServer::Stop() { server_->stop(); }

bool ExporterServer::running() const { return server_->is_running(); }

}  // namespace anchor
