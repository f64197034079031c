// Time of one basic-auth check at bcrypt cost 10 (htpasswd -nBC 10), first (bcrypt) and
// repeated (cache), and for an unknown user (dummy hash). Not a test: numbers vary by machine.
//   make bench-build && cmake --build build --target bench_basic_auth &&
//   build/bench/bench_basic_auth
#include "toolkit/basic_auth.h"

#include <crypt.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

double Seconds(const anchor::BasicAuthenticator& auth, const anchor::BasicCredentials& c,
               int rounds, bool* ok) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) *ok = auth.Check(c);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / rounds;
}

}  // namespace

int main() {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  crypt_gensalt_rn("$2y$", 10, nullptr, 0, setting, sizeof(setting));
  crypt_data data{};
  const std::string hash = crypt_r("bench-password", setting, &data);
  const auto owned_auth = anchor::BasicAuthenticator::Create({{"prometheus", hash}}).value();
  const anchor::BasicAuthenticator& auth = *owned_auth;
  bool ok = false;
  const double first = Seconds(auth, {"prometheus", "bench-password"}, 1, &ok);
  std::printf("cost 10, first check (bcrypt):  %8.3f ms (ok=%d)\n", first * 1e3, ok);
  const double cached = Seconds(auth, {"prometheus", "bench-password"}, 10000, &ok);
  std::printf("cost 10, repeated (cache):      %8.4f ms (ok=%d)\n", cached * 1e3, ok);
  const double wrong = Seconds(auth, {"prometheus", "wrong"}, 5, &ok);
  std::printf("cost 10, wrong password:        %8.3f ms (ok=%d)\n", wrong * 1e3, ok);
  const double unknown = Seconds(auth, {"nobody", "bench-password"}, 5, &ok);
  std::printf("cost 10, unknown user (dummy):  %8.3f ms (ok=%d)\n", unknown * 1e3, ok);
}
