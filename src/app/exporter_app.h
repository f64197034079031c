#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/collector_holder.h"
#include "base/clock.h"
#include "base/result.h"
#include "collect/self_metrics.h"
#include "config/config_loader.h"
#include "toolkit/web_config.h"
#include "web/exporter_backend.h"
#include "web/exporter_server.h"

namespace anchor {

class Logger;

// Produces the config at start and at every reload: the config file, or the demo's config.
using ConfigSource = std::function<ConfigLoadResult()>;

struct AppOptions {
  WebOptions web;
  std::string web_config_file;  // empty: plain HTTP without authentication
  ConfigSource config_source;
  // Fetch the configured (and discovered) batches once at start, bounded by anchor.timeout;
  // /-/ready answers 503 until that is done. Off only in tests that count API requests.
  bool first_fetch = true;
  // The collector's time (cache ages, Retry-After, refresh interval) and the landing page's
  // "now"; null: the system's. Tests pass a clock they advance by hand; it must outlive the app.
  const Clock* clock = nullptr;
};

// The running exporter: config -> collector -> HTTP server, plus reloading. main() and the
// end-to-end tests both run this.
//
// A reload (SIGHUP or POST /-/reload) re-reads the config and the web config file. If either is
// bad, the running ones stay, the reason is logged and returned, and
// anchorbrowser_exporter_config_last_reload_successful drops to 0. Otherwise a new
// BatchCollector replaces the old one atomically: scrapes already running finish with the old
// one. SelfMetrics (the counters) belong to the app and survive reloads.
class ExporterApp : private ExporterBackend {
 public:
  ExporterApp(AppOptions options, const Logger& log);
  ~ExporterApp() override;
  ExporterApp(const ExporterApp&) = delete;
  ExporterApp& operator=(const ExporterApp&) = delete;

  // Loads the config and web config, builds the collector and binds the listen address, or
  // says why not. The failing step has logged its reason already (a config's problems one a
  // line, as --config.check prints them; the listen address), as Reload() does.
  Status Start();
  // Serves until Stop(); returns once in-flight requests are answered. Returns the reason when
  // the server cannot accept connections any more, for the process to exit non-zero.
  Status Serve();
  // Safe from any thread after Start(), also before Serve() (which then returns at once).
  void Stop();
  bool running() const;

  // Success, or why the running config was kept (every problem, one per line). `trigger` names
  // the cause in the log.
  Status Reload(std::string_view trigger);

  int port() const;
  std::string bound_address() const;
  bool tls() const;
  std::size_t batch_count() const;
  // The HTTP server (null before Start()), e.g. for its connection cap.
  const ExporterServer* server() const { return server_.get(); }

 private:
  // What the routes serve from (ExporterBackend).
  std::shared_ptr<BatchCollector> Collector() const override;
  Readiness CurrentReadiness() const override;
  Status ReloadConfig() override;
  LandingPageReload LastReload() const override;

  void StartFirstFetch();
  void MarkReload(const Status& outcome);
  Status ReplaceConfig();
  void LogWarnings(const std::vector<std::string>& warnings) const;
  void LogListening(const WebConfig& web) const;

  AppOptions options_;
  const Logger& log_;
  const Clock& clock_;
  SelfMetrics metrics_;
  CollectorHolder holder_;
  std::unique_ptr<ExporterServer> server_;

  std::mutex reload_mu_;                // one reload at a time
  mutable std::mutex reload_state_mu_;  // guards reload_state_
  LandingPageReload reload_state_;
  std::atomic<bool> first_fetch_done_{false};
  std::string first_fetch_state_;  // why not ready yet; set before first_fetch_ starts
  std::thread first_fetch_;
};

}  // namespace anchor
