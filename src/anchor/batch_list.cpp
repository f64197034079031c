#include "anchor/batch_list.h"

#include <rapidjson/document.h>

#include "anchor/json_body.h"
#include "config/batch_id.h"

namespace anchor {
namespace {

// The member `name` of `obj`, or null when `obj` is not an object or has no such member.
// MemberEnd() must not be called on a value that is not an object (RapidJSON asserts, and
// without asserts reads a number's bits as a member pointer).
const rapidjson::Value* Member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  const auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

Result<BatchListPage> ParseBatchListResponse(std::string_view body) {
  rapidjson::Document doc;
  if (auto error = ParseJsonBody(doc, body, /*with_offset=*/false); !error.empty()) {
    return Error{std::move(error)};
  }
  const rapidjson::Value* data = Member(doc, "data");
  if (data == nullptr || !data->IsObject()) return Error{"body has no \"data\" object"};
  const rapidjson::Value* batches = Member(*data, "batches");
  if (batches == nullptr || !batches->IsArray()) return Error{"body has no \"data.batches\" list"};
  BatchListPage page;
  for (const auto& b : batches->GetArray()) {
    const rapidjson::Value* id = Member(b, "batch_id");
    if (id == nullptr || !id->IsString() ||
        !IsValidBatchId(std::string_view(id->GetString(), id->GetStringLength()))) {
      ++page.dropped_ids;
      continue;
    }
    page.batch_ids.emplace_back(id->GetString(), id->GetStringLength());
    const rapidjson::Value* status = Member(b, "status");
    page.statuses.push_back(status != nullptr && status->IsString()
                                ? std::string(status->GetString(), status->GetStringLength())
                                : "");
  }
  if (const rapidjson::Value* pagination = Member(*data, "pagination")) {
    const rapidjson::Value* next = Member(*pagination, "has_next");
    page.has_next = next != nullptr && next->IsBool() && next->GetBool();
    const rapidjson::Value* pages = Member(*pagination, "total_pages");
    if (pages != nullptr && pages->IsInt() && pages->GetInt() > 0) {
      page.total_pages = pages->GetInt();
    }
  }
  return page;
}

}  // namespace anchor
