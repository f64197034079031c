#pragma once

#include <string>

namespace anchor {

struct LandingPageInfo {
  std::string telemetry_path;
  std::size_t batch_count = 0;
};

// The HTML page served at "/": version, links, what is tracked. Plain HTML, no JavaScript.
std::string RenderLandingPage(const LandingPageInfo& info);

// Escapes text for HTML element content and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace anchor
