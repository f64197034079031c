#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace anchor {

// One entry of `sessions.error_classes`: a session whose error text matches `pattern` (RE2
// syntax, unanchored) is counted in class `name`.
struct ErrorClassRule {
  std::string name;
  std::string pattern;
};

// At most this many classes in the config; with "other", a batch has at most 17 series of
// anchorbrowser_batch_session_errors.
inline constexpr std::size_t kMaxErrorClasses = 16;

// The defaults: heuristics for Chromium/CDP-style messages (docs/configuration.md).
const std::vector<ErrorClassRule>& DefaultErrorClassRules();

// A class name is a label value of [a-z][a-z0-9_]{0,31}, and not "other": empty when `name`
// is one, else why not.
std::string ErrorClassNameProblem(const std::string& name);

// The error classes of a config, compiled once per config load and immutable after: shared by
// every parse (shared_ptr<const>), so a reload swaps the whole of it. Classification is linear
// in the text (RE2: no backtracking), whatever the patterns.
class ErrorClassifier {
 public:
  // Compiles the rules, which the config loader has checked (names valid and unique, at most
  // kMaxErrorClasses). Fails with RE2's message for the first pattern it refuses, as
  // "class <name>: <RE2's error>".
  static Result<std::shared_ptr<const ErrorClassifier>> Compile(
      const std::vector<ErrorClassRule>& rules);
  // RE2's error for one pattern compiled as Compile() does; empty when it compiles.
  static std::string PatternProblem(const std::string& pattern);

  // The index in names() of the first rule whose pattern matches somewhere in `text`, in
  // config order; other_index() when none does.
  std::size_t Classify(std::string_view text) const;
  // The class names in config order, then "other" (always last).
  const std::vector<std::string>& names() const { return names_; }
  std::size_t other_index() const { return names_.size() - 1; }

  ~ErrorClassifier();
  ErrorClassifier(const ErrorClassifier&) = delete;
  ErrorClassifier& operator=(const ErrorClassifier&) = delete;

 private:
  struct Compiled;
  ErrorClassifier(std::vector<std::string> names, std::unique_ptr<Compiled> compiled);

  std::vector<std::string> names_;
  std::unique_ptr<Compiled> compiled_;
};

// The defaults compiled, once per process.
std::shared_ptr<const ErrorClassifier> DefaultErrorClassifier();

}  // namespace anchor
