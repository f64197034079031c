#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "web/landing_page.h"

namespace anchor {

class BatchCollector;

// /-/ready: 200 when ready, else 503 with `reason` (one line).
struct Readiness {
  bool ready = false;
  std::string reason;
};

// What the routes serve from besides the request: the collector in use and the application's
// state. The application implements it once; the pages are built in web/ from collect's types.
class ExporterBackend {
 public:
  virtual ~ExporterBackend() = default;
  // The collector in use now. A reload swaps in a new one: a request keeps the one it took.
  virtual std::shared_ptr<BatchCollector> Collector() const = 0;
  virtual Readiness CurrentReadiness() const = 0;
  // POST /-/reload: success, or why the running config was kept.
  virtual Status ReloadConfig() = 0;
  // The outcome of the last load or reload (landing page, own metrics).
  virtual LandingPageReload LastReload() const = 0;
};

}  // namespace anchor
