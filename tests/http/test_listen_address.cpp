// ParseListenAddress (src/http/listen_address.cpp), called directly.
#include <catch2/catch.hpp>
#include <string>

#include "http/listen_address.h"

using anchor::ParseListenAddress;

TEST_CASE("listen addresses split into host and port", "[unit][web][listen_address]") {
  struct Case {
    const char* address;
    const char* host;
    int port;
  };
  for (const Case& c :
       {Case{":9877", "0.0.0.0", 9877}, Case{"127.0.0.1:9877", "127.0.0.1", 9877},
        Case{"localhost:80", "localhost", 80}, Case{"[::1]:9877", "::1", 9877},
        Case{"[::]:0", "::", 0}, Case{":0", "0.0.0.0", 0}, Case{":65535", "0.0.0.0", 65535},
        Case{"::1:9877", "::1", 9877}, Case{"0.0.0.0:00080", "0.0.0.0", 80}}) {
    INFO(c.address);
    const auto parsed = ParseListenAddress(c.address);
    REQUIRE(parsed.ok());
    CHECK(parsed->host == c.host);
    CHECK(parsed->port == c.port);
  }
}

TEST_CASE("listen addresses without a usable port are refused with the reason",
          "[unit][web][listen_address]") {
  const auto no_colon = ParseListenAddress("9877");
  REQUIRE_FALSE(no_colon.ok());
  CHECK(no_colon.error() == "no port (expected [host]:port)");
  CHECK_FALSE(ParseListenAddress("").ok());
  CHECK_FALSE(ParseListenAddress("localhost").ok());
  for (const char* bad : {"127.0.0.1:", ":http", ":-1", ":+80", ": 80", ":80 ", ":65536", ":99999",
                          ":123456", "[::1]:", ":0x50"}) {
    INFO(bad);
    const auto parsed = ParseListenAddress(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().find("is not a number from 0 to 65535") != std::string::npos);
  }
}
