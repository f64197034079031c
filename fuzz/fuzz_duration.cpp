// Fuzzes ParseDuration and FormatDuration: an accepted duration is within [0, kMaxDuration], and
// the formatted text of any duration in that range parses back to the same value.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "config/duration.h"
#include "fuzz_check.h"

namespace {

void CheckRoundTrip(anchor::Duration d) {
  const std::string text = anchor::FormatDuration(d);
  const auto again = anchor::ParseDuration(text);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == d);
  FUZZ_CHECK(anchor::FormatDuration(*again) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto d = anchor::ParseDuration(text)) {
    FUZZ_CHECK(d->count() >= 0 && *d <= anchor::kMaxDuration);
    CheckRoundTrip(*d);
  }
  // The same bytes as a number of milliseconds within range: formatting must round-trip too.
  std::uint64_t raw = 0;
  std::memcpy(&raw, data, std::min(size, sizeof(raw)));
  CheckRoundTrip(anchor::Duration(static_cast<std::int64_t>(
      raw % (static_cast<std::uint64_t>(anchor::kMaxDuration.count()) + 1))));
  return 0;
}
