#include "anchor/batch_list.h"

#include <rapidjson/document.h>

#include <cctype>
#include <cstddef>

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

// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
std::string UrlEncode(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string BatchListPath(const BatchListQuery& query) {
  std::string path = "/v1/batch-sessions?page=" + std::to_string(query.page) +
                     "&limit=" + std::to_string(query.limit);
  if (!query.status.empty()) path += "&status=" + UrlEncode(query.status);
  if (!query.created_after.empty()) path += "&created_after=" + UrlEncode(query.created_after);
  return path;
}

BatchListPage RedactedPage(BatchListPage page, const Secret& key) {
  for (size_t i = page.batch_ids.size(); i-- > 0;) {
    if (Redacted(page.batch_ids[i], key) != page.batch_ids[i]) {
      page.batch_ids.erase(page.batch_ids.begin() + static_cast<std::ptrdiff_t>(i));
      page.statuses.erase(page.statuses.begin() + static_cast<std::ptrdiff_t>(i));
      ++page.dropped_ids;
    } else {
      page.statuses[i] = Redacted(std::move(page.statuses[i]), key);
    }
  }
  return page;
}

Result<BatchListPage> ParseBatchListResponse(std::string_view body) {
  rapidjson::Document doc;
  if (Status parsed = ParseJsonBody(doc, body, /*with_offset=*/false); !parsed.ok()) {
    return Error{parsed.error()};
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
