#pragma once

#include <memory>
#include <sstream>
#include <string>

#include "log/logger.h"

namespace anchor::test {

// A logfmt Logger whose lines the test can read back.
class LogCapture {
 public:
  explicit LogCapture(LogLevel level = LogLevel::kDebug);

  const Logger& logger() const { return logger_; }
  std::string Text() const { return out_->str(); }
  // How many lines hold `text`.
  int Lines(const std::string& text) const;

 private:
  std::shared_ptr<std::ostringstream> out_;
  Logger logger_;
};

}  // namespace anchor::test
