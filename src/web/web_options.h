#pragma once

#include <chrono>
#include <string>

#include "config/duration.h"
#include "http/http_front_options.h"

namespace anchor {

// The flags of the exporter's own HTTP server (--web.*), apart from the --web.config.file.
struct WebOptions {
  std::string listen_address = ":9877";
  std::string telemetry_path = "/metrics";
  Duration timeout_offset = std::chrono::milliseconds(500);
  Duration max_scrape_timeout = std::chrono::seconds(30);
  // Connections open at once. 0: derived from the open-files limit (DefaultConnectionCap).
  int max_connections = 0;
  // Scrapes (telemetry path and /probe) answered at once; more get 503. 0: no limit.
  int max_requests = 40;
  // A request head (line and headers) must arrive within this, from its first byte. The
  // front's defaults, written once in HttpFrontOptions.
  Duration read_header_timeout = HttpFrontOptions().head_timeout;
  // A keep-alive connection waiting for its next request is closed after this.
  Duration idle_timeout = HttpFrontOptions().idle_timeout;
  // Reuse the text and gzip members of unchanged batches across scrapes (RenderCache); off
  // renders every scrape from scratch (the benchmark's baseline).
  bool render_cache = true;
};

}  // namespace anchor
