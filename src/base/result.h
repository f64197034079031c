#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace anchor {

// The one way this code base reports a failure that the caller handles: a value, or the reason
// there is none, as a sentence fit for a log line or an HTTP answer (never holding a secret).
// Exceptions stay inside a unit (yaml-cpp's, for instance) and are turned into a Result at its
// edge; domain outcomes with more than a reason (FetchResult: a batch, or a fault kind with its
// HTTP status) are types of their own.
struct Error {
  std::string reason;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  // Only when ok().
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  // Only when !ok().
  const std::string& error() const { return std::get<Error>(state_).reason; }

 private:
  std::variant<T, Error> state_;
};

// A Result without a value: success, or why not.
class [[nodiscard]] Status {
 public:
  Status() = default;                                       // success
  Status(Error error) : error_(std::move(error.reason)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // Only when !ok().
  const std::string& error() const { return *error_; }

 private:
  std::optional<std::string> error_;
};

}  // namespace anchor
