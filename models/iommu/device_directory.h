// DeviceDirectory: locates a device's device context (DC) by walking the
// device-directory table (DDT) in memory.
//
// Spec: Data Structures 2.1 (DDT, non-leaf entries, DC fields), 2.1.4
// "Device-context configuration checks", 2.3 steps 1-6 ("Process to
// translate an IOVA": ddtp mode and device_id width) and 2.3.1 "Process to
// locate the Device-context". Every entry read goes through WalkMemory, so
// the walk pays memory timing; nothing else adds delay here.
// Not modeled: data corruption (cause 268), QoS IDs (capabilities.QOSID=0, so
// DC.ta.RCID/MCID are reserved), RV32 (DC.tc.SXL must be 0), caching (the
// directory cache is a separate class in front of this one).
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/iommu_features.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/walk_memory.h"
#include "models/iommu/walk_trace.h"

namespace vp::iommu {

// The device context as read from memory (after endianness conversion),
// with typed field accessors. Base format leaves the MSI fields zero.
struct DeviceContext {
  uint64_t tc = 0;
  uint64_t iohgatp = 0;
  uint64_t ta = 0;
  uint64_t fsc = 0;
  uint64_t msiptp = 0;
  uint64_t msi_addr_mask = 0;
  uint64_t msi_addr_pattern = 0;
  uint64_t reserved = 0;  // 8th doubleword of an extended DC

  bool valid() const { return dc::tc::kV.test(tc); }
  bool en_ats() const { return dc::tc::kEnAts.test(tc); }
  bool en_pri() const { return dc::tc::kEnPri.test(tc); }
  bool t2gpa() const { return dc::tc::kT2gpa.test(tc); }
  bool dtf() const { return dc::tc::kDtf.test(tc); }
  bool pdtv() const { return dc::tc::kPdtv.test(tc); }
  bool prpr() const { return dc::tc::kPrpr.test(tc); }
  bool gade() const { return dc::tc::kGade.test(tc); }
  bool sade() const { return dc::tc::kSade.test(tc); }
  bool dpe() const { return dc::tc::kDpe.test(tc); }
  bool sbe() const { return dc::tc::kSbe.test(tc); }
  bool sxl() const { return dc::tc::kSxl.test(tc); }

  unsigned iohgatp_mode() const { return unsigned(dc::iohgatp::kMode.get(iohgatp)); }
  uint64_t iohgatp_ppn() const { return dc::iohgatp::kPpn.get(iohgatp); }
  uint32_t gscid() const { return uint32_t(dc::iohgatp::kGscid.get(iohgatp)); }
  uint32_t pscid() const { return uint32_t(dc::ta::kPscid.get(ta)); }
  // iosatp.MODE when PDTV=0, pdtp.MODE when PDTV=1.
  unsigned fsc_mode() const { return unsigned(dc::fsc::kMode.get(fsc)); }
  uint64_t fsc_ppn() const { return dc::fsc::kPpn.get(fsc); }
  unsigned msiptp_mode() const { return unsigned(dc::msiptp::kMode.get(msiptp)); }
  uint64_t msiptp_ppn() const { return dc::msiptp::kPpn.get(msiptp); }
};

struct DeviceContextLookup {
  uint32_t cause = cause::kNone;  // kNone on success, else a spec cause code
  DeviceContext dc;
  uint64_t dc_address = 0;  // SPA of the DC (valid when the leaf was reached)
  WalkTrace trace;          // every DDT entry read, root first, then the DC
  std::string why;          // on failure: what was wrong, for a driver writer

  bool ok() const { return cause == cause::kNone; }
};

class DeviceDirectory {
 public:
  DeviceDirectory(WalkMemory& memory, const IommuFeatures& features)
      : memory_(memory), features_(features) {}

  // The register model calls this when capabilities/fctl change.
  void set_features(const IommuFeatures& features) { features_ = features; }
  const IommuFeatures& features() const { return features_; }

  // Walks the DDT rooted at `root_ppn` for `device_id` with ddtp.iommu_mode
  // `ddtp_mode`. Off gives cause 256; Bare has no DDT and gives 260.
  DeviceContextLookup locate(unsigned ddtp_mode, uint64_t root_ppn, uint32_t device_id,
                             sc_core::sc_time& delay);

  // "Off", "Bare", "1LVL", "2LVL", "3LVL" or "reserved" (for messages).
  static const char* ddtp_mode_name(unsigned ddtp_mode);
  // 2.3 step 5: does `device_id` fit the DDT depth? (24 bits at most.)
  static bool device_id_fits(unsigned ddtp_mode, bool extended_dc, uint32_t device_id);
  // DDI[level] of `device_id` for the DC format.
  static uint32_t ddi(uint32_t device_id, unsigned level, bool extended_dc);
  // Number of DDT levels for a ddtp mode (1LVL..3LVL), 0 otherwise.
  static unsigned levels(unsigned ddtp_mode);

  // 2.1.4: empty when `dc` (with V=1) is a legal configuration for
  // `features`, else a sentence naming the first rule it breaks (cause 259).
  static std::string check_device_context(const DeviceContext& dc, const IommuFeatures& features);

  // Statistics.
  uint64_t walks() const { return walks_; }
  uint64_t entries_read() const { return entries_read_; }
  uint64_t faults() const { return faults_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  uint64_t to_cpu(uint64_t v) const { return features_.big_endian() ? __builtin_bswap64(v) : v; }
  DeviceContextLookup& fail(DeviceContextLookup& r, uint32_t cause, std::string why);

  WalkMemory& memory_;
  IommuFeatures features_;
  uint64_t walks_ = 0;
  uint64_t entries_read_ = 0;
  uint64_t faults_ = 0;
};

}  // namespace vp::iommu
