#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "anchor/batch.h"

namespace anchor {

// OpenMetrics limits an exemplar's label set to 128 UTF-8 characters, names and values: with
// the label name `session_id` (10), an id of at most 118.
inline constexpr std::size_t kMaxExemplarIdBytes = 118;

// Whether `id` can be an exemplar's session_id as it is: 1 to kMaxExemplarIdBytes printable
// ASCII characters other than `"` and `\` (so nothing needs escaping and a byte is a character).
// Other ids give no exemplar.
bool IsExemplarId(std::string_view id);

// Picks, while one answer is parsed, the exemplar of each bucket of one SessionHistogram: the
// slowest session that fell in it (the first one on ties), among sessions with an exemplar id.
// Holds one id per bucket; Finish packs them into the histogram.
class ExemplarPicker {
 public:
  explicit ExemplarPicker(std::size_t buckets = 0) : picks_(buckets) {}
  // A session of `value` in `bucket` (SessionHistogram::Add's answer); `id` empty: none.
  void Offer(std::size_t bucket, double value, double timestamp, std::string_view id);
  // Sets h.exemplars and h.exemplar_ids from the picks (h's buckets are the picker's).
  void Finish(SessionHistogram& h) const;

 private:
  struct Pick {
    double value = 0;
    double timestamp = 0;
    std::string id;  // empty: no session with an id in this bucket yet
  };
  std::vector<Pick> picks_;
};

// The session_ids of one answer's sessions, back to back, for the queue waits (known only once
// created_at is read, which may come after the sessions): bounded by the body being parsed.
class IdArena {
 public:
  struct Ref {
    std::uint32_t begin = 0;
    std::uint8_t size = 0;
  };
  Ref Add(std::string_view id);
  std::string_view Get(Ref ref) const { return std::string_view(ids_).substr(ref.begin, ref.size); }

 private:
  std::string ids_;
};

}  // namespace anchor
