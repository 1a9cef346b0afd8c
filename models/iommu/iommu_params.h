// Configuration of the RISC-V IOMMU model: features and timing.
//
// Models: which optional features of the RISC-V IOMMU v1.0 the instance
// implements (they become the `capabilities` register, spec 6.3, and the
// WARL behaviour of the other registers), the geometry of its caches and
// every latency, as cycles of the IOMMU clock.
//
// Does not model: RV32-only schemes (Sv32, Sv32x4, fctl.GXL), the QoS-ID,
// non-leaf and address-range invalidation extensions; their capability bits
// are always 0.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

#include "models/common/parameters.h"

namespace vp::iommu {

struct IommuParams {
  // --- Address translation schemes (capabilities, spec 6.3) -------------
  bool sv39 = true;     // first stage, 39-bit IOVA
  bool sv48 = true;     // first stage, 48-bit IOVA (needs sv39)
  bool sv57 = false;    // first stage, 57-bit IOVA (needs sv48)
  bool sv39x4 = true;   // second stage, 41-bit GPA
  bool sv48x4 = true;   // second stage, 50-bit GPA
  bool sv57x4 = false;  // second stage, 59-bit GPA
  bool svpbmt = false;  // page-based memory types in PTEs

  // --- Other features (capabilities, spec 6.3) ---------------------------
  bool msi_flat = true;       // MSI page tables, flat (pass-through) MSI PTEs
  bool msi_mrif = false;      // MSI page tables, MRIF-mode MSI PTEs
  bool amo_mrif = false;      // atomic updates to MRIFs (needs msi_mrif)
  bool amo_hwad = true;       // hardware update of PTE A/D bits
  bool ats = true;            // PCIe ATS, and PRI through the page-request queue
  bool t2gpa = false;         // GPA returned in ATS completions (needs ats)
  bool end = false;           // both endiannesses (fctl.BE writable)
  std::string igs = "both";   // interrupt generation: "msi", "wsi" or "both"
  uint32_t hpm_counters = 8;  // programmable HPM counters; 0 = no HPM
  bool debug = true;          // translation-request interface (capabilities.DBG)
  bool pd8 = true;            // one-level PDT, 8-bit process_id
  bool pd17 = true;           // two-level PDT, 17-bit process_id
  bool pd20 = true;           // three-level PDT, 20-bit process_id
  uint32_t pas_bits = 56;     // physical address size (capabilities.PAS)

  // --- Register-level choices the spec leaves to the implementation ------
  uint32_t ddt_max_levels = 3;     // deepest DDT mode accepted in ddtp (1..3)
  std::string reset_mode = "off";  // ddtp.iommu_mode at reset: "off" or "bare"
  uint32_t queue_log2sz_max = 20;  // largest LOG2SZ accepted in cqb/fqb/pqb
  uint32_t interrupt_vectors = 4;  // vectors in icvec/msi_cfg_tbl: 1,2,4,8,16

  // --- Timing -------------------------------------------------------------
  uint64_t clock_period_ps = 1000;  // IOMMU clock (1 GHz)
  uint32_t reg_access_cycles = 2;   // one MMIO register access
  uint32_t iotlb_lookup_cycles = 1;
  uint32_t context_cache_lookup_cycles = 1;   // DDT or PDT cache probe
  uint32_t walk_level_cycles = 2;             // per walk level, on top of the memory read
  uint32_t command_cycles = 4;                // decode and execute one CQ command
  uint64_t command_timeout_cycles = 1000000;  // ATS.INVAL completion timeout
  uint32_t walkers = 4;                       // concurrent table walks

  // --- Caches -------------------------------------------------------------
  uint32_t iotlb_sets = 64;
  uint32_t iotlb_ways = 8;
  std::string iotlb_replacement = "lru";  // "lru", "fifo" or "random"
  uint64_t iotlb_seed = 1;                // seed of the "random" policy
  uint32_t ddt_cache_entries = 64;        // device contexts
  uint32_t pdt_cache_entries = 64;        // process contexts
  uint32_t walk_cache_entries = 32;       // non-leaf PTEs

  // --- Observability --------------------------------------------------------
  bool log_faults = true;  // explain every fault in the log (warning level)

  // Binds every field to `<prefix>.<name>` (a trailing '.' in prefix is
  // accepted). Remembers the prefix for validate()'s messages.
  void declare(vp::common::ParameterSet& p, const std::string& prefix);

  // Throws vp::common::ParameterError naming the offending key when the
  // settings are inconsistent. No translation mode at all is legal: the
  // IOMMU then offers Off/Bare and DDT modes with Bare stages only.
  void validate() const;

  // The capabilities register (spec 6.3) for exactly these features.
  uint64_t capabilities_value() const;

  // capabilities.IGS encoding of `igs`.
  uint64_t igs_value() const;
  bool supports_msi() const { return igs != "wsi"; }
  bool supports_wsi() const { return igs != "msi"; }

  // Timing helpers for elaboration: models precompute their sc_time
  // constants from these once, never on a hot path.
  sc_core::sc_time clock_period() const {
    return sc_core::sc_time(static_cast<double>(clock_period_ps), sc_core::SC_PS);
  }
  sc_core::sc_time cycles(uint64_t n) const { return clock_period() * static_cast<double>(n); }

  // The full key of a field name, e.g. key("iotlb.ways") = "iommu.iotlb.ways".
  std::string key(const std::string& name) const;

 private:
  std::string prefix_ = "iommu";
};

}  // namespace vp::iommu
