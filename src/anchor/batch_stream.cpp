#include "anchor/batch_stream.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "anchor/json_body.h"

namespace anchor {
namespace {

using rapidjson::SizeType;
using rapidjson::StringRef;
using rapidjson::Value;

// The keys read, per object. An object's key is read once: the first occurrence wins (as
// RapidJSON's FindMember did), except in a session, where the first non-null value does.
constexpr std::string_view kDataKeys[] = {"batch_id",
                                          "status",
                                          "total_requests",
                                          "completed_requests",
                                          "failed_requests",
                                          "processing_requests",
                                          "pending_requests",
                                          "created_at",
                                          "actual_completion_time",
                                          "error",
                                          "progress",
                                          "sessions"};
constexpr int kProgressKey = 10;
constexpr int kSessionsKey = 11;
constexpr std::string_view kProgressKeys[] = {"percentage", "current_phase"};
constexpr std::string_view kSessionKeys[] = {"status",       "retry_count", "started_at",
                                             "completed_at", "error",       "session_id"};
constexpr unsigned kSessionKeyCount = std::size(kSessionKeys);

// Where the containers being read are.
enum class Frame : unsigned char { kSkip, kRoot, kData, kProgress, kSessions, kSession };
// Where the next value goes.
enum class Slot : unsigned char {
  kSkip,
  kRoot,
  kData,
  kDataField,
  kProgress,
  kProgressField,
  kSessions,
  kSessionEntry,
  kSessionField
};

// Lengths first: most keys of a session (urls, ids, metadata) differ in length from all five.
template <std::size_t N>
int KeyIndex(const std::string_view (&keys)[N], const char* s, SizeType n) {
  for (std::size_t i = 0; i < N; ++i) {
    if (keys[i].size() == n && std::memcmp(keys[i].data(), s, n) == 0) return static_cast<int>(i);
  }
  return -1;
}

// The SAX handler: routes each event by the frame it is in, and ignores all but what is read.
class Handler {
 public:
  using Ch = char;

  Handler(Value& data, rapidjson::MemoryPoolAllocator<>& allocator, SessionSink& sink)
      : data_(data), allocator_(allocator), sink_(sink) {}

  bool Null() { return Put(Value()); }
  bool Bool(bool b) { return Put(Value(b)); }
  bool Int(int i) { return Put(Value(i)); }
  bool Uint(unsigned u) { return Put(Value(u)); }
  bool Int64(std::int64_t i) { return Put(Value(i)); }
  bool Uint64(std::uint64_t u) { return Put(Value(u)); }
  bool Double(double d) { return Put(Value(d)); }
  bool RawNumber(const Ch* /*s*/, SizeType /*n*/, bool /*copy*/) { return true; }  // not enabled
  bool String(const Ch* s, SizeType n, bool copy) {
    const Slot slot = NextSlot();
    if (slot == Slot::kSkip) return true;  // the common case: nothing kept, nothing copied
    if (slot == Slot::kRoot || slot == Slot::kData || slot == Slot::kSessionEntry) {
      return Put(Value());  // only its type matters: not an object
    }
    auto& allocator = slot == Slot::kSessionField ? session_allocator_ : allocator_;
    return Put(copy ? Value(s, n, allocator) : Value(StringRef(s, n)));
  }
  bool Key(const Ch* s, SizeType n, bool /*copy*/);
  bool StartObject() { return Open(rapidjson::kObjectType); }
  bool StartArray() { return Open(rapidjson::kArrayType); }
  bool EndObject(SizeType /*members*/) { return Close(); }
  bool EndArray(SizeType /*elements*/) { return Close(); }

  bool too_deep() const { return too_deep_; }
  bool root_is_object() const { return root_is_object_; }
  bool data_is_object() const { return data_is_object_; }

 private:
  Slot NextSlot() const {
    if (depth_ == 0) return Slot::kRoot;
    switch (frames_[depth_ - 1]) {
      case Frame::kSessions:
        return Slot::kSessionEntry;
      case Frame::kSkip:
        return Slot::kSkip;
      default:
        return key_slot_;  // set by the member's key
    }
  }

  void AddData(std::string_view name, Value&& value) {
    data_.AddMember(StringRef(name.data(), static_cast<SizeType>(name.size())), value, allocator_);
  }

  bool Put(Value&& value);
  bool Open(rapidjson::Type type);
  bool Close();

  Value& data_;
  rapidjson::MemoryPoolAllocator<>& allocator_;
  SessionSink& sink_;
  // A session's strings (when not parsed in place) live here until the next session. The
  // buffer is kept by Clear(), so sessions of short strings allocate nothing.
  alignas(8) char session_buffer_[1024] = {};
  rapidjson::MemoryPoolAllocator<> session_allocator_{session_buffer_, sizeof(session_buffer_)};
  Value session_[kSessionKeyCount];
  Value progress_;

  Frame frames_[kMaxJsonDepth] = {};
  unsigned depth_ = 0;
  Slot key_slot_ = Slot::kSkip;
  std::string_view key_name_;   // the kDataKeys or kProgressKeys entry of a kept member
  unsigned key_index_ = 0;      // the kSessionKeys entry of a kept member
  unsigned data_seen_ = 0;      // bit i: kDataKeys[i] was met
  unsigned progress_seen_ = 0;  // bit i: kProgressKeys[i] was met
  bool data_seen_key_ = false;  // the root's first "data" key was met
  bool too_deep_ = false;
  bool root_is_object_ = false;
  bool data_is_object_ = false;
};

bool Handler::Key(const Ch* s, SizeType n, bool /*copy*/) {
  key_slot_ = Slot::kSkip;
  switch (frames_[depth_ - 1]) {
    case Frame::kRoot:
      if (!data_seen_key_ && std::string_view(s, n) == "data") {
        data_seen_key_ = true;
        key_slot_ = Slot::kData;
      }
      break;
    case Frame::kData: {
      const int i = KeyIndex(kDataKeys, s, n);
      if (i < 0 || (data_seen_ & (1u << i)) != 0) break;
      data_seen_ |= 1u << i;
      key_name_ = kDataKeys[i];
      key_slot_ = i == kProgressKey   ? Slot::kProgress
                  : i == kSessionsKey ? Slot::kSessions
                                      : Slot::kDataField;
      break;
    }
    case Frame::kProgress: {
      const int i = KeyIndex(kProgressKeys, s, n);
      if (i < 0 || (progress_seen_ & (1u << i)) != 0) break;
      progress_seen_ |= 1u << i;
      key_name_ = kProgressKeys[i];
      key_slot_ = Slot::kProgressField;
      break;
    }
    case Frame::kSession: {
      const int i = KeyIndex(kSessionKeys, s, n);
      if (i < 0 || !session_[i].IsNull()) break;
      key_index_ = static_cast<unsigned>(i);
      key_slot_ = Slot::kSessionField;
      break;
    }
    default:
      break;
  }
  return true;
}

bool Handler::Put(Value&& value) {
  switch (NextSlot()) {
    case Slot::kDataField:
    case Slot::kProgress:
    case Slot::kSessions:
      AddData(key_name_, std::move(value));
      break;
    case Slot::kProgressField:
      progress_.AddMember(StringRef(key_name_.data(), static_cast<SizeType>(key_name_.size())),
                          value, allocator_);
      break;
    case Slot::kSessionEntry:
      sink_.NotASession();
      break;
    case Slot::kSessionField:
      session_[key_index_] = value;  // a null leaves the key open for a later value
      break;
    default:  // kRoot, kData (not objects: reported at the end), kSkip
      break;
  }
  return true;
}

bool Handler::Open(rapidjson::Type type) {
  if (depth_ == kMaxJsonDepth) {
    too_deep_ = true;
    return false;  // the reader stops: kParseErrorTermination
  }
  const bool object = type == rapidjson::kObjectType;
  Frame frame = Frame::kSkip;
  switch (NextSlot()) {
    case Slot::kRoot:
      root_is_object_ = object;
      if (object) frame = Frame::kRoot;
      break;
    case Slot::kData:
      data_is_object_ = object;
      if (object) frame = Frame::kData;
      break;
    case Slot::kProgress:
      if (object) {
        frame = Frame::kProgress;
        progress_.SetObject();
      } else {
        AddData(key_name_, Value(type));
      }
      break;
    case Slot::kSessions:
      AddData(key_name_, Value(type));
      if (!object) frame = Frame::kSessions;
      break;
    case Slot::kSessionEntry:
      if (object) {
        frame = Frame::kSession;
        for (auto& v : session_) v.SetNull();
        session_allocator_.Clear();
      } else {
        sink_.NotASession();
      }
      break;
    case Slot::kDataField:
    case Slot::kProgressField:
    case Slot::kSessionField:
      Put(Value(type));  // an empty one of its type; what it holds is skipped
      break;
    case Slot::kSkip:
      break;
  }
  frames_[depth_++] = frame;
  return true;
}

bool Handler::Close() {
  const Frame frame = frames_[--depth_];
  if (frame == Frame::kSession) {
    const auto field = [this](unsigned i) { return session_[i].IsNull() ? nullptr : &session_[i]; };
    sink_.Session({field(0), field(1), field(2), field(3), field(4), field(5)});
  } else if (frame == Frame::kProgress) {
    AddData(kDataKeys[kProgressKey], std::move(progress_));
  }
  return true;
}

}  // namespace

template <unsigned kFlags, typename Stream>
Status BatchStream::Run(Stream& stream, SessionSink& sink) {
  data_.SetObject();
  Handler handler(data_, allocator_, sink);
  rapidjson::Reader reader;
  reader.Parse<kFlags>(stream, handler);
  if (Status read = JsonBodyStatus(reader, handler.too_deep()); !read.ok()) return read;
  if (!handler.root_is_object()) return Error{"body is not a JSON object"};
  if (!handler.data_is_object()) return Error{"body has no \"data\" object"};
  return Status::Ok();
}

Status BatchStream::ParseInPlace(std::string& body, SessionSink& sink) {
  rapidjson::InsituStringStream stream(body.data() + Utf8BomLength(body));
  return Run<kJsonStreamParseFlags | rapidjson::kParseInsituFlag>(stream, sink);
}

Status BatchStream::Parse(std::string_view body, SessionSink& sink) {
  body.remove_prefix(Utf8BomLength(body));
  rapidjson::MemoryStream stream(body.data(), body.size());
  return Run<kJsonStreamParseFlags>(stream, sink);
}

}  // namespace anchor
