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
  Seen seen{};
  if (const auto it = seen_.find(text); it != seen_.end()) {
    seen = it->second;
  } else {
    seen = Classify(text);
    if (seen_.size() < kMaxDistinctTexts && text.size() <= kMaxCachedTextBytes) {
      const std::string_view key = texts_.emplace_back(text);
      seen_.emplace(key, seen);
    }
  }
  ++class_counts_[seen.error_class];
  if (seen.message != kNoMessage) ++messages_[seen.message].sessions;
}

SessionErrorTally::Seen SessionErrorTally::Classify(std::string_view text) {
  ++classified_;
  std::size_t at = key_.empty() ? std::string_view::npos : FindKey(text, 0, key_);
  if (at != std::string_view::npos) {
    masked_.clear();
    std::size_t done = 0;
    for (; at != std::string_view::npos; at = FindKey(text, done, key_)) {
      masked_.append(text.substr(done, at - done)).append(kRedactedMark);
      done = at + key_.size();
    }
    masked_.append(text.substr(done));
    text = masked_;
  }
  return {classifier_.Classify(text), MessageSlot(NormaliseErrorMessage(text))};
}

std::size_t SessionErrorTally::MessageSlot(std::string message) {
  if (const auto it = message_index_.find(message); it != message_index_.end()) return it->second;
  if (message.empty() || messages_.size() >= kMaxMessages) return kNoMessage;
  const std::string_view key =
      messages_.emplace_back(SessionDetail::ErrorMessage{std::move(message), 0}).message;
  message_index_.emplace(key, messages_.size() - 1);
  return messages_.size() - 1;
}

std::vector<std::pair<std::string, std::int64_t>> SessionErrorTally::ByClass() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::size_t i = 0; i < class_counts_.size(); ++i) {
    if (class_counts_[i] > 0) out.emplace_back(classifier_.names()[i], class_counts_[i]);
  }
  return out;
}

std::vector<SessionDetail::ErrorMessage> SessionErrorTally::TopMessages() const {
  std::vector<const SessionDetail::ErrorMessage*> order;
  order.reserve(messages_.size());
  for (const auto& m : messages_) {
    if (m.sessions > 0) order.push_back(&m);
  }
  const auto before = [](const SessionDetail::ErrorMessage* a,
                         const SessionDetail::ErrorMessage* b) {
    return a->sessions != b->sessions ? a->sessions > b->sessions : a->message < b->message;
  };
  const std::size_t rows = std::min(order.size(), SessionDetail::kRows);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(rows), order.end(),
                    before);
  std::vector<SessionDetail::ErrorMessage> out;
  out.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) out.push_back(*order[i]);
  return out;
}

}  // namespace anchor
