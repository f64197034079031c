#pragma once

#include <string>

namespace anchor {

// Why a simulated session fails, after the messages Chromium/CDP-driven sessions report. Each
// kind but kUnmatched is written to match the default sessions.error_classes pattern of the
// class of the same name (FailureClassName) and no earlier one; kUnmatched texts match none
// (class "other"). kMixed is not a kind: a spec with it draws from all of them.
enum class SimulatedFailure {
  kTimeout,
  kNavigation,
  kProxy,
  kBlocked,
  kBrowserCrash,
  kCancelled,
  kUnmatched,
  kMixed,
};

// The error class the default sessions.error_classes give the kind's texts: "timeout", ...,
// "cancelled", "other" for kUnmatched (and kMixed).
const char* FailureClassName(SimulatedFailure kind);

struct SimulatedError {
  SimulatedFailure kind;
  std::string text;
};

// The error of failed session `session` of batch `batch_id`, the same every time: of kind
// `dominant` for 4 in 5 sessions (all kinds mixed for the rest, and for every session when
// `dominant` is kMixed), with numbers, ids, hosts and URLs that vary from session to session
// as real ones do, so that normalising the texts has something to collapse.
SimulatedError SimulateSessionError(const std::string& batch_id, int session,
                                    SimulatedFailure dominant);

}  // namespace anchor
