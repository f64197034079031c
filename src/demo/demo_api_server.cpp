#include "demo/demo_api_server.h"

#include <httplib.h>

#include <memory>
#include <utility>

namespace anchor {
namespace {

bool KeyAccepted(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("anchor-api-key") == kDemoApiKey) return true;
  res.status = 401;
  res.set_content(ApiErrorBody(401, "Invalid API Key"), "application/json");
  return false;
}

std::unique_ptr<httplib::Server> MakeServer(SimulatedApi& api) {
  auto server = std::make_unique<httplib::Server>();
  // Each kept-alive connection holds a server thread until it times out: httplib's default pool
  // (8 threads on 2 cores) is fewer than the exporter keeps (anchor.max_concurrency, 16), plus
  // discovery's requests running beside a scrape's, and a request beyond it waits 5 s.
  server->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server->set_tcp_nodelay(true);
  server->set_keep_alive_timeout(5);
  server->set_keep_alive_max_count(1000);
  server->Get("/v1/batch-sessions", [&api](const httplib::Request& req, httplib::Response& res) {
    if (!KeyAccepted(req, res)) return;
    res.set_content(RenderBatchList(api.Listed(), ListQueryFromParams(req.params)),
                    "application/json");
  });
  server->Get(R"(/v1/batch-sessions/([^/]+))",
              [&api](const httplib::Request& req, httplib::Response& res) {
                if (!KeyAccepted(req, res)) return;
                if (auto body = api.BatchBody(req.matches[1])) {
                  res.set_content(*body, "application/json");
                } else {
                  res.status = 404;
                  res.set_content(ApiErrorBody(404, "Batch not found"), "application/json");
                }
              });
  return server;
}

}  // namespace

DemoApiServer::DemoApiServer(UnixClock now)
    : simulated_(std::move(now)), server_(MakeServer(simulated_), /*tls=*/false) {}

}  // namespace anchor
