#include "support/headless_browser.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/test_tls.h"

namespace anchor::test {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

// Loads `url` in headless Chromium with a fresh profile and no network besides the page.
BrowserRun LoadInBrowser(const std::string& url) {
  const std::string dir = anchor::test::MakeTempDir();
  const std::string log_file = dir + "/chromium.log";
  const std::string cmd =
      "timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      dir + "/profile --enable-logging=stderr --dump-dom '" + url + "' 2>" + log_file;
  BrowserRun run;
  FILE* out = popen(cmd.c_str(), "r");
  REQUIRE(out != nullptr);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), out)) > 0;) run.dom.append(buf, n);
  run.exit_status = pclose(out);
  run.log = ReadText(log_file);
  std::istringstream lines(run.log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CONSOLE") != std::string::npos) run.console.push_back(line);
  }
  return run;
}

}  // namespace anchor::test
