#pragma once

#include <string>

namespace anchor::test {

// Runs a shell command; returns its exit status and appends its stdout and stderr to `output`.
int RunCommand(const std::string& command, std::string& output);

// A bcrypt hash of `password` made by Apache's htpasswd (`htpasswd -nbBC <cost>`), the tool the
// exporter-toolkit's documentation recommends.
std::string HtpasswdHash(const std::string& password, int cost = 5);

// Writes `yaml` to a fresh temporary file and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& content);

// A TCP connection to 127.0.0.1:port (-1 on failure); the caller closes it.
int ConnectLoopback(int port);

// Sends `request` byte for byte (no URL encoding by a client library) and returns the status of
// the answer, 0 if none came within 30 s. `body_out` gets the response body when not null.
int RawHttpRequest(int port, const std::string& request, std::string* body_out = nullptr);

}  // namespace anchor::test
