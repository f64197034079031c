#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "toolkit/web_config.h"
#include "web/exporter_routes.h"
#include "web/web_options.h"

namespace anchor {

class Logger;
class LogThrottle;
class HttpFront;
class ServerCertificate;

// The exporter's own HTTP(S) server: ExporterRoutes (what is served, to whom) behind the web
// config's TLS, served by HttpFront (limits, deadlines and framing checks for hostile clients).
class ExporterServer {
 public:
  // `web` decides between HTTP and HTTPS for the server's life, and the first users. `backend`
  // must outlive the server.
  ExporterServer(WebOptions options, ExporterBackend& backend, const Logger& log,
                 const WebConfig& web = {});
  ~ExporterServer();
  ExporterServer(const ExporterServer&) = delete;
  ExporterServer& operator=(const ExporterServer&) = delete;

  // Sets up authentication and TLS and binds the listen address, or says (and logs) why not.
  Status Bind();
  // Serves until Stop(); returns when the server has stopped and in-flight requests are done,
  // or with the reason when the listener failed for good (HttpFront::Serve).
  Status Serve();
  void Stop();
  // True once Serve() accepts connections (a Stop() before that would be lost).
  bool running() const;
  int port() const { return port_; }
  bool tls() const { return certificate_ != nullptr; }
  // host:port actually bound (the port resolved when :0 was asked for).
  std::string bound_address() const;
  // Connections open now, how many may be (--web.max-connections or the derived cap), and how
  // many were displaced or refused at the cap; every scrape exports them.
  ConnectionStats connection_stats() const;

  // Applies a reloaded web config: users and auth_excluded_paths at once, the certificate and
  // key files re-read for new connections; when refused, says why and nothing changed. Other
  // TLS settings, and switching TLS on or off, take effect at the next start; that is logged,
  // not refused.
  Status ApplyWebConfig(const WebConfig& web);

 private:
  Status SetUpTls();
  void LogAcceptError(const std::string& error, bool out_of_descriptors, std::size_t open);

  const WebOptions options_;
  const Logger& log_;
  const WebConfig initial_web_;
  ExporterRoutes routes_;
  std::unique_ptr<LogThrottle> accept_errors_;      // one line per error per 10 s
  std::unique_ptr<ServerCertificate> certificate_;  // set when serving HTTPS
  std::optional<TlsServerConfig> tls_config_;
  std::unique_ptr<HttpFront> front_;
  int port_ = 0;
  std::string host_;
};

}  // namespace anchor
