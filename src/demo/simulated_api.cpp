#include "demo/simulated_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "anchor/timestamp.h"

namespace anchor {

double SystemUnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string ApiErrorBody(int code, const std::string& message) {
  return R"({"error": {"code": )" + std::to_string(code) + R"(, "message": ")" + message + R"("}})";
}

ListQuery ListQueryFromParams(const std::multimap<std::string, std::string>& params) {
  const auto get = [&params](const char* name) -> std::optional<std::string> {
    const auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
  ListQuery query;
  query.status = get("status").value_or("");
  if (const auto after = get("created_after"))
    query.created_after = ParseRfc3339(*after).value_or(0);
  query.page = std::max(1, std::atoi(get("page").value_or("1").c_str()));
  if (const auto limit = get("limit")) query.limit = std::clamp(std::atoi(limit->c_str()), 1, 100);
  return query;
}

std::string RenderBatchList(const std::vector<ListedBatch>& batches, const ListQuery& query) {
  std::vector<const ListedBatch*> matching;
  for (const auto& b : batches) {
    if ((query.status.empty() || b.status == query.status) && b.created_at >= query.created_after) {
      matching.push_back(&b);
    }
  }
  const auto page = static_cast<size_t>(query.page);
  const auto limit = static_cast<size_t>(query.limit);
  const size_t total = matching.size();
  const size_t pages = (total + limit - 1) / limit;
  std::string out = R"({"data": {"batches": [)";
  for (size_t i = (page - 1) * limit; i < total && i < page * limit; ++i) {
    if (out.back() != '[') out += ",";
    out += R"({"batch_id": ")" + matching[i]->id + R"(", "status": ")" + matching[i]->status +
           R"(", "total_requests": 1, "completed_requests": 0, "failed_requests": 0, )" +
           R"("created_at": ")" + FormatRfc3339(matching[i]->created_at) +
           R"(", "actual_completion_time": null})";
  }
  out += R"(], "pagination": {"current_page": )" + std::to_string(page) + R"(, "total_pages": )" +
         std::to_string(pages) + R"(, "total_records": )" + std::to_string(total) +
         R"(, "has_next": )" + (page < pages ? "true" : "false") + R"(, "has_prev": )" +
         (page > 1 ? "true" : "false") + "}}}";
  return out;
}

void SimulatedApi::Add(SimulatedBatchSpec spec, bool loop) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id = spec.id;
  const double created_at = now_() - static_cast<double>(spec.started_ago.count());
  batches_[id] = Simulated{std::move(spec), created_at, loop};
}

void SimulatedApi::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  batches_.erase(id);
}

std::optional<std::string> SimulatedApi::BatchBody(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = batches_.find(id);
  const double now = now_();
  if (it == batches_.end() || it->second.created_at > now) return std::nullopt;
  Simulated& s = it->second;
  double elapsed = now - s.created_at;
  const double cycle = static_cast<double>((s.spec.duration + s.spec.pause).count());
  if (s.loop && elapsed > cycle) {
    s.created_at += std::floor(elapsed / cycle) * cycle;
    elapsed = now - s.created_at;
  }
  return RenderSimulatedBatch(s.spec, s.created_at, elapsed);
}

std::vector<ListedBatch> SimulatedApi::Listed() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ListedBatch> out;
  out.reserve(batches_.size());
  const double now = now_();
  for (const auto& [id, sim] : batches_) {
    if (sim.created_at > now) continue;  // not created yet
    out.push_back({id, SimulatedStatus(sim.spec, now - sim.created_at), sim.created_at});
  }
  return out;
}

}  // namespace anchor
