// IOTLB: the IOMMU's cache of leaf address translations (IOVA -> SPA).
//
// Models: a set-associative translation cache with LRU, FIFO or random
// replacement (random uses a seeded generator, so runs repeat exactly).
// Entries are tagged as spec 3.8 ("Identifiers used to tag IOATC entries")
// prescribes: GSCID when the second stage is active, PSCID when the first
// stage is active, the virtual page number and the page size, and the
// first-stage G (global) bit. An entry holds the final SPA page, the
// permissions and the stages it came from, and enough about its origin to
// be invalidated exactly as IOTINVAL.VMA and IOTINVAL.GVMA require (spec
// 4.1.1): the first-stage leaf size, and the GPA with the second-stage leaf
// size.
//
// Superpages: entries of every size live in the same sets; an entry of size
// 2^s sits in set (iova >> s) % sets. lookup() probes one set per page size
// currently present in the IOTLB, smallest size first, and a per-size
// occupancy count skips sizes with no entries, so a 4-KiB-only workload
// costs one set probe. (Chosen over a separate fully-associative superpage
// array so one geometry parameter covers all sizes, as many real IOTLBs do.)
//
// Stage tagging: gscid_valid means "second stage not Bare" and pscid_valid
// means "first stage not Bare" (spec 3.8: host entries carry no GSCID,
// entries without a first stage carry no PSCID); first_stage() and
// second_stage() are derived from them so the two cannot disagree.
//
// Invalidation may invalidate more than the command requires (spec 4.1.1:
// entries may be invalidated at any time) but never less: IOTINVAL.VMA
// without PSCV drops every entry of the address space including
// second-stage-only ones; with an address it drops entries whose
// first-stage leaf page contains the address (IOVA == GPA for
// second-stage-only entries).
//
// Does not model: non-leaf (walk) caching (see the walk cache), the NL and S
// invalidation extensions, timing (the caller adds iotlb_lookup_cycles).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "models/common/statistics.h"
#include "models/iommu/iommu_params.h"

namespace vp::iommu {

enum class ReplacementPolicy { kLru, kFifo, kRandom };
// "lru", "fifo", "random"; throws std::invalid_argument otherwise.
ReplacementPolicy parse_replacement_policy(const std::string& name);

// The address space a request translates in (spec 3.8 tags).
struct IotlbKey {
  bool gscid_valid = false;  // second stage active: iohgatp.MODE != Bare
  uint32_t gscid = 0;
  bool pscid_valid = false;  // first stage active: iosatp/pdtp MODE != Bare
  uint32_t pscid = 0;
};

struct IotlbEntry {
  IotlbKey key;
  uint64_t iova = 0;        // any address in the page; kept aligned to page_log2
  unsigned page_log2 = 12;  // translation size: 12, 16 (64-KiB NAPOT), 21, 30, ...
  bool global = false;      // first-stage PTE G bit: matches every PSCID of its GSCID
  uint64_t spa = 0;         // supervisor physical address of the page (aligned)
  // Permissions of the combined translation.
  bool readable = false;
  bool writable = false;
  bool executable = false;
  bool user = false;   // first-stage U bit (privileged requests check SUM-like rules)
  bool dirty = false;  // all leaf PTEs had D set: a write needs no A/D update walk
  uint8_t pbmt = 0;    // memory type from Svpbmt (0 = PMA)
  // Origin, for exact invalidation. 0 means "same as page_log2".
  unsigned fs_leaf_log2 = 0;  // size of the first-stage leaf the entry came from
  uint64_t gpa = 0;           // GPA of the page (second stage); IOVA if no first stage
  unsigned gs_leaf_log2 = 0;  // size of the second-stage leaf the entry came from

  bool first_stage() const { return key.pscid_valid; }
  bool second_stage() const { return key.gscid_valid; }
  // SPA of an address inside the page.
  uint64_t translate(uint64_t addr) const { return spa | (addr & ((1ull << page_log2) - 1)); }
};

struct IotlbParams {
  uint32_t sets = 64;
  uint32_t ways = 8;
  ReplacementPolicy replacement = ReplacementPolicy::kLru;
  uint64_t seed = 1;

  // iotlb_sets, iotlb_ways, iotlb_replacement and iotlb_seed of the IOMMU.
  static IotlbParams from(const IommuParams& p);
};

class Iotlb {
 public:
  // sets == 0 or ways == 0: the IOTLB holds nothing and always misses.
  explicit Iotlb(const IotlbParams& params);
  Iotlb(const Iotlb&) = delete;  // last_hit_ points into ways_storage_
  Iotlb& operator=(const Iotlb&) = delete;

  // Translation for `iova` in the address space `key`, or nullptr. The
  // pointer stays valid until the next insert or invalidation. Counts a hit
  // or a miss and updates LRU state.
  const IotlbEntry* lookup(const IotlbKey& key, uint64_t iova);
  // Same without touching statistics or replacement state (debug, tests).
  const IotlbEntry* probe(const IotlbKey& key, uint64_t iova) const;

  // Caches a translation. Replaces an entry with the same tag (key, page and
  // size) in place, else fills an invalid way, else evicts per the policy.
  // Throws std::invalid_argument for a page size outside [12, 63] or leaf
  // sizes smaller than the page.
  void insert(const IotlbEntry& entry);

  // IOTINVAL.VMA (spec 4.1.1). gscid: GV and GSCID; pscid: PSCV and PSCID;
  // addr: AV and ADDR. Without gscid the host address spaces (second stage
  // Bare) are operated on. With pscid, global entries are kept. Returns the
  // number of entries invalidated.
  uint64_t invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                          std::optional<uint64_t> addr);
  // IOTINVAL.GVMA (spec 4.1.1): entries with a second stage; by GSCID; by
  // GSCID and the GPA (addr is ignored without gscid, as AV is with GV=0).
  uint64_t invalidate_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa);
  // Everything (reset, spec 6.2: caches have no valid entries after reset).
  uint64_t invalidate_all();

  uint32_t sets() const { return sets_; }
  uint32_t ways() const { return ways_; }
  uint64_t capacity() const { return uint64_t(sets_) * ways_; }
  uint64_t occupancy() const;
  // Set an entry of size 2^page_log2 for iova goes to.
  uint32_t set_of(uint64_t iova, unsigned page_log2) const {
    return sets_ ? uint32_t((iova >> page_log2) % sets_) : 0;
  }

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t insertions() const { return insertions_; }
  uint64_t evictions() const { return evictions_; }
  uint64_t invalidations() const { return invalidations_; }  // commands
  uint64_t invalidated_entries() const { return invalidated_entries_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  struct Way {
    IotlbEntry entry;
    uint64_t vpn = 0;    // iova >> page_log2
    uint64_t stamp = 0;  // LRU: last use; FIFO: insertion
    bool valid = false;
  };
  static bool matches(const Way& w, const IotlbKey& key, uint64_t vpn);
  Way* find(const IotlbKey& key, uint64_t iova);
  template <typename Pred>
  uint64_t invalidate_if(Pred pred);
  void drop(Way& w);

  uint32_t sets_;
  uint32_t ways_;
  ReplacementPolicy policy_;
  std::mt19937_64 rng_;
  std::vector<Way> ways_storage_;  // sets_ * ways_, set-major; never reallocated
  Way* last_hit_ = nullptr;        // way of the last lookup hit
  uint64_t tick_ = 0;
  uint32_t size_count_[64] = {};  // valid entries per page_log2
  uint64_t size_mask_ = 0;        // bit s set: entries of size 2^s present

  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t insertions_ = 0;
  uint64_t evictions_ = 0;
  uint64_t invalidations_ = 0;
  uint64_t invalidated_entries_ = 0;
};

}  // namespace vp::iommu
