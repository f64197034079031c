#include "anchor/session_errors.h"

#include <string.h>  // memmem (glibc: two-way search, linear time)

#include <algorithm>

#include "anchor/error_message.h"

namespace anchor {

namespace {

constexpr std::string_view kRedactedMark = "<redacted>";

// Where `key` first occurs in `text` at or after `from`, or npos. Linear time.
std::size_t FindKey(std::string_view text, std::size_t from, std::string_view key) {
  if (from >= text.size()) return std::string_view::npos;
  const void* at = memmem(text.data() + from, text.size() - from, key.data(), key.size());
  return at == nullptr ? std::string_view::npos
                       : static_cast<std::size_t>(static_cast<const char*>(at) - text.data());
}

}  // namespace

SessionErrorTally::SessionErrorTally(const ErrorClassifier& classifier)
    : classifier_(classifier), class_counts_(classifier.names().size(), 0) {}

SessionErrorTally::SessionErrorTally(const ErrorClassifier& classifier, const Secret& key)
    : classifier_(classifier), key_(key.Reveal()), class_counts_(classifier.names().size(), 0) {}

void SessionErrorTally::Add(std::string_view text) {
  const bool cacheable = text.size() <= kMaxCachedTextBytes;
  const std::uint64_t hash = cacheable ? TextTable::Hash(text) : 0;
  const std::size_t known = cacheable ? texts_.Find(text, hash) : TextTable::kNotFound;
  Seen seen{};
  if (known != TextTable::kNotFound) {
    seen = seen_[known];
  } else {
    seen = Classify(text);
    if (cacheable && texts_.size() < kMaxDistinctTexts) {
      texts_.Add(text, hash);
      seen_.push_back(seen);
    }
  }
  ++class_counts_[seen.error_class];
  if (seen.message != kNoMessage) ++message_sessions_[seen.message];
}

// `text` with the key replaced by kRedactedMark, in masked_; `text` itself when it holds none.
std::string_view SessionErrorTally::Masked(std::string_view text) {
  std::size_t at = key_.empty() ? std::string_view::npos : FindKey(text, 0, key_);
  if (at == std::string_view::npos) return text;
  masked_.clear();
  std::size_t done = 0;
  for (; at != std::string_view::npos; at = FindKey(text, done, key_)) {
    masked_.append(text.substr(done, at - done)).append(kRedactedMark);
    done = at + key_.size();
  }
  masked_.append(text.substr(done));
  return masked_;
}

SessionErrorTally::Seen SessionErrorTally::Classify(std::string_view text) {
  ++classified_;
  text = Masked(text);
  const auto error_class = static_cast<std::uint32_t>(classifier_.Classify(text));
  NormaliseErrorMessage(text, normalised_);
  return {error_class, MessageSlot(normalised_)};
}

std::uint32_t SessionErrorTally::MessageSlot(std::string_view message) {
  const std::uint64_t hash = TextTable::Hash(message);
  if (const std::size_t n = messages_.Find(message, hash); n != TextTable::kNotFound) {
    return static_cast<std::uint32_t>(n);
  }
  if (message.empty() || messages_.size() >= kMaxMessages) return kNoMessage;
  message_sessions_.push_back(0);
  return static_cast<std::uint32_t>(messages_.Add(message, hash));
}

std::vector<std::pair<std::string, std::int64_t>> SessionErrorTally::ByClass() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::size_t i = 0; i < class_counts_.size(); ++i) {
    if (class_counts_[i] > 0) out.emplace_back(classifier_.names()[i], class_counts_[i]);
  }
  return out;
}

std::vector<SessionDetail::ErrorMessage> SessionErrorTally::TopMessages() const {
  std::vector<std::uint32_t> order;
  order.reserve(messages_.size());
  for (std::size_t n = 0; n < messages_.size(); ++n) {
    if (message_sessions_[n] > 0) order.push_back(static_cast<std::uint32_t>(n));
  }
  const auto before = [this](std::uint32_t a, std::uint32_t b) {
    return message_sessions_[a] != message_sessions_[b]
               ? message_sessions_[a] > message_sessions_[b]
               : messages_.Text(a) < messages_.Text(b);
  };
  const std::size_t rows = std::min(order.size(), SessionDetail::kRows);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(rows), order.end(),
                    before);
  std::vector<SessionDetail::ErrorMessage> out;
  out.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    out.push_back({std::string(messages_.Text(order[i])), message_sessions_[order[i]]});
  }
  return out;
}

}  // namespace anchor
