#pragma once

#include <optional>
#include <string>
#include <utility>

namespace anchor {

// What the front says of a request before its handler sees it: accepted, or refused with the
// status to answer (400, 413, 417, 431) before closing the connection and the reason. A type of
// its own, not a Status, because a refusal carries its status code; acceptance is its own state.
class [[nodiscard]] HeadVerdict {
 public:
  static HeadVerdict Accepted() { return HeadVerdict(); }
  static HeadVerdict Refused(int status, std::string reason) {
    return HeadVerdict(Refusal{status, std::move(reason)});
  }

  bool ok() const { return !refusal_.has_value(); }
  // Only when !ok().
  int status() const { return refusal_->status; }
  const std::string& reason() const { return refusal_->reason; }

 private:
  struct Refusal {
    int status;
    std::string reason;
  };
  HeadVerdict() = default;
  explicit HeadVerdict(Refusal refusal) : refusal_(std::move(refusal)) {}

  std::optional<Refusal> refusal_;
};

}  // namespace anchor
