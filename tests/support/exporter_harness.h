#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "app/exporter_app.h"
#include "config/config.h"
#include "log/logger.h"
#include "web/exporter_server.h"

namespace anchor::test {

// Options for a test's app: default web options, `web_config_file` (empty: plain HTTP) and the
// config source. Set member by member: GCC 12's Release build takes the temporaries of a braced
// AppOptions{{}, file, source} for maybe-uninitialized (-Werror).
AppOptions TestAppOptions(ConfigSource source, std::string web_config_file = "",
                          bool first_fetch = true);

// The exporter as main() runs it (ExporterApp: collector + HTTP server on 127.0.0.1, ephemeral
// port), with its log captured in memory so tests can read it.
class ExporterHarness {
 public:
  // Without the first fetch at start, so that tests count only the requests of their scrapes.
  explicit ExporterHarness(const Config& config, WebOptions web = {});
  // The same on `clock` (e.g. a ManualClock the test advances), which must outlive the harness.
  ExporterHarness(const Config& config, const Clock& clock, WebOptions web = {});
  // Any config source (e.g. a file, to test reloads) and web config file. Throws when the app
  // does not start; the log then says why.
  explicit ExporterHarness(AppOptions options);
  ~ExporterHarness();

  // GET on the exporter; returns the body (empty on failure) and sets `status`.
  std::string Get(const std::string& path, int* status = nullptr,
                  const std::string& scrape_timeout_header = "");
  // Any method; `body` is sent when non-empty.
  std::string Request(const std::string& method, const std::string& path, int* status = nullptr,
                      const std::string& body = "");
  std::string Scrape() { return Get("/metrics"); }
  std::string LogText() const { return log_stream_->str(); }
  int port() const { return app_->port(); }
  ExporterApp& app() { return *app_; }

 private:
  std::shared_ptr<std::ostringstream> log_stream_;
  std::unique_ptr<Logger> log_;
  std::unique_ptr<ExporterApp> app_;
  std::thread thread_;
};

// A config source that always returns `config`.
ConfigSource FixedConfig(const Config& config);

// A config for the given base URL and key, with no batches.
Config TestConfig(const std::string& base_url, const std::string& api_key);

// The body of a batch status response with `sessions` sessions: statuses cycle through
// completed, failed, processing, pending, and session i has retry_count i % 3.
std::string BatchJson(const std::string& id, const std::string& status, int sessions,
                      double percentage = 42.5, const std::string& phase = "ready");

}  // namespace anchor::test
