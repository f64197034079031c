#pragma once

#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <vector>

namespace anchor {

// What /proc/self/stat holds that the process_* metrics need.
struct ProcStat {
  double cpu_seconds = 0;     // utime + stime
  double start_ticks = 0;     // starttime: clock ticks after boot
  double virtual_bytes = 0;   // vsize
  double resident_pages = 0;  // rss
};

// Parses the text of /proc/<pid>/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
std::optional<ProcStat> ParseProcStat(const std::string& text, long ticks_per_second);

// The boot time (btime) from the text of /proc/stat, in Unix seconds.
std::optional<double> ParseBootTime(const std::string& text);

// The process metrics every Prometheus Go client exports, with the same names, help texts and
// types, read from /proc/self: process_cpu_seconds_total, process_open_fds, process_max_fds,
// process_virtual_memory_bytes, process_virtual_memory_max_bytes,
// process_resident_memory_bytes and process_start_time_seconds. A value that cannot be read is
// left out, as the Go client does.
std::vector<prometheus::MetricFamily> CollectProcessMetrics();

}  // namespace anchor
