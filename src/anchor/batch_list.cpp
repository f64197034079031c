#include "anchor/batch_list.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "anchor/json_body.h"
#include "config/config_loader.h"

namespace anchor {

std::optional<BatchListPage> ParseBatchListResponse(std::string_view body, std::string& error) {
  rapidjson::Document doc;
  ParseJsonBody(doc, body);
  if (doc.HasParseError()) {
    error = std::string("body is not valid JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
            ")";
    return std::nullopt;
  }
  const auto data = doc.IsObject() ? doc.FindMember("data") : doc.MemberEnd();
  if (!doc.IsObject() || data == doc.MemberEnd() || !data->value.IsObject()) {
    error = "body has no \"data\" object";
    return std::nullopt;
  }
  const auto batches = data->value.FindMember("batches");
  if (batches == data->value.MemberEnd() || !batches->value.IsArray()) {
    error = "body has no \"data.batches\" list";
    return std::nullopt;
  }
  BatchListPage page;
  for (const auto& b : batches->value.GetArray()) {
    const auto id = b.IsObject() ? b.FindMember("batch_id") : b.MemberEnd();
    if (!b.IsObject() || id == b.MemberEnd() || !id->value.IsString() ||
        !IsValidBatchId(std::string_view(id->value.GetString(), id->value.GetStringLength()))) {
      ++page.dropped_ids;
      continue;
    }
    page.batch_ids.emplace_back(id->value.GetString(), id->value.GetStringLength());
    const auto status = b.FindMember("status");
    page.statuses.push_back(status != b.MemberEnd() && status->value.IsString()
                                ? status->value.GetString()
                                : "");
  }
  const auto pagination = data->value.FindMember("pagination");
  if (pagination != data->value.MemberEnd() && pagination->value.IsObject()) {
    const auto next = pagination->value.FindMember("has_next");
    page.has_next = next != pagination->value.MemberEnd() && next->value.IsBool() &&
                    next->value.GetBool();
  }
  return page;
}

}  // namespace anchor
