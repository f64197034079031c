#include "web/exporter_server.h"

#include <cstdlib>

#include "log/logger.h"
#include "net/listen_diagnosis.h"
#include "web/basic_auth.h"
#include "web/http_front.h"
#include "web/open_files_limit.h"
#include "web/render_cache.h"
#include "web/server_tls.h"

namespace anchor {

struct ExporterServer::AuthState {
  std::unique_ptr<BasicAuthenticator> authenticator;
  std::set<std::string> excluded_paths;
};

namespace {

std::string JoinMethods(const std::vector<std::string>& methods) {
  std::string allow;
  for (const auto& m : methods) {
    allow += (allow.empty() ? "" : ", ") + m;
    if (m == "GET") allow += ", HEAD";
  }
  return allow;
}

bool Allows(const std::vector<std::string>& methods, const std::string& method) {
  for (const auto& m : methods) {
    if (m == method || (m == "GET" && method == "HEAD")) return true;
  }
  return false;
}

HttpFrontOptions FrontOptions(const WebOptions& web, const std::string& host, int port) {
  HttpFrontOptions o;
  o.host = host;
  o.port = port;
  const std::size_t open_files = RaiseOpenFilesLimit();
  o.max_connections = web.max_connections > 0
                          ? static_cast<std::size_t>(web.max_connections)
                          : DefaultConnectionCap(open_files == 0 ? 1024 : open_files);
  o.head_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(web.read_header_timeout);
  o.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(web.idle_timeout);
  o.write_timeout = std::chrono::seconds(ServerLimits::kWriteTimeoutSeconds);
  o.io_threads = ServerLimits::kIoThreads;
  // Every scrape slot can block on the API at once; a few more threads keep the cheap endpoints
  // (and bcrypt for a new login) answering beside them.
  const std::size_t scrapes =
      web.max_requests > 0 ? static_cast<std::size_t>(web.max_requests) : 64;
  o.worker_threads = scrapes + 8;
  // A connection has at most one request in the pool, so the cap bounds the queue already;
  // a burst of cheap requests (e.g. 1,000 health checks at once) waits rather than get 503.
  o.worker_queue = o.max_connections;
  o.max_body_bytes = ServerLimits::kMaxBodyBytes;
  return o;
}

}  // namespace

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

ExporterServer::ExporterServer(WebOptions options, ExporterHandlers handlers, const Logger& log,
                               const WebConfig& web)
    : options_(std::move(options)), handlers_(std::move(handlers)), log_(log) {
  if (options_.render_cache) render_cache_ = std::make_unique<RenderCache>();
  if (web.tls) {
    tls_config_ = web.tls;
    certificate_ = std::make_unique<ServerCertificate>();
  }
  std::atomic_store(&auth_, MakeAuthState(web));
  routes_ = Routes();
}

ExporterServer::~ExporterServer() = default;

bool ExporterServer::Bind() {
  if (!ParseListenAddress(options_.listen_address, host_, port_)) {
    log_.Error("invalid --web.listen-address", {{"address", options_.listen_address}});
    return false;
  }
  TlsContextSetup tls;
  if (certificate_) {
    if (auto err = certificate_->Load(tls_config_->cert_file, tls_config_->key_file);
        !err.empty()) {
      log_.Error("cannot set up TLS", {{"err", err}});
      return false;
    }
    tls = [this](SSL_CTX& ctx) { return ConfigureServerTls(ctx, *tls_config_, *certificate_); };
  }
  front_ = std::make_unique<HttpFront>(
      FrontOptions(options_, host_, port_), [this](const HttpRequest& req) { return Answer(req); },
      std::move(tls));
  if (auto err = front_->Bind(); !err.empty()) {
    if (err.rfind(kTlsSetupError, 0) == 0) {
      log_.Error("cannot set up TLS", {{"address", options_.listen_address}, {"err", err}});
      return false;
    }
    const std::string why = DiagnoseListen(host_, port_);
    log_.Error("cannot listen",
               {{"address", options_.listen_address}, {"err", why.empty() ? err : why}});
    return false;
  }
  port_ = front_->port();
  return true;
}

std::string ExporterServer::bound_address() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void ExporterServer::Serve() {
  if (front_) front_->Serve();
}

void ExporterServer::Stop() {
  if (front_) front_->Stop();
}

bool ExporterServer::running() const { return front_ && front_->running(); }
std::size_t ExporterServer::open_connections() const { return front_ ? front_->connections() : 0; }
std::size_t ExporterServer::connection_cap() const { return front_ ? front_->connection_cap() : 0; }

HttpResponse ExporterServer::Answer(const HttpRequest& req) const {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse res = Dispatch(req);
  // At debug level, one line per request served (never its headers: they may hold credentials).
  if (log_.Enabled(LogLevel::kDebug)) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log_.Debug("http request", {{"method", req.method},
                                {"path", req.path},
                                {"status", res.status},
                                {"bytes", res.body.size()},
                                {"duration_seconds", seconds},
                                {"remote_addr", req.remote_addr}});
  }
  return res;
}

HttpResponse ExporterServer::Dispatch(const HttpRequest& req) const {
  const Route* route = nullptr;
  for (const auto& r : routes_) {
    if (r.path == req.path) route = &r;
  }
  // Authentication comes first, also for unknown paths: nothing about the paths is revealed.
  if (auto refusal = Authorize(req, route == nullptr || route->authenticated)) return *refusal;
  if (route == nullptr) return HttpResponse::Text(404, "404 page not found\n");
  if (!Allows(route->methods, req.method)) {
    auto res = HttpResponse::Text(405, route->method_refusal);
    res.headers.emplace_back("Allow", JoinMethods(route->methods));
    return res;
  }
  try {
    return route->handle(req);
  } catch (const std::exception& e) {
    log_.Error("request failed", {{"path", req.path}, {"err", e.what()}});
  } catch (...) {
    log_.Error("request failed", {{"path", req.path}, {"err", "unknown exception"}});
  }
  return HttpResponse::Text(500, "500 internal server error\n");
}

std::optional<HttpResponse> ExporterServer::Authorize(const HttpRequest& req,
                                                      bool route_authenticated) const {
  const auto auth = std::atomic_load(&auth_);
  if (!route_authenticated || !auth->authenticator || auth->excluded_paths.count(req.path) > 0) {
    return std::nullopt;
  }
  const auto credentials = ParseBasicAuthorization(req.Header("Authorization"));
  if (credentials && auth->authenticator->Check(*credentials)) return std::nullopt;
  if (credentials) {
    // The user name helps find a misconfigured client; the password is never logged.
    log_.Warn("authentication failed", {{"user", credentials->user.substr(0, 64)},
                                        {"remote_addr", req.remote_addr},
                                        {"path", req.path}});
  } else if (log_.Enabled(LogLevel::kDebug)) {
    log_.Debug("request without credentials",
               {{"remote_addr", req.remote_addr}, {"path", req.path}});
  }
  auto res = HttpResponse::Text(401, "401 Unauthorized\n");
  res.headers.emplace_back("WWW-Authenticate",
                           R"(Basic realm="anchorbrowser_exporter", charset="UTF-8")");
  return res;
}

std::string ExporterServer::ApplyWebConfig(const WebConfig& web) {
  std::shared_ptr<const AuthState> auth;
  try {
    auth = MakeAuthState(web);
  } catch (const std::exception& e) {
    return e.what();
  }
  if (certificate_ && web.tls) {
    if (auto err = certificate_->Load(web.tls->cert_file, web.tls->key_file); !err.empty()) {
      return err;
    }
  }
  std::atomic_store(&auth_, std::move(auth));
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
  return "";
}

std::shared_ptr<const ExporterServer::AuthState> ExporterServer::MakeAuthState(
    const WebConfig& web) {
  auto state = std::make_shared<ExporterServer::AuthState>();
  if (!web.basic_auth_users.empty()) {
    state->authenticator = std::make_unique<BasicAuthenticator>(web.basic_auth_users);
  }
  state->excluded_paths = web.auth_excluded_paths;
  return state;
}

}  // namespace anchor
