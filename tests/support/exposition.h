#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchor::test {

// One sample line of the Prometheus text format.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the sample lines of a text exposition (comments skipped). Enough for the exporter's
// own output: label values without escaped quotes.
std::vector<Sample> ParseExposition(const std::string& text);

// The value of the sample with exactly these labels, if present.
std::optional<double> FindSample(const std::vector<Sample>& samples, const std::string& name,
                                 const std::map<std::string, std::string>& labels);

// Shorthands for the tests: the value, or -1 when the sample is absent.
double SampleValue(const std::vector<Sample>& samples, const std::string& name,
                   const std::map<std::string, std::string>& labels);
double UpValue(const std::vector<Sample>& samples, const std::string& batch_id);
double FetchErrors(const std::vector<Sample>& samples, const std::string& reason);

// How many samples of `name` carry the label batch_id=`batch_id`.
int CountSeries(const std::vector<Sample>& samples, const std::string& name,
                const std::string& batch_id);

// Parses `text` with the strict OpenMetrics parser of Debian's python3-prometheus-client
// (under /usr/bin/python3, which need not be the first python3 on the PATH); `output` gets the
// family names, types and sample counts, one family a line, or the parser's error. Returns the
// parser's exit status (0: accepted).
int StrictOpenMetricsParse(const std::string& text, std::string& output);

// The same parser; `output` gets one line per sample that carries an exemplar:
// `<sample name> <label>=<value>,... <exemplar label>=<value> <exemplar value> <timestamp>`
// (the sample's labels sorted by name, the timestamp with 3 decimals), or the parser's error.
int StrictOpenMetricsExemplars(const std::string& text, std::string& output);

}  // namespace anchor::test
