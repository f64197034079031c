// anchorbrowser_exporter: wires flags to the parts. Data flows one way:
// config -> API client -> batch model -> metric families -> HTTP.
#include <malloc.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "cli_flags.h"
#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "config/config_loader.h"
#include "demo/demo_setup.h"
#include "demo/fake_anchor_api.h"
#include "log/logger.h"
#include "version.h"
#include "web/exporter_server.h"
#include "web/landing_page.h"

namespace {

using anchor::Logger;

// Blocks the stop signals in every thread; a dedicated thread waits for them (sigwait), so no
// work happens inside a signal handler.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a scraper that hangs up must not kill the process
  return set;
}

int CheckConfig(const std::string& path) {
  const auto loaded = anchor::LoadConfigFile(path);
  if (!loaded.ok()) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  std::cout << path << ": OK (" << loaded.config->batches.size() << " batches)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A scrape fetches on up to anchor.max_concurrency threads, and glibc gives each new thread its
  // own malloc arena (up to 8 per core), each keeping the memory it freed. Two arenas hold the
  // peak RSS with 1,000 batches of 1,000 sessions at ~30 MiB instead of ~60 (bench/README.md).
  mallopt(M_ARENA_MAX, 2);  // NOLINT(concurrency-mt-unsafe): before any thread starts
  int exit_code = 0;
  const auto flags = anchor::ParseFlags(argc, argv, exit_code);
  if (!flags) return exit_code;
  if (flags->config_check) return CheckConfig(flags->config_file);

  const sigset_t stop_signals = BlockStopSignals();
  Logger log(flags->log_level, flags->log_format);

  std::unique_ptr<anchor::FakeAnchorApi> demo_api;
  std::optional<anchor::Config> config;
  if (flags->demo) {
    demo_api = std::make_unique<anchor::FakeAnchorApi>();
    const auto batches = anchor::MakeDemoBatches();
    anchor::ServeDemoBatches(*demo_api, batches, /*loop=*/true);
    if (!demo_api->Start()) {
      log.Error("cannot start the simulated Anchor API");
      return 1;
    }
    config = anchor::DemoConfig(*demo_api, batches);
  } else {
    auto loaded = anchor::LoadConfigFile(flags->config_file);
    if (!loaded.ok()) {
      log.Error("cannot load config", {{"err", loaded.error}});
      return 1;
    }
    config = std::move(loaded.config);
  }

  anchor::SelfMetrics metrics;
  auto collector = std::make_unique<anchor::BatchCollector>(*config, metrics, log);
  anchor::ExporterHandlers handlers;
  handlers.collect = [&collector](auto deadline) { return collector->Collect(deadline); };
  handlers.landing_page = [&] {
    return anchor::RenderLandingPage({flags->web.telemetry_path, config->batches.size()});
  };
  anchor::ExporterServer server(flags->web, std::move(handlers), log);
  if (!server.Bind()) return 1;

  log.Info("starting anchorbrowser_exporter",
           {{"version", anchor::kVersion},
            {"revision", anchor::kRevision},
            {"listen_address", flags->web.listen_address},
            {"batches", std::to_string(config->batches.size())}});
  if (demo_api) {
    const std::string url = "http://localhost:" + std::to_string(server.port()) +
                            flags->web.telemetry_path;
    log.Info("demo mode: simulated Anchor API serving", {{"api", demo_api->base_url()}});
    std::cout << "Demo running. Metrics: " << url << "  (Ctrl-C to stop)" << std::endl;
  }

  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log.Info("received signal, shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    server.Stop();
  });
  server.Serve();
  // Serve() also returns when the server fails; wake the signal thread so it can be joined.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  collector.reset();  // closes kept-alive API connections, so the demo API stops at once
  if (demo_api) demo_api->Stop();
  log.Info("stopped");
  return 0;
}
