// The real Prometheus (Debian package `prometheus`) scrapes the exporter in OpenMetrics (its
// Accept header) and in text 0.0.4 (through a loopback relay that drops the Accept header), on
// /metrics and /probe: no scrape error, the same series names, and histogram_quantile over the
// session gauge histograms of a batch with known run times.
#include <httplib.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>

#include "anchor/timestamp.h"
#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

namespace {

using Clock = std::chrono::steady_clock;

// Sessions that ran 10, 20, ..., 100 s.
std::string TenthsBody() {
  const double created = 1795860000;
  std::string sessions;
  for (int i = 1; i <= 10; ++i) {
    if (i > 1) sessions += ",";
    sessions += R"({"status": "completed", "started_at": ")" + anchor::FormatRfc3339(created + i) +
                R"(", "completed_at": ")" + anchor::FormatRfc3339(created + i + 10.0 * i) + R"("})";
  }
  return R"({"data": {"status": "processing", "created_at": ")" + anchor::FormatRfc3339(created) +
         R"(", "sessions": [)" + sessions + "]}}";
}

// Forwards GET requests to the exporter without their Accept header: a scraper that asks for
// nothing in particular, and so gets text 0.0.4.
class TextRelay {
 public:
  explicit TextRelay(int exporter_port) : exporter_port_(exporter_port) {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      httplib::Client client("127.0.0.1", exporter_port_);
      std::string path = req.path;
      if (!req.params.empty()) path += "?target=" + req.get_param_value("target");
      const auto answer = client.Get(path);
      if (!answer) {
        res.status = 502;
        return;
      }
      res.status = answer->status;
      res.set_content(answer->body, answer->get_header_value("Content-Type"));
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket is bound and listening: connections wait in its backlog until the loop runs.
  }
  ~TextRelay() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int exporter_port_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A port that was free a moment ago (Prometheus takes no port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// `prometheus` as a child process, stopped (SIGTERM, then SIGKILL) when this goes away.
class PrometheusProcess {
 public:
  PrometheusProcess(const std::string& config_file, const std::string& dir, int port) {
    const std::string log = dir + "/prometheus.log";
    std::fflush(nullptr);  // or the child would write out the test's buffered output again
    pid_ = fork();
    if (pid_ == 0) {
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      const std::string config = "--config.file=" + config_file;
      const std::string storage = "--storage.tsdb.path=" + dir + "/data";
      const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
      execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(),
             "--log.level=warn", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~PrometheusProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

 private:
  pid_t pid_ = -1;
};

// The `data` of a Prometheus API answer; a null document when the request failed.
rapidjson::Document ApiGet(int port, const std::string& path, const std::string& query = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  rapidjson::Document doc;
  const auto res = query.empty()
                       ? client.Get(path)
                       : client.Get(path, httplib::Params{{"query", query}}, httplib::Headers{});
  if (!res || res->status != 200) return doc;
  doc.Parse(res->body.c_str());
  return doc;
}

// The value of an instant query that returns one sample; NaN for no sample or an error.
double QueryOne(int port, const std::string& query) {
  const auto doc = ApiGet(port, "/api/v1/query", query);
  if (!doc.IsObject() || !doc.HasMember("data")) return std::nan("");
  const auto& result = doc["data"]["result"];
  if (!result.IsArray() || result.Size() != 1) return std::nan("");
  return std::stod(result[0]["value"][1].GetString());
}

// The metric names a job's last scrapes produced.
std::set<std::string> Names(int port, const std::string& job) {
  const auto doc = ApiGet(port, "/api/v1/query", "group by (__name__) ({job=\"" + job + "\"})");
  std::set<std::string> names;
  if (!doc.IsObject() || !doc.HasMember("data")) return names;
  for (const auto& r : doc["data"]["result"].GetArray()) {
    names.insert(r["metric"]["__name__"].GetString());
  }
  return names;
}

// True once every target is up with no scrape error.
bool TargetsHealthy(int port, size_t expected, std::string& why) {
  const auto doc = ApiGet(port, "/api/v1/targets");
  if (!doc.IsObject() || !doc.HasMember("data")) return false;
  const auto& active = doc["data"]["activeTargets"];
  if (active.Size() != expected) return false;
  for (const auto& t : active.GetArray()) {
    why = std::string(t["scrapePool"].GetString()) + ": " + t["health"].GetString() + " " +
          t["lastError"].GetString();
    if (std::string(t["health"].GetString()) != "up") return false;
  }
  return true;
}

}  // namespace

TEST_CASE(
    "Prometheus scrapes OpenMetrics and text alike and histogram_quantile fits the session times",
    "[prometheus][om][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("tenths", TenthsBody());
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  config.batches.push_back({"tenths", {}});
  anchor::test::ExporterHarness exporter(config);
  TextRelay relay(exporter.port());

  const std::string dir = anchor::test::MakeTempDir();
  const std::string e = "'127.0.0.1:" + std::to_string(exporter.port()) + "'";
  const std::string r = "'127.0.0.1:" + std::to_string(relay.port()) + "'";
  anchor::test::WriteFile(dir + "/prometheus.yml",
                          "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
                          "scrape_configs:\n"
                          "  - {job_name: om, static_configs: [{targets: [" +
                              e +
                              "]}]}\n"
                              "  - {job_name: text, static_configs: [{targets: [" +
                              r +
                              "]}]}\n"
                              "  - {job_name: om_probe, metrics_path: /probe,"
                              " params: {target: [tenths]}, static_configs: [{targets: [" +
                              e +
                              "]}]}\n"
                              "  - {job_name: text_probe, metrics_path: /probe,"
                              " params: {target: [tenths]}, static_configs: [{targets: [" +
                              r + "]}]}\n");
  const int port = FreePort();
  PrometheusProcess prometheus(dir + "/prometheus.yml", dir, port);

  // Bounded waits (value checks, not speed requirements), polled every 100 ms: Prometheus
  // starts and scrapes every target without error, then holds the samples of at least two
  // scrapes of each target (a series the exporter adds at its first fetch is then in every
  // job's answers).
  const auto until = Clock::now() + std::chrono::seconds(40);
  std::string why;
  bool healthy = false;
  while (Clock::now() < until && !(healthy = TargetsHealthy(port, 4, why))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(why);
  REQUIRE(healthy);
  const std::string scraped_twice = "count(count_over_time(up[1m]) >= 2)";
  while (Clock::now() < until && QueryOne(port, scraped_twice) != 4) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(QueryOne(port, scraped_twice) == 4);

  const std::set<std::string> om = Names(port, "om");
  CHECK(om.count("anchorbrowser_batch_session_duration_seconds_bucket") == 1);
  CHECK(om.count("anchorbrowser_batch_session_duration_seconds_gcount") == 1);
  CHECK(om.count("anchorbrowser_batch_session_queue_seconds_gsum") == 1);
  CHECK(om.count("anchorbrowser_exporter_api_requests_total") == 1);
  CHECK(om == Names(port, "text"));
  CHECK(Names(port, "om_probe") == Names(port, "text_probe"));

  for (const char* job : {"om", "text", "om_probe", "text_probe"}) {
    INFO(job);
    const std::string sel = std::string("{batch_id=\"tenths\",job=\"") + job + "\"}";
    // 10..100 s in buckets 10, 30, 60, 120: the median (rank 5 of 10) lies in (30, 60], and
    // Prometheus interpolates 30 + (5 - 3) / (6 - 3) * 30 = 50.
    const double median = QueryOne(
        port,
        "histogram_quantile(0.5, anchorbrowser_batch_session_duration_seconds_bucket" + sel + ")");
    CHECK(median > 30);
    CHECK(median <= 60);
    CHECK(median == Approx(50));
    CHECK(QueryOne(port, "anchorbrowser_batch_session_duration_seconds_gcount" + sel) == 10);
    CHECK(QueryOne(port, "anchorbrowser_batch_session_duration_seconds_gsum" + sel) == 550);
    CHECK(QueryOne(port, "count(anchorbrowser_batch_session_duration_seconds_bucket" + sel + ")") ==
          13);
  }
  // Byte-identical `le`: one series per bound across both formats, not two.
  CHECK(QueryOne(port,
                 "count(count by (le) (anchorbrowser_batch_session_duration_seconds_bucket))") ==
        13);
}
