#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace anchor {

// How every API body is parsed. Iterative: RapidJSON's default parser recurses once per nesting
// level, and a 200 KB body of "[" overflowed the thread's stack (Tencent/rapidjson#1027).
constexpr unsigned kJsonBodyParseFlags =
    rapidjson::kParseDefaultFlags | rapidjson::kParseIterativeFlag;

// How a status body is streamed (anchor/batch_stream.cpp): RapidJSON's recursive reader, faster
// than the iterative one, is safe there because the handler refuses level kMaxJsonDepth + 1 in
// StartObject/StartArray, which the reader calls before it recurses into the container.
constexpr unsigned kJsonStreamParseFlags = rapidjson::kParseDefaultFlags;

// Deepest nesting of objects and arrays (the root counts as 1) any API body may have. The
// schema needs 4 (body, data, sessions, session) and a session's metadata a few more; deeper
// bodies are refused (invalid_response) when the 65th level opens, before it costs memory or
// time: a 16 MiB body of "[" took 355 MiB and 1.35 s of CPU in a DOM.
constexpr unsigned kMaxJsonDepth = 64;

// RFC 8259 lets a parser ignore a leading UTF-8 byte order mark; we skip it, and only it.
inline std::size_t Utf8BomLength(std::string_view body) {
  return body.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

// Forwards SAX events to `Handler` and stops the parse (kParseErrorTermination) when a
// container would open at depth kMaxJsonDepth + 1.
template <typename Handler>
class DepthLimited {
 public:
  using Ch = char;
  explicit DepthLimited(Handler& handler) : h_(handler) {}

  bool Null() { return h_.Null(); }
  bool Bool(bool b) { return h_.Bool(b); }
  bool Int(int i) { return h_.Int(i); }
  bool Uint(unsigned u) { return h_.Uint(u); }
  bool Int64(std::int64_t i) { return h_.Int64(i); }
  bool Uint64(std::uint64_t u) { return h_.Uint64(u); }
  bool Double(double d) { return h_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) { return h_.RawNumber(s, n, copy); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return h_.String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return h_.Key(s, n, copy); }
  bool StartObject() { return Enter() && h_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return h_.EndObject(n);
  }
  bool StartArray() { return Enter() && h_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return h_.EndArray(n);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (depth_ == kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  Handler& h_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
};

// Whether `reader` read the whole body, or why it stopped, as one sentence: too deep, or not
// JSON (with the byte offset when `with_offset`).
template <typename Reader>
Status JsonBodyStatus(const Reader& reader, bool too_deep, bool with_offset = true) {
  if (!reader.HasParseError()) return Status::Ok();
  const std::string offset = std::to_string(reader.GetErrorOffset());
  if (too_deep) {
    return Error{"body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels (at offset " +
                 offset + ")"};
  }
  return Error{std::string("body is not valid JSON (") +
               rapidjson::GetParseError_En(reader.GetParseErrorCode()) +
               (with_offset ? " at offset " + offset : std::string()) + ")"};
}

// Parses `body` (not modified) into `doc`, at most kMaxJsonDepth deep, or says why it failed.
// Reads a plain MemoryStream: Document::Parse(str, len) wraps it in EncodedInputStream<UTF8>,
// which skips each BOM byte on its own (a body starting with a lone 0xBB parsed), unlike the
// in-place parser. For small bodies only (error messages, list pages): a DOM costs up to ~8
// times the body.
inline Status ParseJsonBody(rapidjson::Document& doc, std::string_view body,
                            bool with_offset = true) {
  body.remove_prefix(Utf8BomLength(body));
  rapidjson::MemoryStream stream(body.data(), body.size());
  rapidjson::Reader reader;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& d) {
    DepthLimited<rapidjson::Document> limited(d);
    reader.Parse<kJsonBodyParseFlags>(stream, limited);
    too_deep = limited.too_deep();
    return !reader.HasParseError();
  };
  doc.Populate(generate);
  return JsonBodyStatus(reader, too_deep, with_offset);
}

}  // namespace anchor
