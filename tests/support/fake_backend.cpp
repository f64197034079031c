#include "support/fake_backend.h"

#include <stdexcept>

#include "log/logger.h"

namespace anchor::test {

FakeBackend::FakeBackend() {
  Config config;
  config.batches = {{"b1", {}}};
  source.SetBatch("b1", "processing");
  collector_ = std::make_shared<BatchCollector>(config, source, metrics_, NullLogger(), clock);
}

std::shared_ptr<BatchCollector> FakeBackend::Collector() const {
  if (!collector_throws.empty()) throw std::runtime_error(collector_throws);
  return collector_;
}

Status FakeBackend::ReloadConfig() {
  ++reloads;
  return reload_status;
}

}  // namespace anchor::test
