#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "exposition/exposition_format.h"
#include "exposition/exposition_parts.h"

namespace anchor {
namespace render_cache_detail {  // render_cache_parts.h
struct Batch;
struct Block;
struct Kind;
struct FormatCache;
struct Out;
}  // namespace render_cache_detail

// The families of ExpositionParts as one list: each family merged across the parts (those
// without series left out), then the other families.
std::vector<prometheus::MetricFamily> MergedFamilies(const ExpositionParts& parts);

// The exposition of ExpositionParts, every family merged across batches, without any cache:
// the same bytes as SerializeExposition of the merged families, with their exemplars in
// OpenMetrics (the reference RenderCache is tested against, and what /metrics serves with the
// cache turned off).
std::string RenderUncached(const ExpositionParts& parts, ExpositionFormat format);

// Renders /metrics reusing work across scrapes. A batch whose answer did not change is neither
// converted nor rendered again: its text is kept per (batch, section, format), a section being
// one TYPE block of a family (text 0.0.4 writes a gauge histogram as three). The answer is then
// written section by section across batches, as the formats require (a repeated TYPE line is
// an error; OpenMetrics forbids interleaving), byte for byte what RenderUncached writes.
//
// The answer is a list of immutable blocks. A large section's batches are cut into blocks of
// about `block_bytes` of text (with gzip: compressed, one gzip member each; concatenated members
// are one valid stream: RFC 1952, Go's gzip.Reader). A block is reused while it holds the same
// batches with the same answers, so only blocks holding changed (active) batches are made
// again, and concurrent or slow answers share the cached blocks instead of holding copies. Parts
// that rarely change are best put first (the collector puts finished batches there), so that
// active ones share few blocks. Small answers are one block (one gzip stream).
//
// A part is known by its SeriesSource object: the same object is the same series (the type
// promises it), a new object is rendered again.
//
// Memory: what the answers asked for need. A format or its gzip blocks not asked for in
// `idle_renders` renders are dropped, uncompressed blocks (7x larger, asked for by people and
// curl rather than Prometheus) after `plain_idle_renders`; blocks and batches not used by the last
// two renders of their form are dropped; a batch's own text is released once two renders of its
// format did not read it (its blocks were reused) and rendered again from its answer if a block
// holding it has to be made again. Thread-safe: scrapes render one at a time (rendering is the
// short part of one).
class RenderCache {
 public:
  using Blocks = std::vector<std::shared_ptr<const std::string>>;
  struct Options {
    size_t block_bytes = size_t{64} * 1024;  // text per cached block, at least
    size_t single_stream_below = 1u << 20;   // smaller answers: one block, one gzip stream
    std::uint64_t idle_renders = 8;          // a format or its gzip blocks unused this long go
    std::uint64_t plain_idle_renders = 2;    // uncompressed blocks unused this long go
  };
  // What the last Render did (for tests and the benchmark).
  struct Stats {
    size_t batches_rendered = 0;  // converted and rendered (not cached), released text included
    size_t batches_reused = 0;
    size_t blocks_compressed = 0;  // gzip blocks made
    size_t blocks_made = 0;        // blocks made, with or without gzip
    size_t blocks_reused = 0;
    size_t gzip_members = 0;
    size_t texts_released = 0;  // batches whose text was released after this render
  };

  RenderCache() : RenderCache(Options{}) {}
  explicit RenderCache(Options options);
  ~RenderCache();
  RenderCache(const RenderCache&) = delete;
  RenderCache& operator=(const RenderCache&) = delete;

  // The answer in `format` as blocks, in order; with `gzip`, compressed (empty when zlib fails).
  Blocks RenderBlocks(const ExpositionParts& parts, ExpositionFormat format, bool gzip);
  // The same, joined into one string.
  std::string Render(const ExpositionParts& parts, ExpositionFormat format, bool gzip);
  Stats last_stats() const;
  // Bytes of text and blocks the cache holds now (tests, benchmark).
  size_t HeldBytes() const;

 private:
  using Batch = render_cache_detail::Batch;
  using Block = render_cache_detail::Block;
  using Kind = render_cache_detail::Kind;
  using FormatCache = render_cache_detail::FormatCache;
  using Out = render_cache_detail::Out;

  using Batches = std::vector<std::shared_ptr<Batch>>;
  // Batch i's entry from the cache, or rendered and cached; null when it cannot be split.
  std::shared_ptr<Batch> Lookup(FormatCache& cache, const ExpositionParts& parts, size_t i);
  // Renders batch i's text into `batch`; false when it does not split into the sections.
  bool RenderText(FormatCache& cache, const ExpositionParts& parts, size_t i, Batch& batch);
  // Section s of batch i, its text rendered again if it was released; false when that failed.
  bool AppendSection(FormatCache& cache, const ExpositionParts& parts, const Batches& batches,
                     size_t i, size_t s, std::string& to);
  void Assemble(FormatCache& cache, Kind& kind, const Batches& batches,
                const ExpositionParts& parts, Out& out);
  // The blocks of section `s`: cached ones that still hold the same batches, new ones.
  void BlockSection(FormatCache& cache, Kind& kind, const Batches& batches,
                    const ExpositionParts& parts, size_t s, Out& out);
  // Drops what the last renders did not use; returns the bytes freed.
  size_t DropUnused(FormatCache& cache, Kind& kind);
  size_t DropIdleForms();

  const Options options_;
  mutable std::mutex mu_;
  std::unique_ptr<FormatCache> formats_[2];  // by ExpositionFormat
  std::uint64_t renders_ = 0;                // RenderBlocks calls, every form
  std::uint64_t next_serial_ = 1;            // Batch::serial
  Stats stats_;
};

}  // namespace anchor
