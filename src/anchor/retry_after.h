#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace anchor {

// The wait a Retry-After value asks for: delay-seconds as is, an HTTP date as its distance from
// `now` (negative when the date is already past). The answer is a duration, not a date, so that
// the collect layer anchors it on its injected clock; `now` is the wall clock of the moment the
// answer arrived (the API client's only reading of it). Dates are clamped to 1970..2262, the
// span of system_clock, so that `now + wait` cannot overflow.
std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace anchor
