// Fuzzes ParseDuration and FormatDuration: an accepted duration is not negative, and its
// formatted text parses back to the same value.
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
    FUZZ_CHECK(d->count() >= 0);
    CheckRoundTrip(*d);
  }
  return 0;
}
