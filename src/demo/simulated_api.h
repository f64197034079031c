#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "demo/batch_simulation.h"

namespace anchor {

// The key the demo's simulated API accepts (and the tests' fake, unless told otherwise).
inline constexpr const char* kDemoApiKey = "demo-api-key";

// A batch as the list endpoint reports it.
struct ListedBatch {
  std::string id;
  std::string status;
  double created_at = 0;  // Unix seconds
};

// The query of GET /v1/batch-sessions, as the API documents it.
struct ListQuery {
  std::string status;        // empty: any
  double created_after = 0;  // Unix seconds
  int page = 1;
  int limit = 20;
};

// The query from the request's parameters (httplib::Params is such a multimap); values out of
// the documented ranges are clamped as the API does.
ListQuery ListQueryFromParams(const std::multimap<std::string, std::string>& params);

// The body of a list answer: `batches` filtered by status and created_after, one page of it.
std::string RenderBatchList(const std::vector<ListedBatch>& batches, const ListQuery& query);

// The answer body of the API's error responses.
std::string ApiErrorBody(int code, const std::string& message);

// The current time as Unix seconds: the simulation's only view of the clock.
using UnixClock = std::function<double()>;
double SystemUnixNow();

// The demo's batches as the Anchor API would report them, moving through their lifecycle in
// real time (`now`, the system clock unless a test gives a clock of its own). No HTTP here:
// DemoApiServer serves it, and the tests' fake API embeds it.
class SimulatedApi {
 public:
  explicit SimulatedApi(UnixClock now = SystemUnixNow) : now_(std::move(now)) {}

  // A batch created `spec.started_ago` before now; with `loop`, it starts over `spec.pause`
  // after finishing, so a demo keeps changing.
  void Add(SimulatedBatchSpec spec, bool loop);
  void Remove(const std::string& id);
  // The body of GET /v1/batch-sessions/{id}, or nothing for a batch it does not simulate or
  // has not created yet (spec.started_ago < 0).
  std::optional<std::string> BatchBody(const std::string& id);
  // Every simulated batch created so far, with its status of the moment.
  std::vector<ListedBatch> Listed() const;

 private:
  struct Simulated {
    SimulatedBatchSpec spec;
    double created_at;
    bool loop;
  };
  UnixClock now_;
  mutable std::mutex mu_;
  std::map<std::string, Simulated> batches_;
};

}  // namespace anchor
