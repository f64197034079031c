// AnswerSlots called directly: the cap, which slot a full table displaces (the writer that
// started first, never an answer still computed), release after displacement, and the bound.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "http/answer_slots.h"

using anchor::AnswerSlots;
using Slot = std::shared_ptr<AnswerSlots::Slot>;

namespace {

// Marks `slot` as being written; its closer records `n` in `closed`.
void Writing(const Slot& slot, std::vector<int>& closed, int n) {
  slot->Writing([&closed, n] { closed.push_back(n); });
}

}  // namespace

TEST_CASE("AnswerSlots holds up to max and releases a slot when it goes", "[unit][web][slots]") {
  AnswerSlots slots(2);
  Slot a = slots.Acquire();
  Slot b = slots.Acquire();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(slots.held() == 2);
  CHECK_FALSE(slots.Acquire());  // both still computed: refused, nothing displaced
  CHECK(slots.displaced() == 0);
  a.reset();
  CHECK(slots.held() == 1);
  CHECK(slots.Acquire());  // a temporary: released at once
  CHECK(slots.held() == 1);
}

TEST_CASE("a full AnswerSlots displaces the writer that started first", "[unit][web][slots]") {
  AnswerSlots slots(3);
  std::vector<int> closed;
  Slot computing = slots.Acquire();
  Slot second = slots.Acquire();
  Slot first = slots.Acquire();
  Writing(first, closed, 1);
  Writing(second, closed, 2);

  Slot next = slots.Acquire();
  REQUIRE(next);
  CHECK(closed == std::vector<int>{1});  // the oldest write start, not the oldest slot
  CHECK(slots.displaced() == 1);
  CHECK(slots.held() == 3);
  first.reset();  // its connection closed: the release finds its slot already given away
  CHECK(slots.held() == 3);

  Slot after = slots.Acquire();
  REQUIRE(after);
  CHECK(closed == std::vector<int>{1, 2});
  CHECK(slots.displaced() == 2);
  // Left: `computing`, `next`, `after`, none being written: refused, the computing one kept.
  CHECK_FALSE(slots.Acquire());
  CHECK(closed == std::vector<int>{1, 2});
  CHECK(slots.held() == 3);
}

TEST_CASE("a writer that finished before the next scrape is not displaced", "[unit][web][slots]") {
  AnswerSlots slots(1);
  std::vector<int> closed;
  Slot a = slots.Acquire();
  Writing(a, closed, 1);
  a.reset();  // written
  Slot b = slots.Acquire();
  REQUIRE(b);
  CHECK(closed.empty());
  CHECK(slots.displaced() == 0);
}

TEST_CASE("AnswerSlots stays bounded under many displacements", "[unit][web][slots]") {
  AnswerSlots slots(4);
  std::vector<int> closed;
  std::vector<Slot> stuck;  // answers nobody reads: their slots are never released
  stuck.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    Slot s = slots.Acquire();
    REQUIRE(s);
    Writing(s, closed, i);
    stuck.push_back(std::move(s));
    CHECK(slots.held() <= 4);
  }
  CHECK(slots.held() == 4);
  CHECK(slots.displaced() == 996);
  CHECK(closed.size() == 996);
  CHECK(closed.back() == 995);  // always the oldest: the last four are the ones held
  stuck.clear();
  CHECK(slots.held() == 0);
}

TEST_CASE("AnswerSlots without a cap counts and never refuses", "[unit][web][slots]") {
  AnswerSlots slots(0);
  std::vector<Slot> held;
  held.reserve(100);
  for (int i = 0; i < 100; ++i) held.push_back(slots.Acquire());
  CHECK(held.back());
  CHECK(slots.held() == 100);
  CHECK(slots.displaced() == 0);
}
