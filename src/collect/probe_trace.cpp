#include "collect/probe_trace.h"

#include <cstdio>

namespace anchor {
namespace {

std::string Ms(const std::optional<double>& seconds) {
  if (!seconds) return "not measured";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f ms", *seconds * 1000);
  return buf;
}

// Header values from the API are its text: one line each, control characters blanked.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

void Line(std::string& out, const std::string& name, const std::string& value) {
  out += name + ": " + OneLine(value) + "\n";
}

void RenderRequest(std::string& out, const FetchTrace& t) {
  out += "\n# Request\n";
  Line(out, "request", t.method + " " + t.url);
  for (const auto& [name, value] : t.request_headers) Line(out, "  " + name, value);
  Line(out, "address", t.address.empty() ? "(none)" : t.address);
  Line(out, "connection", t.new_connection ? "new" : "reused a kept-alive connection");
  out += "\n# Answer\n";
  Line(out, "status", t.status == 0 ? "no HTTP answer read" : std::to_string(t.status));
  for (const auto& [name, value] : t.response_headers) Line(out, "  " + name, value);
  Line(out, "body_bytes", std::to_string(t.body_bytes));
  out += "\n# Timing\n";
  if (t.lookup == "getaddrinfo") {
    Line(out, "dns_lookup", Ms(t.dns_seconds) + " (getaddrinfo of the API's host name)");
  } else {
    Line(out, "dns_lookup",
         t.lookup == "numeric" ? "none (the base URL holds an address)"
                               : "none (the address of a lookup less than 30 s old)");
  }
  const bool tls = t.url.rfind("https://", 0) == 0;
  if (!t.new_connection) {
    Line(out, "connect", "none (kept-alive connection reused)");
  } else if (tls) {
    Line(out, "connect", Ms(t.connect_seconds) + " (socket opened to TCP connected)");
    Line(out, "tls_handshake", Ms(t.tls_seconds) + " (ClientHello to handshake done)");
  } else {
    Line(out, "connect", "not measured for plain HTTP (part of first_byte)");
  }
  Line(out, "first_byte",
       Ms(t.first_byte_seconds) +
           " (request start to response headers parsed; includes the "
           "connect and TLS handshake of a new connection)");
  Line(out, "total", Ms(t.total_seconds) + " (request start to body read and parsed)");
  for (const auto& note : t.notes) Line(out, "note", note);
}

}  // namespace

std::string RenderProbeTrace(const std::string& batch_id, const FetchExplanation& explanation,
                             const FetchResult& result) {
  std::string out = "# Probe of batch " + batch_id + "\n";
  Line(out, "source", explanation.source);
  Line(out, "cache", explanation.cache.empty() ? "not consulted" : explanation.cache);
  Line(out, "rate_limit", explanation.rate_limit);
  if (explanation.requested) RenderRequest(out, explanation.trace);
  out += "\n# Result\n";
  Line(out, "up", result.ok() ? "1" : "0");
  if (!result.ok()) {
    Line(out, "reason", FetchErrorReason(result.error));
    Line(out, "detail", result.detail);
  }
  if (result.http_status != 0) Line(out, "http_status", std::to_string(result.http_status));
  if (result.ok()) {
    std::string fields;
    for (const auto& f : result.batch->invalid_fields) fields += (fields.empty() ? "" : ", ") + f;
    Line(out, "invalid_fields", fields.empty() ? "none" : fields);
  } else if (result.error == FetchError::kInvalidResponse) {
    Line(out, "parse_error", result.detail);
  }
  return out;
}

}  // namespace anchor
