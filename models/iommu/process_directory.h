// ProcessDirectory: locates the process context (PC) for a process_id by
// walking the process-directory table (PDT) of a device context.
//
// Spec: Data Structures 2.2 (PDT, non-leaf entries, PC fields), 2.2.4
// "Process-context configuration checks", 2.3 step 7 (process_id width) and
// 2.3.2 "Process to locate the Process-context". When DC.iohgatp.MODE is not
// Bare, pdtp.PPN and every pdte.PPN are guest PPNs: each entry address is
// translated by the second stage through a GpaTranslator callback (an
// implicit read); a guest-page fault there is reported with the original
// access type and iotval2 bit 0 set, an access fault as cause 265.
// Not modeled: data corruption (cause 269), RV32 (SXL=1), PC caching (the
// directory cache is a separate class in front of this one).
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/device_directory.h"
#include "models/iommu/iommu_features.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/translation_types.h"
#include "models/iommu/walk_memory.h"
#include "models/iommu/walk_trace.h"

namespace vp::iommu {

struct ProcessContext {
  uint64_t ta = 0;
  uint64_t fsc = 0;

  bool valid() const { return pc::ta::kV.test(ta); }
  bool ens() const { return pc::ta::kEns.test(ta); }
  bool sum() const { return pc::ta::kSum.test(ta); }
  uint32_t pscid() const { return uint32_t(pc::ta::kPscid.get(ta)); }
  unsigned fsc_mode() const { return unsigned(pc::fsc::kMode.get(fsc)); }
  uint64_t fsc_ppn() const { return pc::fsc::kPpn.get(fsc); }
};

struct ProcessContextLookup {
  uint32_t cause = cause::kNone;  // kNone on success
  ProcessContext pc;
  uint64_t pc_address = 0;                 // SPA of the PC (valid when the leaf was reached)
  uint64_t iotval2 = 0;                    // for guest-page faults: GPA[63:2] | implicit bit
  WalkTrace trace;                         // PDT entries and, nested, second-stage entries
  unsigned second_stage_translations = 0;  // GPA translations requested
  std::string why;

  bool ok() const { return cause == cause::kNone; }
};

class ProcessDirectory {
 public:
  ProcessDirectory(WalkMemory& memory, const IommuFeatures& features)
      : memory_(memory), features_(features) {}

  void set_features(const IommuFeatures& features) { features_ = features; }

  // Walks the PDT of `dc` (which must have tc.PDTV=1 and pdtp.MODE not Bare;
  // otherwise cause 260 is returned) for `process_id`. `original` is the
  // access type of the request, used for guest-page-fault causes.
  // `g_stage` translates GPAs when dc.iohgatp.MODE is not Bare; it may be
  // empty otherwise (and a nested DC without one gives cause 272 with a
  // reason, as a wiring error of the model).
  ProcessContextLookup locate(const DeviceContext& dc, uint32_t process_id, AccessType original,
                              const GpaTranslator& g_stage, sc_core::sc_time& delay);

  // 2.3 step 7: does `process_id` fit pdtp.MODE? (PD8: 8 bits, PD17: 17, PD20: 20.)
  static bool process_id_fits(unsigned pdtp_mode, uint32_t process_id);
  static uint32_t pdi(uint32_t process_id, unsigned level);
  static unsigned levels(unsigned pdtp_mode);

  // 2.2.4: empty when `pc` (with V=1) is legal, else the broken rule (cause 267).
  static std::string check_process_context(const ProcessContext& pc, const DeviceContext& dc,
                                           const IommuFeatures& features);

  uint64_t walks() const { return walks_; }
  uint64_t entries_read() const { return entries_read_; }
  uint64_t faults() const { return faults_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  ProcessContextLookup& fail(ProcessContextLookup& r, uint32_t cause, std::string why);

  WalkMemory& memory_;
  IommuFeatures features_;
  uint64_t walks_ = 0;
  uint64_t entries_read_ = 0;
  uint64_t faults_ = 0;
};

}  // namespace vp::iommu
