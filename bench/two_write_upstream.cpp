#include "two_write_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace anchor::bench {
namespace {

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TwoWriteUpstream::TwoWriteUpstream(std::chrono::milliseconds latency) : latency_(latency) {}

TwoWriteUpstream::~TwoWriteUpstream() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : connections_) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TwoWriteUpstream::SetBody(const std::string& id, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  bodies_[id] = std::move(body);
}

bool TwoWriteUpstream::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 1024) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return false;
  }
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void TwoWriteUpstream::AcceptLoop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;  // shut down
    std::lock_guard<std::mutex> lock(mu_);
    fds_.push_back(fd);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

// One kept-alive connection: requests without a body, one after the other.
void TwoWriteUpstream::Serve(int fd) {
  std::string in;
  char buf[4096];
  while (!stopping_) {
    const auto end = in.find("\r\n\r\n");
    if (end == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      continue;
    }
    const std::string request = in.substr(0, end);
    in.erase(0, end + 4);
    const auto path_start = request.find(' ') + 1;
    const std::string path = request.substr(path_start, request.find(' ', path_start) - path_start);
    const std::string prefix = "/v1/batch-sessions/";
    std::string body = R"({"error": {"code": 404, "message": "Batch not found"}})";
    int status = 404;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto it =
          path.rfind(prefix, 0) == 0 ? bodies_.find(path.substr(prefix.size())) : bodies_.end();
      if (it != bodies_.end()) {
        body = it->second;
        status = 200;
      }
    }
    std::this_thread::sleep_for(latency_);
    const std::string headers =
        "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: keep-alive\r\n\r\n";
    if (!WriteAll(fd, headers) || !WriteAll(fd, body)) break;  // two writes, Nagle on
  }
  std::lock_guard<std::mutex> lock(mu_);
  fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
  ::close(fd);
}

}  // namespace anchor::bench
