// ExporterServer called directly: routes behind HttpFront on 127.0.0.1, over HTTP or HTTPS,
// over a fake backend (no API); what a web config reload may and may not change.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "log/logger.h"
#include "support/fake_backend.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"
#include "web/exporter_server.h"

namespace {

using anchor::ExporterServer;
using anchor::test::MakeSelfSignedCertificate;

// What the servers serve: one fake backend for the whole file (it outlives every server).
anchor::test::FakeBackend& Backend() {
  static anchor::test::FakeBackend backend;
  return backend;
}

anchor::WebOptions Loopback() {
  anchor::WebOptions o;
  o.listen_address = "127.0.0.1:0";
  return o;
}

// Binds and serves on a thread of its own; stopped and joined at the end of the scope.
class Serving {
 public:
  explicit Serving(ExporterServer& server) : server_(server) {
    REQUIRE(server_.Bind());
    thread_ = std::thread([this] { static_cast<void>(server_.Serve()); });
    for (int i = 0; i < 500 && !server_.running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(server_.running());
  }
  ~Serving() {
    server_.Stop();
    thread_.join();
  }
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

 private:
  ExporterServer& server_;
  std::thread thread_;
};

int HttpsStatus(int port, const std::string& ca_file, const std::string& path,
                const std::string& user = "", const std::string& password = "") {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file);
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(std::chrono::seconds(5));
  if (!user.empty()) client.set_basic_auth(user, password);
  const auto res = client.Get(path);
  return res ? res->status : 0;
}

}  // namespace

TEST_CASE("ExporterServer serves its routes over HTTP on the port it bound",
          "[unit][web][server]") {
  ExporterServer server(Loopback(), Backend(), anchor::NullLogger());
  CHECK_FALSE(server.tls());
  const Serving serving(server);
  CHECK(server.port() > 0);
  CHECK(server.bound_address() == "127.0.0.1:" + std::to_string(server.port()));

  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  const auto healthy = client.Get("/-/healthy");
  REQUIRE(healthy);
  CHECK(healthy->status == 200);
  const auto landing = client.Get("/");
  REQUIRE(landing);
  CHECK(landing->body.find(">b1<") != std::string::npos);
  const auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("anchorbrowser_exporter_http_connections 1\n") != std::string::npos);
  CHECK(server.connection_stats().open == 1);  // the kept-alive client
}

TEST_CASE("ExporterServer refuses an address it cannot parse or bind", "[unit][web][server]") {
  anchor::WebOptions bad = Loopback();
  bad.listen_address = "127.0.0.1:99999";
  ExporterServer unparsable(bad, Backend(), anchor::NullLogger());
  CHECK_FALSE(unparsable.Bind());

  ExporterServer first(Loopback(), Backend(), anchor::NullLogger());
  const Serving serving(first);
  anchor::WebOptions taken = Loopback();
  taken.listen_address = "127.0.0.1:" + std::to_string(first.port());
  ExporterServer second(taken, Backend(), anchor::NullLogger());
  CHECK_FALSE(second.Bind());
}

TEST_CASE("ExporterServer serves HTTPS, and a refused reload changes nothing",
          "[unit][web][server][tls]") {
  const auto cert = MakeSelfSignedCertificate();
  anchor::WebConfig web;
  web.tls = anchor::TlsServerConfig{};
  web.tls->cert_file = cert.cert_file;
  web.tls->key_file = cert.key_file;
  ExporterServer server(Loopback(), Backend(), anchor::NullLogger(), web);
  CHECK(server.tls());
  const Serving serving(server);
  CHECK(HttpsStatus(server.port(), cert.cert_file, "/-/healthy") == 200);

  // A key that is not the certificate's: refused with the reason, the old pair still served.
  const auto other = MakeSelfSignedCertificate();
  anchor::WebConfig mismatched = web;
  mismatched.tls->key_file = other.key_file;
  mismatched.basic_auth_users = {{"alice", anchor::test::HtpasswdHash("secret", 4)}};
  const auto refused = server.ApplyWebConfig(mismatched);
  REQUIRE_FALSE(refused.ok());
  CHECK_FALSE(refused.error().empty());
  CHECK(HttpsStatus(server.port(), cert.cert_file, "/-/healthy") == 200);  // users unchanged too

  // A good reload: users apply at once.
  anchor::WebConfig with_users = web;
  with_users.basic_auth_users = mismatched.basic_auth_users;
  REQUIRE(server.ApplyWebConfig(with_users).ok());
  CHECK(HttpsStatus(server.port(), cert.cert_file, "/-/healthy") == 401);
  CHECK(HttpsStatus(server.port(), cert.cert_file, "/-/healthy", "alice", "secret") == 200);
}
