#pragma once

#include <optional>
#include <string>

#include "anchor/fetch_result.h"

namespace httplib {
class Client;
}

namespace anchor {

// Why a request on `client` failed with `httplib_error` (httplib::Error, whose enum is too
// coarse to log as is): a TLS fault with OpenSSL's reason, a read cut short, or httplib's own
// words. Nullopt for Error::Connection, which covers refused, unreachable and more: the API
// client connects once more to tell them apart. `host` and `ca_file` (anchor.tls.ca_file, ""
// for the system store) are named in the reasons.
std::optional<ApiOutcome> ExplainWithoutConnecting(httplib::Client& client, int httplib_error,
                                                   const std::string& host,
                                                   const std::string& ca_file);

}  // namespace anchor
