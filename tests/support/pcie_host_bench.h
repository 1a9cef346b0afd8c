// Test bench for the host side of a PCIe hierarchy: a root complex, an
// UpstreamSystem that records what leaves it and routes it through an
// interconnect to DRAM [0, 1 GiB) or back down to the root complex's MMIO
// windows, a "cpu" initiator on ECAM and an "mmio_cpu" initiator on the
// interconnect (MMIO to BARs). A test derives from it, adds its switches
// and endpoints and connects them to `rc` in its constructor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <systemc>
#include <utility>
#include <vector>

#include "models/common/interconnect.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_link.h"
#include "models/pcie/root_complex.h"
#include "support/pcie_test_fabric.h"
#include "support/test_initiator.h"

namespace vp::test {

class PcieHostBench {
 public:
  static constexpr uint64_t kDramSize = 1ull << 30;

  // A root complex with `root_ports` root ports, each with the default link.
  explicit PcieHostBench(unsigned root_ports)
      : rc("rc", rcp, std::vector<vp::pcie::PcieLinkParams>(root_ports, link)),
        dram("dram", dram_params()),
        ic("ic"),
        sys("sys", rcp.mmio32_base, rcp.mmio64_base + rcp.mmio64_size),
        cpu("cpu"),
        mmio_cpu("mmio_cpu") {
    rc.upstream.bind(sys.in);
    sys.to_memory.bind(ic.target_socket);
    sys.to_mmio.bind(ic.target_socket);
    mmio_cpu.socket.bind(ic.target_socket);
    ic.initiator_socket.bind(dram.socket);  // port 0
    ic.initiator_socket.bind(rc.mmio);      // port 1
    ic.map("dram", 0, kDramSize, 0);
    ic.map("mmio32", rcp.mmio32_base, rcp.mmio32_size, 1, false);
    ic.map("mmio64", rcp.mmio64_base, rcp.mmio64_size, 1, false);
    cpu.socket.bind(rc.ecam);
  }
  PcieHostBench(const PcieHostBench&) = delete;
  PcieHostBench& operator=(const PcieHostBench&) = delete;

  // Enumerates the hierarchy as a guest would (call from a run() body):
  // bus numbers, BARs and bridge windows assigned, memory and bus master on.
  void enumerate() {
    walk = std::make_unique<EnumerationWalk>(ecam, rcp.mmio32_base, rcp.mmio64_base);
    walk->run();
  }
  // BAR0 address the enumeration gave device 0 on `bus`.
  uint64_t bar0(unsigned bus) const { return walk->find(bus, 0)->bar_address[0]; }

  // Runs `body` in the cpu's thread until the simulation has nothing left.
  void run(std::function<void(TestInitiator&)> body) {
    cpu.body = std::move(body);
    sc_core::sc_start();
  }

  vp::pcie::RootComplexParams rcp;
  vp::pcie::PcieLinkParams link;  // every root port's and every test switch port's link
  vp::pcie::RootComplex rc;
  vp::memory::SparseMemory dram;
  vp::common::Interconnect ic;
  UpstreamSystem sys;
  TestInitiator cpu, mmio_cpu;
  EcamAccessor ecam{cpu};
  std::unique_ptr<EnumerationWalk> walk;

 private:
  static vp::memory::SparseMemoryParams dram_params() {
    vp::memory::SparseMemoryParams p;
    p.size = kDramSize;
    return p;
  }
};

}  // namespace vp::test
