#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace anchor::test {

// The real exporter binary (ANCHOR_EXPORTER_BINARY) run as a child process, for what only a
// process can show: signals and the exit status. Its stderr (the log) goes to a file.
class ExporterProcess {
 public:
  // Starts the binary with `args` and `env` ("NAME=value") as its whole environment. With
  // `with_stdout`, Log() holds stdout too (else it is discarded).
  ExporterProcess(const std::vector<std::string>& args, const std::vector<std::string>& env,
                  bool with_stdout = false);
  ~ExporterProcess();  // kills the child if it still runs
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  // Waits until the log says where it listens; returns the port, or 0 if the process exited or
  // did not get there within `timeout`.
  int WaitForPort(std::chrono::seconds timeout = std::chrono::seconds(20));
  // Waits until the log holds `text`; false after `timeout`.
  bool WaitForLog(const std::string& text, std::chrono::seconds timeout = std::chrono::seconds(20));
  void Signal(int sig) const;
  // The exit status once the process has exited within `timeout` (-1 for a death by signal).
  std::optional<int> Wait(std::chrono::seconds timeout = std::chrono::seconds(20));
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace anchor::test
