#include "web/batch_page.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "web/histogram_quantile.h"

namespace anchor {
namespace {

std::string Count(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g s", s);
  return buf;
}

// "12.3 s (bucket ≤ 30 s)", "> 3600 s" in the +Inf bucket, "-" without sessions.
std::string QuantileCell(double q, const BatchPageHistogram& h) {
  const QuantileEstimate e = EstimateQuantile(q, h.bounds, h.counts);
  switch (e.where) {
    case QuantileEstimate::Where::kNone:
      return "-";
    case QuantileEstimate::Where::kAboveLast:
      return "&gt; " + Seconds(e.upper);
    case QuantileEstimate::Where::kBucket:
      break;
  }
  return Seconds(e.value) + " <span class=\"bucket\">(bucket &le; " + Seconds(e.upper) + ")</span>";
}

std::string QuantileRow(const char* name, const BatchPageHistogram& h) {
  std::string row =
      std::string("<tr><td>") + name + "</td><td>" + std::to_string(h.count) + "</td>";
  for (const double q : {0.5, 0.9, 0.99}) row += "<td>" + QuantileCell(q, h) + "</td>";
  return row + "</tr>\n";
}

std::string SessionCell(const BatchPageInfo& info, const std::string& id) {
  const std::string link = SessionLink(info.link_template, id);
  if (link.empty()) return "<code>" + HtmlEscape(id) + "</code>";
  return "<a href=\"" + HtmlEscape(link) + "\" rel=\"noreferrer\"><code>" + HtmlEscape(id) +
         "</code></a>";
}

// A table with its head, or its head and one row saying why it is empty.
std::string Table(const char* id, const char* head, int columns, const std::string& rows,
                  const char* empty) {
  std::string html = std::string("<table id=\"") + id + "\"><tr>" + head + "</tr>\n";
  if (rows.empty()) {
    html += "<tr class=\"none\"><td colspan=\"" + std::to_string(columns) + "\">" + empty +
            "</td></tr>\n";
  }
  return html + rows + "</table>\n";
}

std::string ErrorTables(const BatchPageSessions& s) {
  std::string classes;
  for (const auto& [name, n] : s.errors_by_class) {
    classes += "<tr><td>" + HtmlEscape(name) + "</td><td>" + std::to_string(n) + "</td></tr>\n";
  }
  std::string html = "<h2>Why sessions fail</h2>\n<p>" + std::to_string(s.with_error) +
                     " sessions with an error.</p>\n";
  html += Table("error-classes", "<th>Class</th><th>Sessions</th>", 2, classes,
                "no session has an error");
  std::string top;
  for (const auto& [message, n] : s.top_errors) {
    top += "<tr><td class=\"message\">" + HtmlEscape(message) + "</td><td>" + std::to_string(n) +
           "</td></tr>\n";
  }
  html += "<h3>Most frequent error messages</h3>\n";
  return html + Table("top-errors",
                      "<th>Message (numbers, ids, URLs collapsed)</th><th>Sessions</th>", 2, top,
                      "no error messages");
}

std::string SessionTables(const BatchPageInfo& info, const BatchPageSessions& s) {
  std::string running;
  for (const auto& [id, started] : s.longest_running) {
    const auto then = std::chrono::system_clock::time_point(
        std::chrono::round<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(started)));
    running += "<tr><td>" + SessionCell(info, id) + "</td><td>" + Rfc3339Utc(started) +
               "</td><td>" + FormatAge(then, info.now) + "</td></tr>\n";
  }
  std::string html = "<h2>Longest-running sessions (still processing)</h2>\n";
  html += Table("longest-running", "<th>Session</th><th>Started at</th><th>Started</th>", 3,
                running, "no session is processing");
  std::string retried;
  for (const auto& [id, n] : s.most_retried) {
    retried +=
        "<tr><td>" + SessionCell(info, id) + "</td><td>" + std::to_string(n) + "</td></tr>\n";
  }
  html += "<h2>Most-retried sessions</h2>\n<p>" + std::to_string(s.retries) + " retries over " +
          std::to_string(s.retried_sessions) + " sessions.</p>\n";
  return html + Table("most-retried", "<th>Session</th><th>Retries</th>", 2, retried,
                      "no session was retried");
}

std::string SessionsSection(const BatchPageInfo& info, const BatchPageSessions& s) {
  std::string by_status;
  for (const auto& [status, n] : s.count_by_status) {
    by_status += (by_status.empty() ? "" : ", ") + HtmlEscape(status) + " " + std::to_string(n);
  }
  std::string html =
      "<h2>Sessions</h2>\n<p>By status: " + (by_status.empty() ? std::string("none") : by_status) +
      ".</p>\n";
  html +=
      "<table id=\"quantiles\"><tr><th></th><th>Sessions</th><th>p50</th><th>p90</th>"
      "<th>p99</th></tr>\n";
  html += QuantileRow("Run time", s.run_time) + QuantileRow("Queue wait", s.queue) + "</table>\n";
  html +=
      "<p class=\"note\">Estimated from the histogram buckets as histogram_quantile does.</p>\n";
  return html + ErrorTables(s) + SessionTables(info, s);
}

std::string StateLine(const BatchPageInfo& info) {
  if (!info.fetched) return "<p class=\"state\">not fetched yet</p>\n";
  if (info.up) {
    return "<p class=\"state\"><span class=\"up\">up</span>, data from " +
           FormatAge(info.last_fetch, info.now) + "</p>\n";
  }
  std::string html =
      "<p class=\"state\"><span class=\"down\">down</span>: <span class=\"reason\">" +
      HtmlEscape(info.down_reason) + "</span>";
  if (info.http_status != 0) html += " (HTTP " + std::to_string(info.http_status) + ")";
  html += ", last answer " + FormatAge(info.last_fetch, info.now) + "</p>\n";
  if (!info.down_detail.empty()) {
    html += "<pre class=\"detail\">" + HtmlEscape(info.down_detail) + "</pre>\n";
  }
  return html;
}

std::string Overview(const BatchPageInfo& info) {
  std::string html = "<table id=\"overview\">\n";
  const auto row = [&html](const char* name, const std::string& value) {
    html += std::string("<tr><th>") + name + "</th><td>" + value + "</td></tr>\n";
  };
  row("Status", HtmlEscape(info.status.value_or("-")));
  row("Phase", HtmlEscape(info.phase.value_or("-")));
  if (info.progress_ratio) {
    char text[96];
    std::snprintf(text, sizeof(text), "<progress value=\"%.4f\" max=\"1\"></progress> %.1f%%",
                  *info.progress_ratio, *info.progress_ratio * 100);
    row("Progress", text);
  } else {
    row("Progress", "-");
  }
  row("Requests", "total " + Count(info.total_requests) + ", completed " +
                      Count(info.completed_requests) + ", failed " + Count(info.failed_requests) +
                      ", processing " + Count(info.processing_requests) + ", pending " +
                      Count(info.pending_requests));
  if (info.error)
    row("Batch error", "<span class=\"message\">" + HtmlEscape(*info.error) + "</span>");
  return html + "</table>\n";
}

}  // namespace

std::string Rfc3339Utc(double unix_seconds) {
  const auto secs = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string SessionLink(const std::string& link_template, const std::string& session_id) {
  if (link_template.empty()) return "";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : session_id) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[u >> 4];
      encoded += kHex[u & 0xF];
    }
  }
  static constexpr std::string_view kPlaceholder = "{session_id}";
  std::string out = link_template;
  for (auto at = out.find(kPlaceholder); at != std::string::npos;
       at = out.find(kPlaceholder, at + encoded.size())) {
    out.replace(at, kPlaceholder.size(), encoded);
  }
  return out;
}

std::string RenderBatchPageHtml(const BatchPageInfo& info) {
  const std::string id = HtmlEscape(info.id);
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Batch )" +
                     id + R"( - Anchor Browser Exporter</title>
<link rel="icon" href="data:,">
<style>body{font-family:sans-serif;margin:2em;max-width:90em}
table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:left;vertical-align:top}.up{color:#060}.down{color:#a00;font-weight:bold}
.message{overflow-wrap:anywhere}.bucket,.note{color:#555;font-size:90%}
pre{white-space:pre-wrap}</style></head>
<body><p><a href="../">All batches</a></p>
<h1>Batch <code>)" + id +
                     "</code></h1>\n";
  html += StateLine(info);
  if (info.fetched && info.up) {
    html += Overview(info);
    html += info.sessions ? SessionsSection(info, *info.sessions)
                          : "<p>The API's answer had no sessions list.</p>\n";
  }
  html += "<p class=\"note\">Page made " +
          Rfc3339Utc(std::chrono::duration<double>(info.now.time_since_epoch()).count()) +
          ". The same as JSON: <a href=\"?format=json\">?format=json</a>.</p>\n";
  return html + "</body></html>\n";
}

}  // namespace anchor
