#include "web/exporter_server.h"

#include "base/system_clock.h"
#include "http/http_front.h"
#include "http/listen_address.h"
#include "http/open_files_limit.h"
#include "log/log_throttle.h"
#include "log/logger.h"
#include "net/listen_diagnosis.h"
#include "toolkit/server_tls.h"

namespace anchor {
namespace {

// Accept errors are logged at most once per this interval and error, with a count.
constexpr std::chrono::seconds kAcceptErrorInterval{10};

// What the --web.* flags decide; the front's fixed limits (body size, write timeout, I/O
// threads) are HttpFrontOptions' defaults, written there only.
HttpFrontOptions FrontOptions(const WebOptions& web, const std::string& host, int port,
                              std::size_t open_files, std::size_t handler_threads) {
  HttpFrontOptions o;
  o.host = host;
  o.port = port;
  o.max_connections = web.max_connections > 0
                          ? static_cast<std::size_t>(web.max_connections)
                          : DefaultConnectionCap(open_files == 0 ? 1024 : open_files);
  o.head_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(web.read_header_timeout);
  o.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(web.idle_timeout);
  o.worker_threads = handler_threads;
  // A connection has at most one request in the pool, so with a queue as long as the connection
  // cap the pool never turns a request away: the routes' scrape slots are the one overload gate,
  // and a burst of cheap requests (e.g. 1,000 health checks at once) waits rather than get 503.
  o.worker_queue = o.max_connections;
  return o;
}

// --web.max-connections beyond what the open-files limit leaves after the reserve: connections
// past that point fail in accept() (EMFILE), not at the cap, and the API client runs out of
// sockets first. Said once at start, with the numbers.
void WarnAboutConnectionCap(const Logger& log, const WebOptions& web, std::size_t open_files) {
  if (web.max_connections <= 0 || open_files == 0) return;
  const std::size_t reserve = ReservedDescriptors(open_files);
  const std::size_t usable = open_files > reserve ? open_files - reserve : 0;
  if (static_cast<std::size_t>(web.max_connections) <= usable) return;
  log.Warn(
      "--web.max-connections exceeds what the open-files limit allows; connections beyond it "
      "fail in accept() and API requests may fail for want of sockets: raise the limit "
      "(ulimit -n, LimitNOFILE=) or lower the flag",
      {{"max_connections", web.max_connections},
       {"open_files_limit", open_files},
       {"reserved", reserve},
       {"usable", usable}});
}

}  // namespace

ExporterServer::ExporterServer(WebOptions options, ExporterBackend& backend, const Logger& log,
                               const WebConfig& web)
    : options_(std::move(options)),
      log_(log),
      initial_web_(web),
      routes_(options_, backend, log, [this] { return connection_stats(); }),
      accept_errors_(
          std::make_unique<LogThrottle>(SystemClock::Instance(), kAcceptErrorInterval, 8)) {
  if (web.tls) {
    tls_config_ = web.tls;
    certificate_ = std::make_unique<ServerCertificate>();
  }
}

ExporterServer::~ExporterServer() = default;

// Each failing step logs its reason with the fields only it has (the address, the files), then
// the reason goes back to the caller as a value.
Status ExporterServer::Bind() {
  const auto address = ParseListenAddress(options_.listen_address);
  if (!address.ok()) {
    log_.Error("invalid --web.listen-address",
               {{"address", options_.listen_address}, {"err", address.error()}});
    return Error{"invalid --web.listen-address " + options_.listen_address + ": " +
                 address.error()};
  }
  host_ = address->host;
  port_ = address->port;
  auto policy = ExporterRoutes::MakeAuthPolicy(initial_web_);
  if (!policy.ok()) {
    log_.Error("cannot set up basic authentication", {{"err", policy.error()}});
    return Error{"cannot set up basic authentication: " + policy.error()};
  }
  routes_.SetAuthPolicy(std::move(policy).value());
  const std::size_t open_files = RaiseOpenFilesLimit();
  WarnAboutConnectionCap(log_, options_, open_files);
  HttpFrontOptions front_options =
      FrontOptions(options_, host_, port_, open_files, routes_.handler_threads());
  front_options.on_accept_error = [this](const std::string& error, bool out_of_descriptors,
                                         std::size_t open) {
    LogAcceptError(error, out_of_descriptors, open);
  };
  front_ = std::make_unique<HttpFront>(
      std::move(front_options), [this](const HttpRequest& req) { return routes_.Answer(req); });
  if (auto tls = SetUpTls(); !tls.ok()) {
    log_.Error("cannot set up TLS", {{"address", options_.listen_address}, {"err", tls.error()}});
    return Error{"cannot set up TLS: " + tls.error()};
  }
  if (auto bound = front_->Bind(); !bound.ok()) {
    const Status listens = DiagnoseListen(host_, port_);
    const std::string& err = listens.ok() ? bound.error() : listens.error();
    log_.Error("cannot listen", {{"address", options_.listen_address}, {"err", err}});
    return Error{"cannot listen on " + options_.listen_address + ": " + err};
  }
  port_ = front_->port();
  return Status::Ok();
}

Status ExporterServer::SetUpTls() {
  if (!certificate_) return Status::Ok();
  if (auto loaded = certificate_->Load(tls_config_->cert_file, tls_config_->key_file);
      !loaded.ok()) {
    return loaded;
  }
  return front_->UseTls(
      [this](SSL_CTX& ctx) { return ConfigureServerTls(ctx, *tls_config_, *certificate_); });
}

// Go's net/http logs "http: Accept error: ... too many open files; retrying in 5ms" each time;
// here at most once per kAcceptErrorInterval and error, with how many it stands for.
void ExporterServer::LogAcceptError(const std::string& error, bool out_of_descriptors,
                                    std::size_t open) {
  const LogThrottle::Decision said = accept_errors_->Admit(error);
  if (!said.log) return;
  if (out_of_descriptors) {
    log_.Error("cannot accept connections: out of file descriptors; retrying every 50ms",
               {{"err", error},
                {"failures", said.count},
                {"open_connections", open},
                {"max_connections", front_ ? front_->connection_stats().cap : 0},
                {"open_files_limit", CurrentOpenFilesLimit()}});
  } else {
    log_.Warn("accept error; retrying in 50ms", {{"err", error}, {"failures", said.count}});
  }
}

std::string ExporterServer::bound_address() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

Status ExporterServer::Serve() {
  if (!front_) return Error{"Serve() before a successful Bind()"};
  return front_->Serve();
}

void ExporterServer::Stop() {
  if (front_) front_->Stop();
}

bool ExporterServer::running() const { return front_ && front_->running(); }
ConnectionStats ExporterServer::connection_stats() const {
  return front_ ? front_->connection_stats() : ConnectionStats{};
}

Status ExporterServer::ApplyWebConfig(const WebConfig& web) {
  auto policy = ExporterRoutes::MakeAuthPolicy(web);
  if (!policy.ok()) return Error{policy.error()};
  if (certificate_ && web.tls) {
    if (auto loaded = certificate_->Load(web.tls->cert_file, web.tls->key_file); !loaded.ok()) {
      return loaded;
    }
  }
  routes_.SetAuthPolicy(std::move(policy).value());
  const bool same_tls = web.tls.has_value() == tls_config_.has_value() &&
                        (!web.tls || (web.tls->client_auth == tls_config_->client_auth &&
                                      web.tls->client_ca_file == tls_config_->client_ca_file &&
                                      web.tls->min_version == tls_config_->min_version &&
                                      web.tls->max_version == tls_config_->max_version));
  if (!same_tls) {
    log_.Warn(
        "changed tls_server_config settings other than cert_file and key_file take effect "
        "at the next start");
  }
  return Status::Ok();
}

}  // namespace anchor
