#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace anchor::test {

// A raw TCP connection to the exporter on loopback, for requests no client library would send.
// Closes its socket when it goes out of scope.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // False when not everything could be written (e.g. the server closed the connection).
  bool Send(const std::string& bytes);
  // Reads until the server closes the connection or `limit` passes; closed() tells which.
  std::string ReadUntilClose(std::chrono::milliseconds limit = std::chrono::seconds(10));
  // Reads until `count` answers' status lines have arrived (or close, or `limit`).
  std::string ReadAnswers(int count, std::chrono::milliseconds limit = std::chrono::seconds(10));
  bool closed() const { return closed_; }

 private:
  bool ReadSome(std::string& into, std::chrono::steady_clock::time_point until);
  int fd_ = -1;
  bool closed_ = false;
};

// The status codes of the HTTP answers in `bytes`, in order.
std::vector<int> AnswerStatuses(const std::string& bytes);

}  // namespace anchor::test
