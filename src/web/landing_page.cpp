#include "web/landing_page.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "version.h"

namespace anchor {
namespace {

// The documentation sections the page links to; a test checks each heading exists.
struct DocSection {
  const char* file;
  const char* heading;
  const char* why;
};
const DocSection kDocSections[] = {
    {"README.md", "Configuration", "every config key"},
    {"README.md", "Metrics", "the metric table"},
    {"README.md", "How it behaves on a bad day", "what each fetch error reason means"},
    {"docs/operating.md", "Endpoints", "the HTTP endpoints"},
    {"docs/operating.md", "/probe: one batch per target", "the /probe scrape config"},
    {"docs/operating.md", "Reloading", "SIGHUP and POST /-/reload"},
    {"docs/operating.md", "Logs", "log levels and formats"},
};

std::string UtcTime(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// An age with the absolute time as a tooltip.
std::string Age(WallTime then, WallTime now) {
  return "<span class=\"age\" title=\"" + UtcTime(then) + "\">" + FormatAge(then, now) + "</span>";
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

std::string StateCell(const LandingPageBatch& b) {
  if (!b.fetched) return b.in_flight ? "fetching" : "not fetched yet";
  std::string state = b.up ? "<span class=\"up\">up</span>" : "<span class=\"down\">down</span>";
  if (b.in_flight) state += " (refreshing)";
  return state;
}

std::string ReasonCell(const LandingPageBatch& b, WallTime now) {
  if (!b.fetched || b.up) return "";
  std::string out = "<span class=\"reason\">" + HtmlEscape(b.down_reason) + "</span>";
  if (b.http_status != 0) out += " (HTTP " + std::to_string(b.http_status) + ")";
  if (!b.down_detail.empty()) {
    out += "<div class=\"detail\">" + HtmlEscape(b.down_detail) + "</div>";
  }
  if (b.retry_after && *b.retry_after > now) {
    out += "<div class=\"detail\">not requested again before " + UtcTime(*b.retry_after) +
           " (Retry-After, " + FormatAge(*b.retry_after, now) + ")</div>";
  }
  return out;
}

std::string ProgressCell(const LandingPageBatch& b) {
  if (!b.progress_ratio) return "-";
  const double ratio = *b.progress_ratio < 0 ? 0 : (*b.progress_ratio > 1 ? 1 : *b.progress_ratio);
  char text[96];
  std::snprintf(text, sizeof(text), "<progress value=\"%.4f\" max=\"1\"></progress> %.1f%%", ratio,
                ratio * 100);
  return text;
}

std::string Row(const LandingPageBatch& b, WallTime now) {
  const std::string id = HtmlEscape(b.id);
  std::string row = "<tr class=\"batch\"><td class=\"id\"><a class=\"page\" href=\"batches/" + id +
                    "\">" + id + "</a> <a href=\"probe?target=" + id +
                    "\">probe</a> <a class=\"debug\" href=\"probe?target=" + id +
                    "&amp;debug=true\">debug</a></td>";
  row +=
      "<td class=\"source\">" + std::string(b.discovered ? "discovered" : "configured") + "</td>";
  row += "<td class=\"labels\">" + Labels(b.labels) + "</td>";
  row += "<td class=\"state\">" + StateCell(b) + "</td>";
  row += "<td class=\"why\">" + ReasonCell(b, now) + "</td>";
  row += "<td class=\"status\">" + HtmlEscape(b.status.value_or("-")) + "</td>";
  row += "<td class=\"progress\">" + ProgressCell(b) + "</td>";
  row += "<td class=\"counts\">" + Count(b.completed_requests) + " / " + Count(b.failed_requests) +
         " / " + Count(b.total_requests) + "</td>";
  row += "<td class=\"data-age\">" + (b.fetched ? Age(b.last_fetch, now) : std::string("-")) +
         "</td></tr>\n";
  return row;
}

std::string BatchTable(const LandingPageInfo& info) {
  std::size_t up = 0, down = 0;
  for (const auto& b : info.batches) {
    if (b.fetched) ++(b.up ? up : down);
  }
  std::string html = "<h2 id=\"batches\">Tracked batches (" + std::to_string(info.batches.size()) +
                     ": " + std::to_string(up) + " up, " + std::to_string(down) + " down)</h2>\n";
  if (info.batches.empty()) return html + "<p>No batches are configured or discovered.</p>\n";
  html +=
      "<table><tr><th>Batch</th><th>Source</th><th>Labels</th><th>State</th><th>Why down</th>"
      "<th>Status</th><th>Progress</th><th>Completed / failed / total</th><th>Data from</th>"
      "</tr>\n";
  for (const auto& b : info.batches) html += Row(b, info.now);
  return html + "</table>\n";
}

std::string DiscoverySection(const LandingPageDiscovery& d, std::size_t unconfigured,
                             WallTime now) {
  std::string html = "<h2 id=\"discovery\">Discovery</h2>\n";
  if (!d.enabled) return html + "<p>Discovery is off (discovery.enabled).</p>\n";
  std::string statuses;
  for (const auto& s : d.statuses) statuses += (statuses.empty() ? "" : ", ") + HtmlEscape(s);
  char interval[32];
  std::snprintf(interval, sizeof(interval), "%g s", d.refresh_interval_seconds);
  html += "<ul>\n<li>Statuses: " + statuses + "; refreshed at most every " + interval + "</li>\n";
  html += "<li>Last successful refresh: " +
          (d.last_success ? Age(*d.last_success, now) : std::string("none yet")) + "</li>\n";
  html += "<li>Batches found: <span class=\"discovered-count\">" + std::to_string(d.count) +
          "</span>, " + std::to_string(unconfigured) + " of them not configured";
  if (d.truncated) {
    html += " <strong class=\"down\">truncated at discovery.max_batches (" +
            std::to_string(d.max_batches) + ")</strong>";
  }
  html += "</li>\n";
  if (d.last_failure) {
    html += std::string("<li") + (d.last_failed ? " class=\"down\"" : "") +
            ">Last failed refresh: " + Age(*d.last_failure, now) +
            ": <span class=\"discovery-error\">" + HtmlEscape(d.last_error) + "</span>" +
            (d.last_failed ? " (the list shown is the one before)" : "") + "</li>\n";
  }
  return html + "</ul>\n";
}

std::string ReloadSection(const LandingPageReload& r, WallTime now) {
  std::string html = "<h2 id=\"config\">Configuration</h2>\n<p>";
  if (r.loaded_at) html += "Running configuration loaded " + Age(*r.loaded_at, now) + ". ";
  html += "POST /-/reload or SIGHUP reloads it.</p>\n";
  if (!r.ok) {
    html += "<p class=\"down\">The last reload failed" +
            (r.at ? " " + Age(*r.at, now) : std::string()) +
            "; the running configuration stays:</p>\n<pre class=\"reload-error\">" +
            HtmlEscape(r.error) + "</pre>\n";
  }
  return html;
}

// GitHub's anchor for a heading: lower case, spaces to '-', other punctuation dropped.
std::string Anchor(const std::string& heading) {
  std::string out;
  for (const char c : heading) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') out += static_cast<char>(std::tolower(u));
    if (c == ' ') out += '-';
  }
  return out;
}

std::string DocsSection(const std::string& base_url) {
  std::string html = "<h2 id=\"docs\">Documentation</h2>\n<ul>\n";
  for (const auto& s : kDocSections) {
    const std::string name = std::string(s.file) + ": " + s.heading;
    html += "<li>";
    if (base_url.empty()) {
      html += HtmlEscape(name);
    } else {
      html += "<a href=\"" + HtmlEscape(base_url + "/" + s.file + "#" + Anchor(s.heading)) + "\">" +
              HtmlEscape(name) + "</a>";
    }
    html += " (" + std::string(s.why) + ")</li>\n";
  }
  return html + "</ul>\n";
}

}  // namespace

std::string FormatAge(WallTime then, WallTime now) {
  const bool ahead = then > now;
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(ahead ? then - now : now - then).count();
  std::string amount;
  if (secs < 120) {
    amount = std::to_string(secs) + " s";
  } else if (secs < 2LL * 3600) {
    amount = std::to_string(secs / 60) + " min";
  } else if (secs < 2LL * 86400) {
    amount = std::to_string(secs / 3600) + " h";
  } else {
    amount = std::to_string(secs / 86400) + " d";
  }
  return ahead ? "in " + amount : amount + " ago";
}

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
  // The empty data: icon stops the browser from asking for /favicon.ico.
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Anchor Browser Exporter</title>
<link rel="icon" href="data:,">
<style>body{font-family:sans-serif;margin:2em;max-width:90em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;
vertical-align:top}.up{color:#060}.down{color:#a00;font-weight:bold}
.detail{color:#555;font-size:90%;max-width:30em;overflow-wrap:anywhere}
pre{white-space:pre-wrap}</style></head>
<body><h1>Anchor Browser Exporter</h1>
<p>Prometheus exporter for Anchor Browser batch sessions. Version )";
  html += HtmlEscape(std::string(kVersion)) + " (revision " + HtmlEscape(kRevision) +
          "). Page made " + UtcTime(info.now) + ".</p>\n";
  html += "<ul>\n<li><a href=\"." + path + "\">Metrics</a> (" + path + ")</li>\n";
  const std::string example = info.batches.empty() ? "BATCH_ID" : HtmlEscape(info.batches[0].id);
  html += "<li><a href=\"probe?target=" + example +
          "\">Probe one batch</a> (/probe?target=" + example +
          (info.probe_allow_unlisted ? ", any batch id" : ", tracked batches only") +
          "; add &amp;debug=true for the trace of the fetch)</li>\n";
  html +=
      "<li><a href=\"sd\">Service discovery</a> (/sd: every tracked batch as a Prometheus "
      "http_sd_configs target)</li>\n";
  html +=
      "<li><a href=\"-/healthy\">Health</a> (/-/healthy) and <a href=\"-/ready\">readiness"
      "</a> (/-/ready)</li>\n</ul>\n";
  html += BatchTable(info);
  const auto unconfigured = static_cast<std::size_t>(
      std::count_if(info.batches.begin(), info.batches.end(),
                    [](const LandingPageBatch& b) { return b.discovered; }));
  html += DiscoverySection(info.discovery, unconfigured, info.now);
  html += ReloadSection(info.reload, info.now);
  html += DocsSection(info.docs_base_url);
  html += "</body></html>\n";
  return html;
}

}  // namespace anchor
