#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anchor {

using Duration = std::chrono::milliseconds;

// Parses a Prometheus-style duration: one or more <number><unit> parts, units ms, s, m, h, d, w
// ("10s", "1m30s", "500ms", "0"). Returns nullopt when the text is not such a duration.
std::optional<Duration> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back as the same value ("1m30s").
std::string FormatDuration(Duration d);

double ToSeconds(Duration d);

}  // namespace anchor
