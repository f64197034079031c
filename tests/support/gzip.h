#pragma once

#include <string>

namespace anchor::test {

// Inflates one gzip member; a failed Catch2 check (and what was inflated) when `gz` is not one.
std::string Gunzip(const std::string& gz);

// Every member of a gzip stream (RFC 1952 allows several), inflated one after the other.
std::string GunzipMembers(const std::string& gz);

}  // namespace anchor::test
