// A PCIe function's Address Translation Cache (PCIe Base 6.0 sec. 10.2-
// 10.3): translations it obtained with ATS Translation Requests, used to send
// Translated requests, and dropped by Invalidation Requests.
//
// Entries hold an untranslated range (4 KiB or larger, from the completion's
// S encoding), its translated base, R/W and Global, per PASID (or none).
// Fully associative with LRU replacement.
//
// Message bodies use the RISC-V IOMMU's ATS command PAYLOAD layout (In-
// memory queues 3.1.4), which is how this model's IOMMU sends them:
// Invalidation Request: G bit 0, S bit 11, Untranslated Address[63:12].
// An invalidation with a PASID drops that PASID's entries in the range (all
// PASIDs' with G); one without a PASID drops every entry in the range
// (over-invalidation is always safe).
//
// Not modeled: Invalidate Queue Depth back-pressure (invalidations are
// processed one at a time as they arrive), ITags, the "N" (non-snooped)
// and "CXL.io" completion bits.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common/statistics.h"

namespace vp::pcie {

struct AtcEntry {
  bool pv = false;  // PASID-tagged
  uint32_t pasid = 0;
  uint64_t untranslated = 0;  // base, aligned to the range
  unsigned log2 = 12;         // range size
  uint64_t translated = 0;    // base, aligned to the range
  bool read = false, write = false;
  bool global = false;
  bool contains(uint64_t address) const { return (address >> log2) == (untranslated >> log2); }
};

// One ATS Translation Completion data entry (sec. 10.2.3), decoded.
struct AtsCompletion {
  bool read = false, write = false, execute = false, privileged = false, global = false;
  bool untranslated_only = false;  // U: use Untranslated requests for the range
  uint64_t translated = 0;         // base of the range
  unsigned log2 = 12;              // range size from S
  // `entry` as an IOMMU returns it: R bit 0, W 1, U 2, Exe 3, Priv 4,
  // Global 5, S 11, Translated Address[63:12].
  static AtsCompletion decode(uint64_t entry);
};

// The range an S-encoded address names (bits [63:12] and the S bit): log2
// of the size and the aligned base.
void decode_s_range(uint64_t address_and_s, uint64_t* base, unsigned* log2);

class AddressTranslationCache {
 public:
  explicit AddressTranslationCache(unsigned entries);

  // The entry covering `address` for (pv, pasid); counts a hit or a miss.
  const AtcEntry* lookup(bool pv, uint32_t pasid, uint64_t address);
  // Returns the stored entry (valid until the next insert or invalidation).
  const AtcEntry* insert(const AtcEntry& e);
  // An Invalidation Request body (see above); returns the entries dropped.
  unsigned invalidate(bool pv, uint32_t pasid, uint64_t body);
  void clear();  // ATS disabled or function reset

  unsigned capacity() const { return unsigned(ways_.size()); }
  unsigned occupancy() const;
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t invalidation_requests() const { return invalidation_requests_; }
  uint64_t invalidated_entries() const { return invalidated_entries_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  struct Way {
    AtcEntry entry;
    bool valid = false;
    uint64_t stamp = 0;
  };
  std::vector<Way> ways_;
  uint64_t tick_ = 0;
  uint64_t hits_ = 0, misses_ = 0, insertions_ = 0, evictions_ = 0;
  uint64_t invalidation_requests_ = 0, invalidated_entries_ = 0;
};

}  // namespace vp::pcie
