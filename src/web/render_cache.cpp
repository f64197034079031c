#include "web/render_cache.h"

#include <string_view>

#include "web/http_compression.h"
#include "web/openmetrics_exposition.h"
#include "web/text_exposition.h"

namespace anchor {
namespace {

using prometheus::MetricFamily;

void AppendFamily(ExpositionFormat format, std::string& out, const MetricFamily& family) {
  if (format == ExpositionFormat::kOpenMetrics100) {
    AppendOpenMetricsFamily(out, family);
  } else {
    AppendTextFamily(out, family);
  }
}

size_t NextLine(const std::string& text, size_t pos) {
  const size_t nl = text.find('\n', pos);
  return nl == std::string::npos ? text.size() : nl + 1;
}

// How many TYPE blocks the writer makes of `family` (text 0.0.4: three for a gauge histogram).
size_t SectionCount(ExpositionFormat format, const MetricFamily& family) {
  MetricFamily header_only;
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

// Compresses `pending` as one gzip member at the end of `out`.
void AppendGzip(std::string& pending, std::string& out, size_t& members, bool& failed) {
  if (pending.empty()) return;
  if (auto gz = GzipFast(pending)) {
    out += *gz;
    ++members;
  } else {
    failed = true;
  }
  pending.clear();
}

}  // namespace

// One batch's text in one format: the sample lines of each section, one after the other.
struct RenderCache::Batch {
  std::shared_ptr<const void> answer;  // held, so that its address is not reused
  std::string text;
  std::vector<std::uint32_t> ends;  // where each section's lines end in `text`
  std::uint64_t used = 0;           // FormatCache::renders when last used

  std::string_view Section(size_t s) const {
    const size_t begin = s == 0 ? 0 : ends[s - 1];
    return {text.data() + begin, ends[s] - begin};
  }
};

// One gzip member: the text of one section for consecutive batches.
struct RenderCache::Block {
  std::vector<std::shared_ptr<const Batch>> members;
  std::string gzip;
  std::uint64_t used = 0;  // FormatCache::gzip_renders when last used
};

struct RenderCache::FormatCache {
  // Sections of each family, learned from the first batch rendered (every batch has the same
  // family list). first[f] is family f's first section; first.back() is the section count.
  std::vector<size_t> first;
  std::vector<std::string> headers;  // per section; known once a batch had series there
  bool broken = false;        // text did not split as expected: serve RenderUncached (never seen)
  std::uint64_t renders = 0;  // Render calls in this format (Batch::used)
  std::uint64_t gzip_renders = 0;                                   // those with gzip (Block::used)
  std::unordered_map<const void*, std::shared_ptr<Batch>> batches;  // by answer
  std::vector<std::unordered_map<const Batch*, std::shared_ptr<Block>>> blocks;  // by first batch

  bool Learn(ExpositionFormat format, const std::vector<MetricFamily>& families) {
    if (first.empty()) {
      first.push_back(0);
      for (const auto& f : families) first.push_back(first.back() + SectionCount(format, f));
      headers.resize(first.back());
      blocks.resize(first.back());
    }
    return first.size() == families.size() + 1;
  }

  std::shared_ptr<Block> Match(const Batches& batches, size_t s, size_t i) const {
    const auto it = blocks[s].find(batches[i].get());
    if (it == blocks[s].end()) return nullptr;
    const auto& members = it->second->members;
    if (i + members.size() > batches.size()) return nullptr;
    for (size_t k = 0; k < members.size(); ++k) {
      if (members[k] != batches[i + k]) return nullptr;
    }
    return it->second;
  }
};

RenderCache::RenderCache(Options options) : options_(options) {}
RenderCache::~RenderCache() = default;

RenderCache::Stats RenderCache::last_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::shared_ptr<const RenderCache::Batch> RenderCache::Lookup(FormatCache& cache,
                                                              const ExpositionParts& parts,
                                                              size_t i, ExpositionFormat format) {
  if (const auto it = cache.batches.find(parts.answers[i].get()); it != cache.batches.end()) {
    it->second->used = cache.renders;
    ++stats_.batches_reused;
    return it->second;
  }
  const auto families = parts.families_of(i);
  if (!cache.Learn(format, families)) return nullptr;
  auto batch = std::make_shared<Batch>();
  batch->answer = parts.answers[i];
  batch->used = cache.renders;
  batch->ends.reserve(cache.first.back());
  std::string text;
  for (size_t f = 0; f < families.size(); ++f) {
    const size_t sections = cache.first[f + 1] - cache.first[f];
    if (families[f].metric.empty()) {
      batch->ends.insert(batch->ends.end(), sections,
                         static_cast<std::uint32_t>(batch->text.size()));
      continue;
    }
    // The writer's text of this family alone: comment lines (a section's header), then its
    // sample lines, once per section.
    text.clear();
    AppendFamily(format, text, families[f]);
    size_t k = 0;
    for (size_t pos = 0; pos < text.size(); ++k) {
      const size_t header_start = pos;
      while (pos < text.size() && text[pos] == '#') pos = NextLine(text, pos);
      const std::string_view header(text.data() + header_start, pos - header_start);
      const size_t lines_start = pos;
      while (pos < text.size() && text[pos] != '#') pos = NextLine(text, pos);
      if (k >= sections || lines_start == pos) return nullptr;
      std::string& known = cache.headers[cache.first[f] + k];
      if (known.empty()) known = header;
      if (known != header) return nullptr;
      batch->text.append(text, lines_start, pos - lines_start);
      batch->ends.push_back(static_cast<std::uint32_t>(batch->text.size()));
    }
    if (k != sections) return nullptr;
  }
  ++stats_.batches_rendered;
  cache.batches[parts.answers[i].get()] = batch;
  return batch;
}

std::string RenderCache::Render(const ExpositionParts& parts, ExpositionFormat format, bool gzip) {
  std::unique_lock<std::mutex> lock(mu_);
  stats_ = {};
  auto& cache = formats_[format == ExpositionFormat::kOpenMetrics100 ? 1 : 0];
  if (!cache) cache = std::make_unique<FormatCache>();
  ++cache->renders;
  if (gzip) ++cache->gzip_renders;
  std::vector<std::shared_ptr<const Batch>> batches;
  batches.reserve(parts.answers.size());
  for (size_t i = 0; i < parts.answers.size() && !cache->broken; ++i) {
    batches.push_back(Lookup(*cache, parts, i, format));
    if (!batches.back()) cache->broken = true;
  }
  if (cache->broken) {
    lock.unlock();
    std::string text = RenderUncached(parts, format);
    return gzip ? GzipFast(text).value_or("") : text;
  }
  std::string out = gzip ? AssembleGzip(*cache, batches, parts, format)
                         : Assemble(*cache, batches, parts, format);
  // Drop what the last two scrapes did not use (batches that left or changed answers).
  for (auto it = cache->batches.begin(); it != cache->batches.end();) {
    it = it->second->used + 1 < cache->renders ? cache->batches.erase(it) : std::next(it);
  }
  for (auto& section : cache->blocks) {
    for (auto it = section.begin(); gzip && it != section.end();) {
      it = it->second->used + 1 < cache->gzip_renders ? section.erase(it) : std::next(it);
    }
  }
  return out;
}

std::vector<size_t> RenderCache::SectionSizes(const FormatCache& cache, const Batches& batches) {
  std::vector<size_t> sizes(cache.headers.size(), 0);
  for (size_t s = 0; s < sizes.size(); ++s) {
    for (const auto& b : batches) sizes[s] += b->Section(s).size();
  }
  return sizes;
}

std::string RenderCache::Assemble(const FormatCache& cache, const Batches& batches,
                                  const ExpositionParts& parts, ExpositionFormat format) const {
  const auto sizes = SectionSizes(cache, batches);
  size_t total = 64 * 1024;
  for (size_t s = 0; s < sizes.size(); ++s) total += sizes[s] + cache.headers[s].size();
  std::string out;
  out.reserve(total);
  for (size_t s = 0; s < sizes.size(); ++s) {
    if (sizes[s] == 0) continue;
    out += cache.headers[s];
    for (const auto& b : batches) out += b->Section(s);
  }
  for (const auto& family : parts.other) AppendFamily(format, out, family);
  if (format == ExpositionFormat::kOpenMetrics100) out += kOpenMetricsEof;
  return out;
}

std::string RenderCache::AssembleGzip(FormatCache& cache, const Batches& batches,
                                      const ExpositionParts& parts, ExpositionFormat format) {
  const auto sizes = SectionSizes(cache, batches);
  size_t total = 0;
  for (const size_t size : sizes) total += size;
  if (total < options_.single_stream_below) {
    stats_.gzip_members = 1;
    return GzipFast(Assemble(cache, batches, parts, format)).value_or("");
  }
  std::string out;
  std::string pending;  // text not in a cached block, compressed when a block comes or at the end
  bool failed = false;
  for (size_t s = 0; s < sizes.size() && !failed; ++s) {
    if (sizes[s] == 0) continue;
    pending += cache.headers[s];
    if (sizes[s] < options_.block_bytes) {
      for (const auto& b : batches) pending += b->Section(s);
    } else {
      GzipSection(cache, batches, s, pending, out, failed);
    }
  }
  for (const auto& family : parts.other) AppendFamily(format, pending, family);
  if (format == ExpositionFormat::kOpenMetrics100) pending += kOpenMetricsEof;
  AppendGzip(pending, out, stats_.gzip_members, failed);
  return failed ? std::string() : out;
}

// Walks the batches: a cached block that still holds the same batches is copied; elsewhere a
// new block takes batches until it has block_bytes of text or a cached block starts.
void RenderCache::GzipSection(FormatCache& cache, const Batches& batches, size_t s,
                              std::string& pending, std::string& out, bool& failed) {
  std::string text;
  for (size_t i = 0; i < batches.size() && !failed;) {
    if (const auto block = cache.Match(batches, s, i)) {
      AppendGzip(pending, out, stats_.gzip_members, failed);
      out += block->gzip;
      ++stats_.gzip_members;
      ++stats_.blocks_reused;
      block->used = cache.gzip_renders;
      i += block->members.size();
      continue;
    }
    size_t j = i;
    text.clear();
    do {
      text += batches[j]->Section(s);
      ++j;
    } while (j < batches.size() && text.size() < options_.block_bytes &&
             !cache.Match(batches, s, j));
    if (text.empty()) {
      i = j;
      continue;
    }
    auto block = std::make_shared<Block>();
    block->members.assign(batches.begin() + static_cast<std::ptrdiff_t>(i),
                          batches.begin() + static_cast<std::ptrdiff_t>(j));
    auto gz = GzipFast(text);
    if (!gz) {
      failed = true;
      return;
    }
    block->gzip = std::move(*gz);
    block->used = cache.gzip_renders;
    AppendGzip(pending, out, stats_.gzip_members, failed);
    out += block->gzip;
    ++stats_.gzip_members;
    ++stats_.blocks_compressed;
    cache.blocks[s][batches[i].get()] = std::move(block);
    i = j;
  }
}

std::string RenderUncached(const ExpositionParts& parts, ExpositionFormat format) {
  std::vector<MetricFamily> merged;
  for (size_t i = 0; i < parts.answers.size(); ++i) {
    auto families = parts.families_of(i);
    if (merged.size() < families.size()) merged.resize(families.size());
    for (size_t f = 0; f < families.size(); ++f) {
      if (merged[f].name.empty()) {
        merged[f] = std::move(families[f]);
        continue;
      }
      auto& to = merged[f].metric;
      to.insert(to.end(), std::make_move_iterator(families[f].metric.begin()),
                std::make_move_iterator(families[f].metric.end()));
    }
  }
  std::vector<MetricFamily> all;
  all.reserve(merged.size() + parts.other.size());
  for (auto& family : merged) {
    if (!family.metric.empty()) all.push_back(std::move(family));
  }
  all.insert(all.end(), parts.other.begin(), parts.other.end());
  return SerializeExposition(all, format);
}

}  // namespace anchor
