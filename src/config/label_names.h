#pragma once

#include <array>
#include <string_view>

// The label names the exporter itself puts on its series, in one place: collect/ builds its
// families with these constants, and the config loader refuses a static label (batches[].labels)
// of the same name, which Prometheus would reject as "label name is not unique" and mark the
// whole target down. It lives in config/ because config is the lowest layer that needs it.
namespace anchor::labels {

inline constexpr char kBatchId[] = "batch_id";   // every anchorbrowser_batch_* series
inline constexpr char kStatus[] = "status";      // batch status and sessions by status
inline constexpr char kState[] = "state";        // anchorbrowser_batch_requests
inline constexpr char kPhase[] = "phase";        // anchorbrowser_batch_phase
inline constexpr char kReason[] = "reason";      // fetch and discovery errors
inline constexpr char kCode[] = "code";          // anchorbrowser_exporter_api_requests_total
inline constexpr char kField[] = "field";        // anchorbrowser_exporter_invalid_fields_total
inline constexpr char kSource[] = "source";      // anchorbrowser_exporter_batches
inline constexpr char kVersion[] = "version";    // anchorbrowser_exporter_build_info
inline constexpr char kRevision[] = "revision";  // anchorbrowser_exporter_build_info
inline constexpr char kClass[] = "class";        // anchorbrowser_batch_session_errors
// Written by the exposition (exposition/exposition_writer.cpp): histogram buckets, summary
// quantiles.
inline constexpr char kLe[] = "le";
inline constexpr char kQuantile[] = "quantile";
// Reserved for the per-account metrics to come (several API keys in one exporter).
inline constexpr char kAccount[] = "account";

// Every name above. tests/collect/test_label_names.cpp collects every family the exporter
// builds and checks that each label name on it is listed here.
inline constexpr std::array<std::string_view, 14> kExporterLabelNames = {
    kBatchId, kStatus,  kState,    kPhase, kReason, kCode,     kField,
    kSource,  kVersion, kRevision, kClass, kLe,     kQuantile, kAccount};

// Value of a status or phase label for any value the API sends beyond the documented ones:
// they are folded into this one series so that an upstream cannot grow a batch's series.
inline constexpr char kOtherValue[] = "other";

}  // namespace anchor::labels
