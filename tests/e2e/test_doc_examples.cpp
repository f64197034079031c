// The error messages quoted in README.md, docs/configuration.md and docs/operating.md are what
// the binary prints.
// An example is a block between "<!-- example: config-check -->" and "<!-- /example -->" holding
// a ```yaml block (written to config.yaml) and a ```console block: "$ [NAME=value ...]
// anchorbrowser_exporter <args>", the expected output (stdout and stderr), and optionally
// "$ echo $?" followed by the exit status.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/subprocess.h"
#include "support/test_tls.h"

using anchor::test::ExporterProcess;

namespace {

struct Example {
  std::string where;  // file:line
  std::string config;
  std::vector<std::string> env;
  std::vector<std::string> args;
  std::vector<std::string> output;
  int exit_status = 0;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void ParseConsole(const std::vector<std::string>& block, Example& ex) {
  REQUIRE_FALSE(block.empty());
  auto words = Words(block[0]);
  REQUIRE(words.size() >= 2);
  REQUIRE(words[0] == "$");
  size_t i = 1;
  for (; i < words.size() && words[i].find('=') != std::string::npos; ++i) {
    ex.env.push_back(words[i]);
  }
  REQUIRE(i < words.size());
  REQUIRE(words[i] == "anchorbrowser_exporter");
  ex.args.assign(words.begin() + static_cast<long>(i) + 1, words.end());
  for (size_t l = 1; l < block.size(); ++l) {
    if (block[l] == "$ echo $?") {
      REQUIRE(l + 1 < block.size());
      ex.exit_status = std::stoi(block[l + 1]);
      break;
    }
    ex.output.push_back(block[l]);
  }
}

std::vector<Example> Examples(const std::string& file) {
  std::ifstream in(std::string(ANCHOR_SOURCE_DIR) + "/" + file);
  std::ostringstream text;
  text << in.rdbuf();
  const auto lines = Lines(text.str());
  std::vector<Example> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != "<!-- example: config-check -->") continue;
    Example ex;
    ex.where = file + ":" + std::to_string(i + 1);
    std::string fence;
    std::vector<std::string> block;
    for (++i; i < lines.size() && lines[i] != "<!-- /example -->"; ++i) {
      if (fence.empty() && lines[i].rfind("```", 0) == 0) {
        fence = lines[i].substr(3);
        block.clear();
      } else if (!fence.empty() && lines[i] == "```") {
        if (fence == "yaml") {
          for (const auto& l : block) ex.config += l + "\n";
        } else if (fence == "console") {
          ParseConsole(block, ex);
        }
        fence.clear();
      } else if (!fence.empty()) {
        block.push_back(lines[i]);
      }
    }
    out.push_back(ex);
  }
  return out;
}

}  // namespace

TEST_CASE("the config-check examples in the docs are what the binary prints",
          "[docs][process][e2e]") {
  size_t checked = 0;
  for (const char* file : {"README.md", "docs/configuration.md", "docs/operating.md"}) {
    for (const auto& ex : Examples(file)) {
      INFO(ex.where);
      REQUIRE_FALSE(ex.config.empty());
      REQUIRE_FALSE(ex.args.empty());
      const std::string dir = anchor::test::MakeTempDir();
      { std::ofstream(dir + "/config.yaml") << ex.config; }
      auto args = ex.args;
      for (auto& a : args) {
        if (a == "--config.file=config.yaml") a = "--config.file=" + dir + "/config.yaml";
      }
      ExporterProcess run(args, ex.env, /*with_stdout=*/true);
      CHECK(run.Wait() == ex.exit_status);
      auto printed = Lines(run.Log());
      for (auto& line : printed) {
        for (auto p = line.find(dir + "/"); p != std::string::npos; p = line.find(dir + "/")) {
          line.erase(p, dir.size() + 1);
        }
      }
      CHECK(printed == ex.output);
      ++checked;
    }
  }
  CHECK(checked >= 3);
}
