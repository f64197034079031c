#include "anchor/api_client.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>

#include "anchor/batch_parser.h"
#include "anchor/body_decoding.h"
#include "anchor/request_moments.h"
#include "anchor/response_fault.h"
#include "anchor/session_detail_builder.h"
#include "anchor/transport_fault.h"
#include "net/connect_diagnosis.h"
#include "version.h"

namespace anchor {

namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
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

std::optional<double> Between(const std::optional<SteadyClock::time_point>& from,
                              const std::optional<SteadyClock::time_point>& to) {
  if (!from || !to) return std::nullopt;
  return std::chrono::duration<double>(*to - *from).count();
}

// The head of an answer, as far as the client acts on it.
RawResponse HeadOf(const httplib::Response& res) {
  RawResponse out;
  out.status = res.status;
  out.retry_after = res.get_header_value("Retry-After");
  out.location = res.get_header_value("Location");
  out.content_encoding = res.get_header_value("Content-Encoding");
  return out;
}

// The phases of the request, once it is over (for /probe?debug=true).
void TraceMoments(FetchTrace& trace, const RequestMoments& moments, SteadyClock::time_point start,
                  std::size_t body_bytes) {
  trace.new_connection = moments.socket_opened.has_value();
  const std::optional<SteadyClock::time_point> begin = start;
  trace.connect_seconds = Between(moments.socket_opened, moments.handshake_started);
  trace.tls_seconds = Between(moments.handshake_started, moments.handshake_done);
  trace.first_byte_seconds = Between(begin, moments.headers_received);
  trace.body_bytes = body_bytes;
}

// The parse options with the key to mask in session error texts.
SessionParseOptions WithKey(SessionParseOptions options, const Secret& key) {
  options.api_key = key;
  return options;
}

}  // namespace

// What Send() read, and what cut it short.
struct ApiClient::Exchange {
  RawResponse response;
  bool complete = false;  // httplib read the whole answer
  int error = 0;          // httplib::Error, when not complete
  bool too_large = false;
  bool expired = false;  // the watchdog closed the socket at the deadline
  RequestMoments moments;
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
                     SessionParseOptions parse)
    : config_(config),
      on_response_(std::move(on_response)),
      parse_options_(WithKey(std::move(parse), config.api_key)),
      endpoint_(ApiEndpoint::Parse(config_.base_url)) {}

Result<std::string> ApiClient::Resolve(FetchTrace* trace) {
  if (endpoint_.host_is_numeric) {
    if (trace) trace->lookup = "numeric";
    return endpoint_.host;
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
  auto found = ResolveHost(endpoint_.host, endpoint_.port);
  if (trace) trace->dns_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!found.ok()) return Error{"cannot resolve host " + endpoint_.host + ": " + found.error()};
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
  auto client = std::make_unique<httplib::Client>(endpoint_.scheme_host_port);
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

RawResponse ApiClient::Get(const std::string& path, Clock::time_point deadline, FetchTrace* trace) {
  const auto start = Clock::now();
  deadline = std::min(deadline, start + config_.timeout);
  if (trace) {
    trace->method = "GET";
    trace->url = endpoint_.scheme_host_port + endpoint_.path_prefix + path;
    trace->request_headers = {{"anchor-api-key", "<masked; from " + KeySource() + ">"},
                              {"Accept", "application/json"},
                              {"Accept-Encoding", "gzip"},
                              {"User-Agent", std::string("anchorbrowser_exporter/") + kVersion}};
  }
  RawResponse out;
  if (deadline - start <= Clock::duration::zero()) {
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
  auto client = ConnectionTo(address, deadline - start);
  Exchange exchange = Send(*client, path, deadline, trace);
  if (trace) TraceMoments(*trace, exchange.moments, start, exchange.response.body.size());
  out = Classify(std::move(client), std::move(exchange), address, deadline, trace);
  // Before an error message is cut to length, so no part of the key survives the cut.
  if (out.status != 200) out.body = Masked(std::move(out.body));
  return out;
}

std::unique_ptr<httplib::Client> ApiClient::ConnectionTo(const std::string& address,
                                                         Clock::duration remaining) {
  auto client = AcquireConnection();
  if (!endpoint_.host_is_numeric) client->set_hostname_addr_map({{endpoint_.host, address}});
  const auto connect = std::min<Clock::duration>(config_.connect_timeout, remaining);
  client->set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(connect));
  // The watchdog (Send) ends the request at the deadline. httplib's own read/write timeouts are
  // only a backstop a second later: its poll() rounds down to milliseconds and could wake just
  // before the deadline, turning a timeout into a "connection" error.
  const auto backstop =
      std::chrono::duration_cast<std::chrono::microseconds>(remaining + std::chrono::seconds(1));
  client->set_read_timeout(backstop);
  client->set_write_timeout(backstop);
  return client;
}

ApiClient::Exchange ApiClient::Send(httplib::Client& client, const std::string& path,
                                    Clock::time_point deadline, FetchTrace* trace) {
  Exchange ex;
  // The watchdog closes the socket at the deadline, however the server trickles its answer.
  std::atomic<bool> expired{false};
  httplib::Client* raw = &client;
  const auto token = watchdog_.Arm(deadline, [raw, &expired] {
    expired = true;
    raw->stop();
  });
  const auto max_bytes = config_.max_response_bytes;
  httplib::Result result{nullptr, httplib::Error::Unknown};
  {
    const RequestMoments::Scope scope(ex.moments);
    result = client.Get(
        endpoint_.path_prefix + path, httplib::Headers{},
        [&](const httplib::Response& res) {
          ex.moments.headers_received = Clock::now();
          AckNow(raw->socket());
          ex.response = HeadOf(res);
          if (trace) {
            trace->status = res.status;
            for (const auto& [name, value] : res.headers) {
              trace->response_headers.emplace_back(name, Masked(value));
            }
          }
          ex.too_large = res.get_header_value<uint64_t>("Content-Length") > max_bytes;
          return !ex.too_large;
        },
        [&](const char* data, size_t len) {
          if (ex.response.body.size() + len > max_bytes) {
            ex.too_large = true;
            return false;  // abort the read instead of buffering an oversized body
          }
          ex.response.body.append(data, len);
          return true;
        });
  }
  watchdog_.Disarm(token);
  ex.expired = expired;
  ex.complete = static_cast<bool>(result);
  ex.error = static_cast<int>(result.error());
  return ex;
}

RawResponse ApiClient::Classify(std::unique_ptr<httplib::Client> client, Exchange exchange,
                                const std::string& address, Clock::time_point deadline,
                                FetchTrace* trace) {
  RawResponse out = std::move(exchange.response);
  if (exchange.complete && !exchange.too_large && !exchange.expired) {
    ReleaseConnection(std::move(client));
    if (on_response_) on_response_(out.status);
    out = Decode(std::move(out), trace);
    if (trace) trace->body_bytes = out.body.size();  // decoded, as the parser sees it
    return out;
  }
  // A failed connection is dropped, not returned to the pool.
  if (out.status != 0 && on_response_) on_response_(out.status);
  const auto error = static_cast<httplib::Error>(exchange.error);
  if (exchange.too_large) {
    out.error = FetchError::kTooLarge;
    out.detail = "response body larger than anchor.max_response_bytes (" +
                 std::to_string(config_.max_response_bytes) + ")";
  } else if (exchange.expired || error == httplib::Error::ConnectionTimeout ||
             Clock::now() >= deadline) {
    out.error = FetchError::kTimeout;
    out.detail = out.status != 0 ? "the body did not arrive before the deadline"
                                 : "no answer before the deadline";
    const RequestMoments& m = exchange.moments;
    if (!m.socket_opened && !m.headers_received && out.status == 0 &&
        error == httplib::Error::ConnectionTimeout) {
      out.detail = "connecting to " + address + " took longer than anchor.connect_timeout";
    }
  } else {
    ApiOutcome why = Explain(*client, exchange.error, address, deadline);
    out.error = why.error;
    out.detail = std::move(why.detail);
  }
  if (trace) trace->notes.push_back("failed: " + out.detail);
  return out;  // out.status stays: the status line of a body that failed (e.g. too large)
}

// A body read whole, decoded per its Content-Encoding: a corrupt one is an invalid response
// (not a connection fault); one that inflates beyond the limit is too large. The text of an
// error answer is only for the log: when it cannot be decoded it is dropped, and the status
// still says what happened.
RawResponse ApiClient::Decode(RawResponse raw, FetchTrace* trace) const {
  const BodyDecodingResult decoded =
      DecodeBody(raw.content_encoding, raw.body, config_.max_response_bytes);
  if (decoded.ok()) return raw;
  raw.body.clear();
  if (raw.status != 200) return raw;
  if (decoded.kind == BodyDecoding::kTooLarge) {
    raw.error = FetchError::kTooLarge;
    raw.detail = "decoded response body larger than anchor.max_response_bytes (" +
                 std::to_string(config_.max_response_bytes) + ")";
  } else {
    raw.error = FetchError::kInvalidResponse;
    raw.detail = Masked(decoded.detail);
  }
  if (trace) trace->notes.push_back("failed: " + raw.detail);
  return raw;
}

ApiOutcome ApiClient::Explain(httplib::Client& client, int httplib_error,
                              const std::string& address, Clock::time_point deadline) {
  if (auto known =
          ExplainWithoutConnecting(client, httplib_error, endpoint_.host, config_.tls.ca_file)) {
    return *known;
  }
  // Error::Connection covers refused, unreachable and more: one more connect reads the errno.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  const auto wait = std::clamp(left, std::chrono::milliseconds(1), kMaxDiagnosticConnect);
  if (!endpoint_.host_is_numeric) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (addresses_.size() > 1 && addresses_[next_address_ % addresses_.size()] == address) {
      ++next_address_;  // the next request tries the host's next address
    }
  }
  const Status connects = DiagnoseConnect(address, endpoint_.port, wait);
  const std::string& host = endpoint_.host;
  ApiOutcome out;
  out.error = FetchError::kConnection;
  out.detail =
      "cannot connect to " + host + ":" + std::to_string(endpoint_.port) +
      (address != host ? " (" + address + ")" : "") + ": " +
      (connects.ok() ? "connection failed, but a second attempt succeeded" : connects.error());
  return out;
}

FetchResult ApiClient::FetchBatch(const std::string& batch_id, Clock::time_point deadline,
                                  FetchTrace* trace) {
  const auto start = SteadyClock::now();
  RawResponse raw = Get("/v1/batch-sessions/" + batch_id, deadline, trace);
  const std::size_t body_bytes = raw.body.size();
  FetchResult result = Interpret(
      raw, &FetchResult::batch,
      [this](std::string& body) { return ParseBatchResponseInPlace(body, parse_options_); },
      config_.api_key, KeySource());
  result.body_bytes = body_bytes;
  // Text from the API is exported (status, phase): never the key.
  if (result.batch) {
    for (auto* field : {&result.batch->batch_id, &result.batch->status, &result.batch->phase,
                        &result.batch->error}) {
      if (*field) **field = Masked(std::move(**field));
    }
    // Error texts were masked by the parse (parse_options_.api_key), before they were cut.
    if (result.batch->sessions) RedactDetail(result.batch->sessions->detail, config_.api_key);
  }
  result.duration_seconds = SecondsSince(start);
  if (trace) trace->total_seconds = result.duration_seconds;
  return result;
}

BatchListResult ApiClient::ListBatches(const BatchListQuery& query, Clock::time_point deadline) {
  RawResponse raw = Get(BatchListPath(query), deadline, nullptr);
  BatchListResult result = Interpret(
      raw, &BatchListResult::page,
      [](const std::string& body) { return ParseBatchListResponse(body); }, config_.api_key,
      KeySource());
  if (result.page) result.page = RedactedPage(std::move(*result.page), config_.api_key);
  return result;
}

}  // namespace anchor
