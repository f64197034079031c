// One connection of the HTTP front: reads request heads under a deadline, checks them, reads
// and drops bodies per their framing, hands requests to the worker pool and writes the answers
// in order. Everything here runs on the connection's strand.
#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "http/http_front_core.h"
#include "http/request_head_check.h"
#include "http/request_reader.h"
#include "http/shared_blocks_body.h"

namespace anchor {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using State = ConnectionTable::State;

// After an answer that closes the connection, what the client still sends is read and dropped
// for a while, so that the close does not reset the connection before the answer is read.
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);

HttpResponse ErrorAnswer(const HeadVerdict& verdict) {
  const int status = verdict.status();
  auto res = HttpResponse::Text(status, std::to_string(status) + " " +
                                            (status == 431   ? "request header fields too large"
                                             : status == 413 ? "payload too large"
                                             : status == 417 ? "expectation failed"
                                                             : "bad request") +
                                            ": " + verdict.reason() + "\n");
  res.close = true;
  return res;
}

template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Connection(std::shared_ptr<FrontCore> core, tcp::socket socket)
      : core_(std::move(core)), stream_(MakeStream(std::move(socket), *core_)) {}
  ~Connection() { core_->table.Remove(id_); }

  void Start() {
    const auto id = core_->table.Admit(Closer());
    if (!id) return;  // refused: the socket closes with this object
    id_ = *id;
    error_code ec;
    remote_ = Tcp().socket().remote_endpoint(ec).address().to_string(ec);
    Tcp().expires_after(core_->options.head_timeout);  // covers the TLS handshake too
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code e) {
                                if (!e) self->ReadMore();
                              });
    } else {
      ReadMore();
    }
  }

 private:
  static Stream MakeStream(tcp::socket socket, FrontCore& core) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *core.tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Closes this connection from any thread (on its strand), if it is still open.
  std::function<void()> Closer() {
    std::weak_ptr<Connection> weak = this->weak_from_this();
    return [weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] { self->CloseNow(); });
      }
    };
  }

  void CloseNow() {
    closed_ = true;
    Tcp().close();
  }

  void ReadMore() {
    if (core_->stopped) return CloseNow();  // e.g. a TLS handshake that ended after Stop()
    stream_.async_read_some(asio::buffer(chunk_),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                              if (ec || self->closed_)
                                return;  // reset, timed out or closed: the connection ends
                              self->buf_.append(self->chunk_.data(), n);
                              self->Process();
                            });
  }

  // A request starts: the head deadline runs from its first byte.
  void StartHead() {
    if (!idle_) return;
    idle_ = false;
    core_->table.Set(id_, State::kHead);
    Tcp().expires_after(core_->options.head_timeout);
  }

  void Process() {
    if (reader_ && reader_->head_done()) return ContinueBody();
    if (!reader_) {
      // Blank lines before a request line are ignored (RFC 9112, 2.2).
      std::size_t skip = 0;
      while (skip < buf_.size() && (buf_[skip] == '\r' || buf_[skip] == '\n')) ++skip;
      if (skip > 0) Consume(skip);
      if (buf_.empty()) return ReadMore();
      StartHead();
      reader_.emplace(core_->options.max_body_bytes);
    }
    if (buf_.empty()) return ReadMore();
    const auto fed = reader_->FeedHead(buf_);
    if (!fed.verdict.ok()) return Reject(fed.verdict);
    Consume(fed.taken);
    if (!reader_->head_done()) return ReadMore();
    const auto& parser = reader_->parser();
    const auto expect = parser.get()[http::field::expect];
    if (!expect.empty() && !beast::iequals(expect, "100-continue")) {
      // As Go's net/http: the only expectation HTTP defines is 100-continue (RFC 9110, 10.1.1).
      return Reject(HeadVerdict::Refused(417, "unsupported expectation"));
    }
    // The client waits for "100 Continue" before sending the body (curl for a second or so):
    // say it now, since the body is always read (and dropped). Not for HTTP/1.0 (RFC 9110,
    // 10.1.1), nor once body bytes are here; a body over the limit got 413 above already.
    if (!expect.empty() && parser.get().version() >= 11 && !parser.is_done() && buf_.empty()) {
      return WriteContinue();
    }
    ContinueBody();
  }

  void WriteContinue() {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = this->shared_from_this()](error_code ec, std::size_t) {
                        if (ec || self->closed_) return;
                        self->ContinueBody();
                      });
  }

  void Consume(std::size_t n) { buf_.erase(0, n); }

  // The body is read per its framing and dropped; a body that cannot be framed ends the
  // connection, so that its bytes are never taken for a request.
  void ContinueBody() {
    auto& parser = reader_->parser();
    while (!parser.is_done()) {
      if (buf_.size() > RequestHeadLimits::kMaxHeadBytes + core_->options.max_body_bytes) {
        return Reject(HeadVerdict::Refused(400, "malformed body framing"));
      }
      error_code ec;
      const std::size_t n = buf_.empty() ? 0 : parser.put(asio::buffer(buf_), ec);
      Consume(n);
      if (ec == http::error::body_limit) {
        return Reject(HeadVerdict::Refused(413, "request body too large"));
      }
      if (ec && ec != http::error::need_more) {
        return Reject(HeadVerdict::Refused(400, "malformed body"));
      }
      if (n == 0) return ReadMore();
    }
    Dispatch();
  }

  HttpRequest TakeRequest() {
    auto& parser = reader_->parser();
    const auto& msg = parser.get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    for (const auto& field : msg) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.remote_addr = remote_;
    req.has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    keep_alive_ = parser.keep_alive();
    head_only_ = msg.method() == http::verb::head;
    version_ = msg.version();
    auto target = ParseRequestTarget(std::string_view(msg.target().data(), msg.target().size()));
    target_ok_ = target.ok();
    if (target_ok_) {
      req.path = std::move(target.value().path);
      req.query = std::move(target.value().query);
      // Absolute-form: the target's authority replaces Host (RFC 9112 section 3.2.2).
      if (!target->authority.empty()) {
        for (auto& [name, value] : req.headers) {
          if (beast::iequals(name, "Host")) value = target->authority;
        }
      }
    }
    reader_.reset();
    return req;
  }

  void Dispatch() {
    HttpRequest req = TakeRequest();
    if (!target_ok_) return Reject(HeadVerdict::Refused(400, "invalid request target"));
    core_->table.Set(id_, State::kBusy);
    Tcp().expires_never();
    // Keeps the I/O threads running until the answer has been handed back.
    auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
        core_->io.get_executor());
    auto self = this->shared_from_this();
    const bool posted = core_->pool.TryPost([self, work, req = std::move(req)] {
      auto res = std::make_shared<HttpResponse>(AnswerOrInternalError(self->core_->handler, req));
      asio::post(self->stream_.get_executor(), [self, work, res] { self->Write(std::move(*res)); });
    });
    if (!posted) {
      Write(HttpResponse::Text(503, "503 service unavailable: too many requests in progress\n"));
    }
  }

  void Reject(const HeadVerdict& verdict) {
    reader_.reset();
    keep_alive_ = false;
    head_only_ = false;
    version_ = 11;
    core_->table.Set(id_, State::kBusy);
    Write(ErrorAnswer(verdict));
  }

  // The body is sent from shared blocks (SharedBlocksBody): an answer waiting for a client
  // that does not read holds references to them, and `res.hold` (its --web.max-requests slot),
  // until it is written, the write timeout ends the connection, the client goes away, or a new
  // scrape displaces it (res.on_write's closer).
  void Write(HttpResponse res) {
    if (closed_) return;
    const bool close = res.close || !keep_alive_ || core_->stopped;
    auto msg = std::make_shared<http::response<SharedBlocksBody>>(
        static_cast<http::status>(res.status), version_);
    msg->set(http::field::content_type, res.content_type);
    for (const auto& [name, value] : res.headers) msg->set(name, value);
    auto& blocks = msg->body();
    blocks.reserve(res.blocks.size() + 1);
    if (!res.body.empty())
      blocks.push_back(std::make_shared<const std::string>(std::move(res.body)));
    blocks.insert(blocks.end(), std::make_move_iterator(res.blocks.begin()),
                  std::make_move_iterator(res.blocks.end()));
    msg->prepare_payload();
    if (head_only_) blocks.clear();  // Content-Length still says what GET would send
    msg->keep_alive(!close);
    if (res.on_write) res.on_write(Closer());  // e.g. its slot may be taken back (AnswerSlots)
    Tcp().expires_after(core_->options.write_timeout);
    http::async_write(stream_, *msg,
                      [self = this->shared_from_this(), msg, close, hold = std::move(res.hold)](
                          error_code ec, std::size_t) {
                        if (ec || self->closed_) return;
                        if (self->core_->stopped) return self->CloseNow();
                        if (close) return self->Linger();
                        self->idle_ = true;
                        self->core_->table.Set(self->id_, State::kIdle);
                        self->Tcp().expires_after(self->core_->options.idle_timeout);
                        self->Process();  // a pipelined request may be buffered already
                      });
  }

  void Linger() {
    error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    core_->table.Set(id_, State::kHead);  // first to go when the server is full
    Tcp().expires_after(kLingerTime);
    Drain(0);
  }

  void Drain(std::size_t drained) {
    Tcp().async_read_some(asio::buffer(chunk_),
                          [self = this->shared_from_this(), drained](error_code ec, std::size_t n) {
                            if (ec || drained + n > kLingerBytes) return self->CloseNow();
                            self->Drain(drained + n);
                          });
  }

  std::shared_ptr<FrontCore> core_;
  Stream stream_;
  std::uint64_t id_ = 0;
  std::string remote_;
  // Small: every open connection has a read pending into it (2,000 connections: 4 MiB).
  std::array<char, 2048> chunk_{};
  std::string buf_;                      // received, not yet parsed
  std::optional<RequestReader> reader_;  // from a request's first byte until it is dispatched
  bool idle_ = false;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool target_ok_ = true;
  unsigned version_ = 11;
};

}  // namespace

void StartConnection(const std::shared_ptr<FrontCore>& core, tcp::socket socket) {
  if (core->tls) {
    std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(core, std::move(socket))
        ->Start();
  } else {
    std::make_shared<Connection<beast::tcp_stream>>(core, std::move(socket))->Start();
  }
}

}  // namespace anchor
