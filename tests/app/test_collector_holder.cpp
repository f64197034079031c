// CollectorHolder, called directly: a swap installs the new collector at once, and whoever
// still holds the old one (an in-flight scrape) keeps it alive until done.
#include <catch2/catch.hpp>
#include <memory>

#include "app/collector_holder.h"
#include "collect/self_metrics.h"
#include "log/logger.h"

using anchor::BatchCollector;
using anchor::CollectorHolder;

namespace {

std::shared_ptr<BatchCollector> MakeCollector(anchor::SelfMetrics& metrics, const char* id) {
  anchor::Config config;
  config.anchor.base_url = "http://127.0.0.1:1";  // never contacted here
  config.batches.push_back({id, {}});
  return std::make_shared<BatchCollector>(config, metrics, anchor::NullLogger());
}

}  // namespace

TEST_CASE("CollectorHolder swaps collectors and hands back the previous one",
          "[unit][app][holder]") {
  anchor::SelfMetrics metrics;
  CollectorHolder holder;
  CHECK(holder.Get() == nullptr);

  auto first = MakeCollector(metrics, "first");
  CHECK(holder.Swap(first) == nullptr);
  CHECK(holder.Get() == first);

  // A scrape took the first collector; a reload swaps in the second meanwhile.
  const std::weak_ptr<BatchCollector> first_alive = first;
  auto in_flight = holder.Get();
  first.reset();
  auto previous = holder.Swap(MakeCollector(metrics, "second"));
  CHECK(previous == in_flight);
  CHECK(holder.Get()->config().batches.at(0).id == "second");
  previous.reset();
  CHECK_FALSE(first_alive.expired());  // the scrape still holds it
  in_flight.reset();
  CHECK(first_alive.expired());  // freed once the scrape is done
}
