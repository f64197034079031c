// tests/testdata/config/: one good config per feature and one bad config per error message of
// the loader. A file states what it expects in its leading comments: "# want: <error>" (one per
// expected error, in order) or "# warn: <warning>". Messages name the file by its base name.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/config_loader.h"
#include "support/config_problems.h"
#include "support/subprocess.h"

namespace fs = std::filesystem;
using anchor::test::ExporterProcess;

namespace {

const std::string kDir = std::string(ANCHOR_SOURCE_DIR) + "/tests/testdata/config";

// Expectations that cannot live in the file itself.
const std::map<std::string, std::vector<std::string>> kNoComment = {
    {"bad_directory.yaml", {"bad_directory.yaml: cannot read config file: is a directory"}},
};

std::string Path(const std::string& name) {
  std::string path = kDir;
  path.append("/").append(name);
  return path;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> Comments(const std::string& path, const std::string& tag) {
  if (const auto it = kNoComment.find(fs::path(path).filename()); it != kNoComment.end()) {
    return tag == "# want: " ? it->second : std::vector<std::string>{};
  }
  std::vector<std::string> out;
  std::istringstream in(ReadText(path));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

anchor::EnvLookup TestEnv(bool with_keys = true) {
  return [with_keys](const std::string& name) -> std::optional<std::string> {
    if (with_keys && (name == "ANCHORBROWSER_API_KEY" || name == "MY_ANCHOR_KEY")) {
      return "sk-testdata-key";
    }
    return std::nullopt;
  };
}

// Messages with the directory taken off the file names, as the files write them.
std::vector<std::string> Relative(std::vector<std::string> lines) {
  for (auto& line : lines) {
    for (auto pos = line.find(kDir + "/"); pos != std::string::npos; pos = line.find(kDir + "/")) {
      line.erase(pos, kDir.size() + 1);
    }
  }
  return lines;
}

std::vector<std::string> Files(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const std::string name = entry.path().filename();
    if (name.rfind(prefix, 0) == 0 && entry.path().extension() == ".yaml") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The string literals of the last argument of every Fail(...) and Report(...) call in `source`:
// the fixed parts of each error message the loader can produce.
std::vector<std::vector<std::string>> MessageFragments(const std::string& source) {
  std::vector<std::vector<std::string>> out;
  for (const std::string call : {"Fail(", "Report("}) {
    for (size_t at = source.find(call); at != std::string::npos; at = source.find(call, at + 1)) {
      if (at >= 2 && source.compare(at - 2, 2, "::") == 0) continue;  // the definition
      if (at >= 1 && std::isalnum(static_cast<unsigned char>(source[at - 1]))) continue;
      std::vector<std::string> args(1);
      std::vector<std::vector<std::string>> literals(1);
      int depth = 1;
      for (size_t i = at + call.size(); i < source.size() && depth > 0; ++i) {
        const char c = source[i];
        if (c == '"') {
          std::string lit;
          for (++i; i < source.size() && source[i] != '"'; ++i) {
            if (source[i] == '\\') ++i;
            lit += source[i];
          }
          literals.back().push_back(lit);
        } else if (c == '(' || c == '[' || c == '{') {
          ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
          --depth;
        } else if (c == ',' && depth == 1) {
          literals.emplace_back();
        }
      }
      std::vector<std::string> fixed;
      for (const auto& lit : literals.back()) {
        const bool wordy =
            std::any_of(lit.begin(), lit.end(), [](char ch) { return std::isalpha(ch); });
        if (lit.size() >= 4 && wordy) fixed.push_back(lit);
      }
      if (!fixed.empty()) out.push_back(fixed);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every good testdata config loads, with the warnings it states",
          "[unit][config][testdata]") {
  const auto files = Files("good_");
  REQUIRE(files.size() >= 6);
  // git keeps no permissions: give the key file the mode a key file should have (a key that
  // group or others can read is loaded with a warning, see tests/e2e/test_secrets.cpp).
  fs::permissions(Path("api_key.txt"), fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& name : files) {
    const auto r = anchor::LoadConfigFile(Path(name), TestEnv());
    INFO(name << "\n" << anchor::test::Problems(r));
    CHECK(r.ok());
    CHECK(Relative(anchor::test::Warnings(r)) == Comments(Path(name), "# warn: "));
  }
}

TEST_CASE("every bad testdata config fails with exactly the errors it states",
          "[unit][config][testdata]") {
  const auto files = Files("bad_");
  REQUIRE(files.size() >= 30);
  for (const auto& name : files) {
    const auto want = Comments(Path(name), "# want: ");
    INFO(name);
    REQUIRE_FALSE(want.empty());
    const auto r = anchor::LoadConfigFile(Path(name), TestEnv());
    CHECK_FALSE(r.ok());
    CHECK(Relative(anchor::test::ProblemLines(r)) == want);
    CHECK(r.error().find("sk-testdata-key") == std::string::npos);
  }
}

TEST_CASE("every error message of the config loader has a bad testdata config",
          "[unit][config][testdata]") {
  std::vector<std::string> wanted;
  for (const auto& name : Files("bad_")) {
    for (const auto& w : Comments(Path(name), "# want: ")) wanted.push_back(w);
  }
  const std::string src = std::string(ANCHOR_SOURCE_DIR) + "/src/config/";
  // Used by the web config only; tests/toolkit/test_web_config.cpp covers it.
  const std::set<std::string> elsewhere = {"is not supported by this exporter"};
  size_t messages = 0;
  for (const char* file :
       {"config_loader.cpp", "anchor_section.cpp", "api_key_source.cpp", "batch_sections.cpp",
        "scrape_sections.cpp", "yaml_reader.cpp", "label_check.cpp"}) {
    for (const auto& fragments : MessageFragments(ReadText(src + file))) {
      ++messages;
      if (fragments.size() == 1 && elsewhere.count(fragments[0])) continue;
      const bool covered = std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
        return std::all_of(fragments.begin(), fragments.end(),
                           [&](const std::string& f) { return w.find(f) != std::string::npos; });
      });
      INFO(file << ": no bad_*.yaml expects the message with \"" << fragments.front() << "\"");
      CHECK(covered);
    }
  }
  CHECK(messages >= 30);  // the scan found the loader's messages
}

TEST_CASE("skip_secrets checks everything but the API key itself", "[unit][config][testdata]") {
  anchor::ConfigLoadOptions options;
  options.env = TestEnv(/*with_keys=*/false);
  options.skip_secrets = true;
  for (const char* name :
       {"good_minimal.yaml", "good_full_anchor.yaml", "bad_api_key_env_unset.yaml",
        "bad_api_key_file_missing.yaml", "bad_api_key_file_empty.yaml"}) {
    const auto r = anchor::LoadConfigFile(Path(name), options);
    INFO(name << "\n" << anchor::test::Problems(r));
    CHECK(r.ok());
  }
  // The names of the variable and the file are still checked, and everything else.
  for (const char* name : {"bad_api_key_env_empty.yaml", "bad_api_key_both.yaml",
                           "bad_five_mistakes.yaml", "bad_tls_ca_file.yaml"}) {
    const auto r = anchor::LoadConfigFile(Path(name), options);
    INFO(name);
    CHECK(Relative(anchor::test::ProblemLines(r)) == Comments(Path(name), "# want: "));
  }
  options.skip_secrets = false;
  CHECK_FALSE(anchor::LoadConfigFile(kDir + "/good_minimal.yaml", options).ok());
}

TEST_CASE("the config check prints one line per mistake and exits 1", "[unit][config][process]") {
  ExporterProcess check({"--config.check", "--config.file=" + kDir + "/bad_five_mistakes.yaml"},
                        {"ANCHORBROWSER_API_KEY=k"});
  REQUIRE(check.Wait() == 1);
  std::vector<std::string> lines;
  std::istringstream in(check.Log());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  CHECK(Relative(lines) == Comments(kDir + "/bad_five_mistakes.yaml", "# want: "));
  CHECK(lines.size() == 5);
}

TEST_CASE("the config check checks the flags and the web config file too",
          "[unit][config][process]") {
  ExporterProcess check({"--config.check", "--config.file=" + kDir + "/bad_timeout_zero.yaml",
                         "--web.listen-address=garbage", "--web.config.file=" + kDir},
                        {"ANCHORBROWSER_API_KEY=k"});
  REQUIRE(check.Wait() == 1);
  CHECK(Relative({check.Log()}).front() ==
        "--web.listen-address: invalid address \"garbage\" (expected [host]:port, e.g. :9877 or "
        "127.0.0.1:9877 or [::1]:9877)\n"
        "bad_timeout_zero.yaml:3: anchor.timeout: must be positive\n" +
            kDir + ": cannot read web config file: is a directory\n");
}

TEST_CASE("the config check with skip-secrets passes a correct file without the key",
          "[unit][config][process]") {
  ExporterProcess without_key({"--config.check", "--config.file=" + kDir + "/good_minimal.yaml"},
                              {});
  CHECK(without_key.Wait() == 1);
  CHECK(without_key.Log().find("ANCHORBROWSER_API_KEY is not set") != std::string::npos);
  ExporterProcess skip({"--config.check", "--config.check.skip-secrets",
                        "--config.file=" + kDir + "/good_minimal.yaml"},
                       {});
  CHECK(skip.Wait() == 0);
  CHECK(skip.Log().empty());
  ExporterProcess warn({"--config.check", "--config.check.skip-secrets",
                        "--config.file=" + kDir + "/good_no_batches.yaml"},
                       {});
  CHECK(warn.Wait() == 0);  // a warning is no error
  CHECK(Relative({warn.Log()}).front() ==
        Comments(kDir + "/good_no_batches.yaml", "# warn: ").at(0) + "\n");
}

TEST_CASE("bad and unknown flags exit 1, --help exits 0", "[unit][config][process]") {
  ExporterProcess unknown({"--no-such-flag"}, {});
  CHECK(unknown.Wait() == 1);
  CHECK(unknown.Log().find("--no-such-flag") != std::string::npos);
  ExporterProcess bad_value({"--log.level=loud"}, {});
  CHECK(bad_value.Wait() == 1);
  ExporterProcess skip_alone({"--config.check.skip-secrets"}, {});
  CHECK(skip_alone.Wait() == 1);
  ExporterProcess help({"--help"}, {});
  CHECK(help.Wait() == 0);
}

TEST_CASE("the exporter refuses a bad config at start with one log line per mistake",
          "[unit][config][process]") {
  ExporterProcess run(
      {"--config.file=" + Path("bad_five_mistakes.yaml"), "--web.listen-address=127.0.0.1:0"},
      {"ANCHORBROWSER_API_KEY=k"});
  REQUIRE(run.Wait() == 1);
  const auto log = run.Log();
  INFO(log);
  CHECK(Count(log, "level=error msg=\"cannot load config\" err=") == 5);
  CHECK(Count(log, "\n") == 5);
  CHECK(log.find("bad_five_mistakes.yaml:8: anchor.max_concurency: unknown key, did you mean "
                 "\\\"max_concurrency\\\"?\"\n") != std::string::npos);
}
