#include "http/http_message.h"

#include <strings.h>

#include <algorithm>
#include <exception>
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

// The characters of an authority (RFC 3986 section 3.2: reg-name or IP literal, and a port),
// without '@': userinfo is refused.
bool IsAuthorityChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')) return true;
  return std::string_view("-._~!$&'()*+,;=%:[]").find(c) != std::string_view::npos;
}

// Removes the scheme and authority of an absolute-form target, leaving its path and query
// ("/" when the path is empty). Says why when it is not http(s)://authority.
Result<std::string> SplitAbsoluteForm(std::string_view& target) {
  std::size_t scheme = 0;
  if (target.size() >= 7 && EqualsNoCase(target.substr(0, 7), "http://")) {
    scheme = 7;
  } else if (target.size() >= 8 && EqualsNoCase(target.substr(0, 8), "https://")) {
    scheme = 8;
  } else {
    return Error{"not an origin-form path or an http(s) absolute-form target"};
  }
  target.remove_prefix(scheme);
  const std::size_t end = std::min(target.find('/'), target.find('?'));
  const std::string_view authority = target.substr(0, end);
  if (authority.empty()) return Error{"absolute-form target without a host"};
  if (authority.find('@') != std::string_view::npos) {
    return Error{"userinfo in the request target"};
  }
  for (const char c : authority) {
    if (!IsAuthorityChar(c)) return Error{"invalid character in the target's host"};
  }
  target.remove_prefix(authority.size());
  return std::string(authority);
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
  std::string authority;
  if (target.empty() || target.front() != '/') {
    auto split = SplitAbsoluteForm(target);
    if (!split.ok()) return Error{split.error()};
    authority = std::move(split).value();
  }
  const auto mark = target.find('?');
  auto path = PercentDecode(target.substr(0, mark), false);
  if (!path) return Error{"broken %-escape in the path"};
  if (path->empty()) *path = "/";
  RequestTarget parsed{std::move(*path), {}, std::move(authority)};
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

HttpResponse AnswerOrInternalError(const std::function<HttpResponse(const HttpRequest&)>& handler,
                                   const HttpRequest& req,
                                   const std::function<void(const std::string& what)>& report) {
  std::string what;
  try {
    return handler(req);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  if (report) report(what);
  return HttpResponse::Text(500, "500 internal server error\n");
}

}  // namespace anchor
