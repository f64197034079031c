// Internal to render_cache.cpp: what RenderCache keeps per batch, block, form and format, and
// the answer being assembled.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exposition/exposition_format.h"
#include "exposition/http_compression.h"
#include "exposition/openmetrics_exposition.h"
#include "exposition/series_source.h"
#include "exposition/text_exposition.h"

namespace anchor {
namespace render_cache_detail {

inline void AppendFamily(ExpositionFormat format, std::string& out,
                         const prometheus::MetricFamily& family,
                         const FamilyExemplars* exemplars = nullptr) {
  if (format == ExpositionFormat::kOpenMetrics100) {
    AppendOpenMetricsFamily(out, family, exemplars);
  } else {
    AppendTextFamily(out, family);
  }
}

inline size_t NextLine(const std::string& text, size_t pos) {
  const size_t nl = text.find('\n', pos);
  return nl == std::string::npos ? text.size() : nl + 1;
}

// How many TYPE blocks the writer makes of `family` (text 0.0.4: three for a gauge histogram).
inline size_t SectionCount(ExpositionFormat format, const prometheus::MetricFamily& family) {
  prometheus::MetricFamily header_only;
  header_only.name = family.name;
  header_only.help = family.help;
  header_only.type = family.type;
  std::string text;
  AppendFamily(format, text, header_only);
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); pos = NextLine(text, pos)) {
    if (text.compare(pos, 7, "# TYPE ") == 0) ++count;
  }
  return count;
}

// One batch's text in one format: the sample lines of each section, one after the other.
struct Batch {
  std::shared_ptr<const SeriesSource> source;  // held, so that its address is not reused
  std::uint64_t serial = 0;                    // names it in blocks (RenderCache::next_serial_)
  std::string text;                            // empty once released (has_text false)
  bool has_text = false;
  std::vector<std::uint32_t> ends;  // where each section's lines end in `text`
  std::uint64_t used = 0;           // FormatCache::renders when last in an answer
  std::uint64_t read = 0;           // FormatCache::renders when `text` was last read

  size_t SectionSize(size_t s) const { return ends[s] - (s == 0 ? 0 : ends[s - 1]); }
  std::string_view Section(size_t s) const {
    const size_t begin = s == 0 ? 0 : ends[s - 1];
    return {text.data() + begin, ends[s] - begin};
  }
};

// The text of one section for consecutive batches, compressed as one gzip member or not.
struct Block {
  std::vector<std::uint64_t> members;  // Batch::serial
  std::shared_ptr<const std::string> data;
  std::uint64_t used = 0;  // Kind::renders when last used
};

using Batches = std::vector<std::shared_ptr<Batch>>;
using Blocks = std::vector<std::shared_ptr<const std::string>>;

// What one form (a format, with or without gzip) keeps: its blocks, per section.
struct Kind {
  std::uint64_t renders = 0;    // Render calls of this form (Block::used)
  std::uint64_t last_used = 0;  // RenderCache::renders_ when last asked for
  std::vector<std::unordered_map<std::uint64_t, std::shared_ptr<Block>>> blocks;  // by first

  std::shared_ptr<Block> Match(const Batches& batches, size_t s, size_t i) const {
    const auto it = blocks[s].find(batches[i]->serial);
    if (it == blocks[s].end()) return nullptr;
    const auto& members = it->second->members;
    if (i + members.size() > batches.size()) return nullptr;
    for (size_t k = 0; k < members.size(); ++k) {
      if (members[k] != batches[i + k]->serial) return nullptr;
    }
    return it->second;
  }
};

struct FormatCache {
  ExpositionFormat format = ExpositionFormat::kText004;
  // Sections of each family, learned from the first batch rendered (every batch has the same
  // family list). first[f] is family f's first section; first.back() is the section count.
  std::vector<size_t> first;
  std::vector<std::string> headers;  // per section; known once a batch had series there
  bool broken = false;          // text did not split as expected: serve RenderUncached (never seen)
  std::uint64_t renders = 0;    // Render calls in this format (Batch::used, Batch::read)
  std::uint64_t last_used = 0;  // RenderCache::renders_
  std::unordered_map<const SeriesSource*, std::shared_ptr<Batch>> batches;  // by source
  Kind kinds[2];                                                            // plain, gzip

  bool Learn(ExpositionFormat format, const std::vector<prometheus::MetricFamily>& families) {
    if (first.empty()) {
      first.push_back(0);
      for (const auto& f : families)
        first.push_back(first.back() + render_cache_detail::SectionCount(format, f));
      headers.resize(first.back());
      for (auto& kind : kinds) kind.blocks.resize(first.back());
    }
    return first.size() == families.size() + 1;
  }
};

// The answer being assembled: blocks, and text not yet in one (compressed when gzip).
struct Out {
  bool gzip = false;
  ExpositionFormat format = ExpositionFormat::kText004;
  Blocks blocks;
  std::string pending;
  bool failed = false;
  size_t gzip_members = 0;

  void Flush() {
    if (pending.empty()) return;
    if (!gzip) {
      blocks.push_back(std::make_shared<const std::string>(std::move(pending)));
    } else if (auto gz = GzipFast(pending)) {
      blocks.push_back(std::make_shared<const std::string>(std::move(*gz)));
      ++gzip_members;
    } else {
      failed = true;
    }
    pending.clear();
  }
  void Add(std::shared_ptr<const std::string> block) {
    Flush();
    blocks.push_back(std::move(block));
    if (gzip) ++gzip_members;
  }
};

}  // namespace render_cache_detail
}  // namespace anchor
