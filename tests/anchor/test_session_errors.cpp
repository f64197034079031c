// SessionErrorTally (src/anchor/session_errors.h) and the parse that feeds it: sessions per
// error class and the most frequent normalised messages, each distinct text classified once.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "anchor/session_errors.h"
#include "anchor/text_table.h"

using anchor::SessionErrorTally;

namespace {

using ByClass = std::vector<std::pair<std::string, std::int64_t>>;

std::string SessionWithError(const std::string& error_json) {
  return R"({"session_id": "s", "status": "failed", "error": )" + error_json + "}";
}

std::string BodyWith(const std::vector<std::string>& error_json) {
  std::string sessions;
  for (const auto& e : error_json) {
    if (!sessions.empty()) sessions += ',';
    sessions += SessionWithError(e);
  }
  return R"({"data": {"status": "processing", "sessions": [)" + sessions + "]}}";
}

}  // namespace

TEST_CASE("sessions are counted per class, config order, other last, none left out",
          "[unit][anchor][errors]") {
  SessionErrorTally tally(*anchor::DefaultErrorClassifier());
  for (const char* text : {"Protocol error", "proxy refused", "timed out", "timed out",
                           "Target closed", "proxy timed out"}) {
    tally.Add(text);
  }
  CHECK(tally.ByClass() ==
        ByClass{{"timeout", 3}, {"proxy", 1}, {"browser_crash", 1}, {"other", 1}});
}

TEST_CASE("each distinct error text is classified once per parse", "[unit][anchor][errors]") {
  SessionErrorTally tally(*anchor::DefaultErrorClassifier());
  for (int i = 0; i < 100; ++i) tally.Add(i % 2 == 0 ? "timed out" : "proxy refused");
  CHECK(tally.classified() == 2);
  CHECK(tally.ByClass() == ByClass{{"timeout", 50}, {"proxy", 50}});
  // Beyond the cache's bound, texts are classified each time, and still counted.
  SessionErrorTally many(*anchor::DefaultErrorClassifier());
  const std::size_t distinct = SessionErrorTally::kMaxDistinctTexts + 10;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < distinct; ++i) many.Add("timed out #" + std::to_string(i));
  }
  CHECK(many.classified() == distinct + 10);
  CHECK(many.ByClass() == ByClass{{"timeout", static_cast<std::int64_t>(2 * distinct)}});
  // A long text is not kept as a cache key.
  SessionErrorTally long_texts(*anchor::DefaultErrorClassifier());
  const std::string long_text(SessionErrorTally::kMaxCachedTextBytes + 1, 'x');
  long_texts.Add(long_text);
  long_texts.Add(long_text);
  CHECK(long_texts.classified() == 2);
}

TEST_CASE("the top messages: ten at most, most sessions first, ties alphabetical",
          "[unit][anchor][errors]") {
  SessionErrorTally tally(*anchor::DefaultErrorClassifier());
  // Message k (k = 0..14) for k + 1 sessions, each with its own number: "m<k> after <n> ms".
  for (int k = 0; k < 15; ++k) {
    for (int s = 0; s <= k; ++s) {
      tally.Add("m" + std::string(1, static_cast<char>('a' + k)) + " after " +
                std::to_string(30000 + s) + " ms");
    }
  }
  tally.Add("zz tie");
  tally.Add("aa tie");
  const auto top = tally.TopMessages();
  REQUIRE(top.size() == anchor::SessionDetail::kRows);
  CHECK(top.front().message == "mo after <n> ms");
  CHECK(top.front().sessions == 15);
  CHECK(top.back().message == "mf after <n> ms");
  CHECK(top.back().sessions == 6);
  for (std::size_t i = 1; i < top.size(); ++i) CHECK(top[i - 1].sessions > top[i].sessions);

  SessionErrorTally ties(*anchor::DefaultErrorClassifier());
  for (const char* text : {"b", "c", "a", "c"}) ties.Add(text);
  const auto tied = ties.TopMessages();
  REQUIRE(tied.size() == 3);
  CHECK(tied[0].message == "c");
  CHECK(tied[1].message == "a");
  CHECK(tied[2].message == "b");
}

TEST_CASE("once the message table is full, only its messages keep counting",
          "[unit][anchor][errors]") {
  SessionErrorTally tally(*anchor::DefaultErrorClassifier());
  for (std::size_t i = 0; i < SessionErrorTally::kMaxMessages; ++i) {
    tally.Add("kind" + std::string(i % 26 + 1, 'k') + std::to_string(i % 7) + "x" +
              std::string(i / 26 + 1, 'q'));
  }
  tally.Add("a new message past the bound");
  tally.Add("kindk0xq");  // the first message: still counted
  const auto top = tally.TopMessages();
  REQUIRE_FALSE(top.empty());
  CHECK(top.front().message == "kindk0xq");
  CHECK(top.front().sessions == 2);
  for (const auto& row : top) CHECK(row.message != "a new message past the bound");
  CHECK(tally.ByClass() ==
        ByClass{{"other", static_cast<std::int64_t>(SessionErrorTally::kMaxMessages + 2)}});
}

TEST_CASE("the parse fills errors_by_class and top_errors", "[unit][anchor][errors][parser]") {
  const auto r = anchor::ParseBatchResponse(
      BodyWith({R"("Navigation timeout of 30012 ms exceeded")",
                R"("Navigation timeout of 30544 ms exceeded")", R"("Target closed")",
                R"("Execution context was destroyed")", R"("")", "null", "42"}));
  REQUIRE(r.ok());
  REQUIRE(r->sessions);
  const auto& s = *r->sessions;
  CHECK(s.with_error == 4);
  CHECK(s.errors_by_class == ByClass{{"timeout", 2}, {"browser_crash", 1}, {"other", 1}});
  REQUIRE(s.detail.top_errors.size() == 3);
  CHECK(s.detail.top_errors[0].message == "Navigation timeout of <n> ms exceeded");
  CHECK(s.detail.top_errors[0].sessions == 2);
  CHECK(s.detail.top_errors[1].message == "Execution context was destroyed");
  CHECK(s.detail.top_errors[2].message == "Target closed");
  CHECK(r->invalid_fields == std::vector<std::string>{"sessions[].error"});  // the 42

  // The config's classes, passed with the buckets.
  auto mine = anchor::ErrorClassifier::Compile({{"crash", "(?i)target closed"}});
  REQUIRE(mine.ok());
  const anchor::SessionParseOptions options(anchor::SessionBuckets{}, mine.value());
  std::string body = BodyWith({R"("Target closed")", R"("timed out")"});
  const auto in_place = anchor::ParseBatchResponseInPlace(body, options);
  REQUIRE(in_place.ok());
  CHECK(in_place->sessions->errors_by_class == ByClass{{"crash", 1}, {"other", 1}});
}

TEST_CASE("a 1 MB error text is classified and cut, not kept", "[unit][anchor][errors][parser]") {
  const std::string huge(1 << 20, 'x');
  const auto r = anchor::ParseBatchResponse(BodyWith({"\"" + huge + " target closed\""}));
  REQUIRE(r.ok());
  CHECK(r->sessions->errors_by_class == ByClass{{"browser_crash", 1}});
  REQUIRE(r->sessions->detail.top_errors.size() == 1);
  CHECK(r->sessions->detail.top_errors[0].message.size() == anchor::SessionDetail::kMessageBytes);
}

namespace {

// No 8-byte piece of `key` anywhere in `text`.
bool HoldsKeyFragment(const std::string& text, const std::string& key) {
  constexpr std::size_t kPiece = 8;
  for (std::size_t i = 0; i + kPiece <= key.size(); ++i) {
    if (text.find(key.substr(i, kPiece)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the key is masked in error texts before they are normalised and cut",
          "[unit][anchor][errors][secrets]") {
  // With digits and hex (a normalised <hex> or <n> would hide it from a mask afterwards), and
  // of letters and underscores (kept as a word: the cut at 200 bytes would leave its front).
  for (const std::string key :
       {"sk-1234abcd5678ef90", "sk-live-AbCdEfGhIjKlMnOpQr", "key_Zyxw_1234_Vuts_5678_Qpon"}) {
    const anchor::Secret secret(key);
    // The key at every offset around the cut, so that some occurrence straddles it.
    for (std::size_t offset = 170; offset < 210; ++offset) {
      SessionErrorTally tally(*anchor::DefaultErrorClassifier(), secret);
      std::string straddling(offset, 'q');
      straddling.append(" ").append(key).append(" rejected after 30012 ms");
      tally.Add(straddling);
      std::string repeated = "auth failed for ";
      repeated.append(key).append(key).append(", proxy said ").append(key);
      tally.Add(repeated);
      const auto top = tally.TopMessages();
      REQUIRE(top.size() == 2);
      for (const auto& row : top) {
        INFO(key << " at " << offset << ": " << row.message);
        CHECK_FALSE(HoldsKeyFragment(row.message, key));
      }
      CHECK(tally.ByClass() == ByClass{{"proxy", 1}, {"other", 1}});
    }
    SessionErrorTally tally(*anchor::DefaultErrorClassifier(), secret);
    std::string repeated = "auth failed for ";
    repeated.append(key).append(key).append(", proxy said ").append(key).append(".");
    tally.Add(repeated);
    REQUIRE(tally.TopMessages().size() == 1);
    CHECK(tally.TopMessages()[0].message ==
          "auth failed for <redacted><redacted>, proxy said <redacted>.");
  }
  // Without a key (a parse outside the API client) texts are as they come.
  SessionErrorTally plain(*anchor::DefaultErrorClassifier());
  plain.Add("auth failed for sk-live-AbCdEfGhIjKlMnOpQr");
  CHECK(plain.TopMessages()[0].message == "auth failed for sk-live-AbCdEfGhIjKlMnOpQr");
}

TEST_CASE("the parse masks the key given in its options", "[unit][anchor][errors][secrets]") {
  const std::string key = "sk-live-AbCdEfGhIjKlMnOpQr";
  anchor::SessionParseOptions options;
  options.api_key = anchor::Secret(key);
  std::string body = BodyWith({"\"" + std::string(190, 'q') + " " + key + "\"",
                               "\"timed out: " + key + "\"", "\"timed out: " + key + "\""});
  const auto r = anchor::ParseBatchResponseInPlace(body, options);
  REQUIRE(r.ok());
  CHECK(r->sessions->errors_by_class == ByClass{{"timeout", 2}, {"other", 1}});
  REQUIRE(r->sessions->detail.top_errors.size() == 2);
  CHECK(r->sessions->detail.top_errors[0].message == "timed out: <redacted>");
  CHECK_FALSE(HoldsKeyFragment(r->sessions->detail.top_errors[1].message, key));
}

TEST_CASE("the text table finds every text after growing, also when hashes collide",
          "[unit][anchor][errors]") {
  anchor::TextTable table;
  std::vector<std::string> texts;
  texts.reserve(3000);
  for (int i = 0; i < 3000; ++i) texts.push_back("text " + std::to_string(i));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    // Every odd one shares its hash with the one before it: found by its text, not its hash.
    const std::uint64_t hash = anchor::TextTable::Hash(texts[i - i % 2]);
    REQUIRE(table.Find(texts[i], hash) == anchor::TextTable::kNotFound);
    CHECK(table.Add(texts[i], hash) == i);
  }
  REQUIRE(table.size() == texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(table.Find(texts[i], anchor::TextTable::Hash(texts[i - i % 2])) == i);
    CHECK(table.Text(i) == texts[i]);
  }
  CHECK(table.Find("text 3000", anchor::TextTable::Hash("text 3000")) ==
        anchor::TextTable::kNotFound);
  CHECK(table.Find("", anchor::TextTable::Hash("")) == anchor::TextTable::kNotFound);
}
