#include "support/raw_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "support/web_fixtures.h"

namespace anchor::test {

RawConnection::RawConnection(int port) : fd_(ConnectLoopback(port)) {}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawConnection::ReadSome(std::string& into, std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) {
    closed_ = true;  // orderly close or reset
    return false;
  }
  into.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::string RawConnection::ReadUntilClose(std::chrono::milliseconds limit) {
  std::string data;
  const auto until = std::chrono::steady_clock::now() + limit;
  while (ReadSome(data, until)) {
  }
  return data;
}

std::string RawConnection::ReadAnswers(int count, std::chrono::milliseconds limit) {
  std::string data;
  const auto until = std::chrono::steady_clock::now() + limit;
  while (static_cast<int>(AnswerStatuses(data).size()) < count && ReadSome(data, until)) {
  }
  return data;
}

std::vector<int> AnswerStatuses(const std::string& bytes) {
  std::vector<int> statuses;
  for (std::size_t at = bytes.find("HTTP/1."); at != std::string::npos;
       at = bytes.find("HTTP/1.", at + 1)) {
    const bool line_start = at == 0 || bytes[at - 1] == '\n';
    if (line_start && at + 12 <= bytes.size()) {
      statuses.push_back(std::atoi(bytes.substr(at + 9, 3).c_str()));
    }
  }
  return statuses;
}

}  // namespace anchor::test
