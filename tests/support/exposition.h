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

}  // namespace anchor::test
