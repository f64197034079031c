#include "web/http_message.h"

#include <strings.h>

#include <optional>

namespace anchor {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `in` with its %-escapes decoded; nullopt when one is broken.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsNoCase(key, name)) return value;
  }
  return "";
}

std::vector<std::string> HttpRequest::Params(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::size_t HttpResponse::BodySize() const {
  std::size_t n = body.size();
  for (const auto& b : blocks) n += b->size();
  return n;
}

std::string HttpResponse::BodyText() const {
  std::string out;
  out.reserve(BodySize());
  out += body;
  for (const auto& b : blocks) out += *b;
  return out;
}

Result<RequestTarget> ParseRequestTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return Error{"not an origin-form path"};
  const auto mark = target.find('?');
  auto path = PercentDecode(target.substr(0, mark), false);
  if (!path) return Error{"broken %-escape in the path"};
  RequestTarget parsed{std::move(*path), {}};
  if (mark == std::string_view::npos) return parsed;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                              : PercentDecode(pair.substr(eq + 1), true);
    if (!key || !value) return Error{"broken %-escape in the query"};
    parsed.query.emplace_back(std::move(*key), std::move(*value));
  }
  return parsed;
}

}  // namespace anchor
