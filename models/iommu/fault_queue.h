// FaultQueue: writes 32-byte fault records into the in-memory fault queue.
//
// Spec: RISC-V IOMMU 1.0, 3.2 (fault/event queue, record format, fqt/fqh),
// 6.16 (fqcsr: fqon, fqmf, fqof), 6.18 (ipsr.fip). A record is written at
// fqb.PPN * 4096 + fqt * 32 in the byte order of fctl.BE, then fqt
// advances. The queue is full when fqt + 1 == fqh (mod size): the record is
// dropped and fqof set. A bus error writing the record sets fqmf. While fqof
// or fqmf is set, or the queue is off, records are dropped. Each queued
// record raises ipsr.fip when fqcsr.fie is 1.
// Not modeled: the queue-full record-coalescing some implementations do.
#pragma once

#include <cstdint>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu {

struct FaultRecord {
  uint32_t cause = 0;
  uint32_t ttyp = 0;
  uint32_t did = 0;
  bool pv = false;
  uint32_t pid = 0;
  bool priv = false;
  uint64_t iotval = 0;
  uint64_t iotval2 = 0;

  // The four doublewords of 3.2 (little-endian values).
  void encode(uint64_t dw[4]) const;
  static FaultRecord decode(const uint64_t dw[4]);
};

class FaultQueue {
 public:
  FaultQueue(RegisterFile& regs, WalkMemory& memory) : regs_(regs), memory_(memory) {}

  // Queues `rec`; adds the write's memory time to `delay`. Returns true if
  // the record was written.
  bool report(const FaultRecord& rec, sc_core::sc_time& delay);

  uint64_t records() const { return records_; }
  uint64_t dropped_off() const { return dropped_off_; }
  uint64_t dropped_full() const { return dropped_full_; }
  uint64_t dropped_error() const { return dropped_error_; }
  uint64_t memory_faults() const { return memory_faults_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  RegisterFile& regs_;
  WalkMemory& memory_;
  uint64_t records_ = 0, dropped_off_ = 0, dropped_full_ = 0, dropped_error_ = 0;
  uint64_t memory_faults_ = 0;
};

}  // namespace vp::iommu
