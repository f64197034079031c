// A test-only program: the fake Anchor API (tests/support/fake_anchor_api.*) on 127.0.0.1, scripted
// line by line on stdin, so that a test driving the real exporter binary, Prometheus and
// Alertmanager can walk through scenarios. Prints "port <n>" once serving, then "ok" (or
// "error: ...") after each command:
//   json <batch_id> <one-line JSON body>   answer 200 with this body
//   status <batch_id> <http status>        answer with this status and an error body
//   down                                   stop serving: connections are refused
//   up                                     serve again on the same port, same answers
// Exits at end of input.
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/fake_anchor_api.h"

namespace {

using anchor::FakeAnchorApi;

class ScriptedApi {
 public:
  explicit ScriptedApi(std::string key) : key_(std::move(key)) {}

  bool Up(int port) {
    api_ = std::make_unique<FakeAnchorApi>(FakeAnchorApi::Options{key_, "", "", 16});
    if (!api_->Start(port)) return false;
    port_ = api_->port();
    for (const auto& [id, answer] : answers_) api_->SetAnswer(id, answer);
    return true;
  }
  void Down() { api_.reset(); }
  bool IsUp() const { return api_ != nullptr; }
  int port() const { return port_; }

  void Set(const std::string& id, FakeAnchorApi::Answer answer) {
    answers_[id] = answer;
    if (api_) api_->SetAnswer(id, std::move(answer));
  }

  // One command line; "" when done, else the error.
  std::string Run(const std::string& line) {
    std::istringstream in(line);
    std::string verb, id;
    in >> verb;
    if (verb == "down") {
      Down();
      return "";
    }
    if (verb == "up") return IsUp() || Up(port_) ? "" : "cannot listen again";
    in >> id;
    if (id.empty()) return "no batch id";
    FakeAnchorApi::Answer answer;
    if (verb == "json") {
      std::getline(in >> std::ws, answer.body);
    } else if (verb == "status") {
      if (!(in >> answer.status) || answer.status < 100 || answer.status > 599) return "bad status";
      answer.body = R"({"error": {"code": )" + std::to_string(answer.status) + "}}";
    } else {
      return "unknown command " + verb;
    }
    Set(id, std::move(answer));
    return "";
  }

 private:
  std::string key_;
  std::unique_ptr<FakeAnchorApi> api_;
  std::map<std::string, FakeAnchorApi::Answer> answers_;
  int port_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  ScriptedApi api(argc > 1 ? argv[1] : "test-api-key");
  if (!api.Up(0)) {
    std::cerr << "cannot start the fake API\n";
    return 1;
  }
  std::cout << "port " << api.port() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const auto err = api.Run(line);
    std::cout << (err.empty() ? "ok" : "error: " + err) << std::endl;
  }
  return 0;
}
