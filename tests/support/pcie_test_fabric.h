// Test helpers for the PCIe hierarchy: an upstream "system" that records
// what leaves the root complex and routes it to DRAM or back down to the
// root complex's MMIO windows (host-bridge peer-to-peer), and a guest-style
// depth-first ECAM enumeration walk.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/common/pcie_extension.h"
#include "models/pcie/pcie_regs.h"
#include "support/test_initiator.h"

namespace vp::test {

// Stands in for IOMMU + interconnect: DRAM below `mmio_base`, the MMIO
// windows [mmio_base, mmio_end) back down to the root complex.
class UpstreamSystem : public sc_core::sc_module {
 public:
  struct Seen {
    uint64_t address;
    unsigned length;
    bool write;
    uint16_t rid;
    bool is_msi;
  };
  tlm_utils::simple_target_socket<UpstreamSystem> in;
  tlm_utils::simple_initiator_socket<UpstreamSystem> to_memory;
  tlm_utils::simple_initiator_socket<UpstreamSystem> to_mmio;
  std::vector<Seen> seen;
  uint64_t mmio_base = 0, mmio_end = 0;
  uint64_t missing_extension = 0;

  UpstreamSystem(sc_core::sc_module_name name, uint64_t mmio_base_, uint64_t mmio_end_)
      : sc_module(name),
        in("in"),
        to_memory("to_memory"),
        to_mmio("to_mmio"),
        mmio_base(mmio_base_),
        mmio_end(mmio_end_) {
    in.register_b_transport(this, &UpstreamSystem::b_transport);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const auto* ext = gp.get_extension<vp::common::PcieExtension>();
    if (!ext) ++missing_extension;
    seen.push_back({gp.get_address(), gp.get_data_length(), gp.is_write(),
                    ext ? ext->rid : uint16_t(0xffff), ext && ext->is_msi});
    if (gp.get_address() >= mmio_base && gp.get_address() < mmio_end)
      to_mmio->b_transport(gp, delay);
    else
      to_memory->b_transport(gp, delay);
  }
};

// Configuration accesses through ECAM offsets, as a guest would make them.
class EcamAccessor {
 public:
  explicit EcamAccessor(TestInitiator& cpu) : cpu_(cpu) {}
  static uint64_t offset(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return uint64_t(bus) << 20 | uint64_t(dev) << 15 | uint64_t(fn) << 12 | reg;
  }
  uint32_t read(unsigned bus, unsigned dev, unsigned fn, unsigned reg, unsigned size = 4) {
    uint32_t v = 0;
    last_status = cpu_.read(offset(bus, dev, fn, reg), &v, size);
    return v;
  }
  void write(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t v, unsigned size = 4) {
    last_status = cpu_.write(offset(bus, dev, fn, reg), &v, size);
  }
  tlm::tlm_response_status last_status = tlm::TLM_OK_RESPONSE;

 private:
  TestInitiator& cpu_;
};

// A depth-first enumeration like Linux's pci_scan_bridge + resource
// assignment, simplified: bus numbers in discovery order, BARs sized by the
// all-ones probe and placed in order, bridge windows around their children.
class EnumerationWalk {
 public:
  struct Function {
    unsigned bus, device;
    uint16_t vendor, device_id;
    bool bridge;
    uint8_t secondary = 0, subordinate = 0;
    uint64_t bar_address[6] = {};
    uint64_t bar_size[6] = {};
  };

  EnumerationWalk(EcamAccessor& ecam, uint64_t mem32_base, uint64_t mem64_base)
      : ecam_(ecam), mem32_(mem32_base), mem64_(mem64_base) {}

  void run() { scan_bus(0); }
  const std::vector<Function>& functions() const { return functions_; }
  const Function* find(unsigned bus, unsigned device) const {
    for (const auto& f : functions_)
      if (f.bus == bus && f.device == device) return &f;
    return nullptr;
  }
  unsigned absent_probes = 0;

 private:
  static constexpr uint64_t kWindowGranule = 1ull << 20;
  static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

  void scan_bus(unsigned bus) {
    using namespace vp::pcie::cfg;
    for (unsigned dev = 0; dev < 32; ++dev) {
      const uint32_t id = ecam_.read(bus, dev, 0, kVendorId);
      if ((id & 0xffff) == 0xffff) {
        ++absent_probes;
        continue;
      }
      Function f{bus, dev, uint16_t(id), uint16_t(id >> 16), false};
      const uint8_t type = uint8_t(ecam_.read(bus, dev, 0, kHeaderType, 1)) & kHeaderTypeMask;
      f.bridge = type == kHeaderTypeBridge;
      const size_t index = functions_.size();
      functions_.push_back(f);
      if (f.bridge)
        scan_bridge(bus, dev, index);
      else
        assign_bars(bus, dev, index);
    }
  }

  void assign_bars(unsigned bus, unsigned dev, size_t index) {
    using namespace vp::pcie::cfg;
    for (unsigned i = 0; i < kNumBarsType0; ++i) {
      const unsigned reg = kBar0 + 4 * i;
      const uint32_t orig = ecam_.read(bus, dev, 0, reg);
      ecam_.write(bus, dev, 0, reg, 0xffffffff);
      const uint32_t lo = ecam_.read(bus, dev, 0, reg);
      if (lo == 0) continue;
      const bool is64 = (orig & kBarMemTypeMask) == kBarMemType64;
      uint64_t mask = lo & kBarMemAddressMask;
      if (is64) {
        ecam_.write(bus, dev, 0, reg + 4, 0xffffffff);
        mask |= uint64_t(ecam_.read(bus, dev, 0, reg + 4)) << 32;
      } else {
        mask |= 0xffffffff00000000ull;
      }
      const uint64_t size = ~mask + 1;
      uint64_t& next = (orig & kBarPrefetchable) && is64 ? mem64_ : mem32_;
      const uint64_t addr = align_up(next, size);
      next = addr + size;
      ecam_.write(bus, dev, 0, reg, uint32_t(addr));
      if (is64) ecam_.write(bus, dev, 0, reg + 4, uint32_t(addr >> 32));
      functions_[index].bar_address[i] = addr;
      functions_[index].bar_size[i] = size;
      if (is64) ++i;
    }
    ecam_.write(bus, dev, 0, kCommand, kCommandMemorySpace | kCommandBusMaster, 2);
  }

  void scan_bridge(unsigned bus, unsigned dev, size_t index) {
    using namespace vp::pcie::cfg;
    const unsigned secondary = ++last_bus_;
    ecam_.write(bus, dev, 0, kPrimaryBus, bus, 1);
    ecam_.write(bus, dev, 0, kSecondaryBus, secondary, 1);
    ecam_.write(bus, dev, 0, kSubordinateBus, 0xff, 1);
    mem32_ = align_up(mem32_, kWindowGranule);
    mem64_ = align_up(mem64_, kWindowGranule);
    const uint64_t m32 = mem32_, m64 = mem64_;
    scan_bus(secondary);
    ecam_.write(bus, dev, 0, kSubordinateBus, last_bus_, 1);
    functions_[index].secondary = uint8_t(secondary);
    functions_[index].subordinate = uint8_t(last_bus_);
    mem32_ = align_up(mem32_, kWindowGranule);
    mem64_ = align_up(mem64_, kWindowGranule);
    if (mem32_ > m32) {
      ecam_.write(bus, dev, 0, kMemoryBase, uint32_t(m32 >> 16) & kMemoryWindowMask, 2);
      ecam_.write(bus, dev, 0, kMemoryLimit, uint32_t((mem32_ - 1) >> 16) & kMemoryWindowMask, 2);
    }
    if (mem64_ > m64) {
      ecam_.write(bus, dev, 0, kPrefetchableMemoryBase, uint32_t(m64 >> 16) & kMemoryWindowMask, 2);
      ecam_.write(bus, dev, 0, kPrefetchableMemoryLimit,
                  uint32_t((mem64_ - 1) >> 16) & kMemoryWindowMask, 2);
      ecam_.write(bus, dev, 0, kPrefetchableBaseUpper32, uint32_t(m64 >> 32));
      ecam_.write(bus, dev, 0, kPrefetchableLimitUpper32, uint32_t((mem64_ - 1) >> 32));
    }
    ecam_.write(bus, dev, 0, kCommand, kCommandMemorySpace | kCommandBusMaster, 2);
  }

  EcamAccessor& ecam_;
  uint64_t mem32_, mem64_;
  unsigned last_bus_ = 0;
  std::vector<Function> functions_;
};

}  // namespace vp::test
