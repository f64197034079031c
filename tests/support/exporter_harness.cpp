#include "support/exporter_harness.h"

#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>

namespace anchor::test {

namespace {

// An ostream that owns the stringstream the sink writes to.
std::shared_ptr<spdlog::sinks::sink> MakeSink(const std::shared_ptr<std::ostringstream>& out) {
  return std::make_shared<spdlog::sinks::ostream_sink_mt>(*out, /*force_flush=*/true);
}

}  // namespace

ConfigSource FixedConfig(const Config& config) {
  return [config] { return ConfigLoadResult(LoadedConfig{config, {}}); };
}

AppOptions TestAppOptions(ConfigSource source, std::string web_config_file, bool first_fetch) {
  AppOptions options;
  options.web_config_file = std::move(web_config_file);
  options.config_source = std::move(source);
  options.first_fetch = first_fetch;
  return options;
}

ExporterHarness::ExporterHarness(const Config& config, WebOptions web)
    : ExporterHarness(AppOptions{std::move(web), "", FixedConfig(config), /*first_fetch=*/false}) {}

ExporterHarness::ExporterHarness(const Config& config, const Clock& clock, WebOptions web)
    : ExporterHarness(
          AppOptions{std::move(web), "", FixedConfig(config), /*first_fetch=*/false, &clock}) {}

ExporterHarness::ExporterHarness(AppOptions options)
    : log_stream_(std::make_shared<std::ostringstream>()),
      log_(std::make_unique<Logger>(LogLevel::kDebug, LogFormat::kLogfmt, MakeSink(log_stream_))) {
  options.web.listen_address = "127.0.0.1:0";
  app_ = std::make_unique<ExporterApp>(std::move(options), *log_);
  if (!app_->Start()) throw std::runtime_error("the exporter did not start: " + LogText());
  thread_ = std::thread([this] { static_cast<void>(app_->Serve()); });
  while (!app_->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ExporterHarness::~ExporterHarness() {
  app_->Stop();
  thread_.join();
}

std::string ExporterHarness::Get(const std::string& path, int* status,
                                 const std::string& scrape_timeout_header) {
  httplib::Client client("127.0.0.1", port());
  client.set_read_timeout(std::chrono::seconds(60));
  httplib::Headers headers;
  if (!scrape_timeout_header.empty()) {
    headers.emplace("X-Prometheus-Scrape-Timeout-Seconds", scrape_timeout_header);
  }
  auto res = client.Get(path, headers);
  if (status != nullptr) *status = res ? res->status : 0;
  return res ? res->body : std::string();
}

std::string ExporterHarness::Request(const std::string& method, const std::string& path,
                                     int* status, const std::string& body) {
  httplib::Client client("127.0.0.1", port());
  client.set_read_timeout(std::chrono::seconds(60));
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!body.empty()) {
    req.body = body;
    req.set_header("Content-Type", "text/plain");
  }
  auto res = client.send(req);
  if (status != nullptr) *status = res ? res->status : 0;
  return res ? res->body : std::string();
}

Config TestConfig(const std::string& base_url, const std::string& api_key) {
  Config config;
  config.anchor.base_url = base_url;
  config.anchor.api_key = Secret(api_key);
  config.anchor.timeout = std::chrono::seconds(5);
  config.anchor.connect_timeout = std::chrono::seconds(2);
  return config;
}

std::string BatchJson(const std::string& id, const std::string& status, int sessions,
                      double percentage, const std::string& phase) {
  static const char* kCycle[] = {"completed", "failed", "processing", "pending"};
  std::string s = R"({"data": {"batch_id": ")" + id + R"(", "status": ")" + status + R"(",)";
  s += R"("total_requests": )" + std::to_string(sessions) + ",";
  int counts[4] = {0, 0, 0, 0};
  std::string list;
  for (int i = 0; i < sessions; ++i) {
    ++counts[i % 4];
    if (i > 0) list += ",";
    list += R"({"item_index": )" + std::to_string(i) + R"(, "session_id": "s)" + std::to_string(i) +
            R"(", "status": ")" + kCycle[i % 4] +
            R"(", "cdp_url": null, "live_view_url": null, "error": null, "retry_count": )" +
            std::to_string(i % 3) +
            R"(, "started_at": "2026-11-28T10:00:00Z", "completed_at": null, "metadata": {}})";
  }
  s += R"("completed_requests": )" + std::to_string(counts[0]) + ",";
  s += R"("failed_requests": )" + std::to_string(counts[1]) + ",";
  s += R"("processing_requests": )" + std::to_string(counts[2]) + ",";
  s += R"("pending_requests": )" + std::to_string(counts[3]) + ",";
  s += R"("created_at": "2026-11-28T10:00:00Z", "actual_completion_time": null, "error": null,)";
  s += R"("sessions": [)" + list + "],";
  s += R"("progress": {"percentage": )" + std::to_string(percentage) + R"(, "current_phase": ")" +
       phase + R"("}}})";
  return s;
}

}  // namespace anchor::test
