// HTTPS from tls_server_config: a client that verifies the certificate, TLS versions, client
// certificates (RequireAndVerifyClientCert) and certificate renewal on reload.
#include <httplib.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"

using anchor::test::ExporterHarness;
using anchor::test::MakeSelfSignedCertificate;
using anchor::test::MakeSignedCertificate;
using anchor::test::TestCertificate;

namespace {

struct Client {
  std::string ca_file;                   // trusted CA; empty: no verification
  const TestCertificate* own = nullptr;  // client certificate
  int max_version = 0;                   // e.g. TLS1_2_VERSION; 0: library default
};

int HttpsGet(int port, const Client& c, const std::string& path = "/metrics") {
  std::unique_ptr<httplib::SSLClient> client =
      c.own ? std::make_unique<httplib::SSLClient>("127.0.0.1", port, c.own->cert_file,
                                                   c.own->key_file)
            : std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(std::chrono::seconds(30));
  if (!c.ca_file.empty()) {
    client->set_ca_cert_path(c.ca_file);
    client->enable_server_certificate_verification(true);
  } else {
    client->enable_server_certificate_verification(false);
  }
  if (c.max_version != 0) SSL_CTX_set_max_proto_version(client->ssl_context(), c.max_version);
  const auto res = client->Get(path);
  return res ? res->status : 0;
}

// The exporter serving HTTPS with `tls_yaml` as its tls_server_config body.
std::unique_ptr<ExporterHarness> HttpsExporter(const std::string& api_url,
                                               const std::string& tls_yaml,
                                               std::string* web_file_out = nullptr) {
  auto config = anchor::test::TestConfig(api_url, anchor::FakeAnchorApi::Options{}.api_key);
  const auto web_file = anchor::test::WriteTempFile("web.yml", "tls_server_config:\n" + tls_yaml);
  if (web_file_out != nullptr) *web_file_out = web_file;
  return std::make_unique<ExporterHarness>(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(config), web_file));
}

std::string Files(const TestCertificate& cert) {
  return "  cert_file: " + cert.cert_file + "\n  key_file: " + cert.key_file + "\n";
}

}  // namespace

TEST_CASE("the exporter serves HTTPS with the configured certificate", "[tls][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert = MakeSelfSignedCertificate();
  const auto exporter = HttpsExporter(api.base_url(), Files(cert));
  CHECK(exporter->LogText().find("msg=\"TLS is enabled\"") != std::string::npos);
  CHECK(HttpsGet(exporter->port(), {cert.cert_file}) == 200);
  CHECK(HttpsGet(exporter->port(), {cert.cert_file}, "/-/healthy") == 200);
  // A client that trusts another CA refuses the connection.
  const auto stranger = MakeSelfSignedCertificate();
  CHECK(HttpsGet(exporter->port(), {stranger.cert_file}) == 0);
  // Plain HTTP gets no answer from a TLS port.
  httplib::Client plain("127.0.0.1", exporter->port());
  plain.set_read_timeout(std::chrono::seconds(5));
  const auto res = plain.Get("/metrics");
  CHECK((!res || res->status != 200));
}

TEST_CASE("min_version refuses older clients", "[tls][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert = MakeSelfSignedCertificate();
  const auto exporter = HttpsExporter(api.base_url(), Files(cert) + "  min_version: TLS13\n");
  CHECK(HttpsGet(exporter->port(), {cert.cert_file}) == 200);
  CHECK(HttpsGet(exporter->port(), {cert.cert_file, nullptr, TLS1_2_VERSION}) == 0);
}

TEST_CASE("RequireAndVerifyClientCert admits only certificates from client_ca_file", "[tls][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto server = MakeSelfSignedCertificate();
  const auto client_ca = MakeSelfSignedCertificate("DNS:client-ca");
  const auto good = MakeSignedCertificate(client_ca, "prometheus");
  const auto other_ca = MakeSelfSignedCertificate("DNS:other-ca");
  const auto forged = MakeSignedCertificate(other_ca, "prometheus");
  const auto exporter =
      HttpsExporter(api.base_url(), Files(server) +
                                        "  client_auth_type: RequireAndVerifyClientCert\n"
                                        "  client_ca_file: " +
                                        client_ca.cert_file + "\n");
  CHECK(HttpsGet(exporter->port(), {server.cert_file, &good}) == 200);
  CHECK(HttpsGet(exporter->port(), {server.cert_file}) == 0);  // no certificate
  CHECK(HttpsGet(exporter->port(), {server.cert_file, &forged}) == 0);
  CHECK(HttpsGet(exporter->port(), {server.cert_file, &other_ca}) == 0);  // self-signed
}

TEST_CASE("RequireAnyClientCert wants a certificate but not a trusted one", "[tls][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto server = MakeSelfSignedCertificate();
  const auto any = MakeSelfSignedCertificate("DNS:whoever");
  const auto exporter =
      HttpsExporter(api.base_url(), Files(server) + "  client_auth_type: RequireAnyClientCert\n");
  CHECK(HttpsGet(exporter->port(), {server.cert_file, &any}) == 200);
  CHECK(HttpsGet(exporter->port(), {server.cert_file}) == 0);
}

TEST_CASE("a reload picks up renewed certificate files", "[tls][e2e][reload]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto first = MakeSelfSignedCertificate();
  const auto renewed = MakeSelfSignedCertificate();
  // The web config names files in a directory whose contents are replaced, as cert-manager or
  // certbot do.
  const std::string dir = anchor::test::MakeTempDir();
  auto install = [&dir](const TestCertificate& c) {
    std::string out;
    REQUIRE(anchor::test::RunCommand("cp " + c.cert_file + " " + dir + "/tls.crt && cp " +
                                         c.key_file + " " + dir + "/tls.key",
                                     out) == 0);
  };
  install(first);
  const auto exporter = HttpsExporter(
      api.base_url(), "  cert_file: " + dir + "/tls.crt\n  key_file: " + dir + "/tls.key\n");
  CHECK(HttpsGet(exporter->port(), {first.cert_file}) == 200);
  install(renewed);
  CHECK(HttpsGet(exporter->port(), {renewed.cert_file}) == 0);  // not before the reload
  CHECK(exporter->app().Reload("test").ok());
  CHECK(HttpsGet(exporter->port(), {renewed.cert_file}) == 200);
  CHECK(HttpsGet(exporter->port(), {first.cert_file}) == 0);
}
