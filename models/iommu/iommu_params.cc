#include "models/iommu/iommu_params.h"

#include "models/iommu/riscv_iommu_regs.h"

namespace vp::iommu {

using vp::common::ParameterError;
using vp::common::ParameterSet;

std::string IommuParams::key(const std::string& name) const {
  if (prefix_.empty()) return name;
  return prefix_ + "." + name;
}

void IommuParams::declare(ParameterSet& p, const std::string& prefix) {
  prefix_ = prefix;
  while (!prefix_.empty() && prefix_.back() == '.') prefix_.pop_back();
  auto k = [this](const char* name) { return key(name); };

  // Translation schemes (capabilities, spec 6.3).
  p.add(k("sv39"), sv39, "Sv39 first-stage translation (capabilities.Sv39)");
  p.add(k("sv48"), sv48, "Sv48 first-stage translation (capabilities.Sv48); needs sv39");
  p.add(k("sv57"), sv57, "Sv57 first-stage translation (capabilities.Sv57); needs sv48");
  p.add(k("sv39x4"), sv39x4, "Sv39x4 second-stage translation (capabilities.Sv39x4)");
  p.add(k("sv48x4"), sv48x4, "Sv48x4 second-stage translation (capabilities.Sv48x4)");
  p.add(k("sv57x4"), sv57x4, "Sv57x4 second-stage translation (capabilities.Sv57x4)");
  p.add(k("svpbmt"), svpbmt, "page-based memory types in PTEs (capabilities.Svpbmt)");

  // Other features.
  p.add(k("msi_flat"), msi_flat,
        "MSI page tables with flat MSI PTEs (capabilities.MSI_FLAT); 64-byte device contexts");
  p.add(k("msi_mrif"), msi_mrif, "MRIF-mode MSI PTEs (capabilities.MSI_MRIF); needs msi_flat");
  p.add(k("amo_mrif"), amo_mrif,
        "MRIF pending bits set by one AMOOR instead of a read and a write (capabilities.AMO_MRIF); "
        "needs msi_mrif");
  p.add(k("amo_hwad"), amo_hwad, "hardware updates of PTE A/D bits (capabilities.AMO_HWAD)");
  p.add(k("ats"), ats,
        "PCIe ATS and PRI: translation and Translated requests, ATS commands, page requests into "
        "the page-request queue (capabilities.ATS)");
  p.add(k("t2gpa"), t2gpa,
        "DC.tc.T2GPA allowed: ATS completions carry GPAs and Translated requests take the second "
        "stage (capabilities.T2GPA); needs ats");
  p.add(k("end"), end, "both endiannesses supported, fctl.BE writable (capabilities.END)");
  p.add(k("igs"), igs, "interrupt generation support (capabilities.IGS)", {"msi", "wsi", "both"});
  p.add(k("hpm_counters"), hpm_counters, "counters",
        "programmable HPM event counters iohpmctr1..N; 0 disables the HPM (capabilities.HPM)", 0,
        regs::kHpmCounters);
  p.add(k("debug"), debug,
        "translation-request debug interface tr_req_iova/tr_req_ctl/tr_response "
        "(capabilities.DBG)");
  p.add(k("pd8"), pd8, "one-level PDT, 8-bit process_id (capabilities.PD8)");
  p.add(k("pd17"), pd17, "two-level PDT, 17-bit process_id (capabilities.PD17)");
  p.add(k("pd20"), pd20, "three-level PDT, 20-bit process_id (capabilities.PD20)");
  p.add(k("pas_bits"), pas_bits, "bits", "physical address size (capabilities.PAS)", 32, 56);

  // Implementation choices.
  p.add(k("ddt_max_levels"), ddt_max_levels, "levels",
        "deepest device-directory table accepted by ddtp.iommu_mode (1 = 1LVL .. 3 = 3LVL)", 1, 3);
  p.add(k("reset_mode"), reset_mode, "ddtp.iommu_mode after reset", {"off", "bare"});
  p.add(k("queue_log2sz_max"), queue_log2sz_max, "log2(entries)",
        "largest queue size accepted in cqb/fqb/pqb.LOG2SZ-1 (larger writes are clamped)", 1, 32);
  p.add(k("interrupt_vectors"), interrupt_vectors, "vectors",
        "interrupt vectors in icvec and msi_cfg_tbl (1, 2, 4, 8 or 16)", 1,
        regs::kMsiCfgTblEntries);

  // Timing.
  p.add(k("clock_period_ps"), clock_period_ps, "ps", "IOMMU clock period", 1, 1000000000);
  p.add(k("latency.reg_access"), reg_access_cycles, "cycles",
        "one MMIO access to an IOMMU register");
  p.add(k("latency.iotlb_lookup"), iotlb_lookup_cycles, "cycles", "IOTLB probe, hit or miss");
  p.add(k("latency.context_cache_lookup"), context_cache_lookup_cycles, "cycles",
        "device- or process-context cache probe, hit or miss");
  p.add(k("latency.walk_level"), walk_level_cycles, "cycles",
        "IOMMU work per directory or page-table level, on top of the memory read");
  p.add(k("latency.command"), command_cycles, "cycles",
        "decode and execute one command-queue command (memory accesses extra)");
  p.add(k("command_timeout_cycles"), command_timeout_cycles, "cycles",
        "time after which an ATS.INVAL without completion times out (cqcsr.cmd_to)", 1);
  p.add(k("walkers"), walkers, "walkers", "concurrent directory/page-table walks", 1, 1024);

  // Caches.
  p.add(k("iotlb.sets"), iotlb_sets, "sets", "IOTLB sets; 0 (with 0 ways) disables the IOTLB");
  p.add(k("iotlb.ways"), iotlb_ways, "ways", "IOTLB ways per set");
  p.add(k("iotlb.replacement"), iotlb_replacement, "IOTLB replacement policy",
        {"lru", "fifo", "random"});
  p.add(k("iotlb.seed"), iotlb_seed, "", "seed of the random IOTLB replacement policy");
  p.add(k("ddt_cache.entries"), ddt_cache_entries, "entries",
        "device-context cache (fully associative, LRU); 0 disables it");
  p.add(k("pdt_cache.entries"), pdt_cache_entries, "entries",
        "process-context cache (fully associative, LRU); 0 disables it");
  p.add(k("walk_cache.entries"), walk_cache_entries, "entries",
        "non-leaf page-table-entry cache; 0 disables it");

  p.add(k("log_faults"), log_faults,
        "explain every fault in the log (warning level): cause, device, IOVA, walk, rule");
}

uint64_t IommuParams::igs_value() const {
  if (igs == "msi") return regs::capabilities::kIgsMsi;
  if (igs == "wsi") return regs::capabilities::kIgsWsi;
  if (igs == "both") return regs::capabilities::kIgsBoth;
  throw ParameterError("parameter '" + key("igs") + "': '" + igs +
                       "' is not one of: msi, wsi, both");
}

void IommuParams::validate() const {
  auto fail = [this](const char* name, const std::string& why) {
    throw ParameterError("parameter '" + key(name) + "': " + why);
  };
  // Spec 6.3: "When Sv48 is set, Sv39 must be set", "When Sv57 is set, Sv48
  // must be set".
  if (sv48 && !sv39) fail("sv48", "Sv48 requires sv39 (spec 6.3)");
  if (sv57 && !sv48) fail("sv57", "Sv57 requires sv48 (spec 6.3)");
  if (amo_mrif && !msi_mrif) fail("amo_mrif", "atomic MRIF updates need msi_mrif");
  if (msi_mrif && !msi_flat)
    fail("msi_mrif", "MRIF-mode PTEs live in MSI page tables: needs msi_flat");
  if (t2gpa && !ats) fail("t2gpa", "T2GPA returns GPAs in ATS completions and needs ats");
  igs_value();  // throws on a bad string
  if (hpm_counters > regs::kHpmCounters)
    fail("hpm_counters", std::to_string(hpm_counters) + " exceeds the 31 architected counters");
  if (pas_bits < 32 || pas_bits > 56)
    fail("pas_bits", std::to_string(pas_bits) + " is outside [32, 56] (ddtp.PPN is 44 bits)");
  if (ddt_max_levels < 1 || ddt_max_levels > 3)
    fail("ddt_max_levels", std::to_string(ddt_max_levels) + " is outside [1, 3]");
  if (reset_mode != "off" && reset_mode != "bare")
    fail("reset_mode", "'" + reset_mode + "' is not one of: off, bare (spec 6.2)");
  if (queue_log2sz_max < 1 || queue_log2sz_max > 32)
    fail("queue_log2sz_max", std::to_string(queue_log2sz_max) + " is outside [1, 32]");
  if (interrupt_vectors == 0 || interrupt_vectors > regs::kMsiCfgTblEntries ||
      (interrupt_vectors & (interrupt_vectors - 1)))
    fail("interrupt_vectors", std::to_string(interrupt_vectors) +
                                  " is not one of 1, 2, 4, 8, 16 (icvec fields are "
                                  "WARL bit masks)");
  if (clock_period_ps == 0) fail("clock_period_ps", "must be positive");
  if (walkers == 0) fail("walkers", "at least one walker is needed");
  if (command_timeout_cycles == 0) fail("command_timeout_cycles", "must be positive");
  if (iotlb_ways == 0 && iotlb_sets != 0)
    fail("iotlb.ways",
         "0 ways with " + std::to_string(iotlb_sets) + " sets; set both to 0 to disable the IOTLB");
  if (iotlb_sets == 0 && iotlb_ways != 0)
    fail("iotlb.sets",
         "0 sets with " + std::to_string(iotlb_ways) + " ways; set both to 0 to disable the IOTLB");
  if (iotlb_replacement != "lru" && iotlb_replacement != "fifo" && iotlb_replacement != "random")
    fail("iotlb.replacement", "'" + iotlb_replacement + "' is not one of: lru, fifo, random");
}

uint64_t IommuParams::capabilities_value() const {
  namespace c = regs::capabilities;
  uint64_t v = c::version.put(c::kVersion1_0);
  v |= c::Sv39.put(sv39) | c::Sv48.put(sv48) | c::Sv57.put(sv57);
  v |= c::Svpbmt.put(svpbmt);
  v |= c::Sv39x4.put(sv39x4) | c::Sv48x4.put(sv48x4) | c::Sv57x4.put(sv57x4);
  v |= c::AMO_MRIF.put(amo_mrif) | c::MSI_FLAT.put(msi_flat) | c::MSI_MRIF.put(msi_mrif);
  v |= c::AMO_HWAD.put(amo_hwad) | c::ATS.put(ats) | c::T2GPA.put(t2gpa) | c::END.put(end);
  v |= c::IGS.put(igs_value());
  v |= c::HPM.put(hpm_counters > 0) | c::DBG.put(debug);
  v |= c::PAS.put(pas_bits);
  v |= c::PD8.put(pd8) | c::PD17.put(pd17) | c::PD20.put(pd20);
  return v;
}

}  // namespace vp::iommu
