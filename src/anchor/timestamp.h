#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace anchor {

// Parses an RFC 3339 timestamp with zone ("2023-11-07T05:31:56Z", "2023-11-07T05:31:56.25+02:00")
// into Unix seconds. Returns nullopt for anything else, including out-of-range fields.
std::optional<double> ParseRfc3339(std::string_view text);

// RFC 3339 UTC text of a Unix time ("2026-11-28T15:09:09Z"; milliseconds kept when non-zero),
// for times in the years 0000-9999.
std::string FormatRfc3339(double unix_seconds);

}  // namespace anchor
