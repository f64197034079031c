#pragma once

#include <string>
#include <vector>

#include "config/config_loader.h"

namespace anchor::test {

// The problems of a config load as one text, "" when it loaded: safe in INFO() either way.
inline std::string Problems(const ConfigLoadResult& r) { return r.ok() ? "" : r.error(); }

// The problems one per entry, as the loader found them (its reason holds one per line); none
// when it loaded.
inline std::vector<std::string> ProblemLines(const ConfigLoadResult& r) {
  std::vector<std::string> out;
  if (r.ok()) return out;
  const std::string& text = r.error();
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  out.push_back(text.substr(start));
  return out;
}

// The warnings of a config that loaded; none when it did not.
inline std::vector<std::string> Warnings(const ConfigLoadResult& r) {
  return r.ok() ? r->warnings : std::vector<std::string>{};
}

}  // namespace anchor::test
