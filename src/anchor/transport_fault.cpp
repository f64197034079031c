#include "anchor/transport_fault.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/x509.h>

namespace anchor {

namespace {

// The last error OpenSSL queued on this thread, or "".
std::string OpenSslQueueText() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof(buf));
  return buf;
}

ApiOutcome Fault(FetchError error, std::string detail) {
  ApiOutcome out;
  out.error = error;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

std::optional<ApiOutcome> ExplainWithoutConnecting(httplib::Client& client, int httplib_error,
                                                   const std::string& host,
                                                   const std::string& ca_file) {
  const auto error = static_cast<httplib::Error>(httplib_error);
  if (error == httplib::Error::SSLServerVerification) {
    const long verify = client.get_openssl_verify_result();
    const std::string why =
        verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify))
                            : "the certificate is not valid for " + host + " (hostname mismatch)";
    return Fault(FetchError::kTls, "TLS: certificate verify failed: " + why);
  }
  if (error == httplib::Error::SSLLoadingCerts) {
    return Fault(FetchError::kTls, "TLS: cannot load the CA certificates (" +
                                       (ca_file.empty() ? std::string("system store")
                                                        : "anchor.tls.ca_file " + ca_file) +
                                       ")");
  }
  if (error == httplib::Error::SSLConnection) {
    const auto why = OpenSslQueueText();
    return Fault(FetchError::kTls,
                 "TLS: handshake with " + host + " failed" + (why.empty() ? "" : ": " + why));
  }
  if (error == httplib::Error::Connection) return std::nullopt;
  return Fault(FetchError::kConnection,
               error == httplib::Error::Read
                   ? "the server closed the connection before a complete answer"
                   : "request failed: " + httplib::to_string(error));
}

}  // namespace anchor
