#include "anchor/retry_after.h"

#include <algorithm>
#include <ctime>

namespace anchor {

std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now) {
  using std::chrono::seconds;
  using std::chrono::system_clock;
  if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
    if (value.size() > 9) return std::nullopt;
    return seconds(std::stoll(value));
  }
  std::tm tm{};
  const char* end = strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  // system_clock counts nanoseconds from 1970 to 2262, HTTP dates run from year 0 to 9999: clamp
  // so that from_time_t cannot overflow (callers cap long waits anyway).
  constexpr std::time_t kLast =
      std::chrono::duration_cast<seconds>(system_clock::duration::max()).count();
  const auto at = system_clock::from_time_t(std::clamp<std::time_t>(timegm(&tm), 0, kLast));
  return std::chrono::ceil<seconds>(at - now);  // never ends before the date
}

}  // namespace anchor
