// GET /batches/<id> through ExporterRoutes over a fake backend: no sockets, no API.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "log/logger.h"
#include "support/fake_backend.h"
#include "support/web_fixtures.h"
#include "web/exporter_routes.h"

namespace {

using anchor::ExporterRoutes;
using anchor::HttpRequest;

HttpRequest Get(std::string path, std::vector<std::pair<std::string, std::string>> query = {},
                std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest req;
  req.method = "GET";
  req.path = std::move(path);
  req.query = std::move(query);
  req.headers = std::move(headers);
  req.remote_addr = "127.0.0.1:50000";
  return req;
}

}  // namespace

TEST_CASE("/batches/<id> serves tracked batches only, and never asks the API",
          "[unit][web][routes][batch_page]") {
  anchor::test::FakeBackend fake;
  const ExporterRoutes routes({}, fake, anchor::NullLogger());
  const auto before = routes.Answer(Get("/batches/b1"));
  CHECK(before.status == 200);
  CHECK(before.content_type == "text/html; charset=utf-8");
  CHECK(before.BodyText().find("not fetched yet") != std::string::npos);
  CHECK(fake.source.Requests("b1") == 0);

  for (const char* path :
       {"/batches/unknown", "/batches/", "/batches/b1/x", "/batches/b%201", "/batches"}) {
    INFO(path);
    CHECK(routes.Answer(Get(path)).status == 404);
  }
  CHECK(fake.source.TotalRequests() == 0);
  CHECK(routes.Answer(Get("/batches/b1", {{"format", "xml"}})).status == 400);
  HttpRequest post = Get("/batches/b1");
  post.method = "POST";
  CHECK(routes.Answer(post).status == 405);

  CHECK(routes.Answer(Get("/metrics")).status == 200);  // fetches b1
  const auto html = routes.Answer(Get("/batches/b1"));
  CHECK(html.BodyText().find("<span class=\"up\">up</span>") != std::string::npos);
  CHECK(html.BodyText().find("processing") != std::string::npos);
  const auto landing = routes.Answer(Get("/"));
  CHECK(landing.BodyText().find("<a class=\"page\" href=\"batches/b1\">b1</a>") !=
        std::string::npos);
}

TEST_CASE("/batches/<id> answers JSON for ?format=json or Accept: application/json",
          "[unit][web][routes][batch_page]") {
  anchor::test::FakeBackend fake;
  const ExporterRoutes routes({}, fake, anchor::NullLogger());
  CHECK(routes.Answer(Get("/metrics")).status == 200);
  for (const auto& req : {Get("/batches/b1", {{"format", "json"}}),
                          Get("/batches/b1", {}, {{"Accept", "application/json"}})}) {
    const auto res = routes.Answer(req);
    CHECK(res.status == 200);
    CHECK(res.content_type == "application/json");
    rapidjson::Document doc;
    REQUIRE_FALSE(doc.Parse(res.BodyText().c_str()).HasParseError());
    CHECK(std::string(doc["batch_id"].GetString()) == "b1");
    CHECK(std::string(doc["state"].GetString()) == "up");
    CHECK(std::string(doc["status"].GetString()) == "processing");
    CHECK(doc.HasMember("sessions"));
  }
  // A browser's Accept lists HTML first: the page.
  const auto browser = routes.Answer(
      Get("/batches/b1", {}, {{"Accept", "text/html,application/json;q=0.9,*/*;q=0.8"}}));
  CHECK(browser.content_type == "text/html; charset=utf-8");
  CHECK(routes.Answer(Get("/batches/b1", {{"format", "html"}}, {{"Accept", "application/json"}}))
            .content_type == "text/html; charset=utf-8");
}

TEST_CASE("/batches/<id> asks for credentials like every other page",
          "[unit][web][routes][batch_page][auth]") {
  anchor::test::FakeBackend fake;
  ExporterRoutes routes({}, fake, anchor::NullLogger());
  anchor::WebConfig web;
  web.basic_auth_users = {{"alice", anchor::test::HtpasswdHash("secret", 4)}};
  auto policy = ExporterRoutes::MakeAuthPolicy(web);
  REQUIRE(policy.ok());
  routes.SetAuthPolicy(std::move(policy).value());
  CHECK(routes.Answer(Get("/batches/b1")).status == 401);
  CHECK(routes.Answer(Get("/batches/unknown")).status == 401);  // nothing revealed
  CHECK(
      routes.Answer(Get("/batches/b1", {}, {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}})).status ==
      200);
}
