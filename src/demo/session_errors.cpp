#include "demo/session_errors.h"

#include <array>
#include <cstdint>
#include <utility>

#include "demo/simulation_random.h"

namespace anchor {
namespace {

// Salts of SimulationUniform, distinct from batch_simulation.cpp's (1 to 8).
enum Salt : int {
  kDominantDraw = 20,
  kKindDraw = 21,
  kTemplateDraw = 22,
  kNumberA = 23,
  kNumberB = 24,
  kHexDraw = 25,
};

// Where each kind falls in a mixed draw: cumulative shares (timeouts most common).
constexpr std::array<std::pair<double, SimulatedFailure>, 7> kMix = {{
    {0.30, SimulatedFailure::kTimeout},
    {0.50, SimulatedFailure::kNavigation},
    {0.62, SimulatedFailure::kProxy},
    {0.74, SimulatedFailure::kBlocked},
    {0.84, SimulatedFailure::kBrowserCrash},
    {0.90, SimulatedFailure::kCancelled},
    {1.00, SimulatedFailure::kUnmatched},
}};

struct Draw {
  const std::string& id;
  int session;
  // An integer in [lo, lo + span) from one salt.
  int Int(int salt, int lo, int span) const {
    return lo + static_cast<int>(SimulationUniform(id, session, salt) * span);
  }
  // One of `n` templates.
  int Pick(int n) const { return Int(kTemplateDraw, 0, n); }
  // 16 hex digits, as request ids and Cloudflare ray ids are written.
  std::string Hex() const {
    auto v = static_cast<std::uint64_t>(SimulationUniform(id, session, kHexDraw) * 9.0e15);
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[i] = "0123456789abcdef"[v & 0xf];
    return out;
  }
  std::string Host(const char* prefix) const {
    return std::string(prefix) + "-" + std::to_string(Int(kNumberA, 1, 40)) + ".example.com";
  }
};

std::string TimeoutText(const Draw& d) {
  const std::string ms = std::to_string(15000 * d.Int(kNumberB, 1, 4));
  switch (d.Pick(3)) {
    case 0:
      return "Navigation timeout of " + ms + " ms exceeded";
    case 1:
      return "TimeoutError: waiting for selector `#result-" +
             std::to_string(d.Int(kNumberA, 1, 900)) + "` failed: timeout " + ms + "ms exceeded";
    default:
      return "page.goto: Timeout " + ms + "ms exceeded while loading https://" + d.Host("shop") +
             "/item/" + std::to_string(d.Int(kNumberB, 1000, 9000));
  }
}

std::string NavigationText(const Draw& d) {
  switch (d.Pick(3)) {
    case 0:
      return "net::ERR_NAME_NOT_RESOLVED at https://" + d.Host("shop") + "/products/" +
             std::to_string(d.Int(kNumberB, 100, 900));
    case 1:
      return "net::ERR_CONNECTION_RESET at https://" + d.Host("api") +
             "/v2/orders?page=" + std::to_string(d.Int(kNumberB, 1, 60));
    default:
      return "net::ERR_CERT_DATE_INVALID at https://" + d.Host("legacy") + "/";
  }
}

std::string ProxyText(const Draw& d) {
  switch (d.Pick(3)) {
    case 0:
      return "Proxy CONNECT aborted: 407 Proxy Authentication Required";
    case 1:
      return "Proxy CONNECT aborted: 502 Bad Gateway from 10.0." +
             std::to_string(d.Int(kNumberA, 1, 250)) + "." +
             std::to_string(d.Int(kNumberB, 1, 250)) + ":3128";
    default:
      return "tunnel connection failed after " + std::to_string(d.Int(kNumberB, 200, 4000)) +
             " ms: gw-" + std::to_string(d.Int(kNumberA, 1, 9)) + ".example.net refused";
  }
}

std::string BlockedText(const Draw& d) {
  switch (d.Pick(3)) {
    case 0:
      return "Access denied: captcha challenge (Cloudflare) at "
             "https://portal.example.com/login?attempt=" +
             std::to_string(d.Int(kNumberB, 1, 9));
    case 1:
      return "HTTP 403 Forbidden from https://" + d.Host("shop") + "/checkout, Ray ID " + d.Hex();
    default:
      return "Bot detected: the page served a challenge instead of https://" + d.Host("tickets") +
             "/events/" + std::to_string(d.Int(kNumberB, 10000, 90000));
  }
}

std::string BrowserCrashText(const Draw& d) {
  switch (d.Pick(3)) {
    case 0:
      return "Target closed: browser has disconnected";
    case 1:
      return "Page crashed! renderer process " + std::to_string(d.Int(kNumberB, 2000, 60000)) +
             " exited with code 133";
    default:
      return "Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has "
             "been closed.";
  }
}

std::string CancelledText(const Draw& d) {
  if (d.Pick(2) == 0) return "Session cancelled by user";
  return "Cancelled: batch stopped through the API, request req_" + d.Hex();
}

std::string UnmatchedText(const Draw& d) {
  switch (d.Pick(3)) {
    case 0:
      return "Unexpected token < in JSON at position 0";
    case 1:
      return "TypeError: Cannot read properties of undefined (reading 'price') at step " +
             std::to_string(d.Int(kNumberB, 2, 9));
    default:
      return "Error: expected at least 1 row in table #orders, found 0 on page " +
             std::to_string(d.Int(kNumberB, 1, 30));
  }
}

std::string TextOf(SimulatedFailure kind, const Draw& d) {
  switch (kind) {
    case SimulatedFailure::kTimeout:
      return TimeoutText(d);
    case SimulatedFailure::kNavigation:
      return NavigationText(d);
    case SimulatedFailure::kProxy:
      return ProxyText(d);
    case SimulatedFailure::kBlocked:
      return BlockedText(d);
    case SimulatedFailure::kBrowserCrash:
      return BrowserCrashText(d);
    case SimulatedFailure::kCancelled:
      return CancelledText(d);
    default:
      return UnmatchedText(d);
  }
}

}  // namespace

const char* FailureClassName(SimulatedFailure kind) {
  switch (kind) {
    case SimulatedFailure::kTimeout:
      return "timeout";
    case SimulatedFailure::kNavigation:
      return "navigation";
    case SimulatedFailure::kProxy:
      return "proxy";
    case SimulatedFailure::kBlocked:
      return "blocked";
    case SimulatedFailure::kBrowserCrash:
      return "browser_crash";
    case SimulatedFailure::kCancelled:
      return "cancelled";
    default:
      return "other";
  }
}

SimulatedError SimulateSessionError(const std::string& batch_id, int session,
                                    SimulatedFailure dominant) {
  const Draw d{batch_id, session};
  SimulatedFailure kind = dominant;
  if (dominant == SimulatedFailure::kMixed ||
      SimulationUniform(batch_id, session, kDominantDraw) >= 0.8) {
    const double u = SimulationUniform(batch_id, session, kKindDraw);
    kind = SimulatedFailure::kUnmatched;
    for (const auto& [upto, k] : kMix) {
      if (u < upto) {
        kind = k;
        break;
      }
    }
  }
  return {kind, TextOf(kind, d)};
}

}  // namespace anchor
