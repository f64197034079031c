#pragma once

#include <memory>

#include "collect/batch_collector.h"

namespace anchor {

// The collector currently in use. A reload builds a new BatchCollector and swaps it in
// atomically; a scrape that already took the old one keeps it alive until it is done, so
// in-flight scrapes never see a half-applied config.
class CollectorHolder {
 public:
  std::shared_ptr<BatchCollector> Get() const { return std::atomic_load(&current_); }
  // Installs `next` and returns the previous collector (null at first).
  std::shared_ptr<BatchCollector> Swap(std::shared_ptr<BatchCollector> next) {
    return std::atomic_exchange(&current_, std::move(next));
  }

 private:
  std::shared_ptr<BatchCollector> current_;
};

}  // namespace anchor
