#include "log/logger.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace anchor {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

// RFC 3339 UTC with milliseconds, as the Go exporters print `ts`.
std::string NowTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof(esc), "\\u%04x", c);
          out += esc;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

bool NeedsLogfmtQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (const char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void AppendLogfmtPair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out.append(key);
  out += '=';
  if (NeedsLogfmtQuotes(value)) {
    AppendJsonString(out, value);  // logfmt quoting uses the same escapes
  } else {
    out.append(value);
  }
}

void AppendJsonPair(std::string& out, std::string_view key, std::string_view value) {
  out += out.size() > 1 ? "," : "";
  AppendJsonString(out, key);
  out += ':';
  AppendJsonString(out, value);
}

// A number as JSON accepts it: shortest round-trip form; NaN and infinities (not JSON) as null.
std::string NumberText(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof(shorter), "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

// The unquoted text of a non-text field (the same in JSON and logfmt).
std::string ScalarText(const LogField& f) {
  switch (f.kind) {
    case LogField::Kind::kBool:
      return f.integer != 0 ? "true" : "false";
    case LogField::Kind::kInteger:
      return std::to_string(f.integer);
    case LogField::Kind::kNumber:
      return NumberText(f.number);
    case LogField::Kind::kText:
      break;
  }
  return std::string(f.text);
}

void AppendField(std::string& out, LogFormat format, const LogField& f) {
  if (f.kind == LogField::Kind::kText) {
    if (format == LogFormat::kJson) {
      AppendJsonPair(out, f.key, f.text);
    } else {
      AppendLogfmtPair(out, f.key, f.text);
    }
    return;
  }
  const std::string value = ScalarText(f);
  if (format == LogFormat::kLogfmt) {
    AppendLogfmtPair(out, f.key, value);
    return;
  }
  out += out.size() > 1 ? "," : "";
  AppendJsonString(out, f.key);
  out += ':';
  out += value;
}

}  // namespace

std::string FormatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view msg, std::initializer_list<LogField> fields) {
  std::string out;
  if (format == LogFormat::kJson) {
    out += '{';
    AppendJsonPair(out, "ts", timestamp);
    AppendJsonPair(out, "level", LevelName(level));
    AppendJsonPair(out, "msg", msg);
    for (const auto& f : fields) AppendField(out, format, f);
    out += '}';
  } else {
    AppendLogfmtPair(out, "ts", timestamp);
    AppendLogfmtPair(out, "level", LevelName(level));
    AppendLogfmtPair(out, "msg", msg);
    for (const auto& f : fields) AppendField(out, format, f);
  }
  return out;
}

Logger::Logger(LogLevel level, LogFormat format)
    : Logger(level, format, std::make_shared<spdlog::sinks::stderr_sink_mt>()) {}

Logger::Logger(LogLevel level, LogFormat format, std::shared_ptr<spdlog::sinks::sink> sink)
    : level_(level),
      format_(format),
      sink_logger_(std::make_shared<spdlog::logger>("anchorbrowser_exporter", std::move(sink))) {
  // The line is fully formatted by FormatLogLine; spdlog only writes it.
  sink_logger_->set_pattern("%v");
  sink_logger_->set_level(spdlog::level::trace);
  sink_logger_->flush_on(spdlog::level::trace);
}

Logger::~Logger() = default;

void Logger::Debug(std::string_view msg, std::initializer_list<LogField> fields) const {
  Log(LogLevel::kDebug, msg, fields);
}
void Logger::Info(std::string_view msg, std::initializer_list<LogField> fields) const {
  Log(LogLevel::kInfo, msg, fields);
}
void Logger::Warn(std::string_view msg, std::initializer_list<LogField> fields) const {
  Log(LogLevel::kWarn, msg, fields);
}
void Logger::Error(std::string_view msg, std::initializer_list<LogField> fields) const {
  Log(LogLevel::kError, msg, fields);
}

void Logger::Log(LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) const {
  if (!Enabled(level)) return;
  sink_logger_->info(FormatLogLine(format_, NowTimestamp(), level, msg, fields));
}

std::optional<LogLevel> Logger::ParseLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogFormat> Logger::ParseFormat(std::string_view text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

Logger& NullLogger() {
  static Logger logger(LogLevel::kError, LogFormat::kLogfmt,
                       std::make_shared<spdlog::sinks::null_sink_mt>());
  return logger;
}

}  // namespace anchor
