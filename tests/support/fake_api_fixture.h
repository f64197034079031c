#pragma once

#include <string>

#include "config/config.h"
#include "support/fake_anchor_api.h"

namespace anchor::test {

// How most end-to-end tests begin: a started fake Anchor API that accepts `api_key`, and a
// config that points at it with that key and no batches (TestConfig). Tests add their answers
// to `api` and their batches to `config`.
struct FakeApiFixture {
  explicit FakeApiFixture(const std::string& api_key = FakeAnchorApi::Options{}.api_key,
                          int threads = 16);

  FakeAnchorApi api;
  Config config;
};

}  // namespace anchor::test
