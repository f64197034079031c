#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace anchor {

// The fields of one sessions[] entry the exporter reads: of each key the first non-null value,
// or null when there is none. A value that is an object or an array comes as an empty one of
// its type (enough to refuse it), its contents skipped.
struct SessionFields {
  const rapidjson::Value* status = nullptr;
  const rapidjson::Value* retry_count = nullptr;
  const rapidjson::Value* started_at = nullptr;
  const rapidjson::Value* completed_at = nullptr;
  const rapidjson::Value* error = nullptr;
  const rapidjson::Value* session_id = nullptr;
};

// Receives the entries of data.sessions[] one by one while the body is parsed. The values it is
// handed live until the next entry.
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  virtual void Session(const SessionFields& fields) = 0;  // an entry that is an object
  virtual void NotASession() = 0;                         // an entry that is not
};

// Reads the body of GET /v1/batch-sessions/{id} as a stream of SAX events, keeping only what the
// exporter reads, so that memory does not grow with the body: no DOM of the body is built.
// data() holds, of the members of the first "data" object, the first occurrence of each key
// read (batch_id, status, the counts, created_at, actual_completion_time, error, progress with
// its percentage and current_phase, and sessions as an empty array when it is an array; objects
// and arrays elsewhere as empty ones); sessions[] entries go to the sink as they end. Anything
// nested deeper than kMaxJsonDepth stops the parse. Strings point into the body when parsed in
// place, else into this object: keep both while data() is read.
class BatchStream {
 public:
  BatchStream() = default;
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;

  // Ok when `body` is a JSON object with a "data" object, else why not: "body is not valid JSON
  // (...)", "body nests deeper than 64 levels (...)", "body is not a JSON object", "body has no
  // "data" object". Parsing in place overwrites `body`.
  Status ParseInPlace(std::string& body, SessionSink& sink);
  Status Parse(std::string_view body, SessionSink& sink);

  const rapidjson::Value& data() const { return data_; }

 private:
  template <unsigned kFlags, typename Stream>
  Status Run(Stream& stream, SessionSink& sink);

  rapidjson::MemoryPoolAllocator<> allocator_;
  rapidjson::Value data_{rapidjson::kObjectType};
};

}  // namespace anchor
