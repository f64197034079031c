#pragma once

// The real exporter binary run as a child process against the fake API, for the benchmarks
// that need the whole program: its peak resident memory, HTTP throughput and upstream load.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "support/fake_anchor_api.h"

namespace anchor::bench {

// The environment variable the benchmark configs name as anchor.api_key_env.
inline constexpr const char* kApiKeyEnv = "ANCHOR_BENCH_API_KEY";

struct ExporterConfig {
  std::string base_url;
  std::vector<std::string> batch_ids;
  int max_concurrency = 16;
  std::string cache_yaml;  // a `cache:` block, or empty to leave the defaults
};

// What every benchmark of the exporter binary starts with: its options, the binary to run
// (--exporter, or the one this build made), a fresh temporary directory for configs and logs,
// and the fake API's key in the environment that the exporter children inherit (kApiKeyEnv).
// Call it first in main(): it sets the environment, which is safe only before threads start.
struct ExporterBench {
  Options options;
  std::string binary;
  std::string dir;
};
ExporterBench SetUpExporterBench(int argc, char** argv);

// The fake Anchor API, started with `threads` server threads; fails the benchmark otherwise.
std::unique_ptr<FakeAnchorApi> StartFakeApi(int threads);

// Writes `config` as YAML to `path`.
void WriteExporterConfig(const std::string& path, const ExporterConfig& config);

// True when the exporter accepts the config file (`--config.check`).
bool ConfigAccepted(const std::string& binary, const std::string& path);

// A free TCP port on 127.0.0.1 (bound and released; fine on a machine without port races).
int FreePort();

class ExporterProcess {
 public:
  // Starts `binary --config.file config_path` listening on 127.0.0.1:<free port>, logging
  // (warn and above) to `log_path`; returns once it answers HTTP, or fails the benchmark.
  ExporterProcess(const std::string& binary, const std::string& config_path,
                  const std::string& log_path);
  ~ExporterProcess();  // SIGTERM, then SIGKILL after 10 s
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string metrics_url() const;

  // GET /metrics with X-Prometheus-Scrape-Timeout-Seconds; fails the benchmark unless the
  // answer is 200 and holds batch series.
  std::string Scrape(double timeout_seconds) const;

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// What wrk reported.
struct WrkResult {
  double requests_per_second = 0;
  long requests = 0;
  std::string latency_p50, latency_p99;
  long errors = 0;  // non-2xx answers plus socket errors
  std::string raw;
};

// Runs /usr/bin/wrk against `url` (bounded by `duration_seconds`), its report written to
// `output`; fails the benchmark if wrk is missing or says nothing readable.
// `accept_encoding` non-empty: sent as Accept-Encoding (Prometheus sends "gzip").
WrkResult RunWrk(const std::string& url, int threads, int connections, int duration_seconds,
                 const std::string& output, const std::string& accept_encoding = "");

}  // namespace anchor::bench
