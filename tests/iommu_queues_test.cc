// RISC-V IOMMU in-memory queues: the fault queue (In-memory queues 3.2) and
// the command queue (3.1), driven as a driver would: register writes through
// the RegisterFile and queue entries in guest memory.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/iommu/fault_queue.h"
#include "models/iommu/register_file.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "support/map_walk_memory.h"

using namespace vp::iommu;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using vp::test::MapWalkMemory;
namespace r = vp::iommu::regs;

namespace {

constexpr uint64_t kFqBase = 0x80040000;
constexpr uint64_t kCqBase = 0x80080000;

uint64_t rd(RegisterFile& rf, uint64_t off, unsigned size = 4) {
  uint64_t v = ~0ull;
  REQUIRE(rf.read(off, size, &v));
  return v;
}

void wr(RegisterFile& rf, uint64_t off, uint64_t v, unsigned size = 4) {
  REQUIRE(rf.write(off, size, v));
}

// Queue base register value (6.6/6.9): PPN in bits 53:10, LOG2SZ-1 in 4:0.
uint64_t queue_base(uint64_t pa, unsigned log2sz) {
  return r::qb::PPN.put(pa >> 12) | r::qb::LOG2SZ_1.put(log2sz - 1);
}

// Programs the FQ as the Linux driver does: base, head, then enable.
void enable_fq(RegisterFile& rf, unsigned log2sz, bool fie, uint64_t base = kFqBase) {
  wr(rf, r::kFqb, queue_base(base, log2sz), 8);
  wr(rf, r::kFqh, 0);
  wr(rf, r::kFqcsr, r::fqcsr::fqen.put(1) | r::fqcsr::fie.put(fie));
  REQUIRE(rf.fq_on());
}

FaultRecord sample_record(uint32_t n = 0) {
  FaultRecord rec;
  rec.cause = cause::kWritePageFault;
  rec.ttyp = ttyp::kUntranslatedWrite;
  rec.did = 0xabcdef;
  rec.pv = true;
  rec.pid = 0x12345;
  rec.priv = true;
  rec.iotval = 0x7fff0000ull + n * 0x1000;
  rec.iotval2 = 0x1122334455667788ull;
  return rec;
}

// The record at FQ index `i` as software reads it (little-endian queue).
std::vector<uint64_t> fq_slot(const MapWalkMemory& mem, uint32_t i, uint64_t base = kFqBase) {
  std::vector<uint64_t> dw;
  for (unsigned k = 0; k < 4; ++k) dw.push_back(mem.peek(base + 32ull * i + 8 * k));
  return dw;
}

}  // namespace

// ---------------------------------------------------------------------------
// Fault queue
// ---------------------------------------------------------------------------

TEST_CASE("fault record fields are placed as in the spec's record layout") {
  IommuParams p;
  RegisterFile rf(p);
  MapWalkMemory mem;
  FaultQueue fq(rf, mem);
  enable_fq(rf, 4, false);

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(fq.report(sample_record(), delay));
  // Four doubleword stores, nothing else.
  CHECK(delay == mem.per_access() * 4.0);
  const auto dw = fq_slot(mem, 0);
  // 3.2: CAUSE 11:0, PID 31:12, PV 32, PRIV 33, TTYP 39:34, DID 63:40.
  CHECK((dw[0] & 0xfff) == 15);
  CHECK(((dw[0] >> 12) & 0xfffff) == 0x12345);
  CHECK(((dw[0] >> 32) & 1) == 1);
  CHECK(((dw[0] >> 33) & 1) == 1);
  CHECK(((dw[0] >> 34) & 0x3f) == 3);
  CHECK((dw[0] >> 40) == 0xabcdef);
  CHECK(dw[1] == 0);
  CHECK(dw[2] == 0x7fff0000ull);
  CHECK(dw[3] == 0x1122334455667788ull);
  CHECK(rd(rf, r::kFqt) == 1);
  CHECK(fq.records_written() == 1);

  // PV=0: PID and PRIV are reported as 0.
  FaultRecord no_pid = sample_record();
  no_pid.pv = false;
  REQUIRE(fq.report(no_pid, delay));
  auto dw1 = fq_slot(mem, 1);
  CHECK(((dw1[0] >> 12) & 0xfffff) == 0);
  CHECK(((dw1[0] >> 32) & 3) == 0);
  CHECK((dw1[0] >> 40) == 0xabcdef);

  // TTYP=0: DID, PV, PID and PRIV are 0 (e.g. an IOMMU MSI write fault).
  FaultRecord no_txn = sample_record();
  no_txn.cause = cause::kIommuMsiWriteAccessFault;
  no_txn.ttyp = ttyp::kNone;
  no_txn.iotval = 0xfee00000;
  REQUIRE(fq.report(no_txn, delay));
  auto dw2 = fq_slot(mem, 2);
  CHECK(dw2[0] == 273);
  CHECK(dw2[2] == 0xfee00000);

  // decode() is the inverse of encode() for a record obeying the rules.
  uint64_t raw[4] = {dw[0], dw[1], dw[2], dw[3]};
  const FaultRecord back = FaultRecord::decode(raw);
  CHECK(back.cause == 15);
  CHECK(back.pid == 0x12345);
  CHECK(back.did == 0xabcdef);
  CHECK(back.iotval2 == 0x1122334455667788ull);
}

TEST_CASE("fault queue advances fqt, raises fip per record and wraps around") {
  IommuParams p;
  RegisterFile rf(p);
  MapWalkMemory mem;
  FaultQueue fq(rf, mem);
  std::vector<r::InterruptCause> pending;
  rf.on_interrupt_pending = [&](r::InterruptCause c) { pending.push_back(c); };
  enable_fq(rf, 2, true);  // 4 entries, 3 usable

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(fq.report(sample_record(0), delay));
  CHECK(rd(rf, r::kFqt) == 1);
  CHECK(rd(rf, r::kIpsr) == r::ipsr::fip.mask());
  REQUIRE(pending.size() == 1);
  CHECK(pending[0] == r::InterruptCause::kFaultQueue);
  // fip stays set: a second record does not signal again until cleared.
  REQUIRE(fq.report(sample_record(1), delay));
  CHECK(pending.size() == 1);
  wr(rf, r::kIpsr, r::ipsr::fip.mask());  // W1C
  CHECK(rd(rf, r::kIpsr) == 0);
  REQUIRE(fq.report(sample_record(2), delay));
  CHECK(rd(rf, r::kIpsr) == r::ipsr::fip.mask());
  CHECK(pending.size() == 2);
  CHECK(rd(rf, r::kFqt) == 3);

  // Software consumed two records: two more fit, the second wraps to 0.
  wr(rf, r::kFqh, 2);
  REQUIRE(fq.report(sample_record(3), delay));
  CHECK(rd(rf, r::kFqt) == 0);
  REQUIRE(fq.report(sample_record(4), delay));
  CHECK(rd(rf, r::kFqt) == 1);
  CHECK(fq_slot(mem, 3)[2] == 0x7fff0000ull + 3 * 0x1000);
  CHECK(fq_slot(mem, 0)[2] == 0x7fff0000ull + 4 * 0x1000);  // overwrote record 0
  CHECK(fq_slot(mem, 1)[2] == 0x7fff0000ull + 1 * 0x1000);  // not yet consumed
  CHECK(fq.records_written() == 5);
  CHECK(fq.records_dropped() == 0);
  CHECK((rd(rf, r::kFqcsr) & (r::fqcsr::fqof.mask() | r::fqcsr::fqmf.mask())) == 0);
}

TEST_CASE("fault queue full sets fqof and discards records until fqof is cleared") {
  IommuParams p;
  RegisterFile rf(p);
  MapWalkMemory mem;
  FaultQueue fq(rf, mem);
  enable_fq(rf, 2, false);

  sc_time delay = SC_ZERO_TIME;
  for (uint32_t i = 0; i < 3; ++i) REQUIRE(fq.report(sample_record(i), delay));
  CHECK(rd(rf, r::kFqt) == 3);
  const uint64_t writes_before = mem.writes;
  // fqt == fqh - 1 (mod 4): full.
  CHECK_FALSE(fq.report(sample_record(3), delay));
  CHECK(r::fqcsr::fqof.get(rd(rf, r::kFqcsr)) == 1);
  CHECK(rd(rf, r::kFqt) == 3);
  CHECK(mem.writes == writes_before);
  CHECK(fq.records_dropped(FaultQueue::DropReason::kOverflow) == 1);
  // fie was 0: no interrupt.
  CHECK(rd(rf, r::kIpsr) == 0);

  // Space is available again, but fqof discards records until cleared.
  wr(rf, r::kFqh, 3);
  CHECK_FALSE(fq.report(sample_record(4), delay));
  CHECK(fq.records_dropped(FaultQueue::DropReason::kErrorPending) == 1);
  CHECK(mem.writes == writes_before);

  // Enabling fie while fqof is set raises fip (6.18 level condition).
  wr(rf, r::kFqcsr, r::fqcsr::fqen.put(1) | r::fqcsr::fie.put(1));
  CHECK(rd(rf, r::kIpsr) == r::ipsr::fip.mask());

  wr(rf, r::kFqcsr, r::fqcsr::fqen.put(1) | r::fqcsr::fie.put(1) | r::fqcsr::fqof.put(1));
  CHECK(r::fqcsr::fqof.get(rd(rf, r::kFqcsr)) == 0);
  REQUIRE(fq.report(sample_record(5), delay));
  CHECK(rd(rf, r::kFqt) == 0);
  CHECK(fq_slot(mem, 3)[2] == 0x7fff0000ull + 5 * 0x1000);
  CHECK(fq.records_written() == 4);
}

TEST_CASE("fault queue store fault sets fqmf, raises fip and discards records") {
  IommuParams p;
  RegisterFile rf(p);
  MapWalkMemory mem;
  mem.add_fault_range(kFqBase, 0x1000);
  FaultQueue fq(rf, mem);
  enable_fq(rf, 4, true);

  sc_time delay = SC_ZERO_TIME;
  CHECK_FALSE(fq.report(sample_record(), delay));
  CHECK(r::fqcsr::fqmf.get(rd(rf, r::kFqcsr)) == 1);
  CHECK(rd(rf, r::kFqt) == 0);
  CHECK(rd(rf, r::kIpsr) == r::ipsr::fip.mask());
  CHECK(fq.records_dropped(FaultQueue::DropReason::kMemoryFault) == 1);
  CHECK(delay == mem.per_access());  // the first store faulted

  const uint64_t writes = mem.writes;
  CHECK_FALSE(fq.report(sample_record(), delay));
  CHECK(mem.writes == writes);
  CHECK(fq.records_dropped(FaultQueue::DropReason::kErrorPending) == 1);

  // Re-enabling the queue (fqen 1 -> 0 -> 1) clears fqmf and fqt (6.16).
  wr(rf, r::kFqcsr, 0);
  CHECK_FALSE(rf.fq_on());
  CHECK_FALSE(fq.report(sample_record(), delay));
  CHECK(fq.records_dropped(FaultQueue::DropReason::kQueueOff) == 1);
  wr(rf, r::kFqb, queue_base(kFqBase + 0x1000, 4), 8);
  wr(rf, r::kFqcsr, r::fqcsr::fqen.put(1));
  CHECK(r::fqcsr::fqmf.get(rd(rf, r::kFqcsr)) == 0);
  REQUIRE(fq.report(sample_record(), delay));
  CHECK(fq_slot(mem, 0, kFqBase + 0x1000)[3] == 0x1122334455667788ull);
  CHECK(rd(rf, r::kFqt) == 1);
}

TEST_CASE("fault queue with fctl.BE stores big-endian records") {
  IommuParams p;
  p.end = true;
  RegisterFile rf(p);
  MapWalkMemory mem;
  FaultQueue fq(rf, mem);
  wr(rf, r::kFctl, r::fctl::BE.put(1));
  REQUIRE(rf.fctl_be());
  enable_fq(rf, 4, false);

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(fq.report(sample_record(), delay));
  const auto dw = fq_slot(mem, 0);
  CHECK(dw[3] == 0x8877665544332211ull);
  CHECK(__builtin_bswap64(dw[2]) == 0x7fff0000ull);
  CHECK((__builtin_bswap64(dw[0]) & 0xfff) == 15);
}

TEST_CASE("fault queue reports its statistics") {
  IommuParams p;
  RegisterFile rf(p);
  MapWalkMemory mem;
  FaultQueue fq(rf, mem);
  sc_time delay = SC_ZERO_TIME;
  CHECK_FALSE(fq.report(sample_record(), delay));  // queue off
  enable_fq(rf, 4, false);
  REQUIRE(fq.report(sample_record(), delay));

  struct Collect : vp::common::StatsVisitor {
    std::map<std::string, double> values;
    void begin_group(const std::string&) override {}
    void end_group() override {}
    void value(const std::string& n, double v, const std::string&) override { values[n] = v; }
    void histogram(const std::string&, const vp::common::Histogram&,
                   const std::string&) override {}
  } c;
  fq.report_stats(c);
  CHECK(c.values["records_written"] == 1);
  CHECK(c.values["dropped_queue_off"] == 1);
  CHECK(c.values["dropped_overflow"] == 0);
}
