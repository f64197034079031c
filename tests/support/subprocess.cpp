#include "support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/test_tls.h"

namespace anchor::test {

ExporterProcess::ExporterProcess(const std::vector<std::string>& args,
                                 const std::vector<std::string>& env, bool with_stdout)
    : log_file_(MakeTempDir() + "/exporter.log") {
  std::vector<std::string> argv_s = {ANCHOR_EXPORTER_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 2, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  if (with_stdout) {
    posix_spawn_file_actions_adddup2(&files, 2, 1);
  } else {
    posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
  }
  // The child starts with default signal handling and nothing blocked, whatever the test runner
  // has set up.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int rc = posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0]);
}

ExporterProcess::~ExporterProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string ExporterProcess::Log() const {
  std::ifstream in(log_file_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool ExporterProcess::WaitForLog(const std::string& text, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (Log().find(text) != std::string::npos) return true;
    if (!exited_ && waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    if (exited_) return Log().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int ExporterProcess::WaitForPort(std::chrono::seconds timeout) {
  if (!WaitForLog("starting anchorbrowser_exporter", timeout)) return 0;
  std::smatch m;
  const std::string log = Log();
  // logfmt (listen_address=host:port) or JSON ("listen_address":"host:port").
  static const std::regex kAddress(R"#(listen_address(?:=|":")[^ "]*:(\d+))#");
  return std::regex_search(log, m, kAddress) ? std::stoi(m[1]) : 0;
}

void ExporterProcess::Signal(int sig) const {
  if (!exited_) kill(pid_, sig);
}

std::optional<int> ExporterProcess::Wait(std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!exited_ && std::chrono::steady_clock::now() < until) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      exited_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited_) return std::nullopt;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

}  // namespace anchor::test
