// RenderServiceDiscovery called directly: the http_sd_configs JSON for given targets, its
// labels (source, status, static labels) and escaping.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "support/sd_targets.h"
#include "web/service_discovery.h"

using anchor::RenderServiceDiscovery;
using anchor::test::ParseSdTargets;
using Labels = anchor::test::SdLabels;

TEST_CASE("the /sd body is http_sd JSON with escaped labels", "[unit][web][sd]") {
  const auto body = anchor::RenderServiceDiscovery(
      {{"b-1", false, std::string("processing"), {{"team", "a \"quoted\"\n\\ value"}}},
       {"b-2", true, std::nullopt, {}}});
  const auto targets = ParseSdTargets(body);
  REQUIRE(targets.size() == 2);
  CHECK(targets.at("b-1") == Labels{{"__meta_anchorbrowser_source", "configured"},
                                    {"__meta_anchorbrowser_status", "processing"},
                                    {"__meta_anchorbrowser_label_team", "a \"quoted\"\n\\ value"}});
  CHECK(targets.at("b-2") == Labels{{"__meta_anchorbrowser_source", "discovered"}});
  CHECK(ParseSdTargets(anchor::RenderServiceDiscovery({})).empty());  // "[]", not null
}

TEST_CASE("the /sd body's exact bytes: one group per batch, in the given order",
          "[unit][web][sd]") {
  CHECK(RenderServiceDiscovery({}) == "[]\n");
  CHECK(RenderServiceDiscovery({{"z-1", true, std::string("completed"), {{"b", "2"}, {"a", "1"}}},
                                {"a-1", false, std::nullopt, {}}}) ==
        R"([{"targets":["z-1"],"labels":{"__meta_anchorbrowser_source":"discovered",)"
        R"("__meta_anchorbrowser_status":"completed","__meta_anchorbrowser_label_a":"1",)"
        R"("__meta_anchorbrowser_label_b":"2"}},{"targets":["a-1"],"labels":)"
        R"({"__meta_anchorbrowser_source":"configured"}}])"
        "\n");
}

TEST_CASE("the /sd body escapes control characters and keeps UTF-8", "[unit][web][sd]") {
  const auto body =
      RenderServiceDiscovery({{"b\"1", false, std::nullopt, {{"team", "caf\xc3\xa9\t\x01"}}}});
  CHECK(body.find(R"(["b\"1"])") != std::string::npos);
  CHECK(body.find("caf\xc3\xa9\\t\\u0001") != std::string::npos);
  const auto targets = ParseSdTargets(body);
  CHECK(targets.at("b\"1").at("__meta_anchorbrowser_label_team") == "caf\xc3\xa9\t\x01");
}
