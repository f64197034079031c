// The exposition passes `promtool check metrics` (Debian's prometheus package) with no warning.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "demo/demo_setup.h"
#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

namespace {

// Runs a shell command, returning its exit status and combined output.
int Run(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("promtool check metrics finds nothing to report", "[promtool][e2e]") {
  std::string which;
  REQUIRE(Run("command -v promtool", which) == 0);  // `make test` installs prometheus

  anchor::FakeAnchorApi api;
  const auto specs = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(api.simulated(), specs, /*loop=*/false);
  REQUIRE(api.Start());
  auto config = anchor::DemoConfig(api.base_url(), specs);
  // Failures and unknown values too, so that every kind of series is checked.
  anchor::FakeAnchorApi::Answer down;
  down.status = 500;
  api.SetAnswer("failing", down);
  api.SetBatchJson("odd", R"({"data": {"status": "paused", "error": "x",
      "created_at": "2026-01-01T00:00:00Z", "actual_completion_time": "2026-01-02T00:00:00Z",
      "progress": {"percentage": 12.5, "current_phase": "warming"},
      "sessions": [{"status": "unknown_state", "retry_count": 2}]}})");
  config.batches.push_back({"failing", {}});
  config.batches.push_back({"odd", {{"team", "x"}}});

  anchor::test::ExporterHarness exporter(config);
  // /metrics (batch, exporter and process families) and /probe answers, up and down.
  for (const char* path : {"/metrics", "/probe?target=odd", "/probe?target=failing",
                           "/probe?target=demo-checkout-flow"}) {
    INFO(path);
    int status = 0;
    const auto text = exporter.Get(path, &status);
    REQUIRE(status == 200);
    REQUIRE(text.find("anchorbrowser_batch_up") != std::string::npos);
    const auto file = anchor::test::MakeTempDir() + "/metrics.txt";
    anchor::test::WriteFile(file, text);
    std::string output;
    const int code = Run("promtool check metrics < " + file, output);
    INFO(output);
    CHECK(code == 0);
    CHECK(output.empty());
  }
}
