// The process_* metrics (src/collect/process_metrics.h): /proc/self read as the Go client reads
// it. Values must be plausible and must move when the process does.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collect/process_metrics.h"

namespace {

std::map<std::string, double> Values() {
  std::map<std::string, double> out;
  for (const auto& f : anchor::CollectProcessMetrics()) {
    REQUIRE(f.metric.size() == 1);
    out[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                            : f.metric[0].gauge.value;
  }
  return out;
}

double NowUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Descriptors open now, found without /proc: fcntl() on every number up to a bound.
double ProbeOpenFds() {
  double n = 0;
  for (int fd = 0; fd < 65536; ++fd) n += fcntl(fd, F_GETFD) != -1 ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("process metrics have the Go client's names, help texts and types",
          "[unit][collect][process]") {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds."},
      {"process_open_fds", "Number of open file descriptors."},
      {"process_max_fds", "Maximum number of open file descriptors."},
      {"process_virtual_memory_bytes", "Virtual memory size in bytes."},
      {"process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes."},
      {"process_resident_memory_bytes", "Resident memory size in bytes."},
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds."},
  };
  const auto families = anchor::CollectProcessMetrics();
  REQUIRE(families.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    CHECK(families[i].name == expected[i].first);
    CHECK(families[i].help == expected[i].second);
    CHECK(families[i].type ==
          (i == 0 ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge));
    REQUIRE(families[i].metric.size() == 1);
    CHECK(families[i].metric[0].label.empty());
  }
}

TEST_CASE("process metrics of this process are plausible", "[unit][collect][process]") {
  auto v = Values();
  CHECK(v["process_cpu_seconds_total"] >= 0);
  CHECK(v["process_open_fds"] >= 3);  // stdin, stdout, stderr at least
  CHECK(v["process_open_fds"] <= v["process_max_fds"]);
  rlimit files{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &files) == 0);
  CHECK(v["process_max_fds"] == (files.rlim_cur == RLIM_INFINITY
                                     ? static_cast<double>(UINT64_MAX)  // as the Go client says
                                     : static_cast<double>(files.rlim_cur)));
  CHECK(v["process_resident_memory_bytes"] > 0);
  CHECK(v["process_resident_memory_bytes"] < v["process_virtual_memory_bytes"]);
  CHECK(v["process_virtual_memory_max_bytes"] > 0);
  // Started after the machine booted, and before now.
  const double now = NowUnix();
  CHECK(v["process_start_time_seconds"] <= now + 1);
  CHECK(v["process_start_time_seconds"] > 1.5e9);
}

TEST_CASE("process_open_fds counts descriptors opened and closed", "[unit][collect][process]") {
  const double before = Values()["process_open_fds"];
  // As the Go client counts: the open descriptors plus the one reading /proc/self/fd.
  CHECK(before == ProbeOpenFds() + 1);
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) {
    const int fd = dup(STDERR_FILENO);
    REQUIRE(fd >= 0);
    fds.push_back(fd);
  }
  CHECK(Values()["process_open_fds"] == before + 10);
  for (const int fd : fds) close(fd);
  CHECK(Values()["process_open_fds"] == before);
}

TEST_CASE("process_cpu_seconds_total and resident memory grow with use",
          "[unit][collect][process]") {
  const auto before = Values();
  // Burn 50 ms of CPU time (the counter has clock-tick resolution, 10 ms).
  const std::clock_t start = std::clock();
  volatile double sink = 0;
  while (std::clock() - start < CLOCKS_PER_SEC / 20) sink = sink + 1;
  // Touch 64 MiB so that it becomes resident.
  const size_t size = 64u << 20;
  const std::unique_ptr<char[]> block(new char[size]);
  std::memset(block.get(), 1, size);
  const auto after = Values();
  CHECK(after.at("process_cpu_seconds_total") >= before.at("process_cpu_seconds_total") + 0.03);
  CHECK(after.at("process_resident_memory_bytes") >=
        before.at("process_resident_memory_bytes") + (32u << 20));
  CHECK(block[size - 1] == 1);
  // The start time does not move.
  CHECK(after.at("process_start_time_seconds") == before.at("process_start_time_seconds"));
}

TEST_CASE("ParseProcStat refuses a short, garbled or tickless stat", "[unit][collect][process]") {
  const std::string stat =
      "7 (sh) S 1 7 7 0 -1 4194560 100 0 0 0 30 20 0 0 20 0 1 0 "
      "500 2000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  const auto parsed = anchor::ParseProcStat(stat, 10);
  REQUIRE(parsed);
  CHECK(parsed->cpu_seconds == Approx(5.0));  // (30 + 20) ticks at 10 per second
  CHECK(parsed->start_ticks == 500);
  CHECK(parsed->virtual_bytes == 2000000);
  CHECK(parsed->resident_pages == 300);
  CHECK_FALSE(anchor::ParseProcStat(stat, 0));
  std::string garbled = stat;
  garbled.replace(garbled.find(" 30 "), 4, " 3x ");
  CHECK_FALSE(anchor::ParseProcStat(garbled, 10));
  CHECK_FALSE(anchor::ParseProcStat("", 10));
  CHECK_FALSE(anchor::ParseBootTime("btime \n"));
  CHECK(anchor::ParseBootTime("btime 12\nbtime 13\n") == 12.0);
}
