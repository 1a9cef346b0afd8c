// Scenario "pcie-enumerate": the guest enumerates the PCIe hierarchy through
// ECAM (bus numbers, BAR sizing and assignment, bridge windows), prints the
// tree, then drives every DMA engine endpoint it finds: a copy inside DRAM
// and, when a peer memory endpoint exists, a peer-to-peer copy into its BAR
// (up through the root complex and the IOMMU, back down through the host
// bridge), both verified byte by byte.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "models/common/parameters.h"
#include "platform/scenario.h"
#include "sw/drivers/dma_engine_driver.h"
#include "sw/pci/ecam.h"
#include "sw/pci/pci_enumerator.h"

namespace vp::platform {

namespace {

// Guest-side IDs of the modeled devices (sw/ keeps its own copy).
constexpr uint16_t kVendorQemu = 0x1b36;
constexpr uint16_t kDeviceDmaEngine = 0x0020;
constexpr uint16_t kDevicePeerMemory = 0x0010;

class PcieEnumerateScenario : public Scenario {
 public:
  std::string name() const override { return "pcie-enumerate"; }
  std::string description() const override {
    return "guest enumerates the PCIe tree over ECAM, then copies with each DMA engine endpoint "
           "(DRAM and peer-to-peer into a peer BAR)";
  }
  void declare(vp::common::ParameterSet& p) override {
    p.add("scenario.pcie_enumerate.bytes", bytes_, "bytes", "bytes per copy", 1, 1ull << 24);
  }
  void run(guest::hal::Hal& hal, const PlatformInfo& info, ScenarioResult& r) override {
    if (info.pcie_buses == 0) {
      r.ok = false;
      r.message = "the config has no \"pcie\" object (try configs/pcie_switch.json)";
      return;
    }
    guest::pci::Ecam ecam(hal, info.pcie_ecam_base, 0, info.pcie_buses - 1);
    guest::pci::PciHostWindows windows;
    windows.mem = {info.pcie_mmio32_base, info.pcie_mmio32_size};
    windows.pref = {info.pcie_mmio64_base, info.pcie_mmio64_size};
    guest::pci::PciEnumerator pci(ecam, windows);
    r.start = hal.now();
    const int scan = pci.scan();
    r.extra["tree"] = pci.tree();
    r.extra["functions"] = pci.devices().size();
    r.extra["last_bus"] = pci.last_bus();
    if (scan != 0) {
      r.ok = false;
      r.message = "PCI enumeration failed (" + std::to_string(scan) + ")";
      return;
    }
    guest::pci::pci_dev* peer = pci.pci_get_device(kVendorQemu, kDevicePeerMemory, nullptr);
    if (peer && guest::pci::pci_enable_device(*peer) != 0) {
      return fail(r, "cannot enable the peer memory");
    }
    unsigned engines = 0;
    for (guest::pci::pci_dev* d = pci.pci_get_device(kVendorQemu, kDeviceDmaEngine, nullptr); d;
         d = pci.pci_get_device(kVendorQemu, kDeviceDmaEngine, d)) {
      ++engines;
      if (guest::pci::pci_enable_device(*d) != 0) return fail(r, "cannot enable " + d->name());
      guest::pci::pci_set_master(*d);
      guest::drivers::DmaEngineDriver drv(hal, guest::pci::pci_resource_start(*d, 0), 1, 64);
      if (drv.probe() != 0) return fail(r, d->name() + ": DMA engine probe failed");
      if (!copy(hal, drv, r, 0)) return fail(r, d->name() + ": DRAM copy failed");
      if (peer && !copy(hal, drv, r, guest::pci::pci_resource_start(*peer, 0))) {
        return fail(r, d->name() + ": peer-to-peer copy into " + peer->name() + " failed");
      }
    }
    r.end = hal.now();
    r.operations = engines;
    std::ostringstream msg;
    msg << pci.devices().size() << " functions on buses 0.." << pci.last_bus() << ", " << engines
        << " DMA engine(s) copied" << (peer ? " to DRAM and to the peer BAR" : "") << ", verified";
    r.message = msg.str();
  }

 private:
  static void fail(ScenarioResult& r, const std::string& why) {
    r.ok = false;
    r.message = why;
  }
  // Copies bytes_ from DRAM to `peer_bar` (0: to DRAM) and compares.
  bool copy(guest::hal::Hal& hal, guest::drivers::DmaEngineDriver& drv, ScenarioResult& r,
            uint64_t peer_bar) {
    const uint64_t pages = (bytes_ + 4095) / 4096;
    const uint64_t src = hal.pages().alloc_pages(pages);
    const uint64_t dst = peer_bar ? peer_bar : hal.pages().alloc_pages(pages);
    std::vector<uint8_t> data(bytes_), back(bytes_);
    for (uint64_t i = 0; i < bytes_; ++i) data[i] = uint8_t(i * 13 + (peer_bar ? 5 : 1));
    hal.mem_write(src, data.data(), bytes_);
    if (drv.copy(src, dst, uint32_t(bytes_), sc_core::sc_time(10, sc_core::SC_MS)) != 0) {
      return false;
    }
    if (peer_bar) {
      for (uint64_t i = 0; i < bytes_; i += 8) {
        const uint64_t v = hal.mmio_read(dst + i, 8);
        std::memcpy(&back[i], &v, std::min<uint64_t>(8, bytes_ - i));
      }
    } else {
      hal.mem_read(dst, back.data(), bytes_);
    }
    r.bytes += bytes_;
    return back == data;
  }

  uint64_t bytes_ = 64 * 1024;
};

}  // namespace

std::unique_ptr<Scenario> make_pcie_enumerate_scenario() {
  return std::make_unique<PcieEnumerateScenario>();
}

}  // namespace vp::platform
