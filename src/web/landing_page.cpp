#include "web/landing_page.h"

#include "version.h"

namespace anchor {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderLandingPage(const LandingPageInfo& info) {
  const std::string path = HtmlEscape(info.telemetry_path);
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Anchor Browser Exporter</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}</style></head>
<body><h1>Anchor Browser Exporter</h1>
<p>Prometheus exporter for Anchor Browser batch sessions. Version )";
  html += HtmlEscape(std::string(kVersion)) + " (revision " + HtmlEscape(kRevision) + ").</p>\n";
  html += "<ul><li><a href=\"" + path + "\">Metrics</a> (" + path + ")</li></ul>\n";
  html += "<p>Tracking " + std::to_string(info.batch_count) + " configured batches.</p>\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace anchor
