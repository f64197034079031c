#pragma once

#include <memory>
#include <string>
#include <vector>

#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "support/fake_batch_source.h"
#include "support/manual_clock.h"
#include "web/exporter_backend.h"

namespace anchor::test {

// An ExporterBackend for route and server tests: a real BatchCollector over a FakeBatchSource
// (batch "b1" configured and processing; nothing else may be probed) and the readiness and
// reload outcome the test sets. No sockets, no API.
class FakeBackend final : public ExporterBackend {
 public:
  FakeBackend();

  std::shared_ptr<BatchCollector> Collector() const override;
  Readiness CurrentReadiness() const override { return readiness; }
  Status ReloadConfig() override;
  LandingPageReload LastReload() const override { return {}; }

  ManualClock clock;
  FakeBatchSource source;
  Readiness readiness{true, ""};
  Status reload_status = Status::Ok();
  int reloads = 0;
  std::string collector_throws;  // Collector() throws this when not empty

 private:
  SelfMetrics metrics_;
  std::shared_ptr<BatchCollector> collector_;
};

}  // namespace anchor::test
