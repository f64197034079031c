#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anchor {

// The exporter-toolkit's cipher_suites and curve_preferences take Go crypto/tls names; OpenSSL
// has its own. These map one to the other.

// An OpenSSL cipher for a Go cipher suite name (tls.CipherSuites() and
// tls.InsecureCipherSuites()), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ->
// ECDHE-RSA-AES128-GCM-SHA256. `tls13` tells which OpenSSL list it belongs to (TLS 1.3 suites
// are set apart from TLS 1.2 ciphers). nullopt for a name Go does not have.
struct OpenSslCipher {
  std::string name;
  bool tls13 = false;
};
std::optional<OpenSslCipher> OpenSslCipherFor(std::string_view go_name);

// An OpenSSL group for a Go curve name (CurveP256, CurveP384, CurveP521, X25519).
std::optional<std::string> OpenSslGroupFor(std::string_view go_name);

// The Go names accepted, for error messages.
std::string GoCurveNames();

// TLS 1.2 ciphers when cipher_suites is not set: forward-secret AEAD only (ECDHE with AES-GCM or
// ChaCha20-Poly1305), as Go's defaults are ECDHE-only. TLS 1.3 suites all qualify.
extern const char* const kDefaultTls12Ciphers;
// Groups when curve_preferences is not set, in Go's order.
extern const char* const kDefaultGroups;

}  // namespace anchor
