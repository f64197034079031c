#pragma once

#include <map>
#include <string>

namespace anchor::test {

using SdLabels = std::map<std::string, std::string>;

// target -> labels of a /sd body (http_sd_configs JSON); fails the test unless it is a list of
// one-target groups with string labels, one group per target.
std::map<std::string, SdLabels> ParseSdTargets(const std::string& body);

}  // namespace anchor::test
