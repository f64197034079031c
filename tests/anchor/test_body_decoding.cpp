// DecodeBody called directly: what the API client does with a Content-Encoding once the body is
// read (the reasons it leads to are tested end to end in e2e/test_fault_reasons.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "anchor/body_decoding.h"
#include "exposition/http_compression.h"

using anchor::BodyDecoding;

namespace {

// DecodeBody's kind of outcome, its reason kept in `detail`.
BodyDecoding Decode(const std::string& encoding, std::string& body, std::size_t max_bytes,
                    std::string& detail) {
  auto result = anchor::DecodeBody(encoding, body, max_bytes);
  detail = result.detail;
  return result.kind;
}

}  // namespace

TEST_CASE("DecodeBody inflates gzip and leaves identity alone", "[unit][anchor][gzip]") {
  const std::string json = R"({"id":"b1","status":"processing"})";
  std::string detail;
  std::string body = anchor::GzipFast(json).value();
  CHECK(Decode("gzip", body, 1024, detail) == BodyDecoding::kOk);
  CHECK(body == json);
  body = anchor::GzipFast(json).value();
  CHECK(Decode(" X-Gzip ", body, 1024, detail) == BodyDecoding::kOk);
  CHECK(body == json);
  body = json;
  CHECK(Decode("", body, 1024, detail) == BodyDecoding::kOk);
  CHECK(Decode("identity", body, 1024, detail) == BodyDecoding::kOk);
  CHECK(body == json);
}

TEST_CASE("DecodeBody names corrupt, truncated, oversized and unknown encodings",
          "[unit][anchor][gzip]") {
  std::string detail;
  SECTION("not gzip at all") {
    std::string body = "this is not gzip";
    CHECK(Decode("gzip", body, 1024, detail) == BodyDecoding::kCorrupt);
    CHECK(detail.find("cannot decode the gzip body") != std::string::npos);
  }
  SECTION("truncated") {
    std::string body = anchor::GzipFast(std::string(5000, 'x') + "tail").value();
    body.resize(body.size() / 2);
    CHECK(Decode("gzip", body, 1 << 20, detail) == BodyDecoding::kCorrupt);
    CHECK(detail.find("truncated") != std::string::npos);
  }
  SECTION("garbage after the stream") {
    std::string body = anchor::GzipFast("{}").value() + "junk";
    CHECK(Decode("gzip", body, 1024, detail) == BodyDecoding::kCorrupt);
  }
  SECTION("a gzip bomb stops at the limit") {
    std::string body = anchor::GzipFast(std::string(10 << 20, '[')).value();
    CHECK(body.size() < std::size_t{64} * 1024);
    CHECK(Decode("gzip", body, 1 << 20, detail) == BodyDecoding::kTooLarge);
  }
  SECTION("an encoding the client did not ask for") {
    std::string body = "x";
    CHECK(Decode("br", body, 1024, detail) == BodyDecoding::kUnsupported);
    CHECK(detail == "unsupported Content-Encoding br");
  }
}
