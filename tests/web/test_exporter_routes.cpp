// ExporterRoutes (src/web/exporter_routes.cpp) answering requests directly, over a fake backend
// (a collector over an in-memory source): no sockets, no API.
#include <prometheus/metric_family.h>
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "log/logger.h"
#include "support/fake_backend.h"
#include "support/web_fixtures.h"
#include "web/exporter_routes.h"

namespace {

using anchor::Error;
using anchor::ExporterRoutes;
using anchor::HttpRequest;
using anchor::HttpResponse;
using Clock = std::chrono::steady_clock;

HttpRequest Request(std::string method, std::string path,
                    std::vector<std::pair<std::string, std::string>> query = {},
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest req;
  req.method = std::move(method);
  req.path = std::move(path);
  req.query = std::move(query);
  req.headers = std::move(headers);
  req.remote_addr = "127.0.0.1:50000";
  return req;
}

std::string Header(const HttpResponse& res, const std::string& name) {
  for (const auto& [key, value] : res.headers) {
    if (key == name) return value;
  }
  return "";
}

// A Logger writing into a string, at `level`.
struct CapturedLog {
  explicit CapturedLog(anchor::LogLevel level = anchor::LogLevel::kInfo)
      : log(level, anchor::LogFormat::kLogfmt,
            std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true)) {}
  std::ostringstream out;
  anchor::Logger log;
};

anchor::WebConfig WithUsers(std::set<std::string> excluded = {}) {
  anchor::WebConfig web;
  web.basic_auth_users = {{"alice", anchor::test::HtpasswdHash("secret", 4)}};
  web.auth_excluded_paths = std::move(excluded);
  return web;
}

// "Basic base64(alice:secret)" and a wrong password.
const char* const kAliceSecret = "Basic YWxpY2U6c2VjcmV0";
const char* const kAliceWrong = "Basic YWxpY2U6d3Jvbmc=";

}  // namespace

TEST_CASE("every route answers GET with its content", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);

  const auto metrics = routes.Answer(Request("GET", "/metrics"));
  CHECK(metrics.status == 200);
  CHECK(metrics.BodyText().find("anchorbrowser_batch_up{batch_id=\"b1\"} 1") != std::string::npos);
  CHECK(metrics.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(Header(metrics, "Vary") == "Accept, Accept-Encoding");
  CHECK(fake.source.Requests("b1") == 1);

  const auto probe = routes.Answer(Request("GET", "/probe", {{"target", "b1"}}));
  CHECK(probe.status == 200);
  CHECK(probe.body.find("anchorbrowser_batch_up{batch_id=\"b1\"} 1") != std::string::npos);
  CHECK(fake.source.Requests("b1") == 2);

  const auto sd = routes.Answer(Request("GET", "/sd"));
  CHECK(sd.status == 200);
  CHECK(sd.body.rfind("[{\"targets\":[\"b1\"]", 0) == 0);
  CHECK(sd.content_type == "application/json");

  const auto healthy = routes.Answer(Request("GET", "/-/healthy"));
  CHECK(healthy.status == 200);
  CHECK(healthy.body == "Healthy\n");

  const auto ready = routes.Answer(Request("GET", "/-/ready"));
  CHECK(ready.status == 200);
  CHECK(ready.body == "Ready\n");

  const auto landing = routes.Answer(Request("GET", "/"));
  CHECK(landing.status == 200);
  CHECK(landing.body.find("<html") != std::string::npos);
  CHECK(landing.body.find(">b1<") != std::string::npos);
  CHECK(landing.content_type == "text/html; charset=utf-8");
  CHECK(fake.reloads == 0);  // a GET never reloads
}

TEST_CASE("the HTTP front's connection counts join every scrape, not a probe",
          "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  anchor::ConnectionStats stats{3, 100, 5, 2};
  const ExporterRoutes routes({}, fake, log.log, [&stats] { return stats; });

  auto body = routes.Answer(Request("GET", "/metrics")).BodyText();
  CHECK(body.find("anchorbrowser_batch_up{batch_id=\"b1\"} 1\n") != std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_connections 3\n") != std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_connections_limit 100\n") != std::string::npos);
  CHECK(body.find("# TYPE anchorbrowser_exporter_http_connections_displaced_total counter\n") !=
        std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_connections_displaced_total 5\n") !=
        std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_connections_refused_total 2\n") !=
        std::string::npos);
  stats.open = 4;  // read at each scrape
  body = routes.Answer(Request("GET", "/metrics")).BodyText();
  CHECK(body.find("\nanchorbrowser_exporter_http_connections 4\n") != std::string::npos);

  const auto probe = routes.Answer(Request("GET", "/probe", {{"target", "b1"}}));
  CHECK(probe.body.find("anchorbrowser_exporter_http_connections") == std::string::npos);
}

TEST_CASE("an answer holds its --web.max-requests slot until it has been written",
          "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  anchor::WebOptions options;
  options.max_requests = 2;
  const ExporterRoutes routes(options, fake, log.log);
  // The HTTP front keeps `hold` until the answer is written or the connection ends.
  auto writing = routes.Answer(Request("GET", "/metrics"));
  auto probing = routes.Answer(Request("GET", "/probe", {{"target", "b1"}}));
  REQUIRE(writing.hold);
  REQUIRE(probing.hold);
  const auto refused = routes.Answer(Request("GET", "/metrics"));
  CHECK(refused.status == 503);
  CHECK(routes.Answer(Request("GET", "/probe", {{"target", "b1"}})).status == 503);
  CHECK(fake.source.Requests("b1") == 2);  // a refused scrape never collects
  probing.hold.reset();                    // written
  const auto body = routes.Answer(Request("GET", "/metrics")).BodyText();
  CHECK(body.find("\nanchorbrowser_exporter_http_answers_in_flight 2\n") != std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_answers_refused_total 2\n") != std::string::npos);
  writing.hold.reset();
  CHECK(routes.Answer(Request("GET", "/metrics")).status == 200);
}

TEST_CASE("a scrape at --web.max-requests displaces an answer stuck being written",
          "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  anchor::WebOptions options;
  options.max_requests = 2;
  const ExporterRoutes routes(options, fake, log.log);
  auto computing = routes.Answer(Request("GET", "/metrics"));
  auto writing = routes.Answer(Request("GET", "/probe", {{"target", "b1"}}));
  REQUIRE(writing.on_write);
  int closed = 0;
  writing.on_write([&closed] { ++closed; });  // as the HTTP front does when it starts writing
  const auto body = routes.Answer(Request("GET", "/metrics")).BodyText();
  CHECK(closed == 1);
  CHECK(body.find("\nanchorbrowser_exporter_http_answers_displaced_total 1\n") !=
        std::string::npos);
  CHECK(body.find("\nanchorbrowser_exporter_http_answers_in_flight 2\n") != std::string::npos);
  writing.hold.reset();  // its connection closed
  // Left: `computing`, whose handler has not handed its answer to the front: never displaced.
  auto next = routes.Answer(Request("GET", "/metrics"));
  CHECK(next.status == 200);
  CHECK(routes.Answer(Request("GET", "/metrics")).status == 503);
  CHECK(closed == 1);
}

TEST_CASE("OpenMetrics and gzip are served when the scraper asks for them", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);
  const auto om = routes.Answer(Request(
      "GET", "/metrics", {},
      {{"Accept", "application/openmetrics-text;version=1.0.0"}, {"Accept-Encoding", "gzip"}}));
  CHECK(om.status == 200);
  CHECK(om.content_type.rfind("application/openmetrics-text; version=1.0.0", 0) == 0);
  CHECK(Header(om, "Content-Encoding") == "gzip");
  CHECK(om.BodyText().substr(0, 2) == "\x1f\x8b");
}

TEST_CASE("a custom telemetry path moves the metrics, and / serves them when asked",
          "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  anchor::WebOptions options;
  options.telemetry_path = "/custom";
  const ExporterRoutes routes(options, fake, log.log);
  CHECK(routes.Answer(Request("GET", "/custom")).status == 200);
  CHECK(routes.Answer(Request("GET", "/metrics")).status == 404);

  options.telemetry_path = "/";
  const ExporterRoutes at_root(options, fake, log.log);
  const auto root = at_root.Answer(Request("GET", "/"));
  CHECK(root.status == 200);
  CHECK(root.BodyText().find("anchorbrowser_batch_up{batch_id=\"b1\"} 1") !=
        std::string::npos);  // metrics, not the page
}

TEST_CASE("unknown paths get 404 and other methods 405 with Allow", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);

  const auto missing = routes.Answer(Request("GET", "/nope"));
  CHECK(missing.status == 404);
  CHECK(missing.body == "404 page not found\n");

  for (const char* path : {"/metrics", "/probe", "/sd", "/-/healthy", "/-/ready", "/"}) {
    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
      INFO(method << " " << path);
      const auto res = routes.Answer(Request(method, path, {{"target", "b1"}}));
      CHECK(res.status == 405);
      CHECK(res.body == "405 method not allowed\n");
      CHECK(Header(res, "Allow") == "GET, HEAD");
    }
  }
  CHECK(fake.source.Requests("b1") == 0);
}

TEST_CASE("HEAD is served wherever GET is", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);
  for (const char* path : {"/metrics", "/sd", "/-/healthy", "/-/ready", "/"}) {
    INFO(path);
    CHECK(routes.Answer(Request("HEAD", path)).status == 200);
  }
  CHECK(routes.Answer(Request("HEAD", "/probe", {{"target", "b1"}})).status == 200);
  // The front drops the body of a HEAD answer; the route answers as for GET.
  CHECK(routes.Answer(Request("HEAD", "/-/healthy")).body == "Healthy\n");
  const auto reload = routes.Answer(Request("HEAD", "/-/reload"));
  CHECK(reload.status == 405);
  CHECK(fake.reloads == 0);
}

TEST_CASE("/-/reload takes POST only and says why a reload failed", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);

  const auto get = routes.Answer(Request("GET", "/-/reload"));
  CHECK(get.status == 405);
  CHECK(get.body == "This endpoint requires a POST request.\n");
  CHECK(Header(get, "Allow") == "POST");
  CHECK(fake.reloads == 0);

  const auto ok = routes.Answer(Request("POST", "/-/reload"));
  CHECK(ok.status == 200);
  CHECK(ok.body == "Reloaded\n");
  CHECK(fake.reloads == 1);

  fake.reload_status = Error{"config.yaml:3: anchor.timeout: invalid duration \"x\""};
  const auto failed = routes.Answer(Request("POST", "/-/reload"));
  CHECK(failed.status == 500);
  CHECK(failed.body ==
        "failed to reload config: config.yaml:3: anchor.timeout: invalid duration \"x\"\n");
}

TEST_CASE("/-/ready answers 503 with the reason until ready", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);
  fake.readiness = {false, "first fetch of 3 configured batches still running"};
  const auto waiting = routes.Answer(Request("GET", "/-/ready"));
  CHECK(waiting.status == 503);
  CHECK(waiting.body == "Not ready: first fetch of 3 configured batches still running\n");
  fake.readiness = {true, ""};
  CHECK(routes.Answer(Request("GET", "/-/ready")).status == 200);
}

TEST_CASE("/probe refuses a missing, repeated or invalid target before any fetch",
          "[unit][web][routes][probe]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);

  const auto missing = routes.Answer(Request("GET", "/probe"));
  CHECK(missing.status == 400);
  CHECK(missing.body == "Target parameter is missing\n");
  CHECK(routes.Answer(Request("GET", "/probe", {{"target", ""}})).body ==
        "Target parameter is missing\n");
  CHECK(routes.Answer(Request("GET", "/probe", {{"module", "b1"}})).body ==
        "Target parameter is missing\n");

  const auto twice = routes.Answer(Request("GET", "/probe", {{"target", "b1"}, {"target", "b2"}}));
  CHECK(twice.status == 400);
  CHECK(twice.body == "Target parameter given more than once\n");

  for (const std::string& bad :
       std::vector<std::string>{"b 2", "../etc", std::string(129, 'a'), "b1?x=1", "b\xC3\xA9"}) {
    INFO(bad);
    const auto res = routes.Answer(Request("GET", "/probe", {{"target", bad}}));
    CHECK(res.status == 400);
    CHECK(res.body == "Invalid target: a batch id must match [A-Za-z0-9_-]{1,128}\n");
  }
  CHECK(fake.source.TotalRequests() == 0);  // none of these reached the collector
}

TEST_CASE("/probe answers what the prober decided about the target", "[unit][web][routes][probe]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);

  // b9 is neither configured nor discovered, and probe.allow_unlisted is off.
  const auto unlisted = routes.Answer(Request("GET", "/probe", {{"target", "b9"}}));
  CHECK(unlisted.status == 400);
  CHECK(unlisted.body ==
        "Unknown target b9: not a configured or discovered batch (set probe.allow_unlisted: true "
        "to probe any batch id)\n");
  CHECK(fake.source.Requests("b9") == 0);

  const auto debug = routes.Answer(Request("GET", "/probe", {{"target", "b1"}, {"debug", "true"}}));
  CHECK(debug.status == 200);
  CHECK(debug.body.find("\n# Metrics this probe returns\n") != std::string::npos);
  CHECK(debug.body.find("anchorbrowser_batch_up{batch_id=\"b1\"} 1\n") != std::string::npos);
  CHECK(debug.content_type == "text/plain; charset=utf-8");

  const auto debug_unlisted =
      routes.Answer(Request("GET", "/probe", {{"target", "b9"}, {"debug", "true"}}));
  CHECK(debug_unlisted.status == 400);
  CHECK(debug_unlisted.body.rfind("Unknown target b9: ", 0) == 0);
}

TEST_CASE("the scrape deadline is Prometheus' timeout less the offset, capped",
          "[unit][web][routes][deadline]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  anchor::WebOptions options;
  options.timeout_offset = std::chrono::milliseconds(500);
  options.max_scrape_timeout = std::chrono::seconds(30);
  const ExporterRoutes routes(options, fake, log.log);
  using std::chrono::milliseconds;

  // The deadline lies `expected` after some moment during the call: the collection reports
  // what it was allowed (anchorbrowser_exporter_scrape_deadline_seconds).
  auto check = [&](const HttpRequest& req, milliseconds expected) {
    const auto before = Clock::now();
    const auto res = routes.Answer(req);
    const auto after = Clock::now();
    CHECK(res.status == 200);
    const std::string body = res.BodyText();
    const std::string name = "\nanchorbrowser_exporter_scrape_deadline_seconds ";
    const auto at = body.find(name);
    REQUIRE(at != std::string::npos);
    const double allowed = std::stod(body.substr(at + name.size()));
    CHECK(allowed <= std::chrono::duration<double>(expected).count());
    CHECK(allowed >= std::chrono::duration<double>(expected - (after - before)).count());
  };
  check(Request("GET", "/metrics", {}, {{"X-Prometheus-Scrape-Timeout-Seconds", "10"}}),
        milliseconds(9500));
  check(Request("GET", "/metrics"), milliseconds(30000));
  check(Request("GET", "/metrics", {}, {{"X-Prometheus-Scrape-Timeout-Seconds", "junk"}}),
        milliseconds(30000));
  check(Request("GET", "/metrics", {}, {{"X-Prometheus-Scrape-Timeout-Seconds", "120"}}),
        milliseconds(30000));

  // /probe: the one fetch gets the scrape's deadline.
  const auto before = Clock::now();
  CHECK(routes
            .Answer(Request("GET", "/probe", {{"target", "b1"}},
                            {{"X-Prometheus-Scrape-Timeout-Seconds", "4"}}))
            .status == 200);
  const auto after = Clock::now();
  CHECK(fake.source.LastFetchDeadline() >= before + milliseconds(3500));
  CHECK(fake.source.LastFetchDeadline() <= after + milliseconds(3500));
}

TEST_CASE("basic auth guards every route, known or not, unless a path is excluded",
          "[unit][web][routes][auth]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  ExporterRoutes routes({}, fake, log.log);
  CHECK(routes.Answer(Request("GET", "/metrics")).status == 200);  // no policy yet: open
  const int fetched = fake.source.Requests("b1");

  auto policy = ExporterRoutes::MakeAuthPolicy(WithUsers({"/-/healthy"}));
  REQUIRE(policy.ok());
  routes.SetAuthPolicy(std::move(policy).value());

  for (const char* path :
       {"/metrics", "/probe", "/sd", "/-/ready", "/-/reload", "/", "/batches/b1", "/nope"}) {
    INFO(path);
    const auto res = routes.Answer(Request("GET", path, {{"target", "b1"}}));
    CHECK(res.status == 401);  // also for /nope: nothing about the paths is revealed
    CHECK(res.body == "401 Unauthorized\n");
    CHECK(Header(res, "WWW-Authenticate") ==
          R"(Basic realm="anchorbrowser_exporter", charset="UTF-8")");
    const auto wrong = routes.Answer(Request("GET", path, {}, {{"Authorization", kAliceWrong}}));
    CHECK(wrong.status == 401);
  }
  CHECK(fake.source.Requests("b1") == fetched);
  CHECK(fake.reloads == 0);
  CHECK(log.out.str().find("authentication failed") != std::string::npos);
  CHECK(log.out.str().find("user=alice") != std::string::npos);
  // Never the password ("wrong"; the reason wrong_password is not it).
  std::string logged = log.out.str();
  for (auto at = logged.find("wrong_password"); at != std::string::npos;
       at = logged.find("wrong_password")) {
    logged.erase(at, 14);
  }
  CHECK(logged.find("wrong") == std::string::npos);

  const auto healthy = routes.Answer(Request("GET", "/-/healthy"));
  CHECK(healthy.status == 200);  // excluded
  const auto metrics =
      routes.Answer(Request("GET", "/metrics", {}, {{"Authorization", kAliceSecret}}));
  CHECK(metrics.status == 200);
  CHECK(routes.Answer(Request("GET", "/nope", {}, {{"Authorization", kAliceSecret}})).status ==
        404);
  // The method check comes after authentication, too.
  CHECK(routes.Answer(Request("POST", "/metrics")).status == 401);
  CHECK(routes.Answer(Request("POST", "/metrics", {}, {{"Authorization", kAliceSecret}})).status ==
        405);

  // A new policy replaces the old one as a whole: no users, no authentication.
  auto open = ExporterRoutes::MakeAuthPolicy(anchor::WebConfig{});
  REQUIRE(open.ok());
  routes.SetAuthPolicy(std::move(open).value());
  CHECK(routes.Answer(Request("GET", "/metrics")).status == 200);
}

TEST_CASE("a handler that throws is a 500 and a log line", "[unit][web][routes]") {
  anchor::test::FakeBackend fake;
  CapturedLog log;
  const ExporterRoutes routes({}, fake, log.log);
  fake.collector_throws = "collector gone";
  const auto res = routes.Answer(Request("GET", "/sd"));
  CHECK(res.status == 500);
  CHECK(res.body == "500 internal server error\n");
  CHECK(log.out.str().find("request failed") != std::string::npos);
  CHECK(log.out.str().find("collector gone") != std::string::npos);
}

TEST_CASE("at debug level every request is one log line, without its headers",
          "[unit][web][routes][log]") {
  anchor::test::FakeBackend fake;
  CapturedLog info;
  const ExporterRoutes quiet({}, fake, info.log);
  CHECK(quiet.Answer(Request("GET", "/-/healthy")).status == 200);
  CHECK(info.out.str().empty());

  CapturedLog debug(anchor::LogLevel::kDebug);
  const ExporterRoutes routes({}, fake, debug.log);
  CHECK(routes.Answer(Request("GET", "/nope", {}, {{"Authorization", kAliceSecret}})).status ==
        404);
  const std::string line = debug.out.str();
  CHECK(line.find("msg=\"http request\"") != std::string::npos);
  CHECK(line.find("method=GET") != std::string::npos);
  CHECK(line.find("path=/nope") != std::string::npos);
  CHECK(line.find("status=404") != std::string::npos);
  CHECK(line.find("remote_addr=127.0.0.1:50000") != std::string::npos);
  CHECK(line.find("YWxpY2U6c2VjcmV0") == std::string::npos);
}
