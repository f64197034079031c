// RequestMoments (src/anchor/request_moments.h): the moments of one request, recorded on the
// calling thread while a Scope lives; the TLS handshake seen through OpenSSL's info callback.
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "anchor/request_moments.h"
#include "support/test_tls.h"

using anchor::RequestMoments;

namespace {

using Ctx = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;

// A TLS client and server joined in memory by a BIO pair (no socket).
class InMemoryTls {
 public:
  InMemoryTls(SSL_CTX* client_ctx, int max_version)
      : server_ctx_(SSL_CTX_new(TLS_server_method()), SSL_CTX_free),
        client_(nullptr, SSL_free),
        server_(nullptr, SSL_free) {
    static const anchor::test::TestCertificate cert = anchor::test::MakeSelfSignedCertificate();
    REQUIRE(SSL_CTX_use_certificate_chain_file(server_ctx_.get(), cert.cert_file.c_str()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(server_ctx_.get(), cert.key_file.c_str(),
                                        SSL_FILETYPE_PEM) == 1);
    SSL_CTX_set_max_proto_version(client_ctx, max_version);
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, nullptr);
    client_.reset(SSL_new(client_ctx));
    server_.reset(SSL_new(server_ctx_.get()));
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    REQUIRE(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) == 1);
    SSL_set_bio(client_.get(), client_bio, client_bio);
    SSL_set_bio(server_.get(), server_bio, server_bio);
    SSL_set_connect_state(client_.get());
    SSL_set_accept_state(server_.get());
  }

  // False when it does not complete.
  bool Handshake() {
    for (int round = 0; round < 20; ++round) {
      const int c = SSL_do_handshake(client_.get());
      const int s = SSL_do_handshake(server_.get());
      if (c == 1 && s == 1) return true;
    }
    return false;
  }

  // The client reads what the server sent after the handshake (TLS 1.3 session tickets), as
  // reading an answer would.
  void ReadPending() {
    char byte = 0;
    SSL_read(client_.get(), &byte, 1);
  }

  // TLS 1.2: the server asks for a second handshake, which the client starts on its next read
  // (OpenSSL reports another handshake start to the client's info callback).
  void Renegotiate() {
    SSL_renegotiate(server_.get());
    for (int round = 0; round < 3; ++round) {
      SSL_do_handshake(server_.get());
      ReadPending();
    }
  }

 private:
  Ctx server_ctx_;
  Ssl client_;
  Ssl server_;
};

}  // namespace

TEST_CASE("without a scope nothing is recorded", "[unit][anchor]") {
  RequestMoments::MarkSocketOpened();  // no scope: must not crash or record anywhere
  RequestMoments moments;
  { RequestMoments::Scope scope(moments); }
  RequestMoments::MarkSocketOpened();
  CHECK_FALSE(moments.socket_opened);
}

TEST_CASE("a scope records the first socket opening only", "[unit][anchor]") {
  RequestMoments moments;
  RequestMoments::Scope scope(moments);
  const auto before = RequestMoments::Clock::now();
  RequestMoments::MarkSocketOpened();
  REQUIRE(moments.socket_opened);
  const auto first = *moments.socket_opened;
  CHECK(first >= before);
  RequestMoments::MarkSocketOpened();  // a retry on another socket: the first one counts
  CHECK(*moments.socket_opened == first);
}

TEST_CASE("scopes nest and belong to their thread", "[unit][anchor]") {
  RequestMoments outer;
  RequestMoments inner;
  RequestMoments::Scope outer_scope(outer);
  {
    RequestMoments::Scope inner_scope(inner);
    std::thread([] { RequestMoments::MarkSocketOpened(); }).join();  // another thread: no scope
    CHECK_FALSE(inner.socket_opened);
    RequestMoments::MarkSocketOpened();
    CHECK(inner.socket_opened);
    CHECK_FALSE(outer.socket_opened);
  }
  RequestMoments::MarkSocketOpened();  // the outer scope is current again
  CHECK(outer.socket_opened);
}

TEST_CASE("the handshake observer records its start and end once", "[unit][anchor][tls]") {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    INFO("TLS version " << std::hex << version);
    Ctx ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    RequestMoments::ObserveHandshakes(ctx.get());
    RequestMoments moments;
    {
      RequestMoments::Scope scope(moments);
      RequestMoments::MarkSocketOpened();
      InMemoryTls tls(ctx.get(), version);
      REQUIRE(tls.Handshake());
      REQUIRE(moments.handshake_started);
      REQUIRE(moments.handshake_done);
      const auto started = *moments.handshake_started;
      const auto done = *moments.handshake_done;
      CHECK(*moments.socket_opened <= started);
      CHECK(started <= done);
      // Later handshake messages on the same connection leave the first handshake's moments.
      tls.ReadPending();
      if (version == TLS1_2_VERSION) tls.Renegotiate();
      CHECK(*moments.handshake_started == started);
      CHECK(*moments.handshake_done == done);
    }
    CHECK_FALSE(moments.headers_received);  // the HTTP client's to set

    // Outside a scope the observer records nothing (and does not touch the last scope's).
    const RequestMoments before = moments;
    InMemoryTls unscoped(ctx.get(), version);
    REQUIRE(unscoped.Handshake());
    CHECK(*moments.handshake_started == *before.handshake_started);
  }
  RequestMoments::ObserveHandshakes(nullptr);  // no context: nothing to observe
}
