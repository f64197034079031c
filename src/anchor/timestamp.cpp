#include "anchor/timestamp.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace anchor {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (digit > 9) return false;  // not std::isdigit: every session has two timestamps
    value = value * 10 + static_cast<int>(digit);
  }
  out = value;
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "YYYY-MM-DDTHH:MM" (the first 16 characters) as Unix seconds of that minute.
std::optional<std::int64_t> ParseMinute(std::string_view s) {
  int year, month, day, hour, minute;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':') {
    return std::nullopt;
  }
  if (!ReadDigits(s, 0, 4, year) || !ReadDigits(s, 5, 2, month) || !ReadDigits(s, 8, 2, day) ||
      !ReadDigits(s, 11, 2, hour) || !ReadDigits(s, 14, 2, minute)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59) {
    return std::nullopt;
  }
  return DaysFromCivil(year, month, day) * 86400 + std::int64_t{hour} * 3600 +
         std::int64_t{minute} * 60;
}

// Whole seconds (less the zone's offset) and the fraction to add to the minute.
struct SecondsPart {
  std::int64_t whole;
  double fraction;
};

// ":SS[.fraction](Z|+HH:MM|-HH:MM)" from position 16.
std::optional<SecondsPart> ParseSecondsAndZone(std::string_view s) {
  int second;
  if (s.size() < 20 || s[16] != ':' || !ReadDigits(s, 17, 2, second) || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  double fraction = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    // Up to 18 digits as an integer, divided once; further digits are below a nanosecond.
    std::int64_t digits = 0;
    double scale = 1;
    const size_t start = pos;
    while (pos < s.size() && static_cast<unsigned char>(s[pos]) - unsigned{'0'} <= 9) {
      if (pos - start < 18) {
        digits = digits * 10 + (s[pos] - '0');
        scale *= 10;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    fraction = static_cast<double>(digits) / scale;
  }
  if (pos >= s.size()) return std::nullopt;  // the zone is required
  int offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!ReadDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return SecondsPart{second - offset_seconds, fraction};
}

}  // namespace

std::optional<double> ParseRfc3339(std::string_view s) {
  const auto minute = ParseMinute(s);
  if (!minute) return std::nullopt;
  const auto rest = ParseSecondsAndZone(s);
  if (!rest) return std::nullopt;
  return static_cast<double>(*minute + rest->whole) + rest->fraction;
}

std::optional<double> Rfc3339Parser::Parse(std::string_view s) {
  if (!has_minute_ || s.size() < 20 || std::memcmp(s.data(), minute_text_, 16) != 0) {
    const auto minute = ParseMinute(s);
    if (!minute) return std::nullopt;
    std::memcpy(minute_text_, s.data(), 16);
    minute_seconds_ = *minute;
    has_minute_ = true;
  }
  const auto rest = ParseSecondsAndZone(s);
  if (!rest) return std::nullopt;
  return static_cast<double>(minute_seconds_ + rest->whole) + rest->fraction;
}

std::string FormatRfc3339(double unix_seconds) {
  // Round to whole milliseconds first, so that 56.9996 s carries into 57 s.
  const double total_ms = std::round(unix_seconds * 1000);
  const auto whole = static_cast<std::time_t>(std::floor(total_ms / 1000));
  const int ms = static_cast<int>(total_ms - static_cast<double>(whole) * 1000);
  std::tm tm{};
  gmtime_r(&whole, &tm);
  // Not strftime's %Y: it does not pad years before 1000 to the four digits RFC 3339 needs.
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (ms > 0 && n > 0) n += std::snprintf(buf + n, sizeof(buf) - n, ".%03d", ms);
  return std::string(buf) + "Z";
}

}  // namespace anchor
