// The real binary as a process: SIGHUP reloads, SIGTERM finishes the scrape in flight and exits
// 0, a bad web config stops the start with one clear line.
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/subprocess.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterProcess;
using anchor::test::FindSample;
using anchor::test::ParseExposition;

namespace {

const char* kKey = "process-test-key-do-not-leak";

std::string WriteConfig(const std::string& dir, const std::string& base_url,
                        const std::string& batches_yaml) {
  std::string path = dir + "/config.yaml";
  anchor::test::WriteFile(path, "anchor:\n  base_url: " + base_url + "\n" + batches_yaml);
  return path;
}

std::vector<std::string> Env() { return {std::string("ANCHORBROWSER_API_KEY=") + kKey}; }

std::string Scrape(int port, int* status = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  const auto res = client.Get("/metrics");
  if (status != nullptr) *status = res ? res->status : 0;
  return res ? res->body : "";
}

double Up(const std::string& text, const std::string& id) {
  return FindSample(ParseExposition(text), "anchorbrowser_batch_up", {{"batch_id", id}})
      .value_or(-1);
}

}  // namespace

TEST_CASE("SIGHUP reloads a good config and keeps the running one on a bad one",
          "[process][reload][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetBatchJson("batch-a", BatchJson("batch-a", "processing", 4));
  api.SetBatchJson("batch-b", BatchJson("batch-b", "completed", 4));
  const std::string dir = anchor::test::MakeTempDir();
  const auto config = WriteConfig(dir, api.base_url(), "batches:\n  - id: batch-a\n");
  ExporterProcess exporter({"--config.file=" + config, "--web.listen-address=127.0.0.1:0"}, Env());
  const int port = exporter.WaitForPort();
  INFO(exporter.Log());
  REQUIRE(port > 0);
  CHECK(exporter.Log().find("version=") != std::string::npos);
  CHECK(exporter.Log().find("batches=1") != std::string::npos);
  CHECK(Up(Scrape(port), "batch-a") == 1.0);

  WriteConfig(dir, api.base_url(), "batches:\n  - id: batch-a\n  - id: batch-b\n");
  exporter.Signal(SIGHUP);
  REQUIRE(exporter.WaitForLog("msg=\"reloaded config\" trigger=SIGHUP batches=2"));
  CHECK(Up(Scrape(port), "batch-b") == 1.0);

  WriteConfig(dir, api.base_url(), "batches:\n  - id: ../etc/passwd\n");
  exporter.Signal(SIGHUP);
  REQUIRE(exporter.WaitForLog("error reloading config"));
  const auto text = Scrape(port);
  CHECK(Up(text, "batch-b") == 1.0);
  CHECK(FindSample(ParseExposition(text), "anchorbrowser_exporter_config_last_reload_successful",
                   {}) == 0.0);
  CHECK(exporter.Log().find("batches[0].id: invalid batch id") != std::string::npos);

  exporter.Signal(SIGTERM);
  CHECK(exporter.Wait() == 0);
  CHECK(exporter.Log().find(kKey) == std::string::npos);
}

TEST_CASE("SIGTERM during a slow scrape answers it, then exits 0", "[process][shutdown][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer slow;
  slow.body = BatchJson("slow", "processing", 4);
  slow.delay = std::chrono::milliseconds(1500);
  api.SetAnswer("slow", slow);
  const std::string dir = anchor::test::MakeTempDir();
  const auto config = WriteConfig(dir, api.base_url(), "batches:\n  - id: slow\n");
  ExporterProcess exporter(
      {"--config.file=" + config, "--web.listen-address=127.0.0.1:0", "--log.format=json"}, Env());
  const int port = exporter.WaitForPort();
  INFO(exporter.Log());
  REQUIRE(port > 0);

  // The exporter fetches the batch once at start; the scrape's own request is the second.
  REQUIRE(exporter.WaitForLog("first fetch done"));
  int status = 0;
  std::string text;
  std::thread scrape([&] { text = Scrape(port, &status); });
  while (api.RequestCount("slow") < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  exporter.Signal(SIGTERM);
  scrape.join();
  CHECK(status == 200);
  CHECK(Up(text, "slow") == 1.0);
  CHECK(exporter.Wait() == 0);
  const auto log = exporter.Log();
  CHECK(log.find(R"("msg":"received signal, shutting down","signal":"SIGTERM")") !=
        std::string::npos);
  CHECK(log.find(R"("msg":"stopped")") != std::string::npos);
}

TEST_CASE("a bad web config stops the start with one line naming the key", "[process][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const std::string dir = anchor::test::MakeTempDir();
  const auto config = WriteConfig(dir, api.base_url(), "");
  const auto web =
      anchor::test::WriteTempFile("web.yml",
                                  "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  "
                                  "client_auth_type: Maybe\n");
  ExporterProcess exporter(
      {"--config.file=" + config, "--web.config.file=" + web, "--web.listen-address=127.0.0.1:0"},
      Env());
  CHECK(exporter.Wait() == 1);
  const auto log = exporter.Log();
  INFO(log);
  CHECK(log.find(web + ":4: tls_server_config.client_auth_type: unknown value") !=
        std::string::npos);
  CHECK(std::count(log.begin(), log.end(), '\n') == 1);

  ExporterProcess check({"--config.check", "--config.file=" + config, "--web.config.file=" + web},
                        Env());
  CHECK(check.Wait() == 1);
  CHECK(check.Log().find("tls_server_config.client_auth_type") != std::string::npos);
}

TEST_CASE("the binary serves HTTPS with basic auth from --web.config.file", "[process][tls][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  const std::string dir = anchor::test::MakeTempDir();
  const auto config = WriteConfig(dir, api.base_url(), "");
  const auto web = anchor::test::WriteTempFile(
      "web.yml", "tls_server_config:\n  cert_file: " + cert.cert_file +
                     "\n  key_file: " + cert.key_file +
                     "\nbasic_auth_users:\n  prom: " + anchor::test::HtpasswdHash("pw") + "\n");
  ExporterProcess exporter(
      {"--config.file=" + config, "--web.config.file=" + web, "--web.listen-address=127.0.0.1:0"},
      {"ANCHORBROWSER_API_KEY=" + FakeAnchorApi::Options{}.api_key});
  const int port = exporter.WaitForPort();
  INFO(exporter.Log());
  REQUIRE(port > 0);
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(cert.cert_file);
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(std::chrono::seconds(30));
  auto res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 401);
  client.set_basic_auth("prom", "pw");
  res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(exporter.Log().find("msg=\"TLS is enabled\"") != std::string::npos);
  exporter.Signal(SIGINT);
  CHECK(exporter.Wait() == 0);
}
