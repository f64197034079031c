// The demo's session error texts (src/demo/session_errors.h): each kind reads like what
// Chromium/CDP-driven sessions report, falls in the error class of its name under the default
// sessions.error_classes (and "other" when unmatched), and varies from session to session.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/error_classes.h"
#include "demo/session_errors.h"

using anchor::FailureClassName;
using anchor::SimulatedFailure;
using anchor::SimulateSessionError;

namespace {

const std::vector<SimulatedFailure> kKinds = {
    SimulatedFailure::kTimeout,   SimulatedFailure::kNavigation,   SimulatedFailure::kProxy,
    SimulatedFailure::kBlocked,   SimulatedFailure::kBrowserCrash, SimulatedFailure::kCancelled,
    SimulatedFailure::kUnmatched,
};

// The class the exporter's default sessions.error_classes give `text`.
std::string DefaultClass(const std::string& text) {
  const auto classifier = anchor::DefaultErrorClassifier();
  return classifier->names()[classifier->Classify(text)];
}

}  // namespace

TEST_CASE("every simulated failure falls in the default error class of its kind", "[unit][demo]") {
  for (const auto kind : kKinds) {
    std::set<std::string> texts;
    for (int i = 0; i < 300; ++i) {
      const auto e = SimulateSessionError("sim-kinds", i, kind);
      if (e.kind != kind) continue;  // the mixed fifth
      INFO(e.text);
      CHECK(DefaultClass(e.text) == FailureClassName(kind));
      CHECK(e.text.size() <= 200);
      texts.insert(e.text);
    }
    INFO(FailureClassName(kind));
    // Several templates, and numbers, hosts and ids that differ between sessions.
    CHECK(texts.size() >= 3);
  }
  CHECK(std::string(FailureClassName(SimulatedFailure::kUnmatched)) == "other");
}

TEST_CASE("a mixed batch fails for every reason, with texts that vary", "[unit][demo]") {
  std::map<std::string, int> by_class;
  std::set<std::string> texts;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    const auto e = SimulateSessionError("sim-mixed", i, SimulatedFailure::kMixed);
    CHECK(DefaultClass(e.text) == FailureClassName(e.kind));
    ++by_class[FailureClassName(e.kind)];
    texts.insert(e.text);
  }
  CHECK(by_class.size() == 7);  // the six default classes and other
  for (const auto& [name, count] : by_class) {
    INFO(name);
    CHECK(count >= n / 50);  // none negligible
  }
  CHECK(by_class["timeout"] > by_class["cancelled"]);  // timeouts most common
  // Normalising numbers, hosts and URLs has plenty to collapse.
  CHECK(texts.size() > 100);
  CHECK(texts.count("Navigation timeout of 30000 ms exceeded") == 1);
  CHECK(texts.count("Unexpected token < in JSON at position 0") == 1);
}

TEST_CASE("a dominant failure kind holds most of a batch's failures", "[unit][demo]") {
  int blocked = 0;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    const auto e = SimulateSessionError("sim-dominant", i, SimulatedFailure::kBlocked);
    blocked += e.kind == SimulatedFailure::kBlocked;
    CHECK(DefaultClass(e.text) == FailureClassName(e.kind));
  }
  // 4 in 5 of its own, plus its share of the mixed rest (12 %).
  CHECK(blocked > n * 3 / 4);
  CHECK(blocked < n * 9 / 10);
}

TEST_CASE("a session's simulated error is the same every time", "[unit][demo]") {
  for (int i = 0; i < 50; ++i) {
    const auto a = SimulateSessionError("sim-same-error", i, SimulatedFailure::kMixed);
    const auto b = SimulateSessionError("sim-same-error", i, SimulatedFailure::kMixed);
    CHECK(a.kind == b.kind);
    CHECK(a.text == b.text);
  }
  // Another batch draws other errors.
  int differ = 0;
  for (int i = 0; i < 20; ++i) {
    differ += SimulateSessionError("sim-a", i, SimulatedFailure::kMixed).text !=
              SimulateSessionError("sim-b", i, SimulatedFailure::kMixed).text;
  }
  CHECK(differ > 10);
}
