// Peer memory endpoint: a PCIe function exposing one large memory BAR, like
// a GPU's device memory or an NVMe controller memory buffer, that the CPU
// and other devices (peer-to-peer) read and write.
//
// Models: BAR0 as a 64-bit prefetchable memory BAR of `bar_size` bytes
// (power of two), backed by a SparseMemory (allocated on first write, so a
// 256 MiB BAR costs nothing until touched), with its own access latency and
// bandwidth. Byte enables and streaming width are honoured by the memory.
// The endpoint base gives it config space, BAR decode, MSI and a requester
// ID; it issues no requests of its own.
//
// Not modeled: memory behind more than one BAR, resizable BAR, DMI into the
// BAR (every access is a transaction through the fabric).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <string>

#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_endpoint.h"

namespace vp::devices {

struct PeerMemoryEndpointParams {
  vp::pcie::PcieEndpointParams endpoint{0x1b36, 0x0010, 0x050000, 1, 512, 32, true};
  uint64_t bar_size = 256ull << 20;  // bytes, power of two
  double latency_ns = 80.0;          // device memory access latency
  double bandwidth_gbps = 32.0;      // device memory bandwidth, GB/s; 0 = unlimited

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class PeerMemoryEndpoint : public vp::pcie::PcieEndpoint {
 public:
  static constexpr unsigned kMemoryBar = 0;

  PeerMemoryEndpoint(sc_core::sc_module_name name, const PeerMemoryEndpointParams& params = {});

  // Backdoor access to the BAR's contents (offsets into the BAR).
  vp::memory::SparseMemory& memory() { return mem_; }

 protected:
  void bar_transport(unsigned bar, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  void report_device_stats(vp::common::StatsVisitor& v) const override;

 private:
  static vp::memory::SparseMemoryParams memory_params(const PeerMemoryEndpointParams& p);

  vp::memory::SparseMemory mem_;
  tlm_utils::simple_initiator_socket<PeerMemoryEndpoint> mem_port_;
};

}  // namespace vp::devices
