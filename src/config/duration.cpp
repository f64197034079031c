#include "config/duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace anchor {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};
// Longest names first so that "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {{"ms", 1},        {"s", 1000},       {"m", 60'000},
                           {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000}};

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    std::int64_t number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      if (number > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
      ++i;
    }
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->name.size();
    total += number * unit->ms;  // at most kMaxDuration + INT32_MAX weeks: no overflow
    if (total > kMaxDuration.count()) return std::nullopt;
  }
  return Duration{total};
}

std::string FormatDuration(Duration d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  for (const auto* u = std::end(kUnits); u != std::begin(kUnits);) {
    --u;
    if (ms >= u->ms) {
      out += std::to_string(ms / u->ms);
      out += u->name;
      ms %= u->ms;
    }
  }
  return out;
}

double ToSeconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace anchor
