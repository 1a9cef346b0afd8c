// BusWalkMemory: the IOMMU's implicit memory accesses (DDT, PDT and
// page-table reads, A/D updates, queue reads and writes, its own MSIs) as TLM
// transactions on its downstream initiator socket, so each one pays the
// interconnect's and the memory's timing and contends with DMA traffic.
//
// Spec: RISC-V IOMMU 1.0, 2.3 (implicit accesses), 3 (queues in memory).
// Not modeled: bus locking. cas64 is a read followed by a conditional write
// in the same simulation step; no other initiator runs in between because
// b_transport does not yield, which is what the atomicity needs.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/iommu/walk_memory.h"

namespace vp::iommu {

class BusWalkMemory : public WalkMemory {
 public:
  explicit BusWalkMemory(tlm::tlm_initiator_socket<>& socket) : socket_(socket) {}

  bool read64(uint64_t pa, uint64_t* v, sc_core::sc_time& delay) override;
  bool write64(uint64_t pa, uint64_t v, sc_core::sc_time& delay) override;
  bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
             sc_core::sc_time& delay) override;
  bool read_block(uint64_t pa, uint64_t* v, unsigned count, sc_core::sc_time& delay) override;
  // A 32-bit store (IOFENCE.C data, MSI data).
  bool write32(uint64_t pa, uint32_t v, sc_core::sc_time& delay) override;
  // AMOOR.D of `bits` into the doubleword at `pa` (an MRIF pending bit with
  // capabilities.AMO_MRIF). TLM has no atomic command, so it is a read and a
  // write in one simulation step; it costs one round trip (the read's),
  // since the memory performs the OR.
  bool amo_or64(uint64_t pa, uint64_t bits, sc_core::sc_time& delay);

  // Debug (untimed, side-effect free) read through transport_dbg.
  bool peek64(uint64_t pa, uint64_t* v);

  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }
  uint64_t errors() const { return errors_; }

 private:
  bool access(tlm::tlm_command cmd, uint64_t pa, void* data, unsigned len, sc_core::sc_time& delay);

  tlm::tlm_initiator_socket<>& socket_;
  tlm::tlm_generic_payload gp_;
  uint64_t reads_ = 0;
  uint64_t writes_ = 0;
  uint64_t errors_ = 0;
};

}  // namespace vp::iommu
