#pragma once

#include <string>

#include "anchor/batch_parser.h"

namespace anchor::bench {

// ParseBatchResponseInPlace before it read session timestamps (bench/baseline_parser.cpp): the
// "before" of the parse benchmark, measured in the same run as the current parser.
Result<Batch> BaselineParseInPlace(std::string& body);

}  // namespace anchor::bench
