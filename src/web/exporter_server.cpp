#include "web/exporter_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cstdlib>

#include "log/logger.h"
#include "net/listen_backlog.h"
#include "net/listen_diagnosis.h"
#include "web/basic_auth.h"
#include "web/bounded_task_queue.h"
#include "web/server_tls.h"

namespace anchor {

struct ExporterServer::AuthState {
  std::unique_ptr<BasicAuthenticator> authenticator;
  std::set<std::string> excluded_paths;
};

namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

// When the request on this server thread reached routing (for the debug request log line).
thread_local std::chrono::steady_clock::time_point t_request_start;

void PlainText(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain; charset=utf-8");
}

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 404:
      return "page not found";
    case 405:
      return "method not allowed";
    case 413:
      return "payload too large";
    case 414:
      return "URI too long";
    case 503:
      return "service unavailable";
    default:
      return status >= 500 ? "server error" : "client error";
  }
}

bool HasBody(const httplib::Request& req) {
  return req.has_header("Transfer-Encoding") ||
         (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
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
  if (web.tls) {
    tls_config_ = web.tls;
    certificate_ = std::make_unique<ServerCertificate>();
    tls_error_ = certificate_->Load(web.tls->cert_file, web.tls->key_file);
    server_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
      if (tls_error_.empty()) tls_error_ = ConfigureServerTls(ctx, *tls_config_, *certificate_);
      return tls_error_.empty();
    });
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  std::atomic_store(&auth_, MakeAuthState(web));
  Harden();
  AddRoutes();
}

ExporterServer::~ExporterServer() = default;

void ExporterServer::Harden() {
  const auto threads = static_cast<std::size_t>(std::max(1, options_.max_connections));
  server_->new_task_queue = [threads] { return new BoundedTaskQueue(threads, threads); };
  server_->set_keep_alive_timeout(ServerLimits::kKeepAliveSeconds);
  server_->set_keep_alive_max_count(ServerLimits::kKeepAliveRequests);
  server_->set_read_timeout(ServerLimits::kReadTimeoutSeconds, 0);
  server_->set_write_timeout(ServerLimits::kWriteTimeoutSeconds, 0);
  server_->set_payload_max_length(ServerLimits::kMaxBodyBytes);
  // The answer goes out as two writes (headers, body); with Nagle's algorithm the body waits
  // for the scraper's delayed ACK of the headers, ~40 ms per scrape on Linux.
  server_->set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which lets a second exporter bind the same port
  // without an error and silently take half the scrapes. Only SO_REUSEADDR, as Go servers do.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Authentication, then the method, before any route runs or any body is read.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    if (!Authorize(req, res) || !CheckMethod(req, res)) return HandlerResponse::Handled;
    return HandlerResponse::Unhandled;
  });
  // At debug level, one line per request served (never its headers: they may hold credentials).
  server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    if (!log_.Enabled(LogLevel::kDebug)) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request_start).count();
    log_.Debug("http request", {{"method", req.method},
                                {"path", req.path},
                                {"status", res.status},
                                {"bytes", res.body.empty() ? res.content_length_ : res.body.size()},
                                {"duration_seconds", seconds},
                                {"remote_addr", req.remote_addr}});
  });
  // httplib answers 404 and other errors with an empty body; say what happened.
  server_->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return HandlerResponse::Unhandled;
        PlainText(res, res.status, std::to_string(res.status) + " " + Reason(res.status) + "\n");
        return HandlerResponse::Handled;
      }));
  // Without this httplib sends the exception text to the client in a response header.
  server_->set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(std::move(ep));
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log_.Error("request failed", {{"path", req.path}, {"err", what}});
        PlainText(res, 500, "500 internal server error\n");
      });
}

bool ExporterServer::Authorize(const httplib::Request& req, httplib::Response& res) const {
  const auto auth = std::atomic_load(&auth_);
  if (!auth->authenticator || auth->excluded_paths.count(req.path) > 0) return true;
  const auto credentials = ParseBasicAuthorization(req.get_header_value("Authorization"));
  if (credentials && auth->authenticator->Check(*credentials)) return true;
  if (credentials) {
    // The user name helps find a misconfigured client; the password is never logged.
    log_.Warn("authentication failed", {{"user", credentials->user.substr(0, 64)},
                                        {"remote_addr", req.remote_addr},
                                        {"path", req.path}});
  } else if (log_.Enabled(LogLevel::kDebug)) {
    log_.Debug("request without credentials",
               {{"remote_addr", req.remote_addr}, {"path", req.path}});
  }
  res.set_header("WWW-Authenticate", R"(Basic realm="anchorbrowser_exporter", charset="UTF-8")");
  if (HasBody(req)) res.set_header("Connection", "close");  // the body is never read
  PlainText(res, 401, "401 Unauthorized\n");
  return false;
}

bool ExporterServer::IsKnownPath(const std::string& path) const {
  return path == options_.telemetry_path || path == "/" || path == "/probe" ||
         path == "/-/healthy" || path == "/-/ready" || path == "/-/reload";
}

bool ExporterServer::CheckMethod(const httplib::Request& req, httplib::Response& res) const {
  const bool read = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/-/reload") {
    if (req.method == "POST") return true;
    res.set_header("Allow", "POST");
    PlainText(res, 405, "This endpoint requires a POST request.\n");
    return false;
  }
  if (read || !IsKnownPath(req.path)) return true;  // unknown paths get their 404 from routing
  res.set_header("Allow", "GET, HEAD");
  if (HasBody(req)) res.set_header("Connection", "close");
  PlainText(res, 405, "405 method not allowed\n");
  return false;
}

bool ExporterServer::Bind() {
  if (!server_->is_valid()) {
    log_.Error("cannot set up TLS", {{"err", tls_error_}});
    return false;
  }
  if (!ParseListenAddress(options_.listen_address, host_, port_)) {
    log_.Error("invalid --web.listen-address", {{"address", options_.listen_address}});
    return false;
  }
  if (port_ == 0) {
    port_ = server_->bind_to_any_port(host_);
    if (port_ > 0) return WidenListenBacklog(*server_);
  } else if (server_->bind_to_port(host_, port_)) {
    return WidenListenBacklog(*server_);
  }
  const std::string why = DiagnoseListen(host_, port_);
  log_.Error("cannot listen",
             {{"address", options_.listen_address}, {"err", why.empty() ? "unknown" : why}});
  return false;
}

std::string ExporterServer::bound_address() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void ExporterServer::Serve() { server_->listen_after_bind(); }

void ExporterServer::Stop() { server_->stop(); }

bool ExporterServer::running() const { return server_->is_running(); }

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
