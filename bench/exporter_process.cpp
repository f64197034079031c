#include "exporter_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "support/test_tls.h"

#ifndef ANCHOR_EXPORTER_BINARY
#define ANCHOR_EXPORTER_BINARY "anchorbrowser_exporter"
#endif

extern char** environ;

namespace anchor::bench {
namespace {

// Runs argv with stdout and stderr sent to `output` and no other file descriptor of ours (the
// fake API's sockets must not leak into the child: wrk, for one, sizes its event loop for the
// descriptors it opens itself and fails to connect when inherited ones push them past that).
// Returns the child's pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& output) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Fail("cannot start " + args[0]);
  TrackChild(pid);
  return pid;
}

// Waits for a child started by Spawn; returns its wait status.
int Reap(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  UntrackChild(pid);
  return status;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

ExporterBench SetUpExporterBench(int argc, char** argv) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): called before any thread starts
  setenv(kApiKeyEnv, FakeAnchorApi::Options{}.api_key.c_str(), 1);
  ExporterBench bench;
  bench.options = ParseOptions(argc, argv);
  bench.binary = bench.options.exporter.empty() ? ANCHOR_EXPORTER_BINARY : bench.options.exporter;
  bench.dir = anchor::test::MakeTempDir();
  return bench;
}

std::unique_ptr<FakeAnchorApi> StartFakeApi(int threads) {
  FakeAnchorApi::Options options;
  options.threads = threads;
  auto api = std::make_unique<FakeAnchorApi>(options);
  if (!api->Start()) Fail("cannot start the fake Anchor API");
  return api;
}

void WriteExporterConfig(const std::string& path, const ExporterConfig& config) {
  std::ofstream out(path, std::ios::trunc);
  out << "anchor:\n"
      << "  base_url: " << config.base_url << "\n"
      << "  api_key_env: " << kApiKeyEnv << "\n"
      << "  timeout: 60s\n"
      << "  max_concurrency: " << config.max_concurrency << "\n";
  out << config.cache_yaml;
  out << "batches:\n";
  for (const auto& id : config.batch_ids) out << "  - id: " << id << "\n";
  if (!out) Fail("cannot write " + path);
}

bool ConfigAccepted(const std::string& binary, const std::string& path) {
  const int status = Reap(Spawn({binary, "--config.check", "--config.file", path}, "/dev/null"));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Fail("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

ExporterProcess::ExporterProcess(const std::string& binary, const std::string& config_path,
                                 const std::string& log_path)
    : log_path_(log_path), port_(FreePort()) {
  pid_ = Spawn({binary, "--config.file", config_path, "--web.listen-address",
                "127.0.0.1:" + std::to_string(port_), "--log.level", "warn"},
               log_path);
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(1));
  for (int i = 0; i < 200; ++i) {
    if (auto res = client.Get("/"); res && res->status == 200) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      UntrackChild(pid_);
      pid_ = -1;
      Fail("the exporter exited at start; its log:\n" + ReadText(log_path_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Fail("the exporter did not answer within 10 s; its log:\n" + ReadText(log_path_));
}

ExporterProcess::~ExporterProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      UntrackChild(pid_);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  Reap(pid_);
}

std::string ExporterProcess::metrics_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/metrics";
}

std::string ExporterProcess::Scrape(double timeout_seconds) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(120));
  const httplib::Headers headers{
      {"X-Prometheus-Scrape-Timeout-Seconds", Fixed(timeout_seconds, 3)}};
  auto res = client.Get("/metrics", headers);
  if (!res || res->status != 200 ||
      res->body.find("anchorbrowser_batch_up{") == std::string::npos) {
    Fail("scrape failed (" +
         (res ? "HTTP " + std::to_string(res->status) : std::string("no answer")) +
         "); exporter log:\n" + ReadText(log_path_));
  }
  return res->body;
}

namespace {

// The value after `label` on the first line that contains it ("Requests/sec:   1234.5").
std::string After(const std::string& text, const std::string& label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return "";
  std::istringstream rest(text.substr(at + label.size()));
  std::string value;
  rest >> value;
  return value;
}

}  // namespace

WrkResult RunWrk(const std::string& url, int threads, int connections, int duration_seconds,
                 const std::string& output, const std::string& accept_encoding) {
  std::vector<std::string> args = {"/usr/bin/wrk",
                                   "-t" + std::to_string(threads),
                                   "-c" + std::to_string(connections),
                                   "-d" + std::to_string(duration_seconds) + "s",
                                   "--timeout",
                                   "60s",
                                   "--latency",
                                   "-H",
                                   "X-Prometheus-Scrape-Timeout-Seconds: 30"};
  if (!accept_encoding.empty()) {
    args.push_back("-H");
    args.push_back("Accept-Encoding: " + accept_encoding);
  }
  args.push_back(url);
  const int status = Reap(Spawn(args, output));
  WrkResult r;
  r.raw = ReadText(output);
  const std::string rps = After(r.raw, "Requests/sec:");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || rps.empty()) {
    Fail("wrk failed (is it installed? apt-get install wrk):\n" + r.raw);
  }
  r.requests_per_second = std::stod(rps);
  const auto in = r.raw.find(" requests in ");
  if (in != std::string::npos) {
    const auto start = r.raw.rfind('\n', in);
    r.requests = std::stol(r.raw.substr(start == std::string::npos ? 0 : start + 1));
  }
  r.latency_p50 = After(r.raw, " 50% ");
  r.latency_p99 = After(r.raw, " 99% ");
  const std::string non2xx = After(r.raw, "Non-2xx or 3xx responses:");
  if (!non2xx.empty()) r.errors += std::stol(non2xx);
  if (const auto at = r.raw.find("Socket errors:"); at != std::string::npos) {
    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    std::istringstream line(r.raw.substr(at, r.raw.find('\n', at) - at));
    std::string word;
    while (line >> word) {
      if (std::isdigit(static_cast<unsigned char>(word[0]))) r.errors += std::stol(word);
    }
  }
  return r;
}

}  // namespace anchor::bench
