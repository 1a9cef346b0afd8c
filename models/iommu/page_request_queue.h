// RISC-V IOMMU page-request queue (PQ): the producer side that writes PCIe
// "Page Request" and "Stop Marker" messages into the in-memory queue the
// driver's page-fault handler drains.
//
// Models (spec v1.0, In-memory queues 3.3, registers pqb/pqh/pqt/pqcsr 6.12-
// 6.14 and 6.17): the 16-byte record (PID, PV, PRIV, EXEC, DID, PAYLOAD)
// with its field rules (PRIV/EXEC/PID are 0 without a PASID), records at
// pqb + pqt * 16 in the byte order of fctl.BE, pqt advancing with wrap-
// around, the full condition (pqt == pqh - 1) setting pqof, a store fault
// setting pqmf, every message discarded while the queue is off or pqof/pqmf
// is set, and ipsr.pip raised for a new record when pqcsr.pie is 1.
//
// What the IOMMU answers the device when a message could not be queued is
// decided by the caller from the outcome (spec "PCIe ATS Page Request
// handling"): Response Failure when the queue is off or had a memory fault,
// Success when it is full or overflowed.
//
// Timing: a record costs its two doubleword stores through WalkMemory.
#pragma once

#include <cstdint>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu {

// One page-request record (3.3), in host form.
struct PageRequestRecord {
  uint32_t did = 0;      // requester ID (with segment), 24 bits
  bool pv = false;       // the message had a PASID
  uint32_t pid = 0;      // its PASID
  bool priv = false;     // "Privilege Mode Requested"
  bool exec = false;     // "Execute Requested"
  uint64_t payload = 0;  // message bytes 8..15 (page_request:: fields)

  void encode(uint64_t dw[2]) const;
  static PageRequestRecord decode(const uint64_t dw[2]);
};

class PageRequestQueue {
 public:
  enum class Outcome : unsigned {
    kQueued,
    kQueueOff,     // pqcsr.pqon is 0
    kMemoryFault,  // pqmf already set, or this store faulted and set it
    kOverflow,     // pqof already set, or the queue is full and this set it
  };
  static constexpr unsigned kOutcomes = 4;

  PageRequestQueue(RegisterFile& regs, WalkMemory& memory);
  PageRequestQueue(const PageRequestQueue&) = delete;
  PageRequestQueue& operator=(const PageRequestQueue&) = delete;

  // Queues `record`; the stores' latency is added to `delay`.
  Outcome report(const PageRequestRecord& record, sc_core::sc_time& delay);

  uint64_t count(Outcome o) const { return counts_[unsigned(o)]; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  Outcome done(Outcome o) {
    ++counts_[unsigned(o)];
    return o;
  }

  RegisterFile& regs_;
  WalkMemory& memory_;
  uint64_t counts_[kOutcomes] = {};
};

}  // namespace vp::iommu
