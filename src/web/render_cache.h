#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "web/exposition_format.h"
#include "web/exposition_parts.h"

namespace anchor {

// The exposition of ExpositionParts, every family merged across batches, without any cache:
// the same bytes as SerializeExposition of the merged families (the reference RenderCache is
// tested against, and what /metrics serves with the cache turned off).
std::string RenderUncached(const ExpositionParts& parts, ExpositionFormat format);

// Renders /metrics reusing work across scrapes. A batch whose answer did not change is neither
// converted nor rendered again: its text is kept per (batch, section, format), a section being
// one TYPE block of a family (text 0.0.4 writes a gauge histogram as three). The answer is then
// written section by section across batches, as the formats require (a repeated TYPE line is
// an error; OpenMetrics forbids interleaving), byte for byte what RenderUncached writes.
//
// With gzip, each section's batches are compressed in blocks of about `block_bytes` of text, one
// gzip member each (concatenated members are one valid stream: RFC 1952, Go's gzip.Reader);
// a block is reused while it holds the same batches with the same answers, so only blocks
// holding changed (active) batches are compressed again. The collector puts finished batches
// first, so that active ones share few blocks. Small answers are one gzip stream.
//
// Text is held once per format in use; batches and blocks not used by the last two scrapes
// are dropped. Thread-safe: scrapes render one at a time (rendering is the short part of one).
class RenderCache {
 public:
  struct Options {
    size_t block_bytes = 64 * 1024;         // text per cached gzip member, at least
    size_t single_stream_below = 1u << 20;  // smaller answers: one gzip stream, no blocks
  };
  // What the last Render did (for tests and the benchmark).
  struct Stats {
    size_t batches_rendered = 0;  // converted and rendered (not cached)
    size_t batches_reused = 0;
    size_t blocks_compressed = 0;
    size_t blocks_reused = 0;
    size_t gzip_members = 0;
  };

  RenderCache() : RenderCache(Options{}) {}
  explicit RenderCache(Options options);
  ~RenderCache();
  RenderCache(const RenderCache&) = delete;
  RenderCache& operator=(const RenderCache&) = delete;

  // The answer in `format`; with `gzip`, compressed (empty when zlib fails).
  std::string Render(const ExpositionParts& parts, ExpositionFormat format, bool gzip);
  Stats last_stats() const;

 private:
  struct Batch;
  struct Block;
  struct FormatCache;

  using Batches = std::vector<std::shared_ptr<const Batch>>;
  // Batch i's text from the cache, or rendered and cached; null when it cannot be split.
  std::shared_ptr<const Batch> Lookup(FormatCache& cache, const ExpositionParts& parts, size_t i,
                                      ExpositionFormat format);
  static std::vector<size_t> SectionSizes(const FormatCache& cache, const Batches& batches);
  std::string Assemble(const FormatCache& cache, const Batches& batches,
                       const ExpositionParts& parts, ExpositionFormat format) const;
  std::string AssembleGzip(FormatCache& cache, const Batches& batches, const ExpositionParts& parts,
                           ExpositionFormat format);
  // Appends the gzip members of section `s` (cached blocks, new ones) after `pending` text.
  void GzipSection(FormatCache& cache, const Batches& batches, size_t s, std::string& pending,
                   std::string& out, bool& failed);
  const Options options_;
  mutable std::mutex mu_;
  std::unique_ptr<FormatCache> formats_[2];  // by ExpositionFormat
  Stats stats_;
};

}  // namespace anchor
