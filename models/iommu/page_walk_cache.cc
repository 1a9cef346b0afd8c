// Non-leaf page-table entry cache (IOMMU Data Structures 2.3, In-memory
// queues 3.1.1).
#include "models/iommu/page_walk_cache.h"

namespace vp::iommu {

namespace {

// Fields that do not identify the table are zeroed so equal tables compare
// equal: the PSCID of a second-stage table, the GSCID of a host table.
WalkCacheTable normalized(WalkCacheTable t) {
  if (t.stage == WalkStage::kSecond) {
    t.pscid = 0;
    t.gscv = true;
  }
  if (!t.gscv) t.gscid = 0;
  return t;
}

bool on_path(unsigned level, uint64_t prefix, uint64_t addr) {
  return (addr >> PageWalkCache::prefix_shift(level)) == prefix;
}

}  // namespace

bool PageWalkCache::Key::operator==(const Key& o) const {
  return level == o.level && prefix == o.prefix && table.stage == o.table.stage &&
         table.gscv == o.table.gscv && table.gscid == o.table.gscid &&
         table.pscid == o.table.pscid && table.mode == o.table.mode &&
         table.root_ppn == o.table.root_ppn;
}

size_t PageWalkCache::KeyHash::operator()(const Key& k) const {
  // 64-bit mix (splitmix64 finalizer) over the packed fields.
  auto mix = [](uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    return h;
  };
  uint64_t h = mix(0, k.prefix);
  h = mix(h, k.table.root_ppn);
  h = mix(h, (uint64_t(k.table.gscid) << 32) | k.table.pscid);
  h = mix(h, (uint64_t(k.level) << 16) | (uint64_t(k.table.mode) << 8) |
                 (uint64_t(k.table.gscv) << 1) | uint64_t(k.table.stage == WalkStage::kSecond));
  return size_t(h);
}

PageWalkCache::PageWalkCache(uint32_t entries) : entries_("walk_cache", entries) {}

const WalkCacheEntry* PageWalkCache::lookup(const WalkCacheTable& t, uint64_t input,
                                            unsigned top_level, unsigned* level) {
  if (!enabled()) {
    ++misses_;
    return nullptr;
  }
  Key k{normalized(t), 0, 0};
  // Deepest first: the entry pointing at the level-0 table saves the most.
  for (unsigned l = 1; l <= top_level; ++l) {
    k.level = l;
    k.prefix = input >> prefix_shift(l);
    const WalkCacheEntry* e = entries_.touch(k);
    if (!e) continue;
    ++hits_;
    *level = l;
    return e;
  }
  ++misses_;
  return nullptr;
}

void PageWalkCache::insert(const WalkCacheTable& t, uint64_t input, unsigned level,
                           const WalkCacheEntry& e) {
  if (level == 0) return;
  entries_.insert(Key{normalized(t), level, input >> prefix_shift(level)}, e);
}

uint64_t PageWalkCache::invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                                       std::optional<uint64_t> addr) {
  return entries_.invalidate_if([&](const Key& k) {
    const WalkCacheTable& t = k.table;
    if (t.stage != WalkStage::kFirst) return false;
    // GV=0 operates on host address spaces (second stage Bare), 3.1.1.
    if (t.gscv != gscid.has_value()) return false;
    if (gscid && t.gscid != *gscid) return false;
    if (pscid && t.pscid != *pscid) return false;
    if (addr && !on_path(k.level, k.prefix, *addr)) return false;
    return true;
  });
}

uint64_t PageWalkCache::invalidate_gvma(std::optional<uint32_t> gscid,
                                        std::optional<uint64_t> gpa) {
  return entries_.invalidate_if([&](const Key& k) {
    const WalkCacheTable& t = k.table;
    if (!t.gscv) return false;  // host tables do not use the second stage
    if (gscid && t.gscid != *gscid) return false;
    // AV is ignored with GV=0 (3.1.1, IOTINVAL.GVMA table).
    if (gscid && gpa && t.stage == WalkStage::kSecond && !on_path(k.level, k.prefix, *gpa)) {
      return false;
    }
    return true;
  });
}

uint64_t PageWalkCache::invalidate_all() {
  return entries_.invalidate_all();
}

void PageWalkCache::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("walk_cache");
  v.value("entries", double(capacity()));
  v.value("lookups", double(lookups()));
  v.value("hits", double(hits_));
  v.value("misses", double(misses_));
  v.value("hit_rate", lookups() ? 100.0 * double(hits_) / double(lookups()) : 0.0, "%");
  v.value("inserts", double(inserts()));
  v.value("evictions", double(evictions()));
  v.value("invalidated_entries", double(invalidated_entries()));
  v.end_group();
}

}  // namespace vp::iommu
