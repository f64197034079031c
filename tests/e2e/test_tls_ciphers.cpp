// cipher_suites and curve_preferences as the exporter-toolkit names them, and TLS 1.2 defaults
// limited to forward-secret AEAD suites, checked with the real `openssl s_client`. The name
// tables are tested directly in toolkit/test_tls_names.cpp, the config errors in
// toolkit/test_web_config.cpp.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"

using anchor::test::ExporterHarness;
using anchor::test::KeyType;
using anchor::test::MakeSelfSignedCertificate;
using anchor::test::TestCertificate;

namespace {

struct Handshake {
  bool ok = false;
  std::string output;  // s_client's, for the failure message and the negotiated parameters
};

// One TLS handshake with `openssl s_client` and its extra `flags` (e.g. "-tls1_2 -cipher X").
Handshake SClient(int port, const std::string& flags) {
  const std::string command =
      "timeout 20 openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " -brief " +
      flags + " </dev/null 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  Handshake h;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) h.output.append(buf.data(), n);
  const int status = pclose(pipe);
  h.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
         h.output.find("CONNECTION ESTABLISHED") != std::string::npos;
  return h;
}

std::unique_ptr<ExporterHarness> HttpsExporter(const std::string& api_url,
                                               const TestCertificate& cert,
                                               const std::string& extra_tls_yaml) {
  auto config = anchor::test::TestConfig(api_url, anchor::FakeAnchorApi::Options{}.api_key);
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "tls_server_config:\n  cert_file: " + cert.cert_file +
                     "\n  key_file: " + cert.key_file + "\n" + extra_tls_yaml);
  return std::make_unique<ExporterHarness>(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(config), web_file));
}

}  // namespace

TEST_CASE("TLS 1.2 offers only forward-secret AEAD suites by default", "[tls][ciphers][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert =
      MakeSelfSignedCertificate("IP:127.0.0.1,DNS:localhost", false, KeyType::kRsa2048);
  const auto exporter = HttpsExporter(api.base_url(), cert, "");
  const int port = exporter->port();

  for (const char* ok : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                         "ECDHE-RSA-CHACHA20-POLY1305"}) {
    const auto h = SClient(port, std::string("-tls1_2 -cipher ") + ok);
    INFO(ok << "\n" << h.output);
    CHECK(h.ok);
  }
  // Plain RSA key exchange (no forward secrecy), and ECDHE with CBC: refused.
  for (const char* refused : {"AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA",
                              "AES256-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"}) {
    const auto h = SClient(port, std::string("-tls1_2 -cipher ") + refused);
    INFO(refused << "\n" << h.output);
    CHECK_FALSE(h.ok);
  }
  CHECK(SClient(port, "-tls1_3").ok);
}

TEST_CASE("cipher_suites takes Go names and refuses the others", "[tls][ciphers][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert =
      MakeSelfSignedCertificate("IP:127.0.0.1,DNS:localhost", false, KeyType::kRsa2048);
  const auto exporter = HttpsExporter(api.base_url(), cert,
                                      "  max_version: TLS12\n"
                                      "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n");
  const int port = exporter->port();
  const auto chosen = SClient(port, "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384");
  INFO(chosen.output);
  CHECK(chosen.ok);
  CHECK(chosen.output.find("ECDHE-RSA-AES256-GCM-SHA384") != std::string::npos);
  // A default suite that the list leaves out is refused now.
  const auto other = SClient(port, "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256");
  INFO(other.output);
  CHECK_FALSE(other.ok);
  // A client that offers everything gets the configured suite.
  const auto any = SClient(port, "-tls1_2");
  CHECK(any.output.find("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384") != std::string::npos);
}

TEST_CASE("an insecure suite can be chosen by name, as in the toolkit", "[tls][ciphers][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert =
      MakeSelfSignedCertificate("IP:127.0.0.1,DNS:localhost", false, KeyType::kRsa2048);
  const auto exporter =
      HttpsExporter(api.base_url(), cert, "  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n");
  CHECK(SClient(exporter->port(), "-tls1_2 -cipher AES128-GCM-SHA256").ok);
  CHECK_FALSE(SClient(exporter->port(), "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256").ok);
}

TEST_CASE("curve_preferences limits and orders the key exchange groups", "[tls][ciphers][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert = MakeSelfSignedCertificate();
  const auto exporter =
      HttpsExporter(api.base_url(), cert, "  curve_preferences: [CurveP384, CurveP256]\n");
  const int port = exporter->port();
  // A group outside the list: no handshake, in TLS 1.2 and 1.3.
  CHECK_FALSE(SClient(port, "-tls1_2 -curves X25519").ok);
  CHECK_FALSE(SClient(port, "-tls1_3 -curves X25519").ok);
  CHECK_FALSE(SClient(port, "-tls1_3 -curves P-521").ok);
  // The server's order wins over the client's in TLS 1.2: P-384 though the client prefers P-256.
  const auto ordered = SClient(port, "-tls1_2 -curves P-256:P-384");
  INFO(ordered.output);
  CHECK(ordered.ok);
  CHECK(ordered.output.find("Server Temp Key: ECDH, secp384r1") != std::string::npos);
  const auto only256 = SClient(port, "-tls1_3 -curves P-256");
  INFO(only256.output);
  CHECK(only256.ok);
  CHECK(only256.output.find("Server Temp Key: ECDH, prime256v1") != std::string::npos);
}
