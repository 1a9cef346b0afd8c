// PageTableWalker: translates an IOVA to a supervisor physical address by
// walking first-stage (Sv39/Sv48/Sv57) and second-stage (Sv39x4/Sv48x4/
// Sv57x4) page tables in memory, nested when both are active.
//
// Spec: IOMMU Data Structures 2.3 steps 17-19 and the note after them (U bit
// in second-stage PTEs, xwr=010 reserved), 2.1.3.1 (GADE/SADE), 2.5
// (endianness: first stage by DC.tc.SBE, second stage by fctl.BE), In-memory
// queues 3.2 (iotval2); Privileged spec "Virtual Address Translation
// Process" and "Two-Stage Address Translation" (canonical checks, reserved
// bits, superpage alignment, A/D updates, guest-page faults), Svnapot (64 KiB
// pages), Svpbmt (PBMT field checked, memory type not modeled).
//
// Every PTE read, and every A/D update (a compare-and-swap), goes through
// WalkMemory and so pays memory time; the walker adds no delay of its own
// (the caller adds its per-level cycles from the level counts).
// With a PageWalkCache set, each stage starts at the deepest cached non-leaf
// entry on its input's path and caches the valid non-leaf PTEs it reads
// (never a leaf, never an invalid or faulting PTE); a first-stage entry of a
// nested walk also carries the SPA of its next table, so a warm walk skips
// that implicit second-stage translation.
// Not modeled: RV32 (Sv32, Sv32x4), MSI address translation (step 18; the
// caller checks the MSI pattern before the second stage), data corruption
// (cause 274), caching of leaves (the IOTLB in front does that). D, A and U
// in non-leaf PTEs are ignored rather than faulted, as most implementations
// do; Linux and our guest driver leave them zero.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/device_directory.h"
#include "models/iommu/iommu_features.h"
#include "models/iommu/page_walk_cache.h"
#include "models/iommu/process_directory.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/translation_types.h"
#include "models/iommu/walk_memory.h"
#include "models/iommu/walk_trace.h"

namespace vp::iommu {

// The controls of one address space, from the DC and, if any, the PC
// (2.3 steps 9-16). Plain values so a directory cache can hold them.
struct TranslationContext {
  unsigned iosatp_mode = iosatp_mode::kBare;
  uint64_t iosatp_ppn = 0;  // a guest PPN when the second stage is active
  uint32_t pscid = 0;
  bool sum = false;   // PC.ta.SUM (0 without a PC)
  bool sade = false;  // DC.tc.SADE: hardware A/D updates in first-stage PTEs
  bool sbe = false;   // DC.tc.SBE: first-stage PTEs (and PDT) are big-endian
  unsigned iohgatp_mode = iohgatp_mode::kBare;
  uint64_t iohgatp_ppn = 0;
  uint32_t gscid = 0;
  bool gade = false;  // DC.tc.GADE: hardware A/D updates in second-stage PTEs

  // First-stage controls from `pc` if given, else from the DC when
  // DC.tc.PDTV=0, else Bare (2.3 steps 10, 12, 13, 16).
  static TranslationContext from(const DeviceContext& dc, const ProcessContext* pc);
};

// The permission rule of a completed translation (both stages' leaf
// permissions ANDed): R/W/X for the access, D already set for a write (else
// the walk must update or fault), and with a first stage the U/SUM rules for
// `privileged` requests. Shared by fresh walks and IOTLB hits.
inline bool translation_allows(bool r, bool w, bool x, bool dirty, bool user, bool first_stage,
                               AccessType access, bool privileged, bool sum) {
  switch (access) {
    case AccessType::kRead:
      if (!r) return false;
      break;
    case AccessType::kWrite:
      if (!w || !dirty) return false;
      break;
    case AccessType::kExecute:
      if (!x) return false;
      break;
  }
  if (first_stage) {
    if (privileged) {
      if (user && (access == AccessType::kExecute || !sum)) return false;
    } else if (!user) {
      return false;
    }
  }
  return true;
}

struct WalkResult {
  uint32_t cause = cause::kNone;  // kNone on success, else a spec cause code
  uint64_t spa = 0;               // translated address
  uint64_t gpa = 0;               // first-stage output (== IOVA if first stage Bare)

  // The effective translation, for caching: SPA page = spa >> page_shift.
  unsigned page_shift = kPageShift;      // log2 of min(first-, second-stage page size)
  bool r = false, w = false, x = false;  // leaf permissions of both stages, ANDed
  bool user = false;                     // first-stage leaf U bit
  bool global = false;                   // first-stage leaf G bit
  bool dirty = false;  // D set in every active stage's leaf: writes need no A/D update
  bool first_stage_bare = true;
  bool second_stage_bare = true;
  uint32_t gscid = 0, pscid = 0;
  uint64_t first_stage_pte = 0, second_stage_pte = 0;      // leaf PTEs (after A/D update)
  unsigned first_stage_shift = 0, second_stage_shift = 0;  // their page sizes (log2)

  uint64_t iotval2 = 0;  // guest-page faults: GPA[63:2] | implicit (bit 0) | write (bit 1)
  unsigned first_stage_levels = 0;   // first-stage PTEs read
  unsigned second_stage_levels = 0;  // second-stage PTEs read, implicit ones included
  // PTE reads (both stages, implicit ones included) the walk cache saved,
  // and implicit second-stage translations of first-stage tables it saved.
  unsigned levels_skipped = 0;
  unsigned implicit_translations_skipped = 0;
  WalkTrace trace;
  std::string why;  // on failure: what was wrong, for a driver writer

  bool ok() const { return cause == cause::kNone; }
  // Would this (cached) translation allow `access` at `privileged` with
  // PC.ta.SUM = `sum` without a new walk? False for a write to a page not yet
  // dirty (the walk must set D or fault) and for any permission or U/SUM
  // violation (the walk reports the fault).
  bool allows(AccessType access, bool privileged, bool sum) const;
};

class PageTableWalker {
 public:
  PageTableWalker(WalkMemory& memory, const IommuFeatures& features)
      : memory_(memory), features_(features) {}

  void set_features(const IommuFeatures& features) { features_ = features; }
  // Non-leaf entry cache shared by both stages; nullptr (the default) walks
  // from the root every time. Not owned.
  void set_walk_cache(PageWalkCache* cache) { cache_ = cache; }
  PageWalkCache* walk_cache() const { return cache_; }
  const IommuFeatures& features() const { return features_; }

  // Full translation of `iova` (2.3 steps 17-19): first stage (if not Bare),
  // each first-stage PTE address through the second stage (if not Bare), then
  // the resulting GPA through the second stage. `privileged`: the request
  // asks for supervisor privilege (only with a PASID and PC.ta.ENS=1).
  WalkResult translate(const TranslationContext& ctx, uint64_t iova, AccessType access,
                       bool privileged, sc_core::sc_time& delay);

  // Second stage only: `gpa` of an explicit access (T2GPA translated
  // requests, or first stage Bare). Same as translate() with iosatp Bare.
  WalkResult translate_gpa(const TranslationContext& ctx, uint64_t gpa, AccessType access,
                           sc_core::sc_time& delay);

  // Second stage for an implicit access (PDT entry, first-stage PTE): read
  // or, for A/D updates, write. The building block of gpa_translator().
  GpaTranslation translate_implicit(const TranslationContext& ctx, uint64_t gpa, bool write,
                                    sc_core::sc_time& delay, WalkTrace* trace);

  // A GpaTranslator for ProcessDirectory::locate, bound to this walker and a
  // copy of `ctx`.
  GpaTranslator gpa_translator(const TranslationContext& ctx);

  // A/D update attempts that lose a race are restarted from the root (Priv.
  // spec, step 8); after this many the walk reports a page fault.
  static constexpr unsigned kMaxAdRetries = 8;

  // Statistics.
  uint64_t walks() const { return walks_; }
  uint64_t pte_reads() const { return pte_reads_; }
  uint64_t ad_updates() const { return ad_updates_; }
  uint64_t faults() const { return faults_; }
  uint64_t levels_skipped() const { return levels_skipped_; }
  uint64_t implicit_translations_skipped() const { return implicit_translations_skipped_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  struct StageOutcome;

  StageOutcome second_stage(const TranslationContext& ctx, uint64_t gpa, AccessType perm,
                            bool implicit, sc_core::sc_time& delay, WalkTrace* trace,
                            unsigned* levels);
  StageOutcome first_stage(const TranslationContext& ctx, uint64_t iova, AccessType access,
                           bool privileged, sc_core::sc_time& delay, WalkResult& res);
  bool read_pte(uint64_t pa, bool big_endian, uint64_t* pte, sc_core::sc_time& delay);
  // Checks V, xwr=010/110, reserved bits, PBMT, N at `level`; empty if fine.
  std::string check_pte_format(uint64_t pte, int level) const;
  // One level of either stage: counts the level, reads the PTE, records it
  // in the trace, checks its format. kFault fills `o` with the reason.
  enum class PteStep { kFault, kPointer, kLeaf };
  PteStep read_pte_step(WalkTable table, const char* input_name, uint64_t input, int level,
                        uint64_t pte_addr, bool big_endian, uint64_t* pte, sc_core::sc_time& delay,
                        WalkTrace* trace, unsigned* levels, StageOutcome& o);
  WalkResult& fail(WalkResult& r, uint32_t cause, std::string why);

  WalkMemory& memory_;
  IommuFeatures features_;
  PageWalkCache* cache_ = nullptr;
  uint64_t walks_ = 0;
  uint64_t pte_reads_ = 0;
  uint64_t ad_updates_ = 0;
  uint64_t faults_ = 0;
  uint64_t levels_skipped_ = 0;
  uint64_t implicit_translations_skipped_ = 0;
};

}  // namespace vp::iommu
