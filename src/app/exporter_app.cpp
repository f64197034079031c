#include "app/exporter_app.h"

#include <ctime>
#include <thread>

#include "base/system_clock.h"
#include "log/logger.h"

namespace anchor {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  out.push_back(text.substr(start));
  return out;
}

// What a start or a reload reads: the config (with its warnings) and the web config.
struct LoadedFiles {
  Config config;
  std::vector<std::string> warnings;
  WebConfig web;  // default (plain HTTP, no users) without --web.config.file
};

// Loads both files, or says why not: every problem, one per line.
Result<LoadedFiles> LoadBoth(const AppOptions& options) {
  ConfigLoadResult config = options.config_source();
  if (!config.ok()) return Error{config.error()};
  LoadedConfig read = std::move(config).value();
  LoadedFiles loaded{std::move(read.config), std::move(read.warnings), {}};
  if (options.web_config_file.empty()) return loaded;
  auto web = LoadWebConfigFile(options.web_config_file);
  if (!web.ok()) return Error{web.error()};
  loaded.web = std::move(web).value();
  return loaded;
}

}  // namespace

ExporterApp::ExporterApp(AppOptions options, const Logger& log)
    : options_(std::move(options)),
      log_(log),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock::Instance()) {}

ExporterApp::~ExporterApp() {
  if (first_fetch_.joinable()) first_fetch_.join();
}

Status ExporterApp::Start() {
  const auto loaded = LoadBoth(options_);
  if (!loaded.ok()) {
    // One line per problem, as --config.check prints them.
    for (const auto& line : Lines(loaded.error()))
      log_.Error("cannot load config", {{"err", line}});
    return Error{loaded.error()};
  }
  LogWarnings(loaded->warnings);
  try {
    holder_.Swap(std::make_shared<BatchCollector>(loaded->config, metrics_, log_, clock_));
  } catch (const std::exception& e) {  // the collector's threads could not start
    log_.Error("cannot start", {{"err", e.what()}});
    return Error{std::string("cannot start the collector: ") + e.what()};
  }
  server_ = std::make_unique<ExporterServer>(options_.web, static_cast<ExporterBackend&>(*this),
                                             log_, loaded->web);
  MarkReload(Status::Ok());
  if (auto bound = server_->Bind(); !bound.ok()) return bound;
  LogListening(loaded->web);
  StartFirstFetch();
  return Status::Ok();
}

// Without this, /-/ready would wait for a scrape that a Kubernetes Service routing only to
// ready pods never sends. A failed or timed-out fetch counts as done: it is an answer.
void ExporterApp::StartFirstFetch() {
  if (!options_.first_fetch) {
    first_fetch_done_ = true;
    return;
  }
  const auto collector = holder_.Get();
  const Config& config = collector->config();
  first_fetch_state_ =
      "first fetch of " + std::to_string(config.batches.size()) + " configured batches" +
      (config.discovery.enabled ? " and the first discovery" : "") +
      " still running (at most anchor.timeout, " + FormatDuration(config.anchor.timeout) + ")";
  first_fetch_ = std::thread([this, collector] {
    const auto start = std::chrono::steady_clock::now();
    try {
      collector->Collect(start + collector->config().anchor.timeout);
    } catch (const std::exception& e) {
      log_.Error("first fetch failed", {{"err", e.what()}});
    }
    std::size_t up = 0;
    const auto tracked = collector->TrackedBatches();
    for (const auto& t : tracked) up += t.last && t.last->ok();
    first_fetch_done_ = true;
    log_.Info("first fetch done, ready",
              {{"batches", tracked.size()},
               {"up", up},
               {"duration_seconds",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
  });
}

Readiness ExporterApp::CurrentReadiness() const {
  if (!holder_.Get()) return {false, "no configuration loaded"};
  if (!first_fetch_done_) return {false, first_fetch_state_};
  return {true, ""};
}

void ExporterApp::LogListening(const WebConfig& web) const {
  if (web.tls) {
    log_.Info("TLS is enabled", {{"address", server_->bound_address()},
                                 {"cert_file", web.tls->cert_file},
                                 {"min_version", TlsVersionName(web.tls->min_version)},
                                 {"client_auth_type", ClientAuthTypeName(web.tls->client_auth)}});
  } else {
    log_.Info("TLS is disabled", {{"address", server_->bound_address()}});
  }
  if (!web.basic_auth_users.empty()) {
    log_.Info("basic authentication is enabled",
              {{"users", web.basic_auth_users.size()},
               {"excluded_paths", web.auth_excluded_paths.size()}});
  }
}

Status ExporterApp::Serve() {
  if (!server_) return Error{"Serve() before a successful Start()"};
  return server_->Serve();
}

void ExporterApp::Stop() {
  if (server_) server_->Stop();
}

bool ExporterApp::running() const { return server_ && server_->running(); }
int ExporterApp::port() const { return server_ ? server_->port() : 0; }
std::string ExporterApp::bound_address() const { return server_ ? server_->bound_address() : ""; }
bool ExporterApp::tls() const { return server_ && server_->tls(); }

std::size_t ExporterApp::batch_count() const {
  const auto collector = holder_.Get();
  return collector ? collector->config().batches.size() : 0;
}

void ExporterApp::MarkReload(const Status& outcome) {
  const bool ok = outcome.ok();
  std::lock_guard<std::mutex> lock(reload_state_mu_);
  reload_state_.ok = ok;
  reload_state_.error = ok ? "" : outcome.error();
  reload_state_.at = clock_.SystemNow();
  if (ok) reload_state_.loaded_at = reload_state_.at;
  // Real time, whatever clock the collector runs on.
  if (ok) reload_state_.success_seconds = static_cast<double>(std::time(nullptr));
}

void ExporterApp::LogWarnings(const std::vector<std::string>& warnings) const {
  for (const auto& w : warnings) log_.Warn("config warning", {{"warning", w}});
}

Status ExporterApp::Reload(std::string_view trigger) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  Status reloaded = ReplaceConfig();
  MarkReload(reloaded);
  if (!reloaded.ok()) {
    for (const auto& line : Lines(reloaded.error())) {
      log_.Error("error reloading config, keeping the running one",
                 {{"trigger", trigger}, {"err", line}});
    }
    return reloaded;
  }
  const auto collector = holder_.Get();
  log_.Info("reloaded config",
            {{"trigger", trigger}, {"batches", collector->config().batches.size()}});
  return reloaded;
}

// Every step that can fail comes before the swap, and the web config is applied last among
// them, so that a failure changes nothing. reload_mu_ is held.
Status ExporterApp::ReplaceConfig() {
  auto loaded = LoadBoth(options_);
  if (!loaded.ok()) return Error{loaded.error()};
  std::shared_ptr<BatchCollector> next;
  try {
    next = std::make_shared<BatchCollector>(loaded->config, metrics_, log_, clock_);
  } catch (const std::exception& e) {  // the collector's threads could not start
    return Error{e.what()};
  }
  if (server_) {
    if (auto applied = server_->ApplyWebConfig(loaded->web); !applied.ok()) return applied;
  }
  holder_.Swap(std::move(next));  // the old collector lives on in scrapes still using it
  LogWarnings(loaded->warnings);
  return Status::Ok();
}

std::shared_ptr<BatchCollector> ExporterApp::Collector() const { return holder_.Get(); }

Status ExporterApp::ReloadConfig() { return Reload("http"); }

LandingPageReload ExporterApp::LastReload() const {
  std::lock_guard<std::mutex> lock(reload_state_mu_);
  return reload_state_;
}

}  // namespace anchor
