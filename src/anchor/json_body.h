#pragma once

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>

#include <cstddef>
#include <string_view>

namespace anchor {

// How every API body is parsed. Iterative: RapidJSON's default parser recurses once per nesting
// level, and a 200 KB body of "[" overflowed the thread's stack (Tencent/rapidjson#1027).
// Document's pool allocator frees without recursion, and our readers only look a few levels deep.
constexpr unsigned kJsonBodyParseFlags =
    rapidjson::kParseDefaultFlags | rapidjson::kParseIterativeFlag;

// RFC 8259 lets a parser ignore a leading UTF-8 byte order mark; we skip it, and only it.
inline std::size_t Utf8BomLength(std::string_view body) {
  return body.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

// Parses `body` (not modified) into `doc`. Reads a plain MemoryStream: Document::Parse(str, len)
// wraps it in EncodedInputStream<UTF8>, which skips each BOM byte on its own (a body starting
// with a lone 0xBB parsed), unlike the in-place parser.
inline void ParseJsonBody(rapidjson::Document& doc, std::string_view body) {
  body.remove_prefix(Utf8BomLength(body));
  rapidjson::MemoryStream stream(body.data(), body.size());
  doc.ParseStream<kJsonBodyParseFlags>(stream);
}

}  // namespace anchor
