// ErrorClassifier (src/config/error_classes.h): the default classes on the texts they are meant
// for, first match in config order, "other", RE2's errors, the name rule, and linear time on
// long texts with a pattern that would make a backtracking engine explode.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/error_classes.h"

using anchor::ErrorClassifier;
using anchor::ErrorClassRule;

namespace {

std::string ClassOf(const ErrorClassifier& c, const std::string& text) {
  return c.names()[c.Classify(text)];
}

std::shared_ptr<const ErrorClassifier> Compiled(const std::vector<ErrorClassRule>& rules) {
  auto r = ErrorClassifier::Compile(rules);
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Best of three: the shared machine's noise only ever adds time.
double BestSeconds(const ErrorClassifier& c, const std::string& text) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto cls = c.Classify(text);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    CHECK(cls == c.other_index());
    best = std::min(best, took.count());
  }
  return best;
}

}  // namespace

TEST_CASE("the default error classes name Chromium and CDP messages", "[unit][config][errors]") {
  const auto c = anchor::DefaultErrorClassifier();
  REQUIRE(c != nullptr);
  CHECK(c->names() == std::vector<std::string>{"timeout", "navigation", "proxy", "blocked",
                                               "browser_crash", "cancelled", "other"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Navigation timeout of 30000 ms exceeded", "timeout"},
      {"TimeoutError: waiting for selector failed", "timeout"},
      {"Request timed out", "timeout"},
      {"context deadline exceeded", "timeout"},
      {"net::ERR_CONNECTION_REFUSED at https://example.com", "navigation"},
      {"ERR_NAME_NOT_RESOLVED", "navigation"},
      {"DNS lookup failed for shop.example.com", "navigation"},
      {"Proxy authentication failed", "proxy"},
      {"upstream answered 407", "proxy"},
      {"CONNECT tunnel failed, response 502", "proxy"},
      {"Access Denied by the site", "blocked"},
      {"captcha challenge detected", "blocked"},
      {"HTTP 403 from origin", "blocked"},
      {"Cloudflare bot detection page", "blocked"},
      {"Protocol error: Target closed", "browser_crash"},
      {"Browser has disconnected", "browser_crash"},
      {"renderer crashed", "browser_crash"},
      {"session closed unexpectedly", "browser_crash"},
      {"Cancelled by user", "cancelled"},
      {"the batch was canceled", "cancelled"},
      {"Execution context was destroyed", "other"},
      {"HTTP 4030 is not forbidden", "other"},  // \b: 403 only as a number of its own
      {"", "other"},
  };
  for (const auto& [text, want] : cases) {
    INFO(text);
    CHECK(ClassOf(*c, text) == want);
  }
}

TEST_CASE("the first class that matches wins, in config order", "[unit][config][errors]") {
  const std::string text = "proxy tunnel timed out";
  CHECK(ClassOf(*anchor::DefaultErrorClassifier(), text) == "timeout");  // timeout comes first
  const auto proxy_first =
      Compiled({{"proxy", "(?i)proxy"}, {"timeout", "(?i)timed out"}, {"late", "tunnel"}});
  CHECK(ClassOf(*proxy_first, text) == "proxy");
  CHECK(ClassOf(*proxy_first, "only the tunnel timed out") == "timeout");
  CHECK(ClassOf(*proxy_first, "a tunnel") == "late");
  CHECK(ClassOf(*proxy_first, "nothing") == "other");
  CHECK(proxy_first->other_index() == 3);
}

TEST_CASE("no classes leave every text other", "[unit][config][errors]") {
  const auto none = Compiled({});
  CHECK(none->names() == std::vector<std::string>{"other"});
  CHECK(ClassOf(*none, "timeout") == "other");
}

TEST_CASE("a pattern RE2 refuses is named with its message", "[unit][config][errors]") {
  CHECK(ErrorClassifier::PatternProblem("(?i)time(d)?[ -]?out").empty());
  CHECK(ErrorClassifier::PatternProblem("(timeout") == "missing ): (timeout");
  CHECK(ErrorClassifier::PatternProblem("a(?=b)") == "invalid perl operator: (?=");
  CHECK(ErrorClassifier::PatternProblem(R"((a)\1)") == R"(invalid escape sequence: \1)");
  // Bounded memory: a pattern whose program is too large for max_mem is refused.
  CHECK(ErrorClassifier::PatternProblem(R"(\pL{1000})") == "pattern too large - compile failed");
  const auto bad = ErrorClassifier::Compile({{"ok", "a"}, {"broken", "[z-a]"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "class broken: invalid character class range: z-a");
}

TEST_CASE("class names are label values of [a-z][a-z0-9_]{0,31}, other reserved",
          "[unit][config][errors]") {
  for (const auto& good :
       std::vector<std::string>{"timeout", "browser_crash", "e2", std::string(32, 'a')}) {
    INFO(good);
    CHECK(anchor::ErrorClassNameProblem(good).empty());
  }
  for (const auto& bad :
       std::vector<std::string>{"", "Timeout", "2fa", "_x", "a-b", "a b", std::string(33, 'a')}) {
    INFO(bad);
    CHECK_FALSE(anchor::ErrorClassNameProblem(bad).empty());
  }
  CHECK(anchor::ErrorClassNameProblem("other") ==
        "\"other\" is reserved for error texts that match no class");
}

TEST_CASE("a long error text is classified in linear time", "[unit][config][errors]") {
  // (x+x+)+y on x...x takes a backtracking engine exponential time; RE2 reads each byte once
  // (per DFA state). Twice the text takes about twice the time: the factor leaves room for a
  // shared machine, a quadratic engine would give 4x, an exponential one would not return.
  const auto c = Compiled({{"nested", "(x+x+)+y"}, {"alt", "(?i)(a|aa)+z"}});
  const std::string one_mb(1 << 20, 'x');
  const std::string two_mb(2 << 20, 'x');
  const double t1 = BestSeconds(*c, one_mb);
  const double t2 = BestSeconds(*c, two_mb);
  INFO("1 MB: " << t1 << " s, 2 MB: " << t2 << " s");
  CHECK(t2 < 3.5 * t1 + 0.005);
  // The defaults too, on a text none of them matches.
  const std::string text(1 << 20, 'q');
  CHECK(ClassOf(*anchor::DefaultErrorClassifier(), text + " target closed") == "browser_crash");
  CHECK(BestSeconds(*anchor::DefaultErrorClassifier(), text) < 2.0);
}

TEST_CASE("sessions.error_classes replaces the defaults", "[unit][config][errors]") {
  const auto env = [](const std::string&) -> std::optional<std::string> { return "sk-test"; };
  const auto loaded = anchor::LoadConfigString(R"(batches: [{id: b1}]
sessions:
  error_classes:
    - {class: quota, pattern: '(?i)rate limit|\b429\b'}
    - {class: timeout, pattern: '(?i)timeout'}
)",
                                               "test.yaml", ".", env);
  REQUIRE(loaded.ok());
  const auto& c = *loaded->config.sessions.error_classes;
  CHECK(c.names() == std::vector<std::string>{"quota", "timeout", "other"});
  CHECK(ClassOf(c, "HTTP 429 rate limit") == "quota");
  CHECK(ClassOf(c, "proxy error") == "other");  // no default class left
  const auto defaults = anchor::LoadConfigString("batches: [{id: b1}]\n", "test.yaml", ".", env);
  REQUIRE(defaults.ok());
  CHECK(defaults->config.sessions.error_classes == anchor::DefaultErrorClassifier());
}
