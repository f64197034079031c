#pragma once

// Shared pieces of the benchmark programs: options, synthetic API bodies, statistics, markdown
// output and the target summary that bench/run.sh collects into bench/results.md.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace anchor::bench {

struct Options {
  bool quick = false;        // seconds-long smoke run (CI): small sizes, few repetitions
  std::string targets_file;  // where ReportTarget appends its rows (none: stdout only)
  std::string exporter;      // the exporter binary (bench_exporter only)
  std::string only;          // run only the section of this name (for investigating one number)

  bool Runs(const std::string& section) const { return only.empty() || only == section; }
};

// Reads --quick, --targets FILE, --exporter PATH and --only SECTION; exits with a message on
// anything else.
Options ParseOptions(int argc, char** argv);

// A deterministic UUID-shaped id ("3c90c3cc-0d44-4b50-8888-8dd25736052a" style) from two numbers.
std::string Uuid(std::uint64_t a, std::uint64_t b);

// The body of GET /v1/batch-sessions/{id} with `sessions` sessions, every field the API reference
// documents filled in (urls, timestamps, metadata), ~480 bytes per session. `status` is the batch
// status; a terminal status gives finished sessions, otherwise a mix of all session statuses.
std::string BatchBody(const std::string& id, int sessions, const std::string& status);

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Stats {
  size_t n = 0;
  double min = 0;
  double median = 0;
  double p99 = 0;  // nearest rank; with fewer than 100 samples this is the maximum
  double max = 0;
};
Stats Summarize(std::vector<double> samples);

// Fixed-precision number text ("1.234").
std::string Fixed(double value, int digits);
// Seconds as milliseconds text with 3 significant-ish digits ("1.62 s" stays "1620 ms").
std::string Ms(double seconds);

// A markdown table: a header row, an alignment row and the rows.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// One row of the target summary: what was aimed at, what was measured, and whether it was met.
// Printed, and appended to options.targets_file as tab-separated fields for bench/run.sh.
void ReportTarget(const Options& options, const std::string& name, const std::string& target,
                  const std::string& measured, bool met, const std::string& note = "");

// VmHWM (peak resident set) and VmRSS of a process in KiB, from /proc/<pid>/status; -1 if
// unreadable. pid 0 means this process.
long PeakRssKiB(pid_t pid = 0);
long CurrentRssKiB(pid_t pid = 0);

// Stops the program with a message on stderr and exit code 1 (a broken benchmark must fail CI),
// after killing the child processes registered with TrackChild (so none outlives a failure).
[[noreturn]] void Fail(const std::string& message);
void TrackChild(pid_t pid);
void UntrackChild(pid_t pid);

// Every member of a gzip stream (RFC 1952 allows several), inflated one after the other; fails
// the benchmark on a broken member.
std::string GunzipMembers(const std::string& gz);

}  // namespace anchor::bench
