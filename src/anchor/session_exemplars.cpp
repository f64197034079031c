#include "anchor/session_exemplars.h"

#include <limits>

namespace anchor {

bool IsExemplarId(std::string_view id) {
  if (id.empty() || id.size() > kMaxExemplarIdBytes) return false;
  for (const char c : id) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void ExemplarPicker::Offer(std::size_t bucket, double value, double timestamp,
                           std::string_view id) {
  if (id.empty() || bucket >= picks_.size()) return;
  Pick& pick = picks_[bucket];
  if (!pick.id.empty() && value <= pick.value) return;
  pick.value = value;
  pick.timestamp = timestamp;
  pick.id.assign(id.data(), id.size());
}

void ExemplarPicker::Finish(SessionHistogram& h) const {
  h.exemplars.clear();
  h.exemplar_ids.clear();
  std::size_t n = 0;
  std::size_t bytes = 0;
  for (const Pick& pick : picks_) {
    n += pick.id.empty() ? 0 : 1;
    bytes += pick.id.size();
  }
  h.exemplars.reserve(n);
  h.exemplar_ids.reserve(bytes);
  for (std::size_t b = 0; b < picks_.size() && b < h.counts.size(); ++b) {
    const Pick& pick = picks_[b];
    if (pick.id.empty()) continue;
    SessionExemplar e;
    e.value = pick.value;
    e.timestamp = pick.timestamp;
    e.id_begin = static_cast<std::uint32_t>(h.exemplar_ids.size());
    e.id_size = static_cast<std::uint8_t>(pick.id.size());
    e.bucket = static_cast<std::uint16_t>(b);
    h.exemplar_ids += pick.id;
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
