// PageWalkCache: caches non-leaf page-table entries of the first stage
// (Sv39/48/57) and of the second stage (Sv39x4/48x4/57x4), so a walk can
// start at the deepest table it already knows instead of at the root.
//
// Spec: IOMMU Data Structures 2.3 (address translation caches may hold
// entries from any level of the page tables), In-memory queues 3.1.1
// (IOTINVAL.VMA / IOTINVAL.GVMA and the notes after them), Privileged spec
// "Virtual Address Translation Process" (invalid PTEs are never cached).
//
// An entry is one non-leaf PTE at level L >= 1 on the path of an input
// address: it maps the input's bits above level L's region (the "prefix")
// to the next table (the level L-1 table). Tags:
//   first stage:  GSCID (if the second stage is active), PSCID, iosatp
//                 mode and root PPN, level, IOVA prefix;
//   second stage: GSCID, iohgatp mode and root PPN, level, GPA prefix.
// The spec allows tagging by GSCID/PSCID alone; the root PPN in the tag is
// stricter (never a wrong hit if software reuses a PSCID for another table)
// and costs nothing. A first-stage entry also holds the SPA of the next
// table when the second stage is active (the implicit second-stage
// translation of that table page, 2.3 step 17), so a warm nested walk
// skips that translation too.
//
// Replacement: fully associative, LRU. `entries` = 0 disables the cache
// (lookups miss, inserts are dropped). Timing is the caller's: the walker
// counts hits and skipped levels; the control part charges its lookup
// cycles.
//
// Invalidation (3.1.1). IOTINVAL.VMA and IOTINVAL.GVMA with AV=0 must drop
// non-leaf entries; with AV=1 the spec only requires leaf entries to go
// (non-leaf PTE changes are synchronized with AV=0, see the note on page
// upgrades after the IOTINVAL.GVMA table). This cache is more generous: an
// address invalidation drops the non-leaf entries on that address's path
// in the address spaces it names, so a driver that clears a table pointer
// and invalidates the pages under it also works. GVMA drops every
// first-stage entry of the GSCID, whatever the address (they hold table
// SPAs translated by the second stage but no GPA tags; the spec's note
// names this "common technique").
//
// Not modeled: the global (G) exception of PSCV=1 invalidations (global
// non-leaf entries are dropped too, which is allowed: entries may be
// invalidated at any time), the NL/S bits of the invalidation extensions.
#pragma once

#include <cstdint>
#include <optional>

#include "models/common/statistics.h"
#include "models/iommu/lru_cache.h"

namespace vp::iommu {

enum class WalkStage : uint8_t { kFirst, kSecond };

// The page table an entry comes from.
struct WalkCacheTable {
  WalkStage stage = WalkStage::kFirst;
  bool gscv = false;  // second stage active (VM address space)
  uint32_t gscid = 0;
  uint32_t pscid = 0;  // first stage only
  unsigned mode = 0;   // iosatp.MODE or iohgatp.MODE
  uint64_t root_ppn = 0;
};

// A cached non-leaf PTE, decoded.
struct WalkCacheEntry {
  uint64_t next_table = 0;      // next table address in the stage's space (GPA if nested)
  uint64_t next_table_spa = 0;  // its SPA (== next_table unless first stage nested)
};

class PageWalkCache {
 public:
  explicit PageWalkCache(uint32_t entries);

  uint32_t capacity() const { return uint32_t(entries_.capacity()); }
  uint32_t size() const { return uint32_t(entries_.occupancy()); }
  bool enabled() const { return entries_.capacity() != 0; }

  // The deepest cached non-leaf entry on the path of `input` with level in
  // [1, top_level]: returns it and sets *level, or nullptr. Counts one hit
  // or miss and makes the entry most recently used.
  const WalkCacheEntry* lookup(const WalkCacheTable& t, uint64_t input, unsigned top_level,
                               unsigned* level);
  // Caches the valid non-leaf PTE at `level` (>= 1) on the path of `input`.
  void insert(const WalkCacheTable& t, uint64_t input, unsigned level, const WalkCacheEntry& e);

  // IOTINVAL.VMA: first-stage entries. gscid: GV and GSCID (without it, the
  // host address spaces, second stage Bare); pscid: PSCV and PSCID; addr:
  // AV and ADDR (drops the entries on ADDR's path). Returns entries dropped.
  uint64_t invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                          std::optional<uint64_t> addr);
  // IOTINVAL.GVMA: without gscid, every entry of a VM address space; with
  // it, that GSCID's second-stage entries (only those on the path of `gpa`
  // if given) and all its first-stage entries.
  uint64_t invalidate_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa);
  // Everything (reset, ddtp changes).
  uint64_t invalidate_all();

  // Statistics.
  uint64_t lookups() const { return hits_ + misses_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t inserts() const { return entries_.insertions(); }
  uint64_t evictions() const { return entries_.evictions(); }
  uint64_t invalidated_entries() const { return entries_.invalidated_entries(); }
  void report_stats(vp::common::StatsVisitor& v) const;

  // Bits of the input address an entry at `level` covers with its prefix:
  // input >> prefix_shift(level). Level 0 pages are 4 KiB; 9 bits a level.
  static unsigned prefix_shift(unsigned level) { return 12 + 9 * level; }

 private:
  struct Key {
    WalkCacheTable table;
    unsigned level = 0;
    uint64_t prefix = 0;
    bool operator==(const Key& o) const;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  // Hits and misses are counted here, once per lookup of several levels.
  LruCache<Key, WalkCacheEntry, KeyHash> entries_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace vp::iommu
