// ConnectionTable called directly: the cap, which connection a full table displaces (the oldest
// incomplete head, then the one idle the longest, never one answering) and the counters.
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "http/connection_table.h"

using anchor::ConnectionTable;
using State = ConnectionTable::State;

namespace {

// Admits connections whose closers record their own number in `closed`.
struct Table {
  explicit Table(std::size_t cap) : table(cap) {}
  std::optional<std::uint64_t> Admit(int n) {
    return table.Admit([this, n] { closed.push_back(n); });
  }
  ConnectionTable table;
  std::vector<int> closed;
};

}  // namespace

TEST_CASE("ConnectionTable admits up to its cap and counts what it holds", "[unit][web][http]") {
  Table t(3);
  CHECK(t.table.cap() == 3);
  const auto a = t.Admit(1);
  const auto b = t.Admit(2);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a != *b);
  CHECK(t.table.size() == 2);
  t.table.Remove(*a);
  t.table.Remove(*a);  // twice: a no-op
  CHECK(t.table.size() == 1);
  CHECK(t.closed.empty());  // removing is not closing
  CHECK(t.table.displaced() == 0);
  CHECK(t.table.refused() == 0);
  CHECK(ConnectionTable(0).cap() == 1);  // a cap of 0 would refuse everything
}

TEST_CASE("a full ConnectionTable displaces the oldest incomplete head, then the longest idle",
          "[unit][web][http]") {
  Table t(4);
  const auto head1 = t.Admit(1);
  const auto head2 = t.Admit(2);
  const auto idle1 = t.Admit(3);
  const auto idle2 = t.Admit(4);
  REQUIRE((head1 && head2 && idle1 && idle2));
  t.table.Set(*idle1, State::kIdle);
  t.table.Set(*idle2, State::kIdle);
  // head2 becomes the older head: Set() restarts a connection's time in its state.
  t.table.Set(*head1, State::kIdle);
  t.table.Set(*head1, State::kHead);

  REQUIRE(t.Admit(5));
  CHECK(t.closed == std::vector<int>{2});
  const auto sixth = t.Admit(6);  // now the other head goes, though idle1 is older
  REQUIRE(sixth);
  CHECK(t.closed == std::vector<int>{2, 1});
  // Both new connections are in kHead too (a new connection sends its head first): the older
  // of them goes before any idle one.
  REQUIRE(t.Admit(7));
  CHECK(t.closed == std::vector<int>{2, 1, 5});
  t.table.Set(*sixth, State::kBusy);
  const auto eighth = t.Admit(8);  // 7 is the only head left
  REQUIRE(eighth);
  CHECK(t.closed == std::vector<int>{2, 1, 5, 7});
  t.table.Set(*eighth, State::kBusy);
  REQUIRE(t.Admit(9));  // no head left: the connection idle the longest goes
  CHECK(t.closed == std::vector<int>{2, 1, 5, 7, 3});
  CHECK(t.table.displaced() == 5);
  CHECK(t.table.size() == 4);
}

TEST_CASE("a ConnectionTable full of busy connections refuses a new one", "[unit][web][http]") {
  Table t(2);
  const auto a = t.Admit(1);
  const auto b = t.Admit(2);
  REQUIRE((a && b));
  t.table.Set(*a, State::kBusy);
  t.table.Set(*b, State::kBusy);
  CHECK_FALSE(t.Admit(3));
  CHECK(t.table.refused() == 1);
  CHECK(t.table.displaced() == 0);
  CHECK(t.closed.empty());
  CHECK(t.table.size() == 2);
  // Once one is done answering and waits for the next request, it makes room.
  t.table.Set(*b, State::kIdle);
  CHECK(t.Admit(4));
  CHECK(t.closed == std::vector<int>{2});
}

TEST_CASE("a displaced connection is not displaced twice, its Remove() is a no-op",
          "[unit][web][http]") {
  Table t(1);
  const auto first = t.Admit(1);
  REQUIRE(first);
  const auto second = t.Admit(2);
  REQUIRE(second);
  CHECK(t.closed == std::vector<int>{1});
  t.table.Remove(*first);             // the displaced connection ends later and removes itself
  t.table.Set(*first, State::kIdle);  // nor does a late Set() bring it back
  CHECK(t.table.size() == 1);
  REQUIRE(t.Admit(3));
  CHECK(t.closed == std::vector<int>{1, 2});
}

TEST_CASE("CloseAllButBusy closes heads and idle connections, not answers", "[unit][web][http]") {
  Table t(4);
  const auto head = t.Admit(1);
  const auto idle = t.Admit(2);
  const auto busy = t.Admit(3);
  REQUIRE((head && idle && busy));
  t.table.Set(*idle, State::kIdle);
  t.table.Set(*busy, State::kBusy);
  t.table.CloseAllButBusy();
  CHECK(t.closed == std::vector<int>{1, 2});
  CHECK(t.table.size() == 3);  // each removes itself once it has closed
}

TEST_CASE("a displaced connection's closer runs outside the table's lock", "[unit][web][http]") {
  // A closer that calls back into the table (as a connection's does, from its own thread)
  // would deadlock if it ran under the lock.
  ConnectionTable table(1);
  std::optional<std::uint64_t> first;
  first = table.Admit([&] { table.Remove(*first); });
  REQUIRE(first);
  CHECK(table.Admit([] {}));
  CHECK(table.size() == 1);
  CHECK(table.displaced() == 1);
}
