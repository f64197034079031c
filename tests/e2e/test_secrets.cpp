// The API key stays secret even when the API repeats it or the config misplaces it; the files
// holding secrets are checked and read with a size limit.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "config/config_loader.h"
#include "config/secret.h"
#include "support/config_problems.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"
#include "toolkit/web_config.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;

namespace {

const char* kKey = "sk-live-4f9a2c7e0b1d";

FakeAnchorApi::Answer Answer(int status, std::string body) {
  FakeAnchorApi::Answer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

anchor::EnvLookup KeyEnv(const std::string& name, const std::string& value) {
  return [name, value](const std::string& asked) -> std::optional<std::string> {
    if (asked == name) return value;
    return std::nullopt;
  };
}

std::string ConfigYaml(const std::string& anchor_extra) {
  return "anchor:\n  base_url: http://127.0.0.1:1\n" + anchor_extra + "batches:\n  - id: b1\n";
}

}  // namespace

TEST_CASE("upstream text that echoes the key is masked in logs and metrics",
          "[secrets][resilience][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  const std::string key = kKey;
  api.SetAnswer("unauth", Answer(401, R"({"error": {"code": 401, "message": "Invalid API key: )" +
                                          key + R"("}})"));
  // The key straddles the 200 characters an error message is cut to.
  api.SetAnswer("long",
                Answer(500, R"({"error": {"message": ")" + std::string(190, 'x') + key + R"("}})"));
  api.SetAnswer("plain", Answer(503, "upstream said " + key));
  api.SetAnswer("garbage", Answer(200, "<html>" + key));
  api.SetAnswer("echo", Answer(200, R"({"data": {"batch_id": "echo", "status": ")" + key +
                                        R"(", "error": "key )" + key + R"( refused"}})"));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  for (const char* id : {"unauth", "long", "plain", "garbage", "echo"}) {
    config.batches.push_back({id, {}});
  }
  ExporterHarness exporter(config);  // logs at debug level
  const std::string text = exporter.Scrape();
  const std::string log = exporter.LogText();
  INFO(log);
  CHECK(log.find("Invalid API key: <redacted>") != std::string::npos);
  CHECK(log.find("key <redacted> refused") != std::string::npos);
  // Not even the first characters of the key (the cut of the long message).
  CHECK(log.find(key.substr(0, 6)) == std::string::npos);
  CHECK(text.find(key.substr(0, 6)) == std::string::npos);
  CHECK(exporter.Get("/").find(key.substr(0, 6)) == std::string::npos);
}

TEST_CASE("api_key_env holding a key instead of a name is refused without echoing it",
          "[secrets][config][e2e]") {
  const auto pasted = anchor::LoadConfigString(
      ConfigYaml("  api_key_env: \"" + std::string(kKey) + "\"\n"), "c.yml", "", KeyEnv("X", "y"));
  REQUIRE_FALSE(pasted.ok());
  CHECK(pasted.error().find("anchor.api_key_env: is not an environment variable name") !=
        std::string::npos);
  CHECK(pasted.error().find(kKey) == std::string::npos);
  CHECK(pasted.error().find("4f9a2c7e") == std::string::npos);
  // A key that happens to be a valid name (letters and digits) is not echoed either.
  const auto alnum = anchor::LoadConfigString(ConfigYaml("  api_key_env: sklive4f9a2c7e0b1d\n"),
                                              "c.yml", "", KeyEnv("X", "y"));
  REQUIRE_FALSE(alnum.ok());
  CHECK(alnum.error().find("sklive4f9a2c7e0b1d") == std::string::npos);
  CHECK(alnum.error().find("the environment variable it names is not set") != std::string::npos);
  // A conventional name is shown, it helps.
  const auto missing = anchor::LoadConfigString(ConfigYaml("  api_key_env: MY_ANCHOR_KEY\n"),
                                                "c.yml", "", KeyEnv("X", "y"));
  CHECK(missing.error().find("environment variable MY_ANCHOR_KEY is not set") != std::string::npos);
}

TEST_CASE("/-/reload does not echo a key pasted into api_key_env", "[secrets][reload][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("b1", BatchJson("b1", "processing", 2));
  const std::string path = anchor::test::MakeTempDir() + "/config.yaml";
  auto write = [&](const std::string& env_name) {
    anchor::test::WriteFile(path, "anchor:\n  base_url: " + api.base_url() + "\n  api_key_env: \"" +
                                      env_name + "\"\nbatches:\n  - id: b1\n");
  };
  write("TEST_KEY");
  ExporterHarness exporter(anchor::AppOptions{
      {}, "", [path] { return anchor::LoadConfigFile(path, KeyEnv("TEST_KEY", kKey)); }});
  write(kKey);
  int status = 0;
  const std::string body = exporter.Request("POST", "/-/reload", &status);
  CHECK(status == 500);
  CHECK(body.find("is not an environment variable name") != std::string::npos);
  CHECK(body.find("4f9a2c7e") == std::string::npos);
  CHECK(exporter.LogText().find("4f9a2c7e") == std::string::npos);
  CHECK(exporter.Get("/").find("4f9a2c7e") == std::string::npos);
}

TEST_CASE("a key file readable by group or others is loaded with a warning",
          "[secrets][config][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  const std::string dir = anchor::test::MakeTempDir();
  const std::string key_file = dir + "/key";
  anchor::test::WriteFile(key_file, std::string(kKey) + "\n");
  const std::string config_file = dir + "/config.yaml";
  anchor::test::WriteFile(config_file, "anchor:\n  base_url: " + api.base_url() +
                                           "\n  api_key_file: key\nbatches:\n  - id: b1\n");
  chmod(key_file.c_str(), 0644);
  auto loaded = anchor::LoadConfigFile(config_file, KeyEnv("X", "y"));
  REQUIRE(loaded.ok());
  REQUIRE(loaded->warnings.size() == 1);
  CHECK(loaded->warnings[0] == config_file + ": warning: anchor.api_key_file " + key_file +
                                   " is readable by group or others (mode 0644); chmod 600 it");
  chmod(key_file.c_str(), 0600);
  loaded = anchor::LoadConfigFile(config_file, KeyEnv("X", "y"));
  REQUIRE(loaded.ok());
  CHECK(loaded->warnings.empty());

  chmod(key_file.c_str(), 0640);
  ExporterHarness exporter(anchor::AppOptions{
      {}, "", [config_file] { return anchor::LoadConfigFile(config_file, KeyEnv("X", "y")); }});
  const std::string log = exporter.LogText();
  CHECK(log.find("level=warn msg=\"config warning\"") != std::string::npos);
  CHECK(log.find("mode 0640") != std::string::npos);
  CHECK(log.find("4f9a2c7e") == std::string::npos);
}

TEST_CASE("secret files are read with a 1 MiB limit, config files with 16 MiB",
          "[secrets][config][e2e]") {
  const std::string dir = anchor::test::MakeTempDir();
  const std::string big = dir + "/big";
  anchor::test::WriteFile(big, std::string((1 << 20) + 1, 'k'));
  const std::string exact = dir + "/exact";
  anchor::test::WriteFile(exact, std::string(1 << 20, 'k'));
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  // Before the limit, a load of /dev/zero never returned (the ctest timeout catches that).
  for (const std::string& file : {std::string("/dev/zero"), big}) {
    CAPTURE(file);
    // "<before><file><after>is larger than 1 MiB"
    auto limit = [&file](const char* before, const char* after) {
      std::string text = before;
      text += file;
      text += after;
      text += "is larger than 1 MiB";
      return text;
    };
    auto key = anchor::LoadConfigString(ConfigYaml("  api_key_file: " + file + "\n"), "c.yml", "",
                                        KeyEnv("X", "y"));
    CHECK(key.error() == limit("c.yml:3: anchor.api_key_file: cannot read file ", ": "));
    auto ca = anchor::LoadConfigString(ConfigYaml("  tls: {ca_file: " + file + "}\n"), "c.yml", "",
                                       KeyEnv("ANCHORBROWSER_API_KEY", "k"));
    CHECK(ca.error() == limit("c.yml:3: anchor.tls.ca_file: cannot read file ", ": "));
    if (file == "/dev/zero") {  // the config lists the batches: kMaxConfigFileBytes
      CHECK(anchor::LoadConfigFile(file, KeyEnv("X", "y")).error() ==
            file + ": cannot read config file: is larger than 16 MiB");
    }
    CHECK(anchor::LoadWebConfigFile(file).error() == limit("", ": cannot read web config file: "));
    // tls_server_config with these files (and a client CA policy when `ca` is given).
    auto web_config = [](const std::string& cert_file, const std::string& key_file,
                         const std::string& ca = "") {
      std::string yaml = "tls_server_config:\n  cert_file: ";
      yaml += cert_file;
      yaml += "\n  key_file: ";
      yaml += key_file;
      yaml += "\n";
      if (!ca.empty()) {
        yaml += "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ";
        yaml += ca;
        yaml += "\n";
      }
      return anchor::LoadWebConfigString(yaml, "w.yml", "");
    };
    CHECK(web_config(file, cert.key_file).error().find(limit("cannot read cert_file ", ": ")) !=
          std::string::npos);
    CHECK(web_config(cert.cert_file, file).error().find(limit("cannot read key_file ", ": ")) !=
          std::string::npos);
    const auto web = web_config(cert.cert_file, cert.key_file, file);
    CHECK(web.error().find(limit("client_ca_file ", ": cannot be read: ")) != std::string::npos);
  }
  // Exactly 1 MiB is still read (and then refused for what it holds, not for its size).
  auto key = anchor::LoadConfigString(ConfigYaml("  api_key_file: " + exact + "\n"), "c.yml", "",
                                      KeyEnv("X", "y"));
  CHECK(key.ok());
}
