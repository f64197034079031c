#include "anchor/session_detail_builder.h"

#include <algorithm>

namespace anchor {
namespace {

constexpr std::size_t kRows = SessionDetail::kRows;

bool UsableId(std::string_view id) {
  return !id.empty() && id.size() <= SessionDetailBuilder::kMaxIdBytes;
}

// "a ranks before b": what the tables list first, and what the heaps keep.
bool RunsLonger(double a_start, std::string_view a_id, double b_start, std::string_view b_id) {
  return a_start < b_start || (a_start == b_start && a_id < b_id);
}
bool RetriedMore(std::int64_t a_retries, std::string_view a_id, std::int64_t b_retries,
                 std::string_view b_id) {
  return a_retries > b_retries || (a_retries == b_retries && a_id < b_id);
}

// Keeps the best kRows of `heap` under `before` (the heap's top is its last-ranked row): a row
// that ranks after the top of a full heap is dropped without touching memory; else it replaces
// the top, reusing its string.
template <typename Row, typename Before, typename Fill>
void Offer(std::vector<Row>& heap, Before before, bool ranks_before_top, Fill fill) {
  if (heap.size() < kRows) {
    if (heap.capacity() == 0) heap.reserve(kRows);
    heap.emplace_back();
    fill(heap.back());
    std::push_heap(heap.begin(), heap.end(), before);
    return;
  }
  if (!ranks_before_top) return;
  std::pop_heap(heap.begin(), heap.end(), before);
  fill(heap.back());
  std::push_heap(heap.begin(), heap.end(), before);
}

// Best row first, and no spare capacity kept with the parsed answer.
template <typename Row, typename Before>
std::vector<Row> Sorted(std::vector<Row>& heap, Before before) {
  std::sort_heap(heap.begin(), heap.end(), before);
  std::vector<Row> out;
  out.reserve(heap.size());
  for (auto& row : heap) {
    row.session_id.shrink_to_fit();
    out.push_back(std::move(row));
  }
  heap.clear();
  return out;
}

}  // namespace

void SessionDetailBuilder::AddRunning(std::string_view session_id, double started_at) {
  if (!UsableId(session_id)) return;
  const auto before = [](const SessionDetail::Running& a, const SessionDetail::Running& b) {
    return RunsLonger(a.started_at, a.session_id, b.started_at, b.session_id);
  };
  const bool wins =
      !running_.empty() &&
      RunsLonger(started_at, session_id, running_.front().started_at, running_.front().session_id);
  Offer(running_, before, wins, [&](SessionDetail::Running& row) {
    row.session_id.assign(session_id.data(), session_id.size());
    row.started_at = started_at;
  });
}

void SessionDetailBuilder::AddRetried(std::string_view session_id, std::int64_t retries) {
  if (retries <= 0 || !UsableId(session_id)) return;
  const auto before = [](const SessionDetail::Retried& a, const SessionDetail::Retried& b) {
    return RetriedMore(a.retries, a.session_id, b.retries, b.session_id);
  };
  const bool wins = !retried_.empty() && RetriedMore(retries, session_id, retried_.front().retries,
                                                     retried_.front().session_id);
  Offer(retried_, before, wins, [&](SessionDetail::Retried& row) {
    row.session_id.assign(session_id.data(), session_id.size());
    row.retries = retries;
  });
}

void SessionDetailBuilder::Finish(SessionDetail& detail) {
  detail.longest_running =
      Sorted(running_, [](const SessionDetail::Running& a, const SessionDetail::Running& b) {
        return RunsLonger(a.started_at, a.session_id, b.started_at, b.session_id);
      });
  detail.most_retried =
      Sorted(retried_, [](const SessionDetail::Retried& a, const SessionDetail::Retried& b) {
        return RetriedMore(a.retries, a.session_id, b.retries, b.session_id);
      });
}

void RedactDetail(SessionDetail& detail, const Secret& key) {
  for (auto& r : detail.longest_running) r.session_id = Redacted(std::move(r.session_id), key);
  for (auto& r : detail.most_retried) r.session_id = Redacted(std::move(r.session_id), key);
}

}  // namespace anchor
