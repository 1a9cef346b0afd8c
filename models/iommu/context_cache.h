// Directory caches: fully-associative LRU caches of device contexts (key
// device_id) and process contexts (key device_id + process_id).
//
// Models: the DDT and PDT caches of spec 3.8 ("Caching in-memory data
// structures": DDT entries tagged by device_id, PDT entries by device_id and
// process_id) and their invalidation by IODIR.INVAL_DDT / IODIR.INVAL_PDT
// (spec 4.1.3): one key, all keys, or a predicate (INVAL_DDT with DV=1 also
// drops every process context of the device). The cached value is opaque
// (a template parameter): the directory walkers decide what they keep, for
// instance the decoded context with GPA pointers already translated.
//
// The mechanism (capacity 0 = no cache, O(1) LRU) is LruCache's.
//
// Does not model: timing (the caller adds context_cache_lookup_cycles),
// caching of non-leaf directory entries, set-associativity.
#pragma once

#include <cstdint>
#include <functional>

#include "models/iommu/lru_cache.h"

namespace vp::iommu {

// Key of a process context (spec 3.8: PDT entries are tagged by device_id
// and process_id).
struct ProcessContextKey {
  uint32_t device_id = 0;
  uint32_t process_id = 0;
  bool operator==(const ProcessContextKey& o) const {
    return device_id == o.device_id && process_id == o.process_id;
  }
};

struct ProcessContextKeyHash {
  size_t operator()(const ProcessContextKey& k) const {
    return std::hash<uint64_t>()((uint64_t(k.device_id) << 32) | k.process_id);
  }
};

// The two directory caches of the IOMMU, for a value type chosen by the
// directory walkers.
template <typename DeviceContext>
using DeviceContextCache = LruCache<uint32_t, DeviceContext>;
template <typename ProcessContext>
using ProcessContextCache = LruCache<ProcessContextKey, ProcessContext, ProcessContextKeyHash>;

}  // namespace vp::iommu
