#include "support/fake_api_fixture.h"

#include <catch2/catch.hpp>

#include "support/exporter_harness.h"

namespace anchor::test {

FakeApiFixture::FakeApiFixture(const std::string& api_key, int threads)
    : api(FakeAnchorApi::Options{api_key, "", "", threads}) {
  REQUIRE(api.Start());
  config = TestConfig(api.base_url(), api_key);
}

}  // namespace anchor::test
