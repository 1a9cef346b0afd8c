#include "models/iommu/fault_queue.h"

#include <sstream>

#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu {

namespace fr = fault_record;
namespace r = regs;

void FaultRecord::encode(uint64_t dw[4]) const {
  // 3.2: "The DID, PV, PID, and PRIV fields are 0 if TTYP is 0"; "If PV is
  // 0, then PID and PRIV are 0".
  const bool has_requester = ttyp != ttyp::kNone;
  const bool has_pid = has_requester && pv;
  dw[0] = fr::kCause.make(cause) | fr::kTtyp.make(ttyp);
  if (has_requester) dw[0] |= fr::kDid.make(did);
  if (has_pid) dw[0] |= fr::kPv.make(1) | fr::kPid.make(pid) | fr::kPriv.make(priv);
  dw[1] = 0;  // bits 31:0 custom, 63:32 reserved
  dw[2] = iotval;
  dw[3] = iotval2;
}

FaultRecord FaultRecord::decode(const uint64_t dw[4]) {
  FaultRecord rec;
  rec.cause = uint32_t(fr::kCause.get(dw[0]));
  rec.ttyp = uint32_t(fr::kTtyp.get(dw[0]));
  rec.did = uint32_t(fr::kDid.get(dw[0]));
  rec.pv = fr::kPv.test(dw[0]);
  rec.pid = uint32_t(fr::kPid.get(dw[0]));
  rec.priv = fr::kPriv.test(dw[0]);
  rec.iotval = dw[2];
  rec.iotval2 = dw[3];
  return rec;
}

FaultQueue::FaultQueue(RegisterFile& regs, WalkMemory& memory) : regs_(regs), memory_(memory) {}

bool FaultQueue::drop(DropReason reason) {
  ++dropped_[unsigned(reason)];
  return false;
}

bool FaultQueue::report(const FaultRecord& record, sc_core::sc_time& delay) {
  if (!regs_.fq_on()) return drop(DropReason::kQueueOff);
  const uint32_t csr = regs_.fqcsr();
  // 6.16: while fqof or fqmf is set no more records are generated.
  if (csr & (r::fqcsr::fqof.mask() | r::fqcsr::fqmf.mask())) return drop(DropReason::kErrorPending);

  const uint64_t entries = regs_.fq_entries();
  const uint32_t tail = regs_.fqt();
  const uint32_t next = uint32_t((tail + 1) % entries);
  if (next == regs_.fqh()) {
    // 3.2: full when fqt == fqh - 1; the record is discarded. Setting fqof
    // raises fip when fie is 1 (6.18, done by the register file).
    regs_.set_fqcsr_bits(uint32_t(r::fqcsr::fqof.mask()));
    return drop(DropReason::kOverflow);
  }

  uint64_t dw[4];
  record.encode(dw);
  const uint64_t slot = regs_.fq_base() + uint64_t(tail) * r::kFaultRecordBytes;
  if (!store_doublewords(memory_, slot, dw, 4, regs_.fctl_be(), delay)) {
    regs_.set_fqcsr_bits(uint32_t(r::fqcsr::fqmf.mask()));
    return drop(DropReason::kMemoryFault);
  }
  regs_.set_fqt(next);
  ++written_;
  if (regs_.params().log_faults) {
    std::ostringstream os;
    os << "fault record " << tail << ": cause " << record.cause << " (" << cause::name(record.cause)
       << "), ttyp " << record.ttyp << ", did 0x" << std::hex << record.did;
    if (record.pv) os << ", pid 0x" << record.pid << (record.priv ? " (S)" : " (U)");
    os << ", iotval 0x" << record.iotval << ", iotval2 0x" << record.iotval2;
    SC_REPORT_INFO("iommu.fq", os.str().c_str());
  }
  // 6.18: a new record in the FQ sets fip when fqcsr.fie is 1.
  regs_.raise_if_enabled(r::InterruptCause::kFaultQueue);
  return true;
}

uint64_t FaultQueue::records_dropped() const {
  uint64_t n = 0;
  for (uint64_t d : dropped_) n += d;
  return n;
}

void FaultQueue::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("fault_queue");
  v.value("records_written", double(written_));
  v.value("dropped_queue_off", double(dropped_[unsigned(DropReason::kQueueOff)]));
  v.value("dropped_error_pending", double(dropped_[unsigned(DropReason::kErrorPending)]));
  v.value("dropped_overflow", double(dropped_[unsigned(DropReason::kOverflow)]));
  v.value("dropped_memory_fault", double(dropped_[unsigned(DropReason::kMemoryFault)]));
  v.end_group();
}

}  // namespace vp::iommu
