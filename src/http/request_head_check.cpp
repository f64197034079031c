#include "http/request_head_check.h"

#include <algorithm>
#include <vector>

#include "base/text.h"

namespace anchor {
namespace {

using text::EqualsIgnoreCase;
using text::TrimOws;

bool IsTokenChar(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         kSpecials.find(c) != std::string_view::npos;
}

HeadVerdict Bad(std::string reason) { return {400, std::move(reason)}; }

// The head's lines without their line ends; false on a bare LF.
bool SplitLines(std::string_view head, std::vector<std::string_view>& lines) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] != '\n') continue;
    if (i == 0 || head[i - 1] != '\r') return false;
    lines.push_back(head.substr(start, i - 1 - start));
    start = i + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return true;
}

struct Framing {
  std::vector<std::string_view> content_lengths;
  std::vector<std::string_view> transfer_encodings;
  int hosts = 0;
};

HeadVerdict CheckField(std::string_view line, Framing& framing) {
  if (line.front() == ' ' || line.front() == '\t') return Bad("folded header line");
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return Bad("header line without a colon");
  const std::string_view name = line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Bad("invalid header name (whitespace before the colon?)");
  }
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (EqualsIgnoreCase(name, "Content-Length")) framing.content_lengths.push_back(value);
  if (EqualsIgnoreCase(name, "Transfer-Encoding")) framing.transfer_encodings.push_back(value);
  if (EqualsIgnoreCase(name, "Host")) ++framing.hosts;
  return {};
}

HeadVerdict CheckFraming(const Framing& f, bool http11) {
  if (!f.content_lengths.empty() && !f.transfer_encodings.empty()) {
    return Bad("both Content-Length and Transfer-Encoding");
  }
  for (const auto length : f.content_lengths) {
    if (length.empty() || length.size() > 18 ||
        !std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad("malformed Content-Length");
    }
    if (length != f.content_lengths.front()) return Bad("differing Content-Length values");
  }
  if (f.transfer_encodings.size() > 1 ||
      (f.transfer_encodings.size() == 1 && !EqualsIgnoreCase(f.transfer_encodings[0], "chunked"))) {
    return Bad("unsupported Transfer-Encoding");
  }
  if (http11 && f.hosts != 1)
    return Bad(f.hosts == 0 ? "missing Host header" : "several Host headers");
  return {};
}

}  // namespace

std::size_t FindHeadEnd(std::string_view data, std::size_t from) {
  for (std::size_t i = data.find('\n', from); i != std::string_view::npos;
       i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

HeadVerdict CheckPartialHead(std::size_t bytes, std::size_t line_ends) {
  if (bytes > RequestHeadLimits::kMaxHeadBytes) return {431, "request head larger than 64 KiB"};
  // The request line and the blank line that ends the head are not header lines.
  if (line_ends > RequestHeadLimits::kMaxHeaderLines + 2) {
    return {431, "more than 100 header lines"};
  }
  return {};
}

HeadVerdict CheckRequestHead(std::string_view head) {
  const auto line_ends = static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n'));
  if (auto partial = CheckPartialHead(head.size(), line_ends); partial.status != 0) return partial;
  std::vector<std::string_view> lines;
  if (!SplitLines(head, lines)) return Bad("bare LF in the request head");
  if (lines.empty()) return Bad("empty request");
  const std::string_view request_line = lines.front();
  const bool http11 =
      request_line.size() >= 8 && request_line.substr(request_line.size() - 8) == "HTTP/1.1";
  Framing framing;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) return Bad("empty header line");
    if (auto verdict = CheckField(lines[i], framing); verdict.status != 0) return verdict;
  }
  return CheckFraming(framing, http11);
}

}  // namespace anchor
