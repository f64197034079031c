#include "collect/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "exposition/own_family.h"

namespace anchor {
namespace {

std::optional<std::string> ReadProcFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Entries of /proc/self/fd, counted as the Go client counts them (the directory's own
// descriptor included).
std::optional<double> OpenFds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  double n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++n;
  }
  return n;
}

// A soft limit as the Go client reports it: "unlimited" is the largest uint64.
double Limit(int resource) {
  rlimit limit{};
  if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return static_cast<double>(std::numeric_limits<std::uint64_t>::max());
  }
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

std::optional<ProcStat> ParseProcStat(const std::string& text, long ticks_per_second) {
  const auto close = text.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return std::nullopt;
  // After the command name: field 3 (state) onwards.
  std::istringstream in(text.substr(close + 1));
  std::vector<std::string> fields;
  std::string field;
  while (in >> field) fields.push_back(field);
  // Field n (1-based, as in proc(5)) is fields[n - 3].
  auto at = [&fields](size_t n) -> std::optional<double> {
    if (n < 3 || n - 3 >= fields.size()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(fields[n - 3].c_str(), &end);
    if (end == fields[n - 3].c_str() || *end != '\0') return std::nullopt;
    return v;
  };
  const auto utime = at(14), stime = at(15), start = at(22), vsize = at(23), rss = at(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  ProcStat out;
  out.cpu_seconds = (*utime + *stime) / static_cast<double>(ticks_per_second);
  out.start_ticks = *start;
  out.virtual_bytes = *vsize;
  out.resident_pages = *rss;
  return out;
}

std::optional<double> ParseBootTime(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      char* end = nullptr;
      const double v = std::strtod(line.c_str() + 6, &end);
      if (end != line.c_str() + 6) return v;
    }
  }
  return std::nullopt;
}

std::vector<prometheus::MetricFamily> CollectProcessMetrics() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const long ticks = sysconf(_SC_CLK_TCK);
  const auto stat_text = ReadProcFile("/proc/self/stat");
  const auto stat = stat_text ? ParseProcStat(*stat_text, ticks) : std::nullopt;
  if (stat) {
    out.push_back(SingleSampleFamily("process_cpu_seconds_total",
                                     "Total user and system CPU time spent in seconds.",
                                     MetricType::Counter, stat->cpu_seconds));
  }
  if (const auto fds = OpenFds()) {
    out.push_back(SingleSampleFamily("process_open_fds", "Number of open file descriptors.",
                                     MetricType::Gauge, *fds));
  }
  out.push_back(SingleSampleFamily("process_max_fds", "Maximum number of open file descriptors.",
                                   MetricType::Gauge, Limit(RLIMIT_NOFILE)));
  if (stat) {
    out.push_back(SingleSampleFamily("process_virtual_memory_bytes",
                                     "Virtual memory size in bytes.", MetricType::Gauge,
                                     stat->virtual_bytes));
  }
  out.push_back(SingleSampleFamily("process_virtual_memory_max_bytes",
                                   "Maximum amount of virtual memory available in bytes.",
                                   MetricType::Gauge, Limit(RLIMIT_AS)));
  if (stat) {
    out.push_back(SingleSampleFamily(
        "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
        stat->resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE))));
  }
  const auto proc_stat = ReadProcFile("/proc/stat");
  const auto boot = proc_stat ? ParseBootTime(*proc_stat) : std::nullopt;
  if (stat && boot) {
    out.push_back(SingleSampleFamily(
        "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        MetricType::Gauge, *boot + stat->start_ticks / static_cast<double>(ticks)));
  }
  return out;
}

}  // namespace anchor
