#pragma once

#include <string>
#include <vector>

namespace anchor::test {

// What headless Chromium made of a page.
struct BrowserRun {
  int exit_status = -1;
  std::string dom;                   // --dump-dom: the DOM after the page loaded, serialized
  std::string log;                   // Chromium's log (--enable-logging=stderr)
  std::vector<std::string> console;  // the CONSOLE lines of that log
};

// Loads `url` in headless Chromium with a fresh profile and no network besides the page.
BrowserRun LoadInBrowser(const std::string& url);

}  // namespace anchor::test
