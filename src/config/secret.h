#pragma once

#include <string>
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

}  // namespace anchor
