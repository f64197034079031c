// Fuzzes the YAML config loader: any text yields either a config whose values passed
// validation or one non-empty line of error that names the source and never the API key.
// The key comes from a fixed fake environment; the real one is never read.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "config/batch_id.h"
#include "config/config_loader.h"
#include "fuzz_check.h"

namespace {

const std::string kSource = "fuzz.yaml";
const std::string kDummyKey = "fuzz-dummy-api-key-5e1f0c";

std::optional<std::string> FakeEnv(const std::string&) { return kDummyKey; }

void CheckConfig(const anchor::Config& c) {
  const auto& a = c.anchor;
  FUZZ_CHECK(a.base_url.rfind("http://", 0) == 0 || a.base_url.rfind("https://", 0) == 0);
  FUZZ_CHECK(a.base_url.back() != '/');
  FUZZ_CHECK(!a.api_key.empty());
  FUZZ_CHECK(!a.api_key_file.empty() || a.api_key.Reveal() == kDummyKey);
  FUZZ_CHECK(a.timeout.count() > 0 && a.connect_timeout.count() > 0);
  FUZZ_CHECK(a.timeout <= anchor::kMaxDuration && a.connect_timeout <= anchor::kMaxDuration);
  FUZZ_CHECK(a.max_concurrency >= 1 && a.max_concurrency <= 256);
  FUZZ_CHECK(a.max_response_bytes >= 1024 && a.max_response_bytes <= (std::size_t{1} << 31));
  FUZZ_CHECK(a.max_requests_per_second >= 0 && a.max_requests_per_second <= 10000);
  for (const auto d : {c.cache.terminal_ttl, c.cache.min_interval, c.discovery.created_within,
                       c.discovery.refresh_interval}) {
    FUZZ_CHECK(d.count() >= 0 && d <= anchor::kMaxDuration);
  }
  FUZZ_CHECK(c.discovery.refresh_interval.count() > 0);
  FUZZ_CHECK(c.discovery.max_batches >= 1 && c.discovery.max_batches <= 100000);
  FUZZ_CHECK(!c.discovery.statuses.empty());
  for (const auto& s : c.discovery.statuses) {
    FUZZ_CHECK(anchor::IsValidBatchId(s) && s.size() <= 32);
  }
  std::set<std::string> ids;
  for (const auto& b : c.batches) {
    FUZZ_CHECK(anchor::IsValidBatchId(b.id));
    FUZZ_CHECK(ids.insert(b.id).second);
    for (const auto& [name, value] : b.labels) {
      FUZZ_CHECK(anchor::IsValidLabelName(name) && name != "batch_id");
    }
  }
}

// One problem of the config: one printable line naming the source.
void CheckError(const std::string& error, std::string_view yaml) {
  FUZZ_CHECK(!error.empty());
  FUZZ_CHECK(error.rfind(kSource + ":", 0) == 0);
  for (const char c : error) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);  // one printable line
  }
  // The key only shows up in an error if the input itself contains it.
  FUZZ_CHECK(error.find(kDummyKey) == std::string::npos ||
             yaml.find(kDummyKey) != std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // A base directory that does not exist: relative key and CA file paths resolve to nothing.
  const auto result = anchor::LoadConfigString(yaml, kSource, "/nonexistent-fuzz-dir", FakeEnv);
  if (result.ok()) {
    CheckConfig(result->config);
    return 0;
  }
  // Every problem is reported at once, one line each, in the one reason.
  const std::string& error = result.error();
  std::size_t start = 0;
  for (std::size_t end; (end = error.find('\n', start)) != std::string::npos; start = end + 1) {
    CheckError(error.substr(start, end - start), yaml);
  }
  CheckError(error.substr(start), yaml);
  return 0;
}
