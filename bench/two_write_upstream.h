#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anchor::bench {

// An HTTP/1.1 server on 127.0.0.1 that behaves like Python's http.server and many app servers:
// Nagle's algorithm left on (no TCP_NODELAY), and every response sent in two writes, headers
// then body. On a kept-alive connection the body waits in the server's kernel until the client
// ACKs the headers, which a client that delays its ACKs does only after ~40 ms.
// Answers GET /v1/batch-sessions/{id} with the body set for `id` after `latency`; 404 otherwise.
class TwoWriteUpstream {
 public:
  explicit TwoWriteUpstream(std::chrono::milliseconds latency);
  ~TwoWriteUpstream();
  TwoWriteUpstream(const TwoWriteUpstream&) = delete;
  TwoWriteUpstream& operator=(const TwoWriteUpstream&) = delete;

  void SetBody(const std::string& id, std::string body);
  // Binds an ephemeral port and accepts in the background; false when it cannot.
  bool Start();
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  const std::chrono::milliseconds latency_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::map<std::string, std::string> bodies_;
  std::vector<std::thread> connections_;
  std::vector<int> fds_;
};

}  // namespace anchor::bench
