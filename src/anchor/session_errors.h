#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "anchor/session_detail.h"
#include "anchor/text_table.h"
#include "config/error_classes.h"
#include "config/secret.h"

namespace anchor {

// The error texts of one status response, counted while it is parsed: sessions per error class
// and per normalised message (NormaliseErrorMessage). Each distinct text is classified and
// normalised once per parse: a text seen again costs one hash lookup. Bounded: at most
// kMaxDistinctTexts texts of at most kMaxCachedTextBytes are remembered (others are classified
// and normalised each time, still in linear time), and at most kMaxMessages normalised messages
// are counted (once full, a session whose message is not among them is left out of the top
// messages; its class is still counted).
// The API key, when given, is masked ("<redacted>") in each text before it is classified and
// normalised: placeholders and the cut at kMessageBytes then cannot leave a fragment of it.
// Finding it is linear in the text (memmem), once per distinct text.
class SessionErrorTally {
 public:
  static constexpr std::size_t kMaxDistinctTexts = 1024;
  static constexpr std::size_t kMaxCachedTextBytes = 1024;
  static constexpr std::size_t kMaxMessages = 1024;

  explicit SessionErrorTally(const ErrorClassifier& classifier);
  // `key` must outlive the tally.
  SessionErrorTally(const ErrorClassifier& classifier, const Secret& key);

  // One session whose error is the non-empty `text`.
  void Add(std::string_view text);

  // Sessions per class in the classifier's order ("other" last), classes with none left out.
  std::vector<std::pair<std::string, std::int64_t>> ByClass() const;
  // The SessionDetail::kRows most frequent messages, most sessions first, ties alphabetical.
  std::vector<SessionDetail::ErrorMessage> TopMessages() const;
  // How many texts were classified (not found in the cache): for the tests.
  std::size_t classified() const { return classified_; }

 private:
  static constexpr std::uint32_t kNoMessage = static_cast<std::uint32_t>(-1);
  struct Seen {
    std::uint32_t error_class;
    std::uint32_t message;  // number in messages_, or kNoMessage
  };
  Seen Classify(std::string_view text);
  std::string_view Masked(std::string_view text);
  std::uint32_t MessageSlot(std::string_view message);

  const ErrorClassifier& classifier_;
  std::string_view key_;    // empty: nothing to mask
  std::string masked_;      // reused for a text that holds the key
  std::string normalised_;  // reused for each text's normalised form
  std::vector<std::int64_t> class_counts_;
  TextTable texts_;         // the distinct texts seen (at most kMaxDistinctTexts)
  std::vector<Seen> seen_;  // by number in texts_
  TextTable messages_;      // the distinct normalised messages (at most kMaxMessages)
  std::vector<std::int64_t> message_sessions_;  // by number in messages_
  std::size_t classified_ = 0;
};

}  // namespace anchor
