#include "web/landing_page.h"

#include <cstdio>
#include <ctime>

#include "version.h"

namespace anchor {
namespace {

std::string UtcTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string Count(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

std::string Labels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    out += (out.empty() ? "" : ", ") + HtmlEscape(name) + "=&quot;" + HtmlEscape(value) + "&quot;";
  }
  return out;
}

std::string Row(const LandingPageBatch& b) {
  const std::string id = HtmlEscape(b.id);
  std::string state = "<td>not fetched yet</td>";
  if (b.fetched) {
    state = b.up ? "<td class=\"up\">up</td>"
                 : "<td class=\"down\">down (" + HtmlEscape(b.down_reason) + ")</td>";
  }
  char progress[16] = "-";
  if (b.progress_ratio)
    std::snprintf(progress, sizeof(progress), "%.1f%%", *b.progress_ratio * 100);
  std::string row = "<tr><td><a href=\"probe?target=" + id + "\">" + id + "</a></td>";
  row += "<td>" + std::string(b.discovered ? "discovered" : "configured") + "</td>";
  row += "<td>" + Labels(b.labels) + "</td>" + state;
  row += "<td>" + HtmlEscape(b.status.value_or("-")) + "</td>";
  row += "<td>" + std::string(progress) + "</td>";
  row += "<td>" + Count(b.completed_requests) + " / " + Count(b.failed_requests) + " / " +
         Count(b.total_requests) + "</td>";
  row += "<td>" + (b.fetched ? UtcTime(b.last_fetch) : std::string("-")) + "</td></tr>\n";
  return row;
}

}  // namespace

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
  // Links are relative, so the page also works behind a reverse proxy under a path prefix.
  const std::string path = HtmlEscape(info.telemetry_path);
  const std::string metrics_link = "." + path;
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Anchor Browser Exporter</title>
<style>body{font-family:sans-serif;margin:2em;max-width:72em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.up{color:#060}.down{color:#a00;font-weight:bold}</style></head>
<body><h1>Anchor Browser Exporter</h1>
<p>Prometheus exporter for Anchor Browser batch sessions. Version )";
  html += HtmlEscape(std::string(kVersion)) + " (revision " + HtmlEscape(kRevision) + ").</p>\n";
  html += "<ul>\n<li><a href=\"" + metrics_link + "\">Metrics</a> (" + path + ")</li>\n";
  const std::string example = info.batches.empty() ? "BATCH_ID" : HtmlEscape(info.batches[0].id);
  html += "<li><a href=\"probe?target=" + example +
          "\">Probe one batch</a> (/probe?target=" + example +
          (info.probe_allow_unlisted ? ", any batch id" : ", tracked batches only") + ")</li>\n";
  html +=
      "<li><a href=\"sd\">Service discovery</a> (/sd: every tracked batch as a Prometheus "
      "http_sd_configs target)</li>\n";
  html +=
      "<li><a href=\"-/healthy\">Health</a> (/-/healthy) and <a href=\"-/ready\">readiness"
      "</a> (/-/ready); POST /-/reload reloads the configuration";
  html += info.reload_ok ? "" : " (<strong>the last reload failed</strong>: see the log)";
  html += "</li>\n</ul>\n";
  html += "<h2>Tracked batches (" + std::to_string(info.batches.size()) + ")</h2>\n";
  if (info.batches.empty()) {
    html += "<p>No batches are configured or discovered.</p>\n";
  } else {
    html +=
        "<table><tr><th>Batch</th><th>Source</th><th>Labels</th><th>Last fetch</th>"
        "<th>Status</th>"
        "<th>Progress</th><th>Completed / failed / total</th><th>Fetched at</th></tr>\n";
    for (const auto& b : info.batches) html += Row(b);
    html += "</table>\n";
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace anchor
