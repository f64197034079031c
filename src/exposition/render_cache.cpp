#include "exposition/render_cache.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <string_view>

#include "exposition/render_cache_parts.h"

namespace anchor {
namespace {

using prometheus::MetricFamily;
using render_cache_detail::AppendFamily;
using render_cache_detail::NextLine;

// Freed at once, this much is handed back to the system (malloc_trim): the text of thousands of
// batches otherwise stays in the process as free heap between what is still held.
constexpr size_t kTrimAfterBytes = size_t{16} << 20;

void TrimHeap(size_t freed) {
#ifdef __GLIBC__
  if (freed >= kTrimAfterBytes) malloc_trim(0);
#else
  (void)freed;
#endif
}

}  // namespace

RenderCache::RenderCache(Options options) : options_(options) {}
RenderCache::~RenderCache() = default;

RenderCache::Stats RenderCache::last_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t RenderCache::HeldBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& cache : formats_) {
    if (!cache) continue;
    for (const auto& [answer, batch] : cache->batches) {
      n += batch->text.capacity() + batch->ends.capacity() * sizeof(std::uint32_t);
    }
    for (const auto& kind : cache->kinds) {
      for (const auto& section : kind.blocks) {
        for (const auto& [serial, block] : section) {
          n += block->data->capacity() + block->members.capacity() * sizeof(std::uint64_t);
        }
      }
    }
  }
  return n;
}

bool RenderCache::RenderText(FormatCache& cache, const ExpositionParts& parts, size_t i,
                             Batch& batch) {
  const ExpositionFormat format = cache.format;
  // Exemplars are OpenMetrics only: the text format does not ask for them.
  const bool om = format == ExpositionFormat::kOpenMetrics100;
  const auto series = om ? parts.series[i]->FamiliesAndExemplars()
                         : FamiliesWithExemplars{parts.series[i]->Families(), {}};
  const auto& families = series.families;
  if (!cache.Learn(format, families)) return false;
  batch.text.clear();
  batch.ends.clear();
  batch.ends.reserve(cache.first.back());
  std::string text;
  for (size_t f = 0; f < families.size(); ++f) {
    const size_t sections = cache.first[f + 1] - cache.first[f];
    if (families[f].metric.empty()) {
      batch.ends.insert(batch.ends.end(), sections, static_cast<std::uint32_t>(batch.text.size()));
      continue;
    }
    // The writer's text of this family alone: comment lines (a section's header), then its
    // sample lines, once per section.
    text.clear();
    AppendFamily(format, text, families[f],
                 f < series.exemplars.size() ? &series.exemplars[f] : nullptr);
    size_t k = 0;
    for (size_t pos = 0; pos < text.size(); ++k) {
      const size_t header_start = pos;
      while (pos < text.size() && text[pos] == '#') pos = NextLine(text, pos);
      const std::string_view header(text.data() + header_start, pos - header_start);
      const size_t lines_start = pos;
      while (pos < text.size() && text[pos] != '#') pos = NextLine(text, pos);
      if (k >= sections || lines_start == pos) return false;
      std::string& known = cache.headers[cache.first[f] + k];
      if (known.empty()) known = header;
      if (known != header) return false;
      batch.text.append(text, lines_start, pos - lines_start);
      batch.ends.push_back(static_cast<std::uint32_t>(batch.text.size()));
    }
    if (k != sections) return false;
  }
  batch.text.shrink_to_fit();
  batch.has_text = true;
  ++stats_.batches_rendered;
  return true;
}

std::shared_ptr<RenderCache::Batch> RenderCache::Lookup(FormatCache& cache,
                                                        const ExpositionParts& parts, size_t i) {
  if (const auto it = cache.batches.find(parts.series[i].get()); it != cache.batches.end()) {
    it->second->used = cache.renders;
    ++stats_.batches_reused;
    return it->second;
  }
  auto batch = std::make_shared<Batch>();
  batch->source = parts.series[i];
  batch->serial = next_serial_++;
  batch->used = cache.renders;
  batch->read = cache.renders;
  if (!RenderText(cache, parts, i, *batch)) return nullptr;
  cache.batches[parts.series[i].get()] = batch;
  return batch;
}

bool RenderCache::AppendSection(FormatCache& cache, const ExpositionParts& parts,
                                const Batches& batches, size_t i, size_t s, std::string& to) {
  Batch& batch = *batches[i];
  if (batch.SectionSize(s) == 0) return true;
  if (!batch.has_text && !RenderText(cache, parts, i, batch)) return false;
  batch.read = cache.renders;
  to += batch.Section(s);
  return true;
}

RenderCache::Blocks RenderCache::RenderBlocks(const ExpositionParts& parts, ExpositionFormat format,
                                              bool gzip) {
  std::unique_lock<std::mutex> lock(mu_);
  stats_ = {};
  ++renders_;
  auto& cache = formats_[format == ExpositionFormat::kOpenMetrics100 ? 1 : 0];
  if (!cache) {
    cache = std::make_unique<FormatCache>();
    cache->format = format;
  }
  Kind& kind = cache->kinds[gzip ? 1 : 0];
  cache->last_used = renders_;
  kind.last_used = renders_;
  ++cache->renders;
  ++kind.renders;
  Batches batches;
  batches.reserve(parts.series.size());
  for (size_t i = 0; i < parts.series.size() && !cache->broken; ++i) {
    batches.push_back(Lookup(*cache, parts, i));
    if (!batches.back()) cache->broken = true;
  }
  Out out;
  out.gzip = gzip;
  out.format = format;
  if (!cache->broken) Assemble(*cache, kind, batches, parts, out);
  if (cache->broken || out.failed) {
    if (out.failed && !gzip) cache->broken = true;
    lock.unlock();
    std::string text = RenderUncached(parts, format);
    if (!gzip) return {std::make_shared<const std::string>(std::move(text))};
    auto gz = GzipFast(text);
    if (!gz) return {};
    return {std::make_shared<const std::string>(std::move(*gz))};
  }
  stats_.gzip_members = out.gzip_members;
  batches.clear();
  const size_t freed = DropUnused(*cache, kind) + DropIdleForms();
  lock.unlock();
  TrimHeap(freed);
  return std::move(out.blocks);
}

std::string RenderCache::Render(const ExpositionParts& parts, ExpositionFormat format, bool gzip) {
  const Blocks blocks = RenderBlocks(parts, format, gzip);
  size_t size = 0;
  for (const auto& b : blocks) size += b->size();
  std::string out;
  out.reserve(size);
  for (const auto& b : blocks) out += *b;
  return out;
}

void RenderCache::Assemble(FormatCache& cache, Kind& kind, const Batches& batches,
                           const ExpositionParts& parts, Out& out) {
  std::vector<size_t> sizes(cache.headers.size(), 0);
  size_t total = 0;
  for (size_t s = 0; s < sizes.size(); ++s) {
    for (const auto& b : batches) sizes[s] += b->SectionSize(s);
    total += sizes[s];
  }
  const bool blocks = total >= options_.single_stream_below;
  if (!blocks) out.pending.reserve(total + size_t{64} * 1024);
  for (size_t s = 0; s < sizes.size() && !out.failed; ++s) {
    if (sizes[s] == 0) continue;
    out.pending += cache.headers[s];
    if (blocks && sizes[s] >= options_.block_bytes) {
      BlockSection(cache, kind, batches, parts, s, out);
      continue;
    }
    for (size_t i = 0; i < batches.size() && !out.failed; ++i) {
      out.failed = !AppendSection(cache, parts, batches, i, s, out.pending);
    }
  }
  for (const auto& family : parts.other) AppendFamily(out.format, out.pending, family);
  if (out.format == ExpositionFormat::kOpenMetrics100) out.pending += kOpenMetricsEof;
  out.Flush();
}

// Walks the batches: a cached block that still holds the same batches is reused; elsewhere a
// new block takes batches until it has block_bytes of text or a cached block starts.
void RenderCache::BlockSection(FormatCache& cache, Kind& kind, const Batches& batches,
                               const ExpositionParts& parts, size_t s, Out& out) {
  std::string text;
  for (size_t i = 0; i < batches.size() && !out.failed;) {
    if (const auto block = kind.Match(batches, s, i)) {
      out.Add(block->data);
      ++stats_.blocks_reused;
      block->used = kind.renders;
      i += block->members.size();
      continue;
    }
    size_t j = i;
    text.clear();
    do {
      out.failed = !AppendSection(cache, parts, batches, j, s, text);
      ++j;
    } while (!out.failed && j < batches.size() && text.size() < options_.block_bytes &&
             !kind.Match(batches, s, j));
    if (out.failed) return;
    if (text.empty()) {
      i = j;
      continue;
    }
    auto block = std::make_shared<Block>();
    block->members.reserve(j - i);
    for (size_t k = i; k < j; ++k) block->members.push_back(batches[k]->serial);
    if (out.gzip) {
      auto gz = GzipFast(text);
      if (!gz) {
        out.failed = true;
        return;
      }
      gz->shrink_to_fit();  // zlib's bound is about the text's size: 7x what a block needs
      block->data = std::make_shared<const std::string>(std::move(*gz));
      ++stats_.blocks_compressed;
    } else {
      block->data = std::make_shared<const std::string>(text);
    }
    ++stats_.blocks_made;
    block->used = kind.renders;
    out.Add(block->data);
    kind.blocks[s][batches[i]->serial] = std::move(block);
    i = j;
  }
}

size_t RenderCache::DropUnused(FormatCache& cache, Kind& kind) {
  size_t freed = 0;
  // Batches that left or changed answers; the text of those whose blocks were reused.
  for (auto it = cache.batches.begin(); it != cache.batches.end();) {
    Batch& batch = *it->second;
    if (batch.used + 1 < cache.renders) {
      freed += batch.text.capacity();
      it = cache.batches.erase(it);
      continue;
    }
    if (batch.has_text && batch.read + 1 < cache.renders) {
      freed += batch.text.capacity();
      std::string().swap(batch.text);
      batch.has_text = false;
      ++stats_.texts_released;
    }
    ++it;
  }
  for (auto& section : kind.blocks) {
    for (auto it = section.begin(); it != section.end();) {
      if (it->second->used + 1 < kind.renders) {
        freed += it->second->data->capacity();
        it = section.erase(it);
      } else {
        ++it;
      }
    }
  }
  return freed;
}

size_t RenderCache::DropIdleForms() {
  size_t freed = 0;
  for (auto& cache : formats_) {
    if (!cache) continue;
    if (cache->last_used + options_.idle_renders < renders_) {
      for (const auto& [answer, batch] : cache->batches) freed += batch->text.capacity();
      for (auto& kind : cache->kinds) {
        for (auto& section : kind.blocks) {
          for (const auto& [serial, block] : section) freed += block->data->capacity();
        }
      }
      cache.reset();
      continue;
    }
    for (size_t k = 0; k < 2; ++k) {
      Kind& kind = cache->kinds[k];
      const auto idle = k == 0 ? options_.plain_idle_renders : options_.idle_renders;
      if (kind.last_used + idle >= renders_) continue;
      for (auto& section : kind.blocks) {
        for (const auto& [serial, block] : section) freed += block->data->capacity();
        section.clear();
      }
    }
  }
  return freed;
}

namespace {

// Appends `part` (one batch's families) to `merged`, family by family, the exemplars of a family
// kept beside its series (padded with none for the series of earlier parts).
void MergePart(FamiliesWithExemplars& merged, FamiliesWithExemplars part) {
  auto& families = part.families;
  if (merged.families.size() < families.size()) merged.families.resize(families.size());
  if (merged.exemplars.size() < part.exemplars.size())
    merged.exemplars.resize(part.exemplars.size());
  for (size_t f = 0; f < families.size(); ++f) {
    auto& to = merged.families[f].metric;
    if (f < part.exemplars.size() && !part.exemplars[f].metrics.empty()) {
      auto& ex = merged.exemplars[f].metrics;
      ex.resize(to.size());
      ex.insert(ex.end(), std::make_move_iterator(part.exemplars[f].metrics.begin()),
                std::make_move_iterator(part.exemplars[f].metrics.end()));
    }
    if (merged.families[f].name.empty()) {
      merged.families[f] = std::move(families[f]);
      continue;
    }
    to.insert(to.end(), std::make_move_iterator(families[f].metric.begin()),
              std::make_move_iterator(families[f].metric.end()));
  }
}

// The families of every part merged (with their exemplars when `exemplars`), those without
// series left out, then the other families.
FamiliesWithExemplars Merged(const ExpositionParts& parts, bool exemplars) {
  FamiliesWithExemplars merged;
  for (const auto& source : parts.series) {
    MergePart(merged, exemplars ? source->FamiliesAndExemplars()
                                : FamiliesWithExemplars{source->Families(), {}});
  }
  FamiliesWithExemplars all;
  all.families.reserve(merged.families.size() + parts.other.size());
  for (size_t f = 0; f < merged.families.size(); ++f) {
    if (merged.families[f].metric.empty()) continue;
    if (f < merged.exemplars.size() && !merged.exemplars[f].metrics.empty()) {
      all.exemplars.resize(all.families.size());
      all.exemplars.push_back(std::move(merged.exemplars[f]));
    }
    all.families.push_back(std::move(merged.families[f]));
  }
  all.families.insert(all.families.end(), parts.other.begin(), parts.other.end());
  return all;
}

}  // namespace

std::vector<MetricFamily> MergedFamilies(const ExpositionParts& parts) {
  return Merged(parts, false).families;
}

std::string RenderUncached(const ExpositionParts& parts, ExpositionFormat format) {
  if (format == ExpositionFormat::kOpenMetrics100) {
    const auto merged = Merged(parts, true);
    return SerializeOpenMetrics(merged.families, merged.exemplars);
  }
  return SerializeExposition(MergedFamilies(parts), format);
}

}  // namespace anchor
