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

// The session_ids of one answer's sessions, back to back (the values BatchStream hands over live
// only until the next session): bounded by the body being parsed.
class IdArena {
 public:
  struct Ref {
    std::uint32_t begin = 0;
    std::uint8_t size = 0;  // 0: no id
  };
  // Empty, or longer than kMaxExemplarIdBytes: no id.
  Ref Add(std::string_view id);
  std::string_view Get(Ref ref) const { return std::string_view(ids_).substr(ref.begin, ref.size); }

 private:
  std::string ids_;
};

// Picks, while one answer is parsed, the exemplar of each bucket of one SessionHistogram: the
// slowest session that fell in it (the first one on ties) among sessions with a usable id. An
// offer is a comparison and 24 bytes (sessions mostly come in start order, so nearly each one is
// the slowest so far); ids are checked (IsExemplarId) only at Finish, for the picks, and a
// bucket whose pick has an id with refused characters is picked again among its sessions with
// usable ids, in one pass.
class ExemplarPicker {
 public:
  explicit ExemplarPicker(std::size_t buckets = 0) : best_(buckets, kNone) {}
  // A session of `value` in `bucket` (SessionHistogram::Add's answer), its id in the arena.
  void Offer(std::size_t bucket, double value, double timestamp, IdArena::Ref id);
  // Sets h.exemplars and h.exemplar_ids from the picks (h's buckets are the picker's).
  void Finish(SessionHistogram& h, const IdArena& ids) const;

 private:
  struct Candidate {
    double value = 0;
    double timestamp = 0;
    IdArena::Ref id;
    std::uint16_t bucket = 0;
  };
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  const Candidate* Winner(std::size_t bucket, const IdArena& ids) const;

  std::vector<Candidate> candidates_;  // every offer with an id, bounded by the parse
  std::vector<std::uint32_t> best_;    // per bucket: the slowest in candidates_, or kNone
};

}  // namespace anchor
