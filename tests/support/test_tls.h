#pragma once

#include <string>

namespace anchor::test {

// A self-signed certificate for 127.0.0.1 and localhost, generated with OpenSSL when the test
// runs and written to a fresh temporary directory. It is its own CA, so the same file serves as
// the server certificate and as anchor.tls.ca_file.
struct TestCertificate {
  std::string dir;
  std::string cert_file;
  std::string key_file;
};

// `common_name` and the subject alternative names go into the certificate; pass
// "wrong.example" as the only name to get a certificate that does not match 127.0.0.1.
// With `expired`, its validity ended a day ago.
TestCertificate MakeSelfSignedCertificate(const std::string& san = "IP:127.0.0.1,DNS:localhost",
                                          bool expired = false);

// A certificate for `common_name` signed by `ca` (a certificate from MakeSelfSignedCertificate),
// usable as a TLS client certificate; written to a fresh temporary directory.
TestCertificate MakeSignedCertificate(const TestCertificate& ca, const std::string& common_name);

// A fresh temporary directory (removed by the OS, not by the tests).
std::string MakeTempDir();

void WriteFile(const std::string& path, const std::string& content);

}  // namespace anchor::test
