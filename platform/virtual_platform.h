// The virtual platform: builds the system of DESIGN.md "The picture" from
// parameters (the JSON config) and wires models and guest CPU together.
//
// Topology of this increment: guest CPU and DMA engine as initiators on the
// system interconnect, the DMA engine's requests through the IOMMU (unless
// iommu.present is false); DRAM, MSI controller, the DMA engine's and the
// IOMMU's registers as targets. Addresses come from the config; overlapping regions end the
// run before simulation with a TopologyError naming both regions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <systemc>

#include "models/common/interconnect.h"
#include "models/common/statistics.h"
#include "models/devices/dma_engine.h"
#include "models/iommu/iommu.h"
#include "models/memory/msi_controller.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_hierarchy.h"
#include "sw/hal/guest_cpu.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::platform {

class TopologyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PlatformParams {
  uint64_t dram_base = 0x8000'0000;
  vp::memory::SparseMemoryParams dram;
  vp::common::InterconnectParams interconnect;
  uint64_t msi_base = 0x2800'0000;
  vp::memory::MsiControllerParams msi;
  uint64_t dma_base = 0x3000'0000;
  vp::devices::DmaEngineParams dma;
  bool iommu_present = true;  // DMA goes through the IOMMU
  uint64_t iommu_base = 0x2900'0000;
  vp::iommu::IommuParams iommu;
  guest::hal::GuestCpuParams cpu;
  // PCIe hierarchy: present when the config has a "pcie" object (see
  // platform/pcie_topology.h); its ECAM window sits at pcie_ecam_base.
  std::optional<vp::pcie::PcieTopology> pcie;
  uint64_t pcie_ecam_base = 0x1000'0000;

  PlatformParams() {
    dram.size = 4ull << 30;
    // Until a guest IOMMU driver takes over, DMA passes through (the spec
    // lets the reset value of ddtp.iommu_mode be Off or Bare).
    iommu.reset_mode = "bare";
  }
  void declare(vp::common::ParameterSet& p);
};

// What the guest is told about the machine (its device tree).
struct PlatformInfo {
  uint64_t ram_base, ram_size;
  uint64_t msi_base;
  uint64_t dma_regs;
  unsigned dma_irq;        // MSI identity the scenario gives the DMA engine
  uint64_t iommu_regs;     // 0 without an IOMMU
  uint32_t dma_device_id;  // the DMA engine's requester ID (IOMMU device_id)
  // PCIe (all 0 without a hierarchy): ECAM window and host MMIO windows.
  uint64_t pcie_ecam_base = 0;
  unsigned pcie_buses = 0;
  uint64_t pcie_mmio32_base = 0, pcie_mmio32_size = 0;
  uint64_t pcie_mmio64_base = 0, pcie_mmio64_size = 0;
};

class VirtualPlatform : public sc_core::sc_module {
 public:
  // Throws TopologyError on an inconsistent address map.
  VirtualPlatform(sc_core::sc_module_name name, const PlatformParams& params);
  ~VirtualPlatform() override;

  guest::hal::GuestCpu& cpu() { return *cpu_; }
  vp::memory::SparseMemory& dram() { return *dram_; }
  vp::memory::MsiController& msi() { return *msi_; }
  vp::devices::DmaEngine& dma() { return *dma_; }
  // nullptr when the config has iommu.present = false.
  vp::iommu::Iommu* iommu() { return iommu_.get(); }
  // nullptr without a "pcie" config object.
  vp::pcie::PcieHierarchy* pcie() { return pcie_.get(); }
  vp::common::Interconnect& interconnect() { return *bus_; }
  const PlatformInfo& info() const { return info_; }

  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  PlatformParams params_;
  PlatformInfo info_;
  std::unique_ptr<vp::common::Interconnect> bus_;
  std::unique_ptr<vp::memory::SparseMemory> dram_;
  std::unique_ptr<vp::memory::MsiController> msi_;
  std::unique_ptr<vp::devices::DmaEngine> dma_;
  std::unique_ptr<vp::iommu::Iommu> iommu_;
  std::unique_ptr<vp::pcie::PcieHierarchy> pcie_;
  std::unique_ptr<guest::hal::GuestCpu> cpu_;
  sc_core::sc_signal<bool> cpu_irq_;
};

}  // namespace vp::platform
