#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "anchor/batch_parser.h"
#include "anchor/session_exemplars.h"
#include "anchor/timestamp.h"
#include "support/session_bodies.h"

using anchor::ExemplarPicker;
using anchor::IsExemplarId;
using anchor::SessionExemplar;
using anchor::SessionHistogram;
using anchor::test::kSessionBatchCreated;

namespace {

// One sessions[] entry: `id` is the JSON of session_id ("" leaves the key out), started `start`
// s after the batch's creation, ran `run` s (still running when run < 0).
std::string Session(const std::string& id, double start, double run) {
  std::string s = "{";
  if (!id.empty()) s += R"("session_id": )" + id + ", ";
  s += R"("status": ")" + std::string(run < 0 ? "processing" : "completed") +
       R"(", "started_at": ")" + anchor::FormatRfc3339(kSessionBatchCreated + start) + "\"";
  if (run >= 0) {
    s +=
        R"(, "completed_at": ")" + anchor::FormatRfc3339(kSessionBatchCreated + start + run) + "\"";
  }
  return s + "}";
}

// A batch whose created_at comes after its sessions (the queue waits are known only at the end).
std::string Body(const std::vector<std::string>& sessions) {
  std::string list;
  for (const auto& s : sessions) list += (list.empty() ? "" : ",") + s;
  return R"({"data": {"status": "processing", "sessions": [)" + list + R"(], "created_at": ")" +
         anchor::FormatRfc3339(kSessionBatchCreated) + "\"}}";
}

const SessionExemplar* InBucket(const SessionHistogram& h, size_t bucket) {
  for (const auto& e : h.exemplars) {
    if (e.bucket == bucket) return &e;
  }
  return nullptr;
}

std::string IdIn(const SessionHistogram& h, size_t bucket) {
  const SessionExemplar* e = InBucket(h, bucket);
  return e == nullptr ? "<none>" : std::string(h.ExemplarId(*e));
}

anchor::SessionBuckets SmallBuckets() {
  anchor::SessionBuckets buckets;
  buckets.duration = {10, 60};
  buckets.queue = {5};
  return buckets;
}

}  // namespace

TEST_CASE("exemplar ids: printable ASCII without quote or backslash, within the label limit",
          "[unit][anchor][exemplars]") {
  CHECK(IsExemplarId("3c90c3cc-0d44-4b50-8888-8dd25736052a"));
  CHECK(IsExemplarId(std::string(118, 'a')));  // "session_id" (10) + 118 = 128 characters
  CHECK_FALSE(IsExemplarId(std::string(119, 'a')));
  CHECK_FALSE(IsExemplarId(""));
  CHECK_FALSE(IsExemplarId("a\"b"));
  CHECK_FALSE(IsExemplarId("a\\b"));
  CHECK_FALSE(IsExemplarId("a\nb"));
  CHECK_FALSE(IsExemplarId("caf\xc3\xa9"));
  CHECK(IsExemplarId("with space and {braces} # too"));
}

TEST_CASE("the picker keeps the slowest session of each bucket, the first on ties",
          "[unit][anchor][exemplars]") {
  SessionHistogram h({10, 60});
  anchor::IdArena ids;
  ExemplarPicker picker(3);
  picker.Offer(h.Add(3), 3, 100, ids.Add("a"));
  picker.Offer(h.Add(7), 7, 101, ids.Add("b"));
  picker.Offer(h.Add(7), 7, 102, ids.Add("tie-later"));  // same value: the first one stays
  picker.Offer(h.Add(5), 5, 103, ids.Add("c"));
  picker.Offer(h.Add(9.5), 9.5, 104, ids.Add(""));     // no id: counted, no exemplar
  picker.Offer(h.Add(9), 9, 104, ids.Add("bad\"id"));  // refused at Finish: "b" again
  picker.Offer(h.Add(600), 600, 105, ids.Add("inf"));
  picker.Offer(5, 1, 1, ids.Add("out-of-range"));  // a bucket the histogram does not have
  picker.Finish(h, ids);
  REQUIRE(h.exemplars.size() == 2);  // (10, 60] held no session
  CHECK(IdIn(h, 0) == "b");
  CHECK(InBucket(h, 0)->value == 7);
  CHECK(InBucket(h, 0)->timestamp == 101);
  CHECK(IdIn(h, 1) == "<none>");
  CHECK(IdIn(h, 2) == "inf");  // the +Inf bucket has one too
  CHECK(InBucket(h, 2)->value == 600);
  CHECK(h.exemplar_ids == "binf");  // packed: one string for the ids of the histogram
}

TEST_CASE("parsing gives each bucket the exemplar of its slowest session",
          "[unit][anchor][exemplars][parser]") {
  const auto r =
      ParseBatchResponse(Body({Session(R"("fast")", 1, 2), Session(R"("slow-in-first")", 2, 9),
                               Session(R"("mid")", 3, 30), Session(R"("mid-slowest")", 6, 59),
                               Session(R"("very-slow")", 4, 4000), Session(R"("running")", 8, -1)}),
                         SmallBuckets());
  REQUIRE(r.ok());
  const auto& s = *r->sessions;
  CHECK(IdIn(s.duration, 0) == "slow-in-first");
  CHECK(InBucket(s.duration, 0)->value == 9);
  // The run time's exemplar carries completed_at.
  CHECK(InBucket(s.duration, 0)->timestamp == kSessionBatchCreated + 2 + 9);
  CHECK(IdIn(s.duration, 1) == "mid-slowest");
  CHECK(IdIn(s.duration, 2) == "very-slow");  // +Inf
  // Queue waits 1, 2, 3, 6, 4, 8 with created_at after the sessions: <= 5 and above.
  CHECK(IdIn(s.queue, 0) == "very-slow");
  CHECK(InBucket(s.queue, 0)->value == 4);
  CHECK(IdIn(s.queue, 1) == "running");
  // The queue wait's exemplar carries started_at.
  CHECK(InBucket(s.queue, 1)->timestamp == kSessionBatchCreated + 8);
  CHECK(s.queue.counts == std::vector<std::uint64_t>{4, 2});
}

TEST_CASE("sessions without a usable id give no exemplar, the next slowest does",
          "[unit][anchor][exemplars][parser]") {
  const std::string long_id = "\"" + std::string(119, 'x') + "\"";
  const auto r = ParseBatchResponse(
      Body({Session("", 1, 9), Session("null", 1, 8.5), Session("42", 1, 8),
            Session(long_id, 1, 7.5), Session(R"("with\"quote")", 1, 7), Session(R"("ok")", 1, 3),
            Session(R"("")", 1, 40), Session("null", 1, 50)}),
      SmallBuckets());
  REQUIRE(r.ok());
  const auto& s = *r->sessions;
  CHECK(s.duration.counts == std::vector<std::uint64_t>{6, 2, 0});
  CHECK(IdIn(s.duration, 0) == "ok");
  CHECK(IdIn(s.duration, 1) == "<none>");  // only an empty and a null id there
  CHECK(s.duration.exemplars.size() == 1);
  CHECK(IdIn(s.queue, 0) == "ok");  // waits are equal: the first with a usable id
}

TEST_CASE("an id of 118 characters is kept whole, in both histograms",
          "[unit][anchor][exemplars][parser]") {
  const std::string id(118, 'k');
  const auto r = ParseBatchResponse(Body({Session("\"" + id + "\"", 7, 70)}), SmallBuckets());
  REQUIRE(r.ok());
  CHECK(IdIn(r->sessions->duration, 2) == id);
  CHECK(IdIn(r->sessions->queue, 1) == id);
}

TEST_CASE("a batch without created_at has run-time exemplars and no queue ones",
          "[unit][anchor][exemplars][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"sessions": [)" + Session(R"("a")", 1, 2) + "]}}",
                                    SmallBuckets());
  REQUIRE(r.ok());
  CHECK(IdIn(r->sessions->duration, 0) == "a");
  CHECK(r->sessions->queue.exemplars.empty());
}

TEST_CASE("an exemplar shows its value in milliseconds when that stays within its bucket",
          "[unit][anchor][exemplars]") {
  SessionHistogram h({10, 60});
  anchor::IdArena ids;
  ExemplarPicker picker(3);
  // completed_at - started_at at Unix-time magnitude: 3.967 s with float noise.
  picker.Offer(0, 3.967000007629395, 100, ids.Add("noisy"));
  // Binned above the bound 10, but 10 in milliseconds: rounding would leave the bucket.
  picker.Offer(1, 10.0000002, 100, ids.Add("at-bound"));
  picker.Finish(h, ids);
  CHECK(InBucket(h, 0)->value == 3.967);
  CHECK(InBucket(h, 1)->value == 10.0000002);
}
