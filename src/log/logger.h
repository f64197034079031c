#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace anchor {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

// One key=value of a log line. Numbers and booleans stay numbers and booleans in JSON lines
// (`"status":404`, not `"status":"404"`); in logfmt every value is text.
struct LogField {
  enum class Kind { kText, kInteger, kNumber, kBool };

  LogField(std::string_view k, std::string_view v) : key(k), text(v) {}
  LogField(std::string_view k, const char* v) : key(k), text(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), text(v) {}
  LogField(std::string_view k, bool v) : key(k), kind(Kind::kBool), integer(v ? 1 : 0) {}
  LogField(std::string_view k, int v) : key(k), kind(Kind::kInteger), integer(v) {}
  LogField(std::string_view k, long v) : key(k), kind(Kind::kInteger), integer(v) {}
  LogField(std::string_view k, long long v) : key(k), kind(Kind::kInteger), integer(v) {}
  LogField(std::string_view k, unsigned v) : key(k), kind(Kind::kInteger), integer(v) {}
  LogField(std::string_view k, unsigned long v)
      : key(k), kind(Kind::kInteger), integer(static_cast<long long>(v)) {}
  LogField(std::string_view k, unsigned long long v)
      : key(k), kind(Kind::kInteger), integer(static_cast<long long>(v)) {}
  LogField(std::string_view k, double v) : key(k), kind(Kind::kNumber), number(v) {}

  std::string_view key;
  Kind kind = Kind::kText;
  std::string_view text;
  long long integer = 0;
  double number = 0;
};

// Structured, one-line-per-event logging (logfmt or JSON) on top of spdlog, which provides the
// thread-safe sinks and level filtering. Callers pass values, never secrets: nothing here can tell
// a key from a batch id, so the rule is kept at the call sites and checked by the tests.
class Logger {
 public:
  // Logs to stderr.
  Logger(LogLevel level, LogFormat format);
  // Logs to the given sink (tests use an ostream sink to read what was logged).
  Logger(LogLevel level, LogFormat format, std::shared_ptr<spdlog::sinks::sink> sink);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  bool Enabled(LogLevel level) const { return level >= level_; }

  static std::optional<LogLevel> ParseLevel(std::string_view text);
  static std::optional<LogFormat> ParseFormat(std::string_view text);

 private:
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const;

  LogLevel level_;
  LogFormat format_;
  std::shared_ptr<spdlog::logger> sink_logger_;
};

// Formats one event; exposed for tests.
std::string FormatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view msg, std::initializer_list<LogField> fields);

// A logger that discards everything, for code paths and tests that do not care.
Logger& NullLogger();

}  // namespace anchor
