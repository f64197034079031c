// anchorbrowser_exporter: wires flags to the parts. Data flows one way:
// config -> API client -> batch model -> metric families -> HTTP.
#include <malloc.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <variant>

#include "app/exporter_app.h"
#include "cli_flags.h"
#include "config/config_loader.h"
#include "demo/demo_api_server.h"
#include "demo/demo_setup.h"
#include "log/logger.h"
#include "toolkit/web_config.h"
#include "version.h"

namespace {

using anchor::Logger;

// Blocks the stop and reload signals in every thread; a dedicated thread waits for them
// (sigwait), so no work happens inside a signal handler. Call before starting any thread.
sigset_t BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a scraper that hangs up must not kill the process
  return set;
}

// --config.check: every problem in the flags, the config file and the web config file, one per
// line on stderr; warnings too. Exit status 0 when all are valid, else 1.
int CheckConfig(const anchor::Flags& flags) {
  std::vector<std::string> problems = anchor::CheckFlags(flags);
  anchor::ConfigLoadOptions options;
  options.skip_secrets = flags.config_check_skip_secrets;
  const auto loaded = anchor::LoadConfigFile(flags.config_file, options);
  if (!loaded.ok()) problems.push_back(loaded.error());  // one problem per line already
  std::optional<anchor::Result<anchor::WebConfig>> web;
  if (!flags.web_config_file.empty()) {
    web = anchor::LoadWebConfigFile(flags.web_config_file);
    if (!web->ok()) problems.push_back(web->error());
  }
  if (loaded.ok()) {
    for (const auto& warning : loaded->warnings) std::cerr << warning << "\n";
  }
  for (const auto& problem : problems) std::cerr << problem << "\n";
  if (!problems.empty()) return 1;
  std::cout << flags.config_file << ": OK (" << loaded->config.batches.size() << " batches"
            << (loaded->config.discovery.enabled ? ", discovery on" : "")
            << (flags.config_check_skip_secrets ? ", API key not checked" : "") << ")\n";
  if (web) std::cout << flags.web_config_file << ": OK\n";
  return 0;
}

// SIGHUP reloads; SIGINT and SIGTERM stop the server, which finishes in-flight requests first.
void HandleSignals(const sigset_t& signals, anchor::ExporterApp& app, const Logger& log) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      // A failed reload has logged why; the running config stays.
      static_cast<void>(app.Reload("SIGHUP"));
      continue;
    }
    log.Info("received signal, shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    app.Stop();
    return;
  }
}

// The simulated Anchor API of --demo, serving its batches; null (logged) when it cannot start.
std::unique_ptr<anchor::DemoApiServer> StartDemoApi(anchor::AppOptions& options,
                                                    const Logger& log) {
  auto demo_api = std::make_unique<anchor::DemoApiServer>();
  const auto batches = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(demo_api->simulated(), batches, /*loop=*/true);
  if (const auto started = demo_api->Start(); !started.ok()) {
    log.Error("cannot start the simulated Anchor API", {{"err", started.error()}});
    return nullptr;
  }
  // A reload re-applies the demo config.
  options.config_source = [api = demo_api.get(), batches] {
    return anchor::LoadedConfig{anchor::DemoConfig(api->base_url(), batches), {}};
  };
  return demo_api;
}

void AnnounceStart(const anchor::ExporterApp& app, const anchor::Flags& flags,
                   const anchor::DemoApiServer* demo_api, const Logger& log) {
  log.Info("starting anchorbrowser_exporter", {{"version", anchor::kVersion},
                                               {"revision", anchor::kRevision},
                                               {"listen_address", app.bound_address()},
                                               {"batches", app.batch_count()}});
  if (demo_api == nullptr) return;
  log.Info("demo mode: simulated Anchor API serving", {{"api", demo_api->base_url()}});
  std::cout << "Demo running. Metrics: " << (app.tls() ? "https" : "http")
            << "://localhost:" << app.port() << flags.web.telemetry_path << "  (Ctrl-C to stop)"
            << std::endl;
}

// Serves until a stop signal, or until the server cannot accept connections any more: then
// false, logged, so that the process exits non-zero and a supervisor (systemd's
// Restart=on-failure) starts the exporter again.
bool ServeUntilStopped(anchor::ExporterApp& app, const sigset_t& signals, const Logger& log) {
  std::thread signal_thread([&] { HandleSignals(signals, app, log); });
  const anchor::Status served = app.Serve();
  if (!served.ok()) {
    log.Error("the HTTP server stopped accepting connections; exiting", {{"err", served.error()}});
  }
  // Serve() also returns when the server fails; wake the signal thread so it can be joined.
  // SIGTERM is blocked in every thread: it only ends the sigwait, it does not kill the thread.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  return served.ok();
}

int Run(int argc, char** argv) {
  // A scrape fetches on up to anchor.max_concurrency threads, and glibc gives each new thread its
  // own malloc arena (up to 8 per core), each keeping the memory it freed. Two arenas hold the
  // peak RSS with 1,000 batches of 1,000 sessions at ~30 MiB instead of ~60 (bench/README.md).
  mallopt(M_ARENA_MAX, 2);  // NOLINT(concurrency-mt-unsafe): before any thread starts
  const auto parsed = anchor::ParseFlags(argc, argv);
  if (const auto* exit = std::get_if<anchor::FlagsExit>(&parsed)) {
    std::cout << exit->out;
    std::cerr << exit->err;
    return exit->status;
  }
  const auto* flags = std::get_if<anchor::Flags>(&parsed);  // set: no exit was asked for
  if (flags->config_check) return CheckConfig(*flags);

  const sigset_t signals = BlockSignals();
  Logger log(flags->log_level, flags->log_format);

  anchor::AppOptions options{flags->web, flags->web_config_file, {}};
  std::unique_ptr<anchor::DemoApiServer> demo_api;
  if (flags->demo) {
    demo_api = StartDemoApi(options, log);
    if (!demo_api) return 1;
  } else {
    options.config_source = [path = flags->config_file] { return anchor::LoadConfigFile(path); };
  }

  auto app = std::make_unique<anchor::ExporterApp>(std::move(options), log);
  // A failed start has logged its reason, one line per problem.
  if (!app->Start().ok()) return 1;
  AnnounceStart(*app, *flags, demo_api.get(), log);
  const bool served = ServeUntilStopped(*app, signals, log);
  app.reset();  // closes kept-alive API connections, so the demo API stops at once
  if (demo_api) demo_api->Stop();
  log.Info("stopped");
  return served ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // What crosses a unit's edge is the standard library's (no memory, a thread that cannot
  // start): say so and exit non-zero rather than abort without a word.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "anchorbrowser_exporter: fatal: " << e.what() << std::endl;
    return 1;
  }
}
