#include "anchor/request_moments.h"

#include <openssl/ssl.h>

namespace anchor {
namespace {

thread_local RequestMoments* t_current = nullptr;

void OnTlsInfo(const SSL* /*ssl*/, int where, int /*ret*/) {
  if (t_current == nullptr) return;
  // TLS 1.3 reports HANDSHAKE_START/DONE again for session tickets: keep the first pair.
  if ((where & SSL_CB_HANDSHAKE_START) != 0 && !t_current->handshake_started) {
    t_current->handshake_started = RequestMoments::Clock::now();
  }
  if ((where & SSL_CB_HANDSHAKE_DONE) != 0 && t_current->handshake_started &&
      !t_current->handshake_done) {
    t_current->handshake_done = RequestMoments::Clock::now();
  }
}

}  // namespace

RequestMoments::Scope::Scope(RequestMoments& moments) : previous_(t_current) {
  t_current = &moments;
}

RequestMoments::Scope::~Scope() { t_current = previous_; }

void RequestMoments::MarkSocketOpened() {
  if (t_current != nullptr && !t_current->socket_opened) t_current->socket_opened = Clock::now();
}

void RequestMoments::ObserveHandshakes(SSL_CTX* ctx) {
  if (ctx != nullptr) SSL_CTX_set_info_callback(ctx, OnTlsInfo);
}

}  // namespace anchor
