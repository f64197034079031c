// bench_parse_memory: peak resident memory and CPU time of parsing one status body of
// max_response_bytes (16 MiB; --quick: 1 MiB) in the shapes that cost a DOM the most: nesting
// that never closes, nesting up to the cap repeated, empty sessions, a flat list of numbers, and
// a realistic body. Each case runs in a child process of its own: it builds the body, resets
// VmHWM (/proc/self/clear_refs), parses it in place as the API client does, and reports VmHWM.
// The floor is the same child's resident memory with the body built and nothing parsed; the
// "before" is RapidJSON's DOM (Document::ParseInsitu, iterative) of the same bytes.
// Target: peak - (RSS before the body) <= 2 x body + 4 MiB for every shape, and the 16 MiB
// nested-JSON body peaks below 48 MiB.
#include <malloc.h>
#include <rapidjson/document.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "anchor/json_body.h"
#include "bench_util.h"

namespace {

using anchor::bench::Fixed;
using anchor::bench::Options;

struct Shape {
  std::string name;
  std::function<std::string(size_t bytes)> make;
};

std::string Fill(const std::string& head, const std::string& unit, const std::string& separator,
                 const std::string& tail, size_t bytes) {
  std::string body;
  body.reserve(bytes + unit.size() + tail.size());
  body += head;
  bool first = true;
  while (body.size() + separator.size() + unit.size() + tail.size() <= bytes) {
    if (!first) body += separator;
    body += unit;
    first = false;
  }
  body += tail;
  return body;
}

std::vector<Shape> Shapes() {
  const unsigned cap = anchor::kMaxJsonDepth;
  // Nested up to the cap under data.metadata (levels 1-3 are the body, data and the list).
  const std::string deep_arrays = std::string(cap - 3, '[') + std::string(cap - 3, ']');
  std::string deep_objects;
  for (unsigned i = 3; i < cap; ++i) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(cap - 3, '}');
  return {
      {"unclosed [[[[ (nested arrays)",
       [](size_t n) { return R"({"data": {"metadata": )" + std::string(n - 22, '['); }},
      {"arrays nested to the cap, repeated",
       [=](size_t n) { return Fill(R"({"data": {"metadata": [)", deep_arrays, ",", "]}}", n); }},
      {"objects nested to the cap, repeated",
       [=](size_t n) { return Fill(R"({"data": {"metadata": [)", deep_objects, ",", "]}}", n); }},
      {"empty sessions [{},{},...]",
       [](size_t n) { return Fill(R"({"data": {"sessions": [)", "{}", ",", "]}}", n); }},
      {"flat numbers [0,0,...]",
       [](size_t n) { return Fill(R"({"data": {"metadata": [)", "0", ",", "]}}", n); }},
      {"realistic sessions (~480 B each)",
       [](size_t n) {
         return anchor::bench::BatchBody(anchor::bench::Uuid(1, 2), static_cast<int>(n / 480),
                                         "processing");
       }},
  };
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Measured {
  long base_kib = 0;   // RSS before the body was built
  long floor_kib = 0;  // RSS with the body built
  long peak_kib = 0;   // VmHWM after the parse
  double cpu = 0;      // seconds of CPU in the parse
  size_t body = 0;
  char outcome[160] = {};
};

// Runs one case in a child process, so that each peak is its own.
Measured RunChild(const Shape& shape, size_t bytes, bool dom) {
  int fds[2];
  if (pipe(fds) != 0) anchor::bench::Fail("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) anchor::bench::Fail("fork failed");
  if (pid == 0) {
    close(fds[0]);
    Measured m;
    m.base_kib = anchor::bench::CurrentRssKiB();
    std::string body = shape.make(bytes);
    m.body = body.size();
    malloc_trim(0);  // the builder's temporaries: the floor is the body alone
    m.floor_kib = anchor::bench::CurrentRssKiB();
    std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM := VmRSS (Linux >= 4.0)
    const double start = CpuSeconds();
    std::string outcome;
    if (dom) {
      rapidjson::Document doc;
      doc.ParseInsitu<anchor::kJsonBodyParseFlags | rapidjson::kParseInsituFlag>(body.data());
      outcome = doc.HasParseError() ? "parse error" : "parsed";
    } else {
      const auto r = anchor::ParseBatchResponseInPlace(body);
      outcome = r.ok() ? "parsed" : r.error();
    }
    m.cpu = CpuSeconds() - start;
    m.peak_kib = anchor::bench::PeakRssKiB();
    std::snprintf(m.outcome, sizeof(m.outcome), "%s", outcome.c_str());
    const bool written = write(fds[1], &m, sizeof(m)) == static_cast<ssize_t>(sizeof(m));
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  Measured m;
  const bool read_all = read(fds[0], &m, sizeof(m)) == static_cast<ssize_t>(sizeof(m));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!read_all || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    anchor::bench::Fail("the child measuring \"" + shape.name + "\" failed");
  }
  return m;
}

std::string MiB(long kib) { return Fixed(static_cast<double>(kib) / 1024, 1); }

}  // namespace

int main(int argc, char** argv) {
  const Options options = anchor::bench::ParseOptions(argc, argv);
  const size_t bytes = options.quick ? (1u << 20) : (16u << 20);
  const long body_kib = static_cast<long>(bytes / 1024);
  std::cout << "## Parse memory: one status body of " << bytes / (1 << 20) << " MiB\n\n"
            << "Each case in a child process: body built, VmHWM reset, then "
               "`ParseBatchResponseInPlace` (the exporter) or RapidJSON's DOM `ParseInsitu` "
               "(before). Peak = VmHWM of the child; above base = peak - RSS before the body "
               "was built, in body sizes (the body itself is 1). CPU from getrusage.\n\n";
  std::vector<std::vector<std::string>> rows;
  bool all_within = true;
  long nested_peak = 0;
  for (const auto& shape : Shapes()) {
    for (const bool dom : {false, true}) {
      const Measured m = RunChild(shape, bytes, dom);
      const double above = static_cast<double>(m.peak_kib - m.base_kib) / body_kib;
      if (!dom) {
        all_within = all_within && m.peak_kib - m.base_kib <= 2 * body_kib + 4096;
        if (shape.name.rfind("unclosed", 0) == 0) nested_peak = m.peak_kib;
      }
      rows.push_back({shape.name, dom ? "DOM (before)" : "exporter", MiB(m.floor_kib),
                      MiB(m.peak_kib), Fixed(above, 2) + "x", Fixed(m.cpu * 1000, 0), m.outcome});
    }
  }
  anchor::bench::PrintTable(
      {"body", "parser", "RSS with body (MiB)", "peak (MiB)", "above base", "CPU (ms)", "outcome"},
      rows);
  std::cout << "\n";
  anchor::bench::ReportTarget(options, "parse memory, every shape",
                              "peak - base <= 2 x body + 4 MiB",
                              all_within ? "all within" : "some above", all_within);
  const long limit_kib = 48L * 1024;
  anchor::bench::ReportTarget(options, "parse memory, nested JSON",
                              "peak < " + MiB(limit_kib) + " MiB", MiB(nested_peak) + " MiB",
                              nested_peak < limit_kib);
  return 0;
}
