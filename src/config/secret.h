#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace anchor {

// Holds a credential. It has no stream operator and no implicit conversion, so it cannot end up
// in a log line, a metric or an error message by accident; Reveal() marks the one place that
// sends it (the API client's request header).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

// `text` with every occurrence of the secret replaced by "<redacted>", for text that comes from
// elsewhere (an API error body that echoes the key) before it is logged or shown.
inline std::string Redacted(std::string text, const Secret& secret) {
  const std::string& value = secret.Reveal();
  if (value.empty()) return text;
  static constexpr std::string_view kMark = "<redacted>";
  for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
    text.replace(at, value.size(), kMark);
    at += kMark.size();
  }
  return text;
}

}  // namespace anchor
