#include "models/iommu/fault_queue.h"

namespace vp::iommu {

namespace fr = fault_record;

void FaultRecord::encode(uint64_t dw[4]) const {
  dw[0] = fr::kCause.make(cause) | fr::kPid.make(pid) | fr::kPv.make(pv) | fr::kPriv.make(priv) |
          fr::kTtyp.make(ttyp) | fr::kDid.make(did);
  dw[1] = 0;  // custom (31:0) and reserved (63:32)
  dw[2] = iotval;
  dw[3] = iotval2;
}

FaultRecord FaultRecord::decode(const uint64_t dw[4]) {
  FaultRecord r;
  r.cause = uint32_t(fr::kCause.get(dw[0]));
  r.pid = uint32_t(fr::kPid.get(dw[0]));
  r.pv = fr::kPv.get(dw[0]);
  r.priv = fr::kPriv.get(dw[0]);
  r.ttyp = uint32_t(fr::kTtyp.get(dw[0]));
  r.did = uint32_t(fr::kDid.get(dw[0]));
  r.iotval = dw[2];
  r.iotval2 = dw[3];
  return r;
}

bool FaultQueue::report(const FaultRecord& rec, sc_core::sc_time& delay) {
  namespace f = regs::fqcsr;
  const uint32_t csr = regs_.fqcsr();
  if (!f::fqon.get(csr)) {
    ++dropped_off_;
    return false;
  }
  if (f::fqmf.get(csr) || f::fqof.get(csr)) {
    ++dropped_error_;
    return false;
  }
  const uint64_t size = regs_.fq_entries();
  const uint32_t tail = regs_.fqt();
  if ((tail + 1) % size == regs_.fqh() % size) {
    ++dropped_full_;
    regs_.set_fqcsr_bits(uint32_t(f::fqof.mask()));
    return false;
  }
  uint64_t dw[4];
  rec.encode(dw);
  const uint64_t base = regs_.fq_base() + uint64_t(tail) * fr::kSize;
  for (unsigned i = 0; i < 4; ++i) {
    const uint64_t v = regs_.fctl_be() ? __builtin_bswap64(dw[i]) : dw[i];
    if (!memory_.write64(base + 8 * i, v, delay)) {
      ++memory_faults_;
      regs_.set_fqcsr_bits(uint32_t(f::fqmf.mask()));
      return false;
    }
  }
  regs_.set_fqt(uint32_t((tail + 1) % size));
  ++records_;
  regs_.raise_if_enabled(regs::InterruptCause::kFaultQueue);
  return true;
}

void FaultQueue::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("fault_queue");
  v.value("records", double(records_));
  v.value("dropped_queue_off", double(dropped_off_));
  v.value("dropped_queue_full", double(dropped_full_));
  v.value("dropped_error_pending", double(dropped_error_));
  v.value("memory_faults", double(memory_faults_));
  v.end_group();
}

}  // namespace vp::iommu
