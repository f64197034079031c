#include "anchor/session_exemplars.h"

#include <cmath>
#include <limits>

namespace anchor {

bool IsExemplarId(std::string_view id) {
  if (id.empty() || id.size() > kMaxExemplarIdBytes) return false;
  for (const char c : id) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void ExemplarPicker::Offer(std::size_t bucket, double value, double timestamp, IdArena::Ref id) {
  if (id.size == 0 || bucket >= best_.size() || candidates_.size() >= kNone) return;
  const auto i = static_cast<std::uint32_t>(candidates_.size());
  candidates_.push_back({value, timestamp, id, static_cast<std::uint16_t>(bucket)});
  std::uint32_t& best = best_[bucket];
  if (best == kNone || value > candidates_[best].value) best = i;
}

const ExemplarPicker::Candidate* ExemplarPicker::Winner(std::size_t bucket,
                                                        const IdArena& ids) const {
  if (best_[bucket] == kNone) return nullptr;
  const Candidate& best = candidates_[best_[bucket]];
  if (IsExemplarId(ids.Get(best.id))) return &best;
  const Candidate* winner = nullptr;  // rare: one pass over the offers, linear
  for (const Candidate& c : candidates_) {
    if (c.bucket != bucket || (winner != nullptr && c.value <= winner->value)) continue;
    if (IsExemplarId(ids.Get(c.id))) winner = &c;
  }
  return winner;
}

namespace {

// Session times come in milliseconds, but their difference at Unix-time magnitude carries
// float noise (3.967000007629395 for 3.967). The exemplar shows the millisecond value when that
// stays within its bucket (the spec requires it), so it reads as the API's times do and gzips
// better; otherwise the value as binned.
double ExemplarValue(double value, const SessionHistogram& h, std::size_t bucket) {
  const double rounded = std::round(value * 1000) / 1000;
  const bool above_lower = bucket == 0 || rounded > h.bounds[bucket - 1];
  const bool within_upper = bucket >= h.bounds.size() || rounded <= h.bounds[bucket];
  return rounded >= 0 && above_lower && within_upper ? rounded : value;
}

}  // namespace

void ExemplarPicker::Finish(SessionHistogram& h, const IdArena& ids) const {
  h.exemplars.clear();
  h.exemplar_ids.clear();
  std::vector<const Candidate*> winners;
  std::size_t bytes = 0;
  for (std::size_t b = 0; b < best_.size() && b < h.counts.size(); ++b) {
    const Candidate* w = Winner(b, ids);
    if (w == nullptr) continue;
    winners.push_back(w);
    bytes += w->id.size;
  }
  h.exemplars.reserve(winners.size());
  h.exemplar_ids.reserve(bytes);
  for (const Candidate* w : winners) {
    SessionExemplar e;
    e.value = ExemplarValue(w->value, h, w->bucket);
    e.timestamp = w->timestamp;
    e.id_begin = static_cast<std::uint32_t>(h.exemplar_ids.size());
    e.id_size = w->id.size;
    e.bucket = w->bucket;
    h.exemplar_ids += ids.Get(w->id);
    h.exemplars.push_back(e);
  }
}

IdArena::Ref IdArena::Add(std::string_view id) {
  // Ids are at most kMaxExemplarIdBytes; a body past 4 GiB of ids is not read (the client caps
  // answers far below), so the offset fits.
  if (id.empty() || id.size() > kMaxExemplarIdBytes ||
      ids_.size() + id.size() > std::numeric_limits<std::uint32_t>::max()) {
    return {};
  }
  const Ref ref{static_cast<std::uint32_t>(ids_.size()), static_cast<std::uint8_t>(id.size())};
  ids_.append(id.data(), id.size());
  return ref;
}

}  // namespace anchor
