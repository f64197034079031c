#include "app/exporter_app.h"

#include <thread>

#include "base/system_clock.h"
#include "collect/batch_families.h"
#include "collect/probe_trace.h"
#include "collect/process_metrics.h"
#include "exposition/text_exposition.h"
#include "log/logger.h"
#include "version.h"
#include "web/landing_page.h"
#include "web/service_discovery.h"

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
  row.in_flight = tracked.in_flight;
  if (!tracked.last) return row;
  row.fetched = true;
  row.last_fetch = tracked.last_fetch;
  row.in_flight = tracked.in_flight;
  row.http_status = tracked.last->http_status;
  if (tracked.retry_after.time_since_epoch().count() != 0) row.retry_after = tracked.retry_after;
  row.up = tracked.last->ok();
  if (!row.up) {
    row.down_reason = FetchErrorReason(tracked.last->error);
    row.down_detail = tracked.last->detail;
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

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  out.push_back(text.substr(start));
  return out;
}

LandingPageDiscovery ToDiscovery(const DiscoveryConfig& config,
                                 const std::optional<BatchDiscovery::Status>& status) {
  LandingPageDiscovery d;
  if (!status) return d;
  d.enabled = true;
  d.statuses = config.statuses;
  d.max_batches = config.max_batches;
  d.refresh_interval_seconds = std::chrono::duration<double>(config.refresh_interval).count();
  d.count = status->count;
  d.truncated = status->truncated;
  d.last_success = status->last_success;
  d.last_failure = status->last_failure;
  d.last_failed = status->last_failed;
  d.last_error = status->last_error;
  return d;
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
  if (!config.ok()) return Error{config.error};
  LoadedFiles loaded{std::move(*config.config), std::move(config.warnings), {}};
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
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock::Instance()),
      reload_ok_(AddGauge(reload_registry_, "anchorbrowser_exporter_config_last_reload_successful",
                          "Whether the last configuration reload attempt was successful.")),
      reload_time_(AddGauge(reload_registry_,
                            "anchorbrowser_exporter_config_last_reload_success_timestamp_seconds",
                            "Timestamp of the last successful configuration reload.")) {}

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
  server_ = std::make_unique<ExporterServer>(options_.web, Handlers(), log_, loaded->web);
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
  reload_ok_.Set(ok ? 1 : 0);
  if (ok) reload_time_.SetToCurrentTime();
  std::lock_guard<std::mutex> lock(reload_state_mu_);
  reload_state_.ok = ok;
  reload_state_.error = ok ? "" : outcome.error();
  reload_state_.at = clock_.SystemNow();
  if (ok) reload_state_.loaded_at = reload_state_.at;
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

ExporterHandlers ExporterApp::Handlers() {
  ExporterHandlers h;
  h.collect = [this](auto deadline) { return Collect(deadline); };
  h.probe = [this](const std::string& target, auto deadline) { return Probe(target, deadline); };
  h.landing_page = [this] { return LandingPage(); };
  h.service_discovery = [this](auto deadline) { return ServiceDiscovery(deadline); };
  h.probe_debug = [this](const std::string& target, auto deadline) {
    return ProbeDebug(target, deadline);
  };
  h.readiness = [this] { return CurrentReadiness(); };
  h.reload = [this] { return Reload("http"); };
  return h;
}

ExpositionParts ExporterApp::Collect(std::chrono::steady_clock::time_point deadline) {
  const auto collector = holder_.Get();
  auto collection = collector->CollectBatches(deadline);
  ExpositionParts parts;
  parts.answers.assign(collection.results.begin(), collection.results.end());
  parts.other = std::move(collection.own);
  Append(parts.other, reload_registry_.Collect());
  Append(parts.other, CollectProcessMetrics());
  // Called by the renderer for batches it has no text of (new or changed answers).
  parts.families_of = [targets = std::move(collection.targets),
                       results =
                           std::make_shared<const std::vector<std::shared_ptr<const FetchResult>>>(
                               std::move(collection.results)),
                       histograms = collection.histograms](size_t i) {
    return BatchFamiliesOf((*targets)[i], *(*results)[i], histograms);
  };
  return parts;
}

ProbeAnswer ExporterApp::Probe(const std::string& target,
                               std::chrono::steady_clock::time_point deadline) {
  auto result = holder_.Get()->Probe(target, deadline);
  ProbeAnswer answer;
  answer.outcome = result.outcome;
  answer.families = std::move(result.families);
  return answer;
}

std::string ExporterApp::ServiceDiscovery(std::chrono::steady_clock::time_point deadline) {
  const auto collector = holder_.Get();
  collector->RefreshDiscovery(deadline);
  std::vector<ServiceDiscoveryTarget> targets;
  for (const auto& tracked : collector->TrackedBatches()) {
    ServiceDiscoveryTarget t{tracked.target.id, tracked.discovered, std::nullopt,
                             tracked.target.labels};
    if (tracked.last && tracked.last->ok()) t.status = tracked.last->batch->status;
    targets.push_back(std::move(t));
  }
  return RenderServiceDiscovery(targets);
}

ProbeDebugAnswer ExporterApp::ProbeDebug(const std::string& target,
                                         std::chrono::steady_clock::time_point deadline) {
  FetchExplanation explanation;
  const auto result = holder_.Get()->Probe(target, deadline, &explanation);
  ProbeDebugAnswer answer;
  answer.outcome = result.outcome;
  if (answer.outcome != ProbeOutcome::kOk) return answer;
  answer.text = RenderProbeTrace(target, explanation, *result.result) +
                "\n# Metrics this probe returns\n" + SerializeTextExposition(result.families);
  return answer;
}

std::string ExporterApp::LandingPage() const {
  const auto collector = holder_.Get();
  LandingPageInfo info;
  info.now = clock_.SystemNow();  // the clock the batches' answers are dated by
  info.telemetry_path = options_.web.telemetry_path;
  info.probe_allow_unlisted = collector->config().probe.allow_unlisted;
  {
    std::lock_guard<std::mutex> lock(reload_state_mu_);
    info.reload = reload_state_;
  }
  info.discovery = ToDiscovery(collector->config().discovery, collector->DiscoveryStatus());
  info.docs_base_url = kDocsBaseUrl;
  for (const auto& tracked : collector->TrackedBatches()) info.batches.push_back(ToRow(tracked));
  return RenderLandingPage(info);
}

}  // namespace anchor
