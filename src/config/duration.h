#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anchor {

using Duration = std::chrono::milliseconds;

// The longest duration ParseDuration accepts: 36500 days (100 years). Longer values are
// mistakes; this bound keeps FormatDuration's text parseable and any accepted value
// convertible to nanoseconds and addable to a clock reading without overflow.
constexpr Duration kMaxDuration = std::chrono::hours(24 * 36500);

// Parses a Prometheus-style duration: one or more <number><unit> parts, units ms, s, m, h, d, w
// ("10s", "1m30s", "500ms", "0"). Returns nullopt when the text is not such a duration or is
// longer than kMaxDuration.
std::optional<Duration> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back as the same value ("1m30s").
std::string FormatDuration(Duration d);

double ToSeconds(Duration d);

}  // namespace anchor
