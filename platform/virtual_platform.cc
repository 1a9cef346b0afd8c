#include "platform/virtual_platform.h"

#include "models/common/parameters.h"
#include "models/devices/dma_engine_regs.h"

namespace vp::platform {

void PlatformParams::declare(vp::common::ParameterSet& p) {
  p.add("memory.dram.base", dram_base, "address", "guest physical base address of DRAM");
  dram.declare(p, "memory.dram.");
  interconnect.declare(p, "interconnect.");
  p.add("msi.base", msi_base, "address", "base of the MSI controller (doorbell page first)");
  msi.declare(p, "msi.");
  p.add("dma.base", dma_base, "address", "base of the DMA engine's register window");
  dma.declare(p, "dma.");
  p.add("iommu.present", iommu_present, "DMA goes through a RISC-V IOMMU");
  p.add("iommu.base", iommu_base, "address", "base of the IOMMU's 4-KiB register page");
  iommu.declare(p, "iommu");
  p.add("pcie_ecam.base", pcie_ecam_base, "address",
        "base of the PCIe ECAM window (used when the config has a \"pcie\" object)");
  p.add("cpu.quantum_ns", cpu.quantum_ns, "ns", "global quantum (temporal decoupling limit)");
  p.add("cpu.access_overhead_ns", cpu.access_overhead_ns, "ns", "CPU cost of issuing an access");
  p.add("cpu.use_dmi", cpu.use_dmi, "CPU memory accesses use DMI when granted");
}

namespace {
enum Port : unsigned { kDramPort = 0, kMsiPort = 1, kDmaRegsPort = 2, kIommuRegsPort = 3 };
}

VirtualPlatform::VirtualPlatform(sc_core::sc_module_name name, const PlatformParams& params)
    : sc_module(name), params_(params), cpu_irq_("cpu_irq") {
  info_ = PlatformInfo{params.dram_base,
                       params.dram.size,
                       params.msi_base,
                       params.dma_base,
                       1,
                       params.iommu_present ? params.iommu_base : 0,
                       params.dma.requester_id};
  bus_ = std::make_unique<vp::common::Interconnect>("bus", params.interconnect);
  try {
    bus_->map("dram", params.dram_base, params.dram.size, kDramPort);
    bus_->map("msi", params.msi_base, vp::memory::MsiController::kSize, kMsiPort);
    bus_->map("dma_regs", params.dma_base, vp::devices::dma_regs::kRegsSize, kDmaRegsPort);
    unsigned next_port = kIommuRegsPort;
    if (params.iommu_present) {
      bus_->map("iommu_regs", params.iommu_base, vp::iommu::regs::kRegisterPageSize, next_port++);
    }
    if (params.pcie) {
      const auto& rc = params.pcie->root_complex;
      info_.pcie_ecam_base = params.pcie_ecam_base;
      info_.pcie_buses = rc.ecam_buses;
      info_.pcie_mmio32_base = rc.mmio32_base;
      info_.pcie_mmio32_size = rc.mmio32_size;
      info_.pcie_mmio64_base = rc.mmio64_base;
      info_.pcie_mmio64_size = rc.mmio64_size;
      bus_->map("pcie_ecam", params.pcie_ecam_base, uint64_t(rc.ecam_buses) << 20, next_port++);
      // The root complex decodes absolute addresses in its MMIO windows.
      const unsigned mmio_port = next_port++;
      bus_->map("pcie_mmio32", rc.mmio32_base, rc.mmio32_size, mmio_port, false);
      bus_->map("pcie_mmio64", rc.mmio64_base, rc.mmio64_size, mmio_port, false);
    }
  } catch (const vp::common::AddressMapError& e) {
    throw TopologyError(std::string("bad topology: ") + e.what());
  }
  dram_ = std::make_unique<vp::memory::SparseMemory>("dram", params.dram);
  msi_ = std::make_unique<vp::memory::MsiController>("msi", params.msi);
  dma_ = std::make_unique<vp::devices::DmaEngine>("dma", params.dma);
  if (params.iommu_present) iommu_ = std::make_unique<vp::iommu::Iommu>("iommu", params.iommu);
  guest::hal::HalConfig hal{params.dram_base, params.dram.size, params.msi_base};
  cpu_ = std::make_unique<guest::hal::GuestCpu>("cpu", params.cpu, hal);

  // Initiators first, then targets in port order.
  cpu_->socket.bind(bus_->target_socket);
  if (iommu_) {
    dma_->dma.bind(iommu_->upstream);
    iommu_->downstream.bind(bus_->target_socket);
  } else {
    dma_->dma.bind(bus_->target_socket);
  }
  bus_->initiator_socket.bind(dram_->socket);
  bus_->initiator_socket.bind(msi_->socket);
  bus_->initiator_socket.bind(dma_->regs);
  if (iommu_) bus_->initiator_socket.bind(iommu_->regs);
  if (params.pcie) {
    try {
      pcie_ = std::make_unique<vp::pcie::PcieHierarchy>("pcie", *params.pcie);
    } catch (const std::invalid_argument& e) {
      throw TopologyError(std::string("bad PCIe topology: ") + e.what());
    }
    bus_->initiator_socket.bind(pcie_->rc().ecam);
    bus_->initiator_socket.bind(pcie_->rc().mmio);
    // Device DMA goes up through the root complex into the IOMMU.
    if (iommu_) {
      pcie_->rc().upstream.bind(iommu_->upstream);
      // ATS invalidations and page-request responses go down by ID.
      iommu_->device_messages.bind(pcie_->rc().messages);
    } else {
      pcie_->rc().upstream.bind(bus_->target_socket);
    }
  }
  msi_->irq.bind(cpu_irq_);
  cpu_->irq.bind(cpu_irq_);
}

VirtualPlatform::~VirtualPlatform() = default;

void VirtualPlatform::report_stats(vp::common::StatsVisitor& v) const {
  bus_->report_stats(v);
  dram_->report_stats(v);
  msi_->report_stats(v);
  dma_->report_stats(v);
  if (iommu_) iommu_->report_stats(v);
  if (pcie_) pcie_->report_stats(v);
  v.begin_group("cpu");
  v.value("transactions", double(cpu_->transactions()));
  v.value("allocated_bytes", double(cpu_->pages().allocated_bytes()), "bytes");
  v.end_group();
}

}  // namespace vp::platform
