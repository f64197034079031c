#include "anchor/api_client.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "anchor/batch_parser.h"
#include "anchor/body_decoding.h"
#include "anchor/request_moments.h"
#include "anchor/retry_after.h"
#include "net/connect_diagnosis.h"
#include "version.h"

namespace anchor {

namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

FetchError ClassifyStatus(int status) {
  if (status == 401 || status == 403) return FetchError::kUnauthorized;
  if (status == 404) return FetchError::kNotFound;
  if (status == 429) return FetchError::kRateLimited;
  if (status >= 500) return FetchError::kServerError;
  if (status >= 300 && status < 400) return FetchError::kRedirect;
  return FetchError::kClientError;
}

// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
std::string UrlEncode(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A listed id that holds the key would become a label value: it is dropped instead.
void RedactPage(BatchListPage& page, const Secret& key) {
  for (size_t i = page.batch_ids.size(); i-- > 0;) {
    if (Redacted(page.batch_ids[i], key) != page.batch_ids[i]) {
      page.batch_ids.erase(page.batch_ids.begin() + static_cast<std::ptrdiff_t>(i));
      page.statuses.erase(page.statuses.begin() + static_cast<std::ptrdiff_t>(i));
      ++page.dropped_ids;
    } else {
      page.statuses[i] = Redacted(std::move(page.statuses[i]), key);
    }
  }
}

// Sends the ACK of what was read so far at once, instead of up to 40 ms later. A server that
// leaves Nagle on and writes the body after the headers holds the body until the headers are
// ACKed; Linux delays that ACK on a kept-alive connection. TCP_QUICKACK is not sticky (the
// kernel falls back to delayed ACKs), so it is set again on every answer, once its headers are
// in: the only hook cpp-httplib's compiled client offers between the headers and the body.
void AckNow(socket_t sock) {
#ifdef TCP_QUICKACK
  if (sock == INVALID_SOCKET) return;
  const int on = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on));
#else
  (void)sock;
#endif
}

// A name lookup is reused this long (httplib would otherwise look the name up for every new
// connection itself, without telling us why it failed).
constexpr auto kResolveTtl = std::chrono::seconds(30);
// The diagnostic connect after a failed connection waits at most this long.
constexpr auto kMaxDiagnosticConnect = std::chrono::milliseconds(1000);

bool IsNumericAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::optional<double> Between(const std::optional<SteadyClock::time_point>& from,
                              const std::optional<SteadyClock::time_point>& to) {
  if (!from || !to) return std::nullopt;
  return std::chrono::duration<double>(*to - *from).count();
}

// The last error OpenSSL queued on this thread, or "".
std::string OpenSslQueueText() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof(buf));
  return buf;
}

}  // namespace

// What Get() read: the body, or how it failed before a usable answer arrived.
struct ApiClient::RawResponse {
  int status = 0;
  std::string body;
  std::string retry_after;
  std::string location;          // of a 3xx, which is never followed
  std::string content_encoding;  // decoded by DecodeBody once the body is in
  FetchError error = FetchError::kNone;
  std::string detail;
};

// The API's own text could quote the key back: it never leaves the exporter.
std::string ApiClient::Masked(std::string text) const {
  return Redacted(std::move(text), config_.api_key);
}

std::string ApiClient::KeySource() const {
  return config_.api_key_file.empty() ? "environment variable " + config_.api_key_env
                                      : "file " + config_.api_key_file;
}

ApiClient::ApiClient(const AnchorConfig& config, ResponseObserver on_response,
                     SessionBuckets buckets)
    : config_(config), on_response_(std::move(on_response)), buckets_(std::move(buckets)) {
  const auto scheme_end = config_.base_url.find("://");
  const auto path_start = config_.base_url.find('/', scheme_end + 3);
  scheme_host_port_ = config_.base_url.substr(0, path_start);
  if (path_start != std::string::npos) path_prefix_ = config_.base_url.substr(path_start);
  const bool https = config_.base_url.compare(0, 8, "https://") == 0;
  port_ = https ? 443 : 80;
  std::string authority = scheme_end == std::string::npos
                              ? scheme_host_port_
                              : scheme_host_port_.substr(scheme_end + 3);
  const auto close = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    port_ = std::atoi(authority.c_str() + colon + 1);
    authority.resize(colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  host_ = authority;
  host_is_numeric_ = IsNumericAddress(host_);
}

Result<std::string> ApiClient::Resolve(FetchTrace* trace) {
  if (host_is_numeric_) {
    if (trace) trace->lookup = "numeric";
    return host_;
  }
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!addresses_.empty() && Clock::now() - resolved_at_ < kResolveTtl) {
      if (trace) trace->lookup = "cached";
      return addresses_[next_address_ % addresses_.size()];
    }
  }
  if (trace) trace->lookup = "getaddrinfo";
  const auto start = Clock::now();
  auto found = ResolveHost(host_, port_);
  if (trace) trace->dns_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!found.ok()) return Error{"cannot resolve host " + host_ + ": " + found.error()};
  std::lock_guard<std::mutex> lock(pool_mu_);
  addresses_ = std::move(found).value();
  next_address_ = 0;
  resolved_at_ = Clock::now();
  return addresses_.front();
}

ApiClient::~ApiClient() = default;

std::uint64_t ApiClient::connections_opened() const {
  std::lock_guard<std::mutex> lock(pool_mu_);
  return connections_opened_;
}

std::unique_ptr<httplib::Client> ApiClient::AcquireConnection() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(scheme_host_port_);
  // Called for every socket the client opens: counts real connections (and TLS handshakes).
  client->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    RequestMoments::MarkSocketOpened();
    std::lock_guard<std::mutex> lock(pool_mu_);
    ++connections_opened_;
  });
  RequestMoments::ObserveHandshakes(client->ssl_context());
  client->set_keep_alive(true);
  client->set_follow_location(false);
  // Bodies are decoded by DecodeBody, so that a corrupt one is told apart from a broken read.
  client->set_decompress(false);
  client->enable_server_certificate_verification(!config_.tls.insecure_skip_verify);
  if (!config_.tls.ca_file.empty()) client->set_ca_cert_path(config_.tls.ca_file);
  client->set_default_headers({
      {"anchor-api-key", config_.api_key.Reveal()},
      {"Accept", "application/json"},
      {"Accept-Encoding", "gzip"},
      {"User-Agent", std::string("anchorbrowser_exporter/") + kVersion},
  });
  return client;
}

void ApiClient::ReleaseConnection(std::unique_ptr<httplib::Client> client) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_.size() < static_cast<size_t>(config_.max_concurrency)) {
    idle_.push_back(std::move(client));
  }
}

ApiClient::RawResponse ApiClient::Get(const std::string& path, Clock::time_point deadline,
                                      FetchTrace* trace) {
  RawResponse out;
  const auto start = Clock::now();
  deadline = std::min(deadline, start + config_.timeout);
  const auto remaining = deadline - start;
  if (trace) {
    trace->method = "GET";
    trace->url = scheme_host_port_ + path_prefix_ + path;
    trace->request_headers = {{"anchor-api-key", "<masked; from " + KeySource() + ">"},
                              {"Accept", "application/json"},
                              {"Accept-Encoding", "gzip"},
                              {"User-Agent", std::string("anchorbrowser_exporter/") + kVersion}};
  }
  if (remaining <= Clock::duration::zero()) {
    out.error = FetchError::kTimeout;
    out.detail = "no time left before the scrape deadline";
    return out;
  }
  const auto resolved = Resolve(trace);
  if (!resolved.ok()) {
    out.error = FetchError::kConnection;
    out.detail = resolved.error();
    return out;
  }
  const std::string& address = *resolved;
  if (trace) trace->address = address;
  auto client = AcquireConnection();
  if (!host_is_numeric_) client->set_hostname_addr_map({{host_, address}});
  const auto connect = std::min<Clock::duration>(config_.connect_timeout, remaining);
  client->set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(connect));
  // The watchdog below ends the request at the deadline. httplib's own read/write timeouts are
  // only a backstop a second later: its poll() rounds down to milliseconds and could wake just
  // before the deadline, turning a timeout into a "connection" error.
  const auto backstop =
      std::chrono::duration_cast<std::chrono::microseconds>(remaining + std::chrono::seconds(1));
  client->set_read_timeout(backstop);
  client->set_write_timeout(backstop);

  // The watchdog closes the socket at the deadline, however the server trickles its answer.
  std::atomic<bool> expired{false};
  httplib::Client* raw = client.get();
  const auto token = watchdog_.Arm(deadline, [raw, &expired] {
    expired = true;
    raw->stop();
  });
  bool too_large = false;
  const auto max_bytes = config_.max_response_bytes;
  RequestMoments moments;
  httplib::Result result{nullptr, httplib::Error::Unknown};
  {
    const RequestMoments::Scope scope(moments);
    result = client->Get(
        path_prefix_ + path, httplib::Headers{},
        [&](const httplib::Response& res) {
          moments.headers_received = Clock::now();
          AckNow(raw->socket());
          out.status = res.status;
          out.retry_after = res.get_header_value("Retry-After");
          out.location = res.get_header_value("Location");
          out.content_encoding = res.get_header_value("Content-Encoding");
          if (trace) {
            trace->status = res.status;
            for (const auto& [name, value] : res.headers) {
              trace->response_headers.emplace_back(name, Masked(value));
            }
          }
          const auto length = res.get_header_value<uint64_t>("Content-Length");
          if (length > max_bytes) too_large = true;
          return !too_large;
        },
        [&](const char* data, size_t len) {
          if (out.body.size() + len > max_bytes) {
            too_large = true;
            return false;  // abort the read instead of buffering an oversized body
          }
          out.body.append(data, len);
          return true;
        });
  }
  watchdog_.Disarm(token);
  if (trace) {
    trace->new_connection = moments.socket_opened.has_value();
    const std::optional<SteadyClock::time_point> begin = start;
    trace->connect_seconds = Between(moments.socket_opened, moments.handshake_started);
    trace->tls_seconds = Between(moments.handshake_started, moments.handshake_done);
    trace->first_byte_seconds = Between(begin, moments.headers_received);
    trace->body_bytes = out.body.size();
  }

  if (result && !too_large && !expired) {
    ReleaseConnection(std::move(client));
    if (on_response_) on_response_(out.status);
    Decode(out, trace);
    if (trace) trace->body_bytes = out.body.size();  // decoded, as the parser sees it
    return out;
  }
  // A failed connection is dropped, not returned to the pool.
  if (out.status != 0 && on_response_) on_response_(out.status);
  if (too_large) {
    out.error = FetchError::kTooLarge;
    out.detail =
        "response body larger than anchor.max_response_bytes (" + std::to_string(max_bytes) + ")";
  } else if (expired || result.error() == httplib::Error::ConnectionTimeout ||
             Clock::now() >= deadline) {
    out.error = FetchError::kTimeout;
    out.detail = out.status != 0 ? "the body did not arrive before the deadline"
                                 : "no answer before the deadline";
    if (!moments.socket_opened && !moments.headers_received && out.status == 0 &&
        result.error() == httplib::Error::ConnectionTimeout) {
      out.detail = "connecting to " + address + " took longer than anchor.connect_timeout";
    }
  } else {
    Explain(*client, static_cast<int>(result.error()), address, deadline, out);
  }
  if (trace) trace->notes.push_back("failed: " + out.detail);
  return out;  // out.status stays: the status line of a body that failed (e.g. too large)
}

// A body read whole, decoded per its Content-Encoding: a corrupt one is an invalid response
// (not a connection fault); one that inflates beyond the limit is too large. The text of an
// error answer is only for the log: when it cannot be decoded it is dropped, and the status
// still says what happened.
void ApiClient::Decode(RawResponse& out, FetchTrace* trace) const {
  std::string why;
  const BodyDecoding decoded =
      DecodeBody(out.content_encoding, out.body, config_.max_response_bytes, why);
  if (decoded == BodyDecoding::kOk) return;
  out.body.clear();
  if (out.status != 200) return;
  if (decoded == BodyDecoding::kTooLarge) {
    out.error = FetchError::kTooLarge;
    out.detail = "decoded response body larger than anchor.max_response_bytes (" +
                 std::to_string(config_.max_response_bytes) + ")";
  } else {
    out.error = FetchError::kInvalidResponse;
    out.detail = Masked(why);
  }
  if (trace) trace->notes.push_back("failed: " + out.detail);
}

void ApiClient::Explain(httplib::Client& client, int httplib_error, const std::string& address,
                        Clock::time_point deadline, RawResponse& out) {
  const auto error = static_cast<httplib::Error>(httplib_error);
  if (error == httplib::Error::SSLServerVerification) {
    out.error = FetchError::kTls;
    const long verify = client.get_openssl_verify_result();
    out.detail = verify != X509_V_OK
                     ? std::string("TLS: certificate verify failed: ") +
                           X509_verify_cert_error_string(verify)
                     : "TLS: certificate verify failed: the certificate is not valid for " + host_ +
                           " (hostname mismatch)";
    return;
  }
  if (error == httplib::Error::SSLLoadingCerts) {
    out.error = FetchError::kTls;
    out.detail = "TLS: cannot load the CA certificates (" +
                 (config_.tls.ca_file.empty() ? std::string("system store")
                                              : "anchor.tls.ca_file " + config_.tls.ca_file) +
                 ")";
    return;
  }
  if (error == httplib::Error::SSLConnection) {
    out.error = FetchError::kTls;
    const auto why = OpenSslQueueText();
    out.detail = "TLS: handshake with " + host_ + " failed" + (why.empty() ? "" : ": " + why);
    return;
  }
  out.error = FetchError::kConnection;
  if (error != httplib::Error::Connection) {
    out.detail = error == httplib::Error::Read
                     ? "the server closed the connection before a complete answer"
                     : "request failed: " + httplib::to_string(error);
    return;
  }
  // Error::Connection covers refused, unreachable and more: one more connect reads the errno.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  const auto wait = std::clamp(left, std::chrono::milliseconds(1), kMaxDiagnosticConnect);
  if (!host_is_numeric_) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (addresses_.size() > 1 && addresses_[next_address_ % addresses_.size()] == address) {
      ++next_address_;  // the next request tries the host's next address
    }
  }
  const Status connects = DiagnoseConnect(address, port_, wait);
  out.detail =
      "cannot connect to " + host_ + ":" + std::to_string(port_) +
      (address != host_ ? " (" + address + ")" : "") + ": " +
      (connects.ok() ? "connection failed, but a second attempt succeeded" : connects.error());
}

std::optional<ApiClient::Fault> ApiClient::FaultOf(const RawResponse& raw) const {
  if (raw.error != FetchError::kNone) return Fault{raw.error, raw.detail, std::nullopt};
  if (raw.status == 200) return std::nullopt;
  Fault fault;
  fault.error = ClassifyStatus(raw.status);
  std::string detail = "HTTP " + std::to_string(raw.status);
  if (const auto message = ParseApiErrorMessage(raw.body)) detail += ": " + *message;
  if (fault.error == FetchError::kUnauthorized) {
    detail += " (the API rejected the key from " + KeySource() + ")";
  }
  if (fault.error == FetchError::kRedirect) {
    // Following it would send the key to wherever the answer points: check anchor.url instead.
    constexpr std::size_t kMaxLocation = 200;
    detail = "HTTP " + std::to_string(raw.status) + ": redirect to " +
             (raw.location.empty() ? std::string("(no Location)")
                                   : raw.location.substr(0, kMaxLocation)) +
             ", not followed (the key is sent to anchor.url's host only): check anchor.url";
  }
  fault.detail = Masked(std::move(detail));
  if (raw.status == 429 && !raw.retry_after.empty()) {
    // The one reading of the wall clock in this layer: an HTTP date becomes a wait from now.
    fault.retry_after = ParseRetryAfter(raw.retry_after, std::chrono::system_clock::now());
  }
  return fault;
}

FetchResult ApiClient::FetchBatch(const std::string& batch_id, Clock::time_point deadline,
                                  FetchTrace* trace) {
  const auto start = SteadyClock::now();
  RawResponse raw = Get("/v1/batch-sessions/" + batch_id, deadline, trace);
  // Before the error message is cut to length, so no part of the key survives the cut.
  if (raw.status != 200) raw.body = Redacted(std::move(raw.body), config_.api_key);
  FetchResult result;
  result.http_status = raw.status;
  result.body_bytes = raw.body.size();
  if (auto fault = FaultOf(raw)) {
    result.error = fault->error;
    result.detail = std::move(fault->detail);
    result.retry_after = fault->retry_after;
  } else {
    auto parsed = ParseBatchResponseInPlace(raw.body, buckets_);
    if (parsed.ok()) {
      result.batch = std::move(parsed).value();
    } else {
      result.error = FetchError::kInvalidResponse;
      result.detail = parsed.error();
    }
  }
  // Text from the API is logged (detail, error) or exported (status, phase): never the key.
  const Secret& key = config_.api_key;
  result.detail = Redacted(std::move(result.detail), key);
  if (result.batch) {
    for (auto* field : {&result.batch->batch_id, &result.batch->status, &result.batch->phase,
                        &result.batch->error}) {
      if (*field) **field = Redacted(std::move(**field), key);
    }
  }
  result.duration_seconds = SecondsSince(start);
  if (trace) trace->total_seconds = result.duration_seconds;
  return result;
}

BatchListResult ApiClient::ListBatches(const BatchListQuery& query, Clock::time_point deadline) {
  std::string path = "/v1/batch-sessions?page=" + std::to_string(query.page) +
                     "&limit=" + std::to_string(query.limit);
  if (!query.status.empty()) path += "&status=" + UrlEncode(query.status);
  if (!query.created_after.empty()) path += "&created_after=" + UrlEncode(query.created_after);
  RawResponse raw = Get(path, deadline, nullptr);
  if (raw.status != 200) raw.body = Redacted(std::move(raw.body), config_.api_key);
  BatchListResult result;
  result.http_status = raw.status;
  if (auto fault = FaultOf(raw)) {
    result.error = fault->error;
    result.detail = std::move(fault->detail);
    result.retry_after = fault->retry_after;
  } else if (auto page = ParseBatchListResponse(raw.body)) {
    result.page = std::move(page).value();
  } else {
    result.error = FetchError::kInvalidResponse;
    result.detail = page.error();
  }
  result.detail = Redacted(std::move(result.detail), config_.api_key);
  if (result.page) RedactPage(*result.page, config_.api_key);
  return result;
}

}  // namespace anchor
