// A bcrypt flood against BasicAuthenticator: 20 threads loop wrong passwords for one user while
// another user logs in for the first time (not cached). The login time is judged as a ratio to
// one bcrypt of the same cost measured in the same run (target: within 3 bcrypt times).
//   bench_auth_flood [--quick] [--targets FILE]   (full: cost 14; quick: cost 10)
#include <crypt.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "toolkit/basic_auth.h"

using anchor::bench::Clock;
using anchor::bench::Fixed;
using anchor::bench::Ms;
using anchor::bench::SecondsSince;

namespace {

std::string Bcrypt(const std::string& password, unsigned long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    anchor::bench::Fail("crypt_gensalt_rn failed");
  }
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), setting, &data);
  if (hash == nullptr || hash[0] == '*') anchor::bench::Fail("crypt_r failed");
  return hash;
}

double TimedCheck(const anchor::BasicAuthenticator& auth, const anchor::BasicCredentials& c,
                  bool* ok) {
  const auto start = Clock::now();
  *ok = auth.Check(c);
  return SecondsSince(start);
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = anchor::bench::ParseOptions(argc, argv);
  const unsigned long cost = options.quick ? 10 : 14;
  constexpr int kAttackers = 20;
  std::printf("## Basic auth under a bcrypt flood (cost %lu, %d attacking threads)\n\n", cost,
              kAttackers);
  const auto owned_auth =
      anchor::BasicAuthenticator::Create({{"prometheus", Bcrypt("scrape-secret", cost)},
                                          {"alice", Bcrypt("alice-secret", cost)},
                                          {"bob", Bcrypt("bob-secret", cost)}})
          .value();
  const anchor::BasicAuthenticator& auth = *owned_auth;
  bool ok = false;
  // The floor: one bcrypt of this cost, nothing else running.
  const double bcrypt = TimedCheck(auth, {"bob", "bob-secret"}, &ok);
  if (!ok) anchor::bench::Fail("bob's login failed");
  const double prometheus_first = TimedCheck(auth, {"prometheus", "scrape-secret"}, &ok);
  if (!ok) anchor::bench::Fail("prometheus' login failed");

  std::atomic<bool> stop{false};
  std::atomic<long> attempts{0};
  std::vector<std::thread> attackers;
  attackers.reserve(kAttackers);
  for (int t = 0; t < kAttackers; ++t) {
    attackers.emplace_back([&, t] {
      for (long i = 0; !stop; ++i) {
        auth.Check({"prometheus", "guess-" + std::to_string(t) + "-" + std::to_string(i)});
        ++attempts;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(bcrypt));  // the flood is under way
  const double alice = TimedCheck(auth, {"alice", "alice-secret"}, &ok);
  const bool alice_ok = ok;
  const double prometheus_cached = TimedCheck(auth, {"prometheus", "scrape-secret"}, &ok);
  const bool prometheus_ok = ok;
  stop = true;
  for (auto& t : attackers) t.join();

  anchor::bench::PrintTable({"check", "time", "in bcrypt times", "accepted"},
                            {{"one bcrypt, no load (floor)", Ms(bcrypt), "1", "yes"},
                             {"prometheus, first login, no load", Ms(prometheus_first),
                              Fixed(prometheus_first / bcrypt, 2), "yes"},
                             {"alice, first login, under the flood", Ms(alice),
                              Fixed(alice / bcrypt, 2), alice_ok ? "yes" : "NO"},
                             {"prometheus, cached, flood aimed at its name", Ms(prometheus_cached),
                              Fixed(prometheus_cached / bcrypt, 4), prometheus_ok ? "yes" : "NO"}});
  std::printf("\n%ld wrong-password attempts answered during the flood.\n\n", attempts.load());
  anchor::bench::ReportTarget(
      options,
      "first login of another user under a bcrypt flood (cost " + std::to_string(cost) + ")",
      "accepted within 3 bcrypt times", Fixed(alice / bcrypt, 2) + " bcrypt times",
      alice_ok && alice <= 3 * bcrypt, "20 threads of wrong passwords for another user");
  anchor::bench::ReportTarget(options, "cached login of the attacked user under the flood",
                              "accepted within 1 bcrypt time",
                              Fixed(prometheus_cached / bcrypt, 4) + " bcrypt times",
                              prometheus_ok && prometheus_cached <= bcrypt);
  return 0;
}
