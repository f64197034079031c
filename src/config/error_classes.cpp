#include "config/error_classes.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

namespace anchor {
namespace {

// Memory one pattern's compiled program and DFA cache may take; RE2 refuses a pattern whose
// program does not fit ("pattern too large - compile failed"), and a search whose DFA runs out
// falls back to the NFA, still linear. The set of all patterns gets a few times more.
constexpr std::int64_t kPatternMaxMem = std::int64_t{1} << 20;
constexpr std::int64_t kSetMaxMem = std::int64_t{4} << 20;

RE2::Options PatternOptions(std::int64_t max_mem) {
  RE2::Options options;
  options.set_log_errors(false);  // RE2 would log to stderr; the loader reports the error itself
  options.set_max_mem(max_mem);
  return options;
}

}  // namespace

// The patterns one by one, in config order, and all of them as one RE2::Set: one pass over the
// text finds every class that matches, the lowest index wins. When the set cannot be built or
// its DFA runs out of memory on a text, the patterns are tried one by one.
struct ErrorClassifier::Compiled {
  std::vector<std::unique_ptr<RE2>> patterns;
  std::unique_ptr<RE2::Set> set;
};

const std::vector<ErrorClassRule>& DefaultErrorClassRules() {
  static const std::vector<ErrorClassRule> kRules = {
      {"timeout", R"((?i)time(d)?[ -]?out|deadline exceeded)"},
      {"navigation", R"((?i)net::ERR_|navigation|ERR_NAME_NOT_RESOLVED|dns)"},
      {"proxy", R"((?i)proxy|\b407\b|tunnel)"},
      {"blocked", R"((?i)captcha|access denied|\b403\b|blocked|bot detect|cloudflare)"},
      {"browser_crash",
       R"((?i)crash|target closed|browser (has )?(closed|disconnected)|session closed)"},
      {"cancelled", R"((?i)cancel)"},
  };
  return kRules;
}

std::string ErrorClassNameProblem(const std::string& name) {
  constexpr std::size_t kMaxNameBytes = 32;
  const auto valid = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (!first && ((c >= '0' && c <= '9') || c == '_'));
  };
  bool ok = !name.empty() && name.size() <= kMaxNameBytes;
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = valid(name[i], i == 0);
  if (!ok) {
    return "invalid class name \"" + name +
           "\" (a class is a label value: 1 to 32 characters matching [a-z][a-z0-9_]*)";
  }
  if (name == "other") return "\"other\" is reserved for error texts that match no class";
  return {};
}

std::string ErrorClassifier::PatternProblem(const std::string& pattern) {
  const RE2 re(pattern, PatternOptions(kPatternMaxMem));
  return re.ok() ? std::string() : re.error();
}

Result<std::shared_ptr<const ErrorClassifier>> ErrorClassifier::Compile(
    const std::vector<ErrorClassRule>& rules) {
  auto compiled = std::make_unique<Compiled>();
  std::vector<std::string> names;
  auto set = std::make_unique<RE2::Set>(PatternOptions(kSetMaxMem), RE2::UNANCHORED);
  bool set_ok = true;
  for (const auto& rule : rules) {
    auto re = std::make_unique<RE2>(rule.pattern, PatternOptions(kPatternMaxMem));
    if (!re->ok()) return Error{"class " + rule.name + ": " + re->error()};
    compiled->patterns.push_back(std::move(re));
    names.push_back(rule.name);
    set_ok = set_ok && set->Add(rule.pattern, nullptr) >= 0;
  }
  if (set_ok && !rules.empty() && set->Compile()) compiled->set = std::move(set);
  names.emplace_back("other");
  return std::shared_ptr<const ErrorClassifier>(
      new ErrorClassifier(std::move(names), std::move(compiled)));
}

ErrorClassifier::ErrorClassifier(std::vector<std::string> names, std::unique_ptr<Compiled> compiled)
    : names_(std::move(names)), compiled_(std::move(compiled)) {}

ErrorClassifier::~ErrorClassifier() = default;

std::size_t ErrorClassifier::Classify(std::string_view text) const {
  const re2::StringPiece piece(text.data(), text.size());
  if (compiled_->set) {
    std::vector<int> matched;
    RE2::Set::ErrorInfo info{RE2::Set::kNoError};
    if (compiled_->set->Match(piece, &matched, &info)) {
      return static_cast<std::size_t>(*std::min_element(matched.begin(), matched.end()));
    }
    if (info.kind == RE2::Set::kNoError) return other_index();
  }
  for (std::size_t i = 0; i < compiled_->patterns.size(); ++i) {
    if (RE2::PartialMatch(piece, *compiled_->patterns[i])) return i;
  }
  return other_index();
}

std::shared_ptr<const ErrorClassifier> DefaultErrorClassifier() {
  static const std::shared_ptr<const ErrorClassifier> kDefault = [] {
    auto compiled = ErrorClassifier::Compile(DefaultErrorClassRules());
    return compiled.ok() ? std::move(compiled).value() : nullptr;
  }();
  return kDefault;
}

}  // namespace anchor
