#include "support/log_capture.h"

#include <spdlog/sinks/ostream_sink.h>

namespace anchor::test {

LogCapture::LogCapture(LogLevel level)
    : out_(std::make_shared<std::ostringstream>()),
      logger_(level, LogFormat::kLogfmt,
              std::make_shared<spdlog::sinks::ostream_sink_mt>(*out_, /*force_flush=*/true)) {}

int LogCapture::Lines(const std::string& text) const {
  std::istringstream in(out_->str());
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(text) != std::string::npos;
  return n;
}

}  // namespace anchor::test
