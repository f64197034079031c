// ExporterApp (src/app/exporter_app.cpp) started and reloaded directly: what a reload keeps when
// a file is bad, and what it says. The server binds 127.0.0.1:0 but nothing connects to it.
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "app/exporter_app.h"
#include "config/config_loader.h"
#include "log/logger.h"
#include "support/test_tls.h"

namespace {

using anchor::test::MakeTempDir;
using anchor::test::WriteFile;

std::string ConfigWithBatches(int count) {
  std::string yaml = "anchor:\n  base_url: http://127.0.0.1:9\nbatches:\n";
  for (int i = 0; i < count; ++i) yaml += "  - id: b" + std::to_string(i) + "\n";
  return yaml;
}

// An app whose config and web config come from files in a fresh directory.
struct AppOnFiles {
  AppOnFiles()
      : dir(MakeTempDir()),
        log(anchor::LogLevel::kInfo, anchor::LogFormat::kLogfmt,
            std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true)) {
    config_file = dir + "/config.yaml";
    web_config_file = dir + "/web.yml";
    WriteFile(config_file, ConfigWithBatches(2));
    WriteFile(web_config_file, "");
  }

  std::unique_ptr<anchor::ExporterApp> Start() {
    anchor::AppOptions options;
    options.web.listen_address = "127.0.0.1:0";
    options.web_config_file = web_config_file;
    options.first_fetch = false;
    options.config_source = [path = config_file] {
      return anchor::LoadConfigFile(path, [](const std::string&) -> std::optional<std::string> {
        return std::string("test-key");
      });
    };
    auto app = std::make_unique<anchor::ExporterApp>(std::move(options), log);
    REQUIRE(app->Start());
    return app;
  }

  std::string dir;
  std::string config_file;
  std::string web_config_file;
  std::ostringstream out;
  anchor::Logger log;
};

}  // namespace

TEST_CASE("a reload with a bad config file keeps the running config and says why",
          "[unit][app][reload]") {
  AppOnFiles files;
  const auto app = files.Start();
  CHECK(app->batch_count() == 2);

  WriteFile(files.config_file, ConfigWithBatches(3) + "  - id: \"b 2\"\n");
  const anchor::Status bad = app->Reload("test");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == files.config_file +
                           ":7: batches[3].id: invalid batch id \"b 2\" (must match "
                           "[A-Za-z0-9_-]{1,128})");
  CHECK(app->batch_count() == 2);  // the running config stays
  CHECK(files.out.str().find("error reloading config, keeping the running one") !=
        std::string::npos);
  CHECK(files.out.str().find("trigger=test") != std::string::npos);

  WriteFile(files.config_file, ConfigWithBatches(3));
  const anchor::Status good = app->Reload("test");
  INFO((good.ok() ? "" : good.error()));
  CHECK(good.ok());
  CHECK(app->batch_count() == 3);
  CHECK(files.out.str().find("reloaded config") != std::string::npos);
}

TEST_CASE("a reload with every problem of the file reports each on its own line",
          "[unit][app][reload]") {
  AppOnFiles files;
  const auto app = files.Start();
  WriteFile(files.config_file, "anchor:\n  timeout: 10 seconds\n  max_concurency: 4\n");
  const anchor::Status bad = app->Reload("test");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find(files.config_file + ":2: anchor.timeout: invalid duration") == 0);
  CHECK(bad.error().find("\n" + files.config_file +
                         ":3: anchor.max_concurency: unknown key, did you mean "
                         "\"max_concurrency\"?") != std::string::npos);
  CHECK(app->batch_count() == 2);
}

TEST_CASE("a reload with a bad web config file changes nothing, not even the good config",
          "[unit][app][reload]") {
  AppOnFiles files;
  const auto app = files.Start();
  WriteFile(files.config_file, ConfigWithBatches(5));  // valid, but must not be applied
  WriteFile(files.web_config_file, "basic_auth_users:\n  alice: not-a-bcrypt-hash\n");
  const anchor::Status bad = app->Reload("test");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().rfind(files.web_config_file + ":2: basic_auth_users.alice: ", 0) == 0);
  CHECK(bad.error().find("not-a-bcrypt-hash") == std::string::npos);  // never the hash
  CHECK(app->batch_count() == 2);

  WriteFile(files.web_config_file, "");
  CHECK(app->Reload("test").ok());
  CHECK(app->batch_count() == 5);
}

TEST_CASE("start refuses a bad config file and logs every problem", "[unit][app]") {
  AppOnFiles files;
  WriteFile(files.config_file, "batches: 7\n");
  anchor::AppOptions options;
  options.web.listen_address = "127.0.0.1:0";
  options.first_fetch = false;
  options.config_source = [path = files.config_file] { return anchor::LoadConfigFile(path); };
  anchor::ExporterApp app(std::move(options), files.log);
  CHECK_FALSE(app.Start());
  CHECK(files.out.str().find("cannot load config") != std::string::npos);
  CHECK(files.out.str().find("config.yaml:1: batches") != std::string::npos);
}
