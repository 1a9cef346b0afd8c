#include "models/iommu/lru_cache.h"

namespace vp::iommu {

void LruCacheStats::report_stats(vp::common::StatsVisitor& v, const std::string& name,
                                 uint64_t capacity, uint64_t occupancy) const {
  v.begin_group(name);
  v.value("hits", double(hits_));
  v.value("misses", double(misses_));
  const uint64_t lookups = hits_ + misses_;
  v.value("hit_rate", lookups ? 100.0 * double(hits_) / double(lookups) : 0.0, "%");
  v.value("insertions", double(insertions_));
  v.value("evictions", double(evictions_));
  v.value("invalidations", double(invalidations_));
  v.value("invalidated_entries", double(invalidated_entries_));
  v.value("capacity", double(capacity), "entries");
  v.value("occupancy", double(occupancy), "entries");
  v.end_group();
}

}  // namespace vp::iommu
