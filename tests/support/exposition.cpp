#include "support/exposition.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "support/test_tls.h"
#include "support/web_fixtures.h"

namespace anchor::test {

std::vector<Sample> ParseExposition(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    size_t pos = line.find_first_of("{ ");
    s.name = line.substr(0, pos);
    if (line[pos] == '{') {
      ++pos;
      while (line[pos] != '}') {
        const size_t eq = line.find('=', pos);
        const size_t close = line.find('"', eq + 2);
        s.labels[line.substr(pos, eq - pos)] = line.substr(eq + 2, close - eq - 2);
        pos = close + 1;
        if (line[pos] == ',') ++pos;
      }
      ++pos;
    }
    const std::string value = line.substr(pos + 1);
    if (value.find(' ') != std::string::npos) {
      throw std::runtime_error("sample has a timestamp: " + line);
    }
    s.value = std::strtod(value.c_str(), nullptr);
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<double> FindSample(const std::vector<Sample>& samples, const std::string& name,
                                 const std::map<std::string, std::string>& labels) {
  for (const auto& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

double SampleValue(const std::vector<Sample>& samples, const std::string& name,
                   const std::map<std::string, std::string>& labels) {
  return FindSample(samples, name, labels).value_or(-1);
}

double UpValue(const std::vector<Sample>& samples, const std::string& batch_id) {
  return SampleValue(samples, "anchorbrowser_batch_up", {{"batch_id", batch_id}});
}

double FetchErrors(const std::vector<Sample>& samples, const std::string& reason) {
  return SampleValue(samples, "anchorbrowser_exporter_fetch_errors_total", {{"reason", reason}});
}

int CountSeries(const std::vector<Sample>& samples, const std::string& name,
                const std::string& batch_id) {
  int n = 0;
  for (const auto& s : samples) {
    const auto it = s.labels.find("batch_id");
    n += s.name == name && it != s.labels.end() && it->second == batch_id;
  }
  return n;
}

namespace {

// Runs `body` (Python, indented under the loop, `f` a metric family) over every family that
// Debian's strict OpenMetrics parser reads from `text`; its output into `output`.
int RunStrictOpenMetricsParser(const std::string& text, const std::string& body,
                               std::string& output) {
  const auto file = MakeTempDir() + "/exposition.om";
  WriteFile(file, text);
  return RunCommand(
      "/usr/bin/python3 -c 'import sys\n"
      "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
      "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n" +
          body + "' " + file,
      output);
}

}  // namespace

int StrictOpenMetricsParse(const std::string& text, std::string& output) {
  return RunStrictOpenMetricsParser(text, "    print(f.name, f.type, len(f.samples))", output);
}

int StrictOpenMetricsExemplars(const std::string& text, std::string& output) {
  return RunStrictOpenMetricsParser(
      text,
      "    for s in f.samples:\n"
      "        e = s.exemplar\n"
      "        if e:\n"
      "            print(s.name, \",\".join(k + \"=\" + v for k, v in sorted(s.labels.items())), "
      "*[k + \"=\" + v for k, v in sorted(e.labels.items())], repr(e.value), "
      "\"%.3f\" % float(e.timestamp) if e.timestamp else \"-\")",
      output);
}

}  // namespace anchor::test
