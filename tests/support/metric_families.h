#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchor::test {

// The value of the gauge or counter sample of family `name` with exactly these labels, as the
// collect layer returns them (before any rendering); nullopt when absent.
std::optional<double> FamilyValue(const std::vector<prometheus::MetricFamily>& families,
                                  const std::string& name,
                                  const std::map<std::string, std::string>& labels = {});

}  // namespace anchor::test
