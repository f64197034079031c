#include "support/sd_targets.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

namespace anchor::test {

std::map<std::string, SdLabels> ParseSdTargets(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsArray());
  std::map<std::string, SdLabels> out;
  for (const auto& group : doc.GetArray()) {
    REQUIRE(group.IsObject());
    REQUIRE(group["targets"].IsArray());
    REQUIRE(group["targets"].Size() == 1);
    SdLabels labels;
    for (const auto& l : group["labels"].GetObject()) {
      REQUIRE(l.value.IsString());
      labels[l.name.GetString()] = l.value.GetString();
    }
    const std::string target = group["targets"][0].GetString();
    REQUIRE(out.count(target) == 0);  // one group per batch
    out[target] = labels;
  }
  return out;
}

}  // namespace anchor::test
