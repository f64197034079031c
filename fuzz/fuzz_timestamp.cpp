// Fuzzes ParseRfc3339 and FormatRfc3339: an accepted timestamp is a real calendar date and time,
// its value matches what the C library's timegm() computes from the same fields, and formatting
// it gives text that parses back to the same time (to the millisecond FormatRfc3339 keeps).
// The same text also goes to ParseRetryAfter (delta-seconds or an HTTP date).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

#include "anchor/retry_after.h"
#include "anchor/timestamp.h"
#include "fuzz_check.h"

namespace {

int Field(std::string_view text, size_t pos, size_t len) {
  return std::atoi(std::string(text.substr(pos, len)).c_str());
}

void CheckRetryAfter(std::string_view text) {
  using std::chrono::system_clock;
  const auto now = system_clock::from_time_t(1'700'000'000);
  const auto at = anchor::ParseRetryAfter(std::string(text), now);
  if (!at) return;
  const bool seconds = !text.empty() && text.find_first_not_of("0123456789") == text.npos;
  if (seconds) {
    FUZZ_CHECK(*at == std::chrono::seconds(std::stoll(std::string(text))));
  } else {
    FUZZ_CHECK((now + *at).time_since_epoch().count() >= 0);  // a date, never before 1970
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRetryAfter(text);
  const auto parsed = anchor::ParseRfc3339(text);
  // The parser that remembers the last minute (kept across inputs, as across the sessions of
  // a batch) gives exactly the same answer.
  static anchor::Rfc3339Parser remembering;
  const auto again_remembered = remembering.Parse(text);
  FUZZ_CHECK(again_remembered.has_value() == parsed.has_value());
  if (parsed) FUZZ_CHECK(*again_remembered == *parsed);
  if (!parsed) return 0;
  FUZZ_CHECK(std::isfinite(*parsed));
  FUZZ_CHECK(text.size() >= 20);

  // Accepted: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", so the fields are at fixed
  // places and the zone is the end of the text.
  const int year = Field(text, 0, 4), month = Field(text, 5, 2), day = Field(text, 8, 2);
  const int hour = Field(text, 11, 2), minute = Field(text, 14, 2), second = Field(text, 17, 2);
  const char zone = text.back();
  const bool utc = zone == 'Z' || zone == 'z';
  FUZZ_CHECK(utc || text.size() >= 25);
  const size_t zone_pos = utc ? text.size() - 1 : text.size() - 6;
  int offset = 0;
  if (!utc) {
    const char sign = text[zone_pos];
    FUZZ_CHECK(sign == '+' || sign == '-');
    offset = (Field(text, zone_pos + 1, 2) * 3600 + Field(text, zone_pos + 4, 2) * 60) *
             (sign == '-' ? -1 : 1);
  }
  double fraction = 0;
  if (zone_pos > 19) {
    FUZZ_CHECK(text[19] == '.');
    fraction = std::strtod(("0" + std::string(text.substr(19, zone_pos - 19))).c_str(), nullptr);
  }

  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = std::min(second, 59);  // a leap second (:60) counts as one more second
  const std::time_t base = timegm(&tm);
  // timegm() normalises out-of-range fields; unchanged fields mean the date was a real one.
  FUZZ_CHECK(tm.tm_year == year - 1900 && tm.tm_mon == month - 1 && tm.tm_mday == day);
  FUZZ_CHECK(tm.tm_hour == hour && tm.tm_min == minute && second <= 60);
  const double expected = static_cast<double>(base) + (second - tm.tm_sec) - offset + fraction;
  FUZZ_CHECK(std::fabs(*parsed - expected) < 1e-3);

  // RFC 3339 years are 0000-9999; a zone offset can move the UTC time just outside them.
  constexpr double kYear0 = -62167219200.0, kYear10000 = 253402300800.0;
  // Half a millisecond of rounding, plus the double's resolution near year 9999 (~3e-5 s).
  constexpr double kTolerance = 0.0005 + 1e-4;
  if (*parsed >= kYear0 && *parsed < kYear10000 - 0.0005) {
    const std::string formatted = anchor::FormatRfc3339(*parsed);
    const auto again = anchor::ParseRfc3339(formatted);
    if (!again || std::fabs(*again - *parsed) > kTolerance) {
      std::fprintf(stderr, "FormatRfc3339(%.6f) = \"%s\"\n", *parsed, formatted.c_str());
    }
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(std::fabs(*again - *parsed) <= kTolerance);
  }
  return 0;
}
