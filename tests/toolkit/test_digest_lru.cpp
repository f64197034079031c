// DigestLru called directly: a bounded set that forgets the least recently used digest.
#include <catch2/catch.hpp>

#include "toolkit/digest_lru.h"

namespace {

anchor::DigestLru::Digest D(unsigned char n) {
  anchor::DigestLru::Digest digest{};
  digest[0] = n;
  return digest;
}

}  // namespace

TEST_CASE("the failure cache forgets the least recently used digest", "[unit][web][auth]") {
  anchor::DigestLru lru(3);
  auto d = [](unsigned char n) {
    anchor::DigestLru::Digest digest{};
    digest[0] = n;
    return digest;
  };
  for (unsigned char n = 1; n <= 3; ++n) lru.Insert(d(n));
  CHECK(lru.Contains(d(1)));  // 1 is now the most recently used
  lru.Insert(d(4));           // evicts 2
  CHECK(lru.size() == 3);
  CHECK_FALSE(lru.Contains(d(2)));
  CHECK(lru.Contains(d(1)));
  CHECK(lru.Contains(d(3)));
  CHECK(lru.Contains(d(4)));
}

TEST_CASE("DigestLru: inserting a held digest refreshes it without growing", "[unit][web][auth]") {
  anchor::DigestLru lru(2);
  lru.Insert(D(1));
  lru.Insert(D(2));
  lru.Insert(D(1));  // 1 is the most recently used again; 2 goes next
  CHECK(lru.size() == 2);
  lru.Insert(D(3));
  CHECK_FALSE(lru.Contains(D(2)));
  CHECK(lru.Contains(D(1)));
  CHECK(lru.Contains(D(3)));
}

TEST_CASE("DigestLru tells digests apart by every byte", "[unit][web][auth]") {
  anchor::DigestLru lru(4);
  auto last_byte = D(0);
  last_byte[31] = 1;
  lru.Insert(last_byte);
  CHECK_FALSE(lru.Contains(D(0)));
  CHECK(lru.Contains(last_byte));
}

TEST_CASE("a DigestLru of capacity 0 holds nothing", "[unit][web][auth]") {
  anchor::DigestLru lru(0);
  lru.Insert(D(1));
  CHECK(lru.size() == 0);
  CHECK_FALSE(lru.Contains(D(1)));
}
