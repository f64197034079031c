#include "support/web_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "support/test_tls.h"

namespace anchor::test {

int RunCommand(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string HtpasswdHash(const std::string& password, int cost) {
  std::string out;
  // -n: print, -b: password from the command line, -B: bcrypt, -C: cost. User name empty.
  const int rc =
      RunCommand("htpasswd -nbBC " + std::to_string(cost) + " '' '" + password + "'", out);
  if (rc != 0) throw std::runtime_error("htpasswd failed (is apache2-utils installed?): " + out);
  const auto start = out.find(':');
  const auto end = out.find_first_of("\r\n", start);
  if (start == std::string::npos) throw std::runtime_error("unexpected htpasswd output: " + out);
  return out.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = MakeTempDir() + "/" + name;
  WriteFile(path, content);
  return path;
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int RawHttpRequest(int port, const std::string& request, std::string* body_out) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return 0;
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return 0;
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  // "HTTP/1.1 200 OK\r\n..."
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  if (body_out != nullptr) {
    const auto end = response.find("\r\n\r\n");
    *body_out = end == std::string::npos ? "" : response.substr(end + 4);
  }
  return std::atoi(response.substr(9, 3).c_str());
}

}  // namespace anchor::test
