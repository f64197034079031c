#include "anchor/session_errors.h"

#include <algorithm>

#include "anchor/error_message.h"

namespace anchor {

SessionErrorTally::SessionErrorTally(const ErrorClassifier& classifier)
    : classifier_(classifier), class_counts_(classifier.names().size(), 0) {}

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
