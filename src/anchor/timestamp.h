#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anchor {

// Parses an RFC 3339 timestamp with zone ("2023-11-07T05:31:56Z", "2023-11-07T05:31:56.25+02:00")
// into Unix seconds. Returns nullopt for anything else, including out-of-range fields.
std::optional<double> ParseRfc3339(std::string_view text);

// ParseRfc3339 for many timestamps in a row that share their date, hour and minute, as the
// sessions of one batch mostly do: the minute of the last one is remembered, so a timestamp in
// the same minute costs only its seconds and zone. Same results as ParseRfc3339. One per thread.
class Rfc3339Parser {
 public:
  std::optional<double> Parse(std::string_view text);

 private:
  char minute_text_[16] = {};  // "YYYY-MM-DDTHH:MM" of the remembered minute
  std::int64_t minute_seconds_ = 0;
  bool has_minute_ = false;
};

// RFC 3339 UTC text of a Unix time ("2026-11-28T15:09:09Z"; milliseconds kept when non-zero),
// for times in the years 0000-9999.
std::string FormatRfc3339(double unix_seconds);

}  // namespace anchor
