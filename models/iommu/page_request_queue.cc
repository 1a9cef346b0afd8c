#include "models/iommu/page_request_queue.h"

#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu {

namespace pr = page_request;
namespace r = regs;

void PageRequestRecord::encode(uint64_t dw[2]) const {
  // 3.3: PRIV and EXEC are 0 if the message had no PASID; "all other fields
  // are set to 0".
  dw[0] = pr::kDid.make(did);
  if (pv)
    dw[0] |= pr::kPv.make(1) | pr::kPid.make(pid) | pr::kPriv.make(priv) | pr::kExec.make(exec);
  dw[1] = payload;
}

PageRequestRecord PageRequestRecord::decode(const uint64_t dw[2]) {
  PageRequestRecord rec;
  rec.did = uint32_t(pr::kDid.get(dw[0]));
  rec.pv = pr::kPv.test(dw[0]);
  rec.pid = uint32_t(pr::kPid.get(dw[0]));
  rec.priv = pr::kPriv.test(dw[0]);
  rec.exec = pr::kExec.test(dw[0]);
  rec.payload = dw[1];
  return rec;
}

PageRequestQueue::PageRequestQueue(RegisterFile& regs, WalkMemory& memory)
    : regs_(regs), memory_(memory) {}

PageRequestQueue::Outcome PageRequestQueue::report(const PageRequestRecord& record,
                                                   sc_core::sc_time& delay) {
  if (!regs_.pq_on()) return done(Outcome::kQueueOff);
  // 3.3: while either error bit is set every message is discarded.
  const uint32_t csr = regs_.pqcsr();
  if (csr & r::pqcsr::pqmf.mask()) return done(Outcome::kMemoryFault);
  if (csr & r::pqcsr::pqof.mask()) return done(Outcome::kOverflow);

  const uint32_t tail = regs_.pqt();
  const uint32_t next = uint32_t((tail + 1) % regs_.pq_entries());
  if (next == regs_.pqh()) {  // full: pqt == pqh - 1
    regs_.set_pqcsr_bits(uint32_t(r::pqcsr::pqof.mask()));
    return done(Outcome::kOverflow);
  }
  uint64_t dw[2];
  record.encode(dw);
  const uint64_t slot = regs_.pq_base() + uint64_t(tail) * pr::kSize;
  if (!store_doublewords(memory_, slot, dw, 2, regs_.fctl_be(), delay)) {
    regs_.set_pqcsr_bits(uint32_t(r::pqcsr::pqmf.mask()));
    return done(Outcome::kMemoryFault);
  }
  regs_.set_pqt(next);
  // 3.3: a new record sets ipsr.pip when pqcsr.pie is 1 (the error-bit case
  // is the register file's, 6.18).
  regs_.raise_if_enabled(r::InterruptCause::kPageRequestQueue);
  return done(Outcome::kQueued);
}

void PageRequestQueue::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("page_request_queue");
  v.value("records_written", double(count(Outcome::kQueued)));
  v.value("dropped_queue_off", double(count(Outcome::kQueueOff)));
  v.value("dropped_memory_fault", double(count(Outcome::kMemoryFault)));
  v.value("dropped_overflow", double(count(Outcome::kOverflow)));
  v.end_group();
}

}  // namespace vp::iommu
