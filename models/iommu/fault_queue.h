// RISC-V IOMMU fault/event queue (FQ): the producer side that writes fault
// records into the in-memory queue software drains.
//
// Models (spec v1.0, In-memory queues 3.2 and registers fqb/fqh/fqt/fqcsr,
// 6.9-6.11 and 6.16): the 32-byte fault record layout with its field rules
// (PID/PRIV are 0 when PV is 0; DID/PV/PID/PRIV are 0 when TTYP is 0),
// records written at fqb + fqt * 32 in the byte order of fctl.BE, fqt
// advancing with wrap-around, the full condition (fqt == fqh - 1) setting
// fqof, a store fault setting fqmf, discarding of every record while fqof or
// fqmf is set or the queue is off, and ipsr.fip raised for each new record
// when fqcsr.fie is 1 (the error-bit case of fip is done by the register
// file, 6.18).
//
// The fqen 0 -> 1 / 1 -> 0 side effects (fqt := 0, fqmf/fqof cleared, fqon
// set/cleared) are architected register behaviour and live in RegisterFile;
// this class keeps no state that they would have to reset.
//
// Timing: a record costs the four doubleword stores issued through
// WalkMemory (their latency is added to the caller's delay); there is no
// extra per-record cost.
//
// Does not model: fault-record coalescing or rate limiting (the spec allows
// an implementation to suppress duplicates; this one writes every record),
// the custom field of doubleword 1, a delayed fqon/busy transition.
#pragma once

#include <cstdint>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu {

// One fault/event record (3.2), in host form.
struct FaultRecord {
  uint32_t cause = 0;  // cause:: codes
  uint32_t ttyp = 0;   // ttyp:: codes
  uint32_t did = 0;    // device_id (24 bits)
  bool pv = false;     // PID is valid
  uint32_t pid = 0;    // process_id (20 bits)
  bool priv = false;   // supervisor-privileged transaction (only with PV)
  uint64_t iotval = 0;
  uint64_t iotval2 = 0;

  // The four doublewords as the IOMMU stores them (host values; the byte
  // order in memory is the queue's business). Applies the field rules of
  // 3.2: with TTYP 0 the DID/PV/PID/PRIV fields are 0; with PV 0 the PID
  // and PRIV fields are 0. Out-of-range values are truncated to the field.
  void encode(uint64_t dw[4]) const;
  // The inverse, for tests and trace tools.
  static FaultRecord decode(const uint64_t dw[4]);
};

class FaultQueue {
 public:
  enum class DropReason : unsigned {
    kQueueOff,      // fqcsr.fqon is 0
    kErrorPending,  // fqof or fqmf already set: records are discarded (6.16)
    kOverflow,      // queue full: this record set fqof
    kMemoryFault,   // the store faulted: this record set fqmf
  };
  static constexpr unsigned kDropReasons = 4;

  FaultQueue(RegisterFile& regs, WalkMemory& memory);
  FaultQueue(const FaultQueue&) = delete;
  FaultQueue& operator=(const FaultQueue&) = delete;

  // Queues `record`; returns true if it was written to the fault queue.
  // The stores' latency is added to `delay`.
  bool report(const FaultRecord& record, sc_core::sc_time& delay);

  // ---- Statistics
  uint64_t records_written() const { return written_; }
  uint64_t records_dropped() const;
  uint64_t records_dropped(DropReason r) const { return dropped_[unsigned(r)]; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  bool drop(DropReason r);

  RegisterFile& regs_;
  WalkMemory& memory_;
  uint64_t written_ = 0;
  uint64_t dropped_[kDropReasons] = {};
};

}  // namespace vp::iommu
