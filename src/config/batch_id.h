#pragma once

#include <string_view>

namespace anchor {

// True for ids the API can hold and a URL path can carry safely: [A-Za-z0-9_-]{1,128}. The one
// rule for a batch id, whoever meets one: the config loader, the list parser, /probe.
bool IsValidBatchId(std::string_view id);

}  // namespace anchor
