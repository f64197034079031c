// FetchResult and its reasons (src/anchor/fetch_result.h): the `reason` label values of
// anchorbrowser_exporter_fetch_errors_total and anchorbrowser_batch_fetch_error.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "anchor/fetch_result.h"

using anchor::FetchError;
using anchor::FetchErrorReason;

TEST_CASE("every fetch error has its documented reason name", "[unit][anchor]") {
  CHECK(std::string(FetchErrorReason(FetchError::kNone)) == "none");
  CHECK(std::string(FetchErrorReason(FetchError::kTimeout)) == "timeout");
  CHECK(std::string(FetchErrorReason(FetchError::kConnection)) == "connection");
  CHECK(std::string(FetchErrorReason(FetchError::kTls)) == "tls");
  CHECK(std::string(FetchErrorReason(FetchError::kUnauthorized)) == "unauthorized");
  CHECK(std::string(FetchErrorReason(FetchError::kNotFound)) == "not_found");
  CHECK(std::string(FetchErrorReason(FetchError::kRateLimited)) == "rate_limited");
  CHECK(std::string(FetchErrorReason(FetchError::kServerError)) == "server_error");
  CHECK(std::string(FetchErrorReason(FetchError::kClientError)) == "client_error");
  CHECK(std::string(FetchErrorReason(FetchError::kInvalidResponse)) == "invalid_response");
  CHECK(std::string(FetchErrorReason(FetchError::kTooLarge)) == "too_large");
  CHECK(std::string(FetchErrorReason(FetchError::kRedirect)) == "redirect");
  CHECK(std::string(FetchErrorReason(static_cast<FetchError>(99))) == "unknown");
}

TEST_CASE("AllFetchErrors lists every failure once, and not kNone", "[unit][anchor]") {
  const auto& all = anchor::AllFetchErrors();
  CHECK(all.size() == 11);
  std::set<std::string> names;
  for (const FetchError e : all) {
    INFO(FetchErrorReason(e));
    CHECK(e != FetchError::kNone);
    CHECK(names.insert(FetchErrorReason(e)).second);
    CHECK(names.count("unknown") == 0);
  }
  CHECK(&all == &anchor::AllFetchErrors());  // one list, built once
}

TEST_CASE("a fetch result is ok exactly when it holds a batch", "[unit][anchor]") {
  anchor::FetchResult result;
  CHECK_FALSE(result.ok());
  CHECK(result.error == FetchError::kNone);
  CHECK(result.http_status == 0);
  result.batch = anchor::Batch{};
  CHECK(result.ok());
  anchor::FetchResult failed;
  failed.error = FetchError::kNotFound;
  failed.http_status = 404;
  CHECK_FALSE(failed.ok());
}
