#include "app/exporter_app.h"

#include <thread>

#include "collect/probe_trace.h"
#include "collect/process_metrics.h"
#include "log/logger.h"
#include "web/landing_page.h"
#include "web/text_exposition.h"

namespace anchor {
namespace {

prometheus::Gauge& AddGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

void Append(std::vector<prometheus::MetricFamily>& to, std::vector<prometheus::MetricFamily> more) {
  to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

LandingPageBatch ToRow(const TrackedBatch& tracked) {
  LandingPageBatch row;
  row.id = tracked.target.id;
  row.labels = tracked.target.labels;
  row.discovered = tracked.discovered;
  if (!tracked.last) return row;
  row.fetched = true;
  row.last_fetch = tracked.last_fetch;
  row.up = tracked.last->ok();
  if (!row.up) {
    row.down_reason = FetchErrorReason(tracked.last->error);
    return row;
  }
  const Batch& b = *tracked.last->batch;
  row.status = b.status;
  row.progress_ratio = b.progress_ratio;
  row.total_requests = b.total_requests;
  row.completed_requests = b.completed_requests;
  row.failed_requests = b.failed_requests;
  return row;
}

ProbeOutcome ToOutcome(BatchCollector::ProbeStatus status) {
  switch (status) {
    case BatchCollector::ProbeStatus::kOk:
      return ProbeOutcome::kOk;
    case BatchCollector::ProbeStatus::kInvalidTarget:
      return ProbeOutcome::kInvalidTarget;
    case BatchCollector::ProbeStatus::kUnlisted:
      return ProbeOutcome::kUnlisted;
  }
  return ProbeOutcome::kInvalidTarget;
}

// Loads both files; "" or the first problem.
std::string LoadBoth(const AppOptions& options, ConfigLoadResult& config, WebConfig& web) {
  config = options.config_source();
  if (!config.ok()) return config.error;
  if (options.web_config_file.empty()) return "";
  auto loaded = LoadWebConfigFile(options.web_config_file);
  if (!loaded.ok()) return loaded.error;
  web = std::move(*loaded.config);
  return "";
}

}  // namespace

ExporterApp::ExporterApp(AppOptions options, const Logger& log)
    : options_(std::move(options)),
      log_(log),
      reload_ok_(AddGauge(reload_registry_, "anchorbrowser_exporter_config_last_reload_successful",
                          "Whether the last configuration reload attempt was successful.")),
      reload_time_(AddGauge(reload_registry_,
                            "anchorbrowser_exporter_config_last_reload_success_timestamp_seconds",
                            "Timestamp of the last successful configuration reload.")) {}

ExporterApp::~ExporterApp() {
  if (first_fetch_.joinable()) first_fetch_.join();
}

bool ExporterApp::Start() {
  ConfigLoadResult config;
  WebConfig web;
  if (const auto err = LoadBoth(options_, config, web); !err.empty()) {
    log_.Error("cannot load config", {{"err", err}});
    return false;
  }
  try {
    holder_.Swap(std::make_shared<BatchCollector>(*config.config, metrics_, log_));
    server_ = std::make_unique<ExporterServer>(options_.web, Handlers(), log_, web);
  } catch (const std::exception& e) {
    log_.Error("cannot start", {{"err", e.what()}});
    return false;
  }
  MarkReload(true);
  if (!server_->Bind()) return false;
  LogListening(web);
  StartFirstFetch();
  return true;
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

void ExporterApp::Serve() {
  server_->Serve();
  serve_returned_ = true;
}

void ExporterApp::Stop() {
  stop_requested_ = true;
  if (!server_) return;
  // httplib drops a stop() that comes before its accept loop runs: wait for the loop first.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->running() && !serve_returned_ && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->Stop();
}

bool ExporterApp::running() const { return server_ && server_->running(); }
int ExporterApp::port() const { return server_ ? server_->port() : 0; }
std::string ExporterApp::bound_address() const { return server_ ? server_->bound_address() : ""; }
bool ExporterApp::tls() const { return server_ && server_->tls(); }

std::size_t ExporterApp::batch_count() const {
  const auto collector = holder_.Get();
  return collector ? collector->config().batches.size() : 0;
}

void ExporterApp::MarkReload(bool ok) {
  last_reload_ok_ = ok;
  reload_ok_.Set(ok ? 1 : 0);
  if (ok) reload_time_.SetToCurrentTime();
}

std::string ExporterApp::Reload(std::string_view trigger) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  ConfigLoadResult config;
  WebConfig web;
  std::string err = LoadBoth(options_, config, web);
  std::shared_ptr<BatchCollector> next;
  if (err.empty()) {
    try {
      next = std::make_shared<BatchCollector>(*config.config, metrics_, log_);
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  // The web config is applied last among the steps that can fail, so a failure changes nothing.
  if (err.empty() && server_) err = server_->ApplyWebConfig(web);
  if (!err.empty()) {
    MarkReload(false);
    log_.Error("error reloading config, keeping the running one",
               {{"trigger", trigger}, {"err", err}});
    return err;
  }
  holder_.Swap(std::move(next));  // the old collector lives on in scrapes still using it
  MarkReload(true);
  log_.Info("reloaded config", {{"trigger", trigger}, {"batches", config.config->batches.size()}});
  return "";
}

ExporterHandlers ExporterApp::Handlers() {
  ExporterHandlers h;
  h.collect = [this](auto deadline) { return Collect(deadline); };
  h.probe = [this](const std::string& target, auto deadline) { return Probe(target, deadline); };
  h.landing_page = [this] { return LandingPage(); };
  h.probe_debug = [this](const std::string& target, auto deadline) {
    return ProbeDebug(target, deadline);
  };
  h.readiness = [this] { return CurrentReadiness(); };
  h.reload = [this] { return Reload("http"); };
  return h;
}

std::vector<prometheus::MetricFamily> ExporterApp::Collect(
    std::chrono::steady_clock::time_point deadline) {
  const auto collector = holder_.Get();
  auto families = collector->Collect(deadline);
  Append(families, reload_registry_.Collect());
  Append(families, CollectProcessMetrics());
  return families;
}

ProbeAnswer ExporterApp::Probe(const std::string& target,
                               std::chrono::steady_clock::time_point deadline) {
  auto result = holder_.Get()->Probe(target, deadline);
  ProbeAnswer answer;
  answer.outcome = ToOutcome(result.status);
  answer.families = std::move(result.families);
  return answer;
}

ProbeDebugAnswer ExporterApp::ProbeDebug(const std::string& target,
                                         std::chrono::steady_clock::time_point deadline) {
  FetchExplanation explanation;
  const auto result = holder_.Get()->Probe(target, deadline, &explanation);
  ProbeDebugAnswer answer;
  answer.outcome = ToOutcome(result.status);
  if (answer.outcome != ProbeOutcome::kOk) return answer;
  answer.text = RenderProbeTrace(target, explanation, *result.result) +
                "\n# Metrics this probe returns\n" + SerializeTextExposition(result.families);
  return answer;
}

std::string ExporterApp::LandingPage() const {
  const auto collector = holder_.Get();
  LandingPageInfo info;
  info.telemetry_path = options_.web.telemetry_path;
  info.probe_allow_unlisted = collector->config().probe.allow_unlisted;
  info.reload_ok = last_reload_ok_;
  for (const auto& tracked : collector->TrackedBatches()) info.batches.push_back(ToRow(tracked));
  return RenderLandingPage(info);
}

}  // namespace anchor
