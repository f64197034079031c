#include "anchor/error_message.h"

#include <algorithm>

namespace anchor {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsDigit(c) || IsAlpha(c) || c == '_'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsSpace(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }
// Where a URL ends: whitespace, quotes and the brackets that usually enclose one.
bool EndsUrl(char c) {
  return IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')' || c == ']' ||
         c == '}' || c == ',';
}

// The length of a UUID at `at` (36), or 0.
std::size_t UuidAt(std::string_view s, std::size_t at) {
  constexpr std::size_t kLength = 36;
  if (s.size() - at < kLength) return 0;
  for (std::size_t i = 0; i < kLength; ++i) {
    const char c = s[at + i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !IsHex(c)) return 0;
  }
  return at + kLength < s.size() && IsWord(s[at + kLength]) ? 0 : kLength;
}

// The length of a URL at `at` (a scheme of letters, digits, + . - of at most 16 characters,
// then "://", then everything up to EndsUrl), or 0.
std::size_t UrlAt(std::string_view s, std::size_t at) {
  constexpr std::size_t kMaxScheme = 16;
  std::size_t i = at;
  while (i < s.size() && i - at <= kMaxScheme &&
         (IsAlpha(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')) {
    ++i;
  }
  if (i == at || s.compare(i, 3, "://") != 0) return 0;
  i += 3;
  while (i < s.size() && !EndsUrl(s[i])) ++i;
  return i - at;
}

// The length of the word (letters, digits, _) at `at`.
std::size_t WordAt(std::string_view s, std::size_t at) {
  std::size_t i = at;
  while (i < s.size() && IsWord(s[i])) ++i;
  return i - at;
}

// The length of a number at `at`: digits, then a decimal part (. and digits) if any.
std::size_t NumberAt(std::string_view s, std::size_t at) {
  std::size_t i = at;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i + 1 < s.size() && s[i] == '.' && IsDigit(s[i + 1])) {
    for (++i; i < s.size() && IsDigit(s[i]);) ++i;
  }
  return i - at;
}

bool IsHexWord(std::string_view word) {
  constexpr std::size_t kMinHexWord = 8;
  if (word.size() >= 3 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
    for (std::size_t i = 2; i < word.size(); ++i) {
      if (!IsHex(word[i])) return false;
    }
    return true;
  }
  bool digit = false;
  bool letter = false;  // all digits is a number
  for (const char c : word) {
    if (!IsHex(c)) return false;
    digit = digit || IsDigit(c);
    letter = letter || !IsDigit(c);
  }
  return word.size() >= kMinHexWord && digit && letter;
}

// More than any message keeps (SessionDetail::kMessageBytes): a longer word is cut while copied.
constexpr std::size_t kMaxWordCopy = 1024;

// At the start of a word: how many bytes of `s` from `at` one token takes, and what is
// written for it (a placeholder, or the word itself).
std::size_t Token(std::string_view s, std::size_t at, std::string& out) {
  if (const std::size_t n = UuidAt(s, at); n > 0) {
    out += "<uuid>";
    return n;
  }
  if (const std::size_t n = UrlAt(s, at); n > 0) {
    out += "<url>";
    return n;
  }
  const std::size_t word = WordAt(s, at);
  if (IsHexWord(s.substr(at, word))) {
    out += "<hex>";
    return word;
  }
  if (IsDigit(s[at])) {
    out += "<n>";
    return NumberAt(s, at);
  }
  out.append(s.substr(at, std::min(word, kMaxWordCopy)));  // the rest would be cut anyway
  return word;
}

// `text` cut to at most `max_bytes`, not inside a UTF-8 character.
void CutAtCharacter(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  text.resize(end);
}

}  // namespace

std::string NormaliseErrorMessage(std::string_view text, std::size_t max_bytes) {
  std::string out;
  NormaliseErrorMessage(text, out, max_bytes);
  return out;
}

void NormaliseErrorMessage(std::string_view text, std::string& out, std::size_t max_bytes) {
  out.clear();
  std::size_t i = 0;
  bool space = false;  // whitespace seen since the last byte written
  while (i < text.size() && out.size() <= max_bytes) {
    const char c = text[i];
    if (IsSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    const bool word_start = i == 0 || !IsWord(text[i - 1]);
    if (word_start && IsWord(c)) {
      i += Token(text, i, out);
    } else {
      out += c;
      ++i;
    }
  }
  CutAtCharacter(out, max_bytes);
  while (!out.empty() && out.back() == ' ') out.pop_back();
}

}  // namespace anchor
