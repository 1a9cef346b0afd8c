// RISC-V IOMMU performance monitor: event selection, the iohpmevt ID
// filters, inhibit, overflow and pmip, and the live cycle counter (spec
// 6.19-6.23).
#include <catch2/catch.hpp>
#include <vector>

#include "models/iommu/hpm.h"
#include "models/iommu/register_file.h"

using vp::iommu::Hpm;
using vp::iommu::HpmRequest;
using vp::iommu::IommuParams;
using vp::iommu::RegisterFile;
namespace r = vp::iommu::regs;
using Ev = r::HpmEvent;

namespace {

const sc_core::sc_time kPeriod(1, sc_core::SC_NS);

uint64_t rd(RegisterFile& rf, uint64_t off, unsigned size = 8) {
  uint64_t v = ~0ull;
  REQUIRE(rf.read(off, size, &v));
  return v;
}

void wr(RegisterFile& rf, uint64_t off, uint64_t v, unsigned size = 8) {
  REQUIRE(rf.write(off, size, v));
}

// An iohpmevt value.
struct Evt {
  Ev event = Ev::kNone;
  bool dmask = false;
  uint32_t pid_pscid = 0;
  uint32_t did_gscid = 0;
  bool pv_pscv = false;
  bool dv_gscv = false;
  bool idt = false;
  uint64_t value() const {
    uint64_t v = 0;
    v = r::iohpmevt::eventID.with(v, uint64_t(event));
    v = r::iohpmevt::DMASK.with(v, dmask);
    v = r::iohpmevt::PID_PSCID.with(v, pid_pscid);
    v = r::iohpmevt::DID_GSCID.with(v, did_gscid);
    v = r::iohpmevt::PV_PSCV.with(v, pv_pscv);
    v = r::iohpmevt::DV_GSCV.with(v, dv_gscv);
    v = r::iohpmevt::IDT.with(v, idt);
    return v;
  }
};

IommuParams params(unsigned counters = 8) {
  IommuParams p;
  p.hpm_counters = counters;
  return p;
}

HpmRequest device(uint32_t did) {
  HpmRequest q;
  q.device_id = did;
  return q;
}

}  // namespace

TEST_CASE("hpm counts the programmed event only, and not after reprogramming") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  wr(rf, r::iohpmevt_offset(1), Evt{Ev::kUntranslatedRequests}.value());
  wr(rf, r::iohpmevt_offset(2), Evt{Ev::kTlbMiss}.value());
  wr(rf, r::iohpmctr_offset(2), 100);
  for (int i = 0; i < 3; ++i) hpm.count(Ev::kUntranslatedRequests, device(1));
  hpm.count(Ev::kTlbMiss, device(1));
  hpm.count(Ev::kFirstStageWalks, device(1));  // nobody counts it
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 3);
  CHECK(rd(rf, r::iohpmctr_offset(2)) == 101);
  CHECK(rd(rf, r::iohpmctr_offset(3)) == 0);
  // 6.23: changing eventID (here to 0) keeps the value and stops counting.
  wr(rf, r::iohpmevt_offset(1), Evt{Ev::kNone}.value());
  hpm.count(Ev::kUntranslatedRequests, device(1));
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 3);
  // Two counters may count the same event.
  wr(rf, r::iohpmevt_offset(1), Evt{Ev::kTlbMiss}.value());
  hpm.count(Ev::kTlbMiss, device(1));
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 4);
  CHECK(rd(rf, r::iohpmctr_offset(2)) == 102);
  CHECK(hpm.events_counted() == 6);
}

TEST_CASE("hpm iocountinh inhibits event counters and releasing it resumes") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  wr(rf, r::iohpmevt_offset(1), Evt{Ev::kTranslatedRequests}.value());
  wr(rf, r::iohpmevt_offset(5), Evt{Ev::kTranslatedRequests}.value());
  wr(rf, r::kIocountinh, 1u << 5, 4);
  hpm.count(Ev::kTranslatedRequests, device(7));
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 1);
  CHECK(rd(rf, r::iohpmctr_offset(5)) == 0);
  wr(rf, r::kIocountinh, 0, 4);
  hpm.count(Ev::kTranslatedRequests, device(7));
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 2);
  CHECK(rd(rf, r::iohpmctr_offset(5)) == 1);
}

TEST_CASE("hpm DV filter by device_id: exact and DMASK partial matches") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  // Counter 1: exactly 00:02.3 (bus 0, dev 2, fn 3) = 0x13.
  Evt exact{Ev::kAtsTranslationRequests};
  exact.dv_gscv = true;
  exact.did_gscid = 0x13;
  // Counter 2: bus 0x05 dev 2, any function: DID ...yyyyy011 (6.23 example).
  Evt any_fn{Ev::kAtsTranslationRequests};
  any_fn.dv_gscv = true;
  any_fn.dmask = true;
  any_fn.did_gscid = 0x0510 | 0x3;
  // Counter 3: segment 0x01, bus 0x05, any dev:fn: low byte 01111111.
  Evt any_devfn{Ev::kAtsTranslationRequests};
  any_devfn.dv_gscv = true;
  any_devfn.dmask = true;
  any_devfn.did_gscid = 0x01057f;
  // Counter 4: DMASK with a DID ending in 0 masks only bit 0.
  Evt pair{Ev::kAtsTranslationRequests};
  pair.dv_gscv = true;
  pair.dmask = true;
  pair.did_gscid = 0x40;
  wr(rf, r::iohpmevt_offset(1), exact.value());
  wr(rf, r::iohpmevt_offset(2), any_fn.value());
  wr(rf, r::iohpmevt_offset(3), any_devfn.value());
  wr(rf, r::iohpmevt_offset(4), pair.value());

  auto ctr = [&](unsigned n) { return rd(rf, r::iohpmctr_offset(n)); };
  hpm.count(Ev::kAtsTranslationRequests, device(0x13));
  CHECK(ctr(1) == 1);
  hpm.count(Ev::kAtsTranslationRequests, device(0x12));
  CHECK(ctr(1) == 1);
  // 0x0510..0x0517 is bus 5 dev 2 fn 0..7.
  for (uint32_t fn = 0; fn < 8; ++fn) hpm.count(Ev::kAtsTranslationRequests, device(0x0510 + fn));
  CHECK(ctr(2) == 8);
  hpm.count(Ev::kAtsTranslationRequests, device(0x0518));  // dev 3
  hpm.count(Ev::kAtsTranslationRequests, device(0x050f));  // dev 1
  hpm.count(Ev::kAtsTranslationRequests, device(0x1510));  // another segment
  CHECK(ctr(2) == 8);
  // Counter 3 saw segment 1 bus 5 only: none so far.
  CHECK(ctr(3) == 0);
  hpm.count(Ev::kAtsTranslationRequests, device(0x010500));
  hpm.count(Ev::kAtsTranslationRequests, device(0x0105ff));
  hpm.count(Ev::kAtsTranslationRequests, device(0x010600));
  CHECK(ctr(3) == 2);
  CHECK(ctr(4) == 0);
  hpm.count(Ev::kAtsTranslationRequests, device(0x40));
  hpm.count(Ev::kAtsTranslationRequests, device(0x41));
  hpm.count(Ev::kAtsTranslationRequests, device(0x42));
  CHECK(ctr(4) == 2);
  CHECK(hpm.matches(2, Ev::kAtsTranslationRequests, device(0x0517)));
  CHECK_FALSE(hpm.matches(2, Ev::kTlbMiss, device(0x0517)));
}

TEST_CASE("hpm PV filter by process_id counts only requests with a matching PASID") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  Evt by_pid{Ev::kUntranslatedRequests};
  by_pid.pv_pscv = true;
  by_pid.pid_pscid = 0x12345;
  Evt by_both = by_pid;  // device_id and process_id
  by_both.dv_gscv = true;
  by_both.did_gscid = 0x100;
  wr(rf, r::iohpmevt_offset(1), by_pid.value());
  wr(rf, r::iohpmevt_offset(2), by_both.value());
  HpmRequest q = device(0x100);
  hpm.count(Ev::kUntranslatedRequests, q);  // no PASID: a filter by PID does not match
  q.pv = true;
  q.process_id = 0x12344;
  hpm.count(Ev::kUntranslatedRequests, q);
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 0);
  q.process_id = 0x12345;
  hpm.count(Ev::kUntranslatedRequests, q);
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 1);
  CHECK(rd(rf, r::iohpmctr_offset(2)) == 1);
  q.device_id = 0x101;
  hpm.count(Ev::kUntranslatedRequests, q);
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 2);
  CHECK(rd(rf, r::iohpmctr_offset(2)) == 1);
  // A stale PID with pv clear does not match.
  q.pv = false;
  hpm.count(Ev::kUntranslatedRequests, q);
  CHECK(rd(rf, r::iohpmctr_offset(1)) == 2);
}

TEST_CASE("hpm IDT=1 filters by GSCID/PSCID and only for events that support it") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  Evt by_gscid{Ev::kSecondStageWalks};
  by_gscid.idt = true;
  by_gscid.dv_gscv = true;
  by_gscid.did_gscid = 9;
  Evt by_pscid{Ev::kFirstStageWalks};
  by_pscid.idt = true;
  by_pscid.pv_pscv = true;
  by_pscid.pid_pscid = 77;
  Evt by_both{Ev::kTlbMiss};
  by_both.idt = true;
  by_both.dv_gscv = true;
  by_both.did_gscid = 9;
  by_both.pv_pscv = true;
  by_both.pid_pscid = 77;
  // IDT=1 on an event whose supported IDT is 0 only (6.23 table): never
  // increments, even without ID filters.
  Evt unsupported{Ev::kDeviceDirectoryWalks};
  unsupported.idt = true;
  Evt unfiltered_idt1{Ev::kFirstStageWalks};
  unfiltered_idt1.idt = true;
  wr(rf, r::iohpmevt_offset(1), by_gscid.value());
  wr(rf, r::iohpmevt_offset(2), by_pscid.value());
  wr(rf, r::iohpmevt_offset(3), by_both.value());
  wr(rf, r::iohpmevt_offset(4), unsupported.value());
  wr(rf, r::iohpmevt_offset(5), unfiltered_idt1.value());
  auto ctr = [&](unsigned n) { return rd(rf, r::iohpmctr_offset(n)); };

  HpmRequest q;
  q.device_id = 9;  // equal to the GSCID filter: must not matter with IDT=1
  q.gscid = 9;      // but gscv = 0: no second stage, GSCID not valid
  hpm.count(Ev::kSecondStageWalks, q);
  CHECK(ctr(1) == 0);
  q.gscv = true;
  hpm.count(Ev::kSecondStageWalks, q);
  CHECK(ctr(1) == 1);
  q.gscid = 8;
  hpm.count(Ev::kSecondStageWalks, q);
  CHECK(ctr(1) == 1);

  HpmRequest s;
  s.pv = true;
  s.process_id = 77;  // a process_id equal to the filter does not count with IDT=1
  hpm.count(Ev::kFirstStageWalks, s);
  CHECK(ctr(2) == 0);
  CHECK(ctr(5) == 1);
  s.pscv = true;
  s.pscid = 77;
  hpm.count(Ev::kFirstStageWalks, s);
  CHECK(ctr(2) == 1);
  CHECK(ctr(5) == 2);

  HpmRequest b;
  b.gscv = b.pscv = true;
  b.gscid = 9;
  b.pscid = 76;
  hpm.count(Ev::kTlbMiss, b);
  CHECK(ctr(3) == 0);
  b.pscid = 77;
  hpm.count(Ev::kTlbMiss, b);
  CHECK(ctr(3) == 1);
  b.gscv = false;
  hpm.count(Ev::kTlbMiss, b);
  CHECK(ctr(3) == 1);

  hpm.count(Ev::kDeviceDirectoryWalks, device(0));
  CHECK(ctr(4) == 0);
  CHECK_FALSE(hpm.matches(4, Ev::kDeviceDirectoryWalks, device(0)));
}

TEST_CASE("hpm event counter overflow sets OF, iocountovf and pmip once") {
  RegisterFile rf(params(4));
  Hpm hpm(rf, kPeriod);
  std::vector<r::InterruptCause> raised;
  rf.on_interrupt_pending = [&](r::InterruptCause c) { raised.push_back(c); };
  wr(rf, r::iohpmevt_offset(3), Evt{Ev::kTlbMiss}.value());
  wr(rf, r::iohpmctr_offset(3), ~0ull - 1);
  hpm.count(Ev::kTlbMiss, device(0));
  CHECK(rd(rf, r::iohpmctr_offset(3)) == ~0ull);
  CHECK(rf.iocountovf() == 0);
  CHECK(rf.ipsr() == 0);
  hpm.count(Ev::kTlbMiss, device(0));  // all ones -> 0
  CHECK(rd(rf, r::iohpmctr_offset(3)) == 0);
  CHECK(r::iohpmevt::OF.get(rd(rf, r::iohpmevt_offset(3))) == 1);
  CHECK(rd(rf, r::kIocountovf, 4) == (1u << 3));
  CHECK(rf.ipsr() == r::ipsr::pmip.mask());
  REQUIRE(raised.size() == 1);
  CHECK(raised[0] == r::InterruptCause::kHpm);
  CHECK(hpm.overflows() == 1);
  // The counter keeps counting after the wrap.
  hpm.count(Ev::kTlbMiss, device(0));
  CHECK(rd(rf, r::iohpmctr_offset(3)) == 1);
  // With OF still set a second overflow raises no interrupt (6.23).
  wr(rf, r::kIpsr, r::ipsr::pmip.mask(), 4);
  CHECK(rf.ipsr() == 0);
  wr(rf, r::iohpmctr_offset(3), ~0ull);
  hpm.count(Ev::kTlbMiss, device(0));
  CHECK(rf.ipsr() == 0);
  CHECK(raised.size() == 1);
  CHECK(hpm.overflows() == 2);
  // Clearing OF (with the counter re-initialized) re-arms the interrupt.
  wr(rf, r::iohpmevt_offset(3), Evt{Ev::kTlbMiss}.value());
  CHECK(rf.iocountovf() == 0);
  wr(rf, r::iohpmctr_offset(3), ~0ull);
  hpm.count(Ev::kTlbMiss, device(0));
  CHECK(rf.ipsr() == r::ipsr::pmip.mask());
  CHECK(raised.size() == 2);
}

TEST_CASE("hpm iohpmcycles counts clock cycles live, writes restart it, CY inhibits") {
  RegisterFile rf(params());
  Hpm hpm(rf, sc_core::sc_time(2, sc_core::SC_NS));  // a 500 MHz IOMMU clock
  CHECK(rd(rf, r::kIohpmcycles) == 0);
  sc_core::sc_start(100, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 50);
  sc_core::sc_start(3, sc_core::SC_NS);  // 103 ns: 51 whole cycles
  CHECK(rd(rf, r::kIohpmcycles) == 51);
  sc_core::sc_start(1, sc_core::SC_NS);  // the half cycle read above is not lost
  CHECK(rd(rf, r::kIohpmcycles) == 52);
  // A write at 104 ns restarts counting from the written value.
  wr(rf, r::kIohpmcycles, 1000);
  CHECK(rd(rf, r::kIohpmcycles) == 1000);
  sc_core::sc_start(20, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 1010);
  CHECK(hpm.cycles() == 1010);
  // Inhibit: the value freezes; releasing continues from it.
  wr(rf, r::kIocountinh, r::iocountinh::CY.mask(), 4);
  sc_core::sc_start(40, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 1010);
  // A write while inhibited is kept and counting resumes from it.
  wr(rf, r::kIohpmcycles, 7);
  sc_core::sc_start(40, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 7);
  wr(rf, r::kIocountinh, 0, 4);
  sc_core::sc_start(10, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 12);
  // The hardware-side getter sees the value of the last read or write.
  CHECK(r::iohpmcycles::counter.get(rf.hpm_cycles()) == 12);
}

TEST_CASE("hpm iohpmcycles overflow raises pmip at the cycle it wraps, unread") {
  RegisterFile rf(params());
  Hpm hpm(rf, kPeriod);
  std::vector<sc_core::sc_time> raised_at;
  rf.on_interrupt_pending = [&](r::InterruptCause c) {
    CHECK(c == r::InterruptCause::kHpm);
    raised_at.push_back(sc_core::sc_time_stamp());
  };
  sc_core::sc_start(5, sc_core::SC_NS);
  // 10 cycles to all ones, the 11th wraps to 0: at 5 + 11 = 16 ns.
  wr(rf, r::kIohpmcycles, r::iohpmcycles::counter.mask() - 10);
  sc_core::sc_start(10, sc_core::SC_NS);
  CHECK(rf.ipsr() == 0);
  CHECK(rf.iocountovf() == 0);
  sc_core::sc_start(10, sc_core::SC_NS);  // 25 ns
  CHECK(rf.ipsr() == r::ipsr::pmip.mask());
  CHECK(rf.iocountovf() == 1);
  REQUIRE(raised_at.size() == 1);
  CHECK(raised_at[0] == sc_core::sc_time(16, sc_core::SC_NS));
  // Wrapped and kept counting: 9 cycles past the wrap, OF set.
  CHECK(rd(rf, r::kIohpmcycles) == (r::iohpmcycles::OF.mask() | 9));
  // A restart cancels a pending wake-up: write near the top, then restart
  // far from it before it is due; nothing fires.
  wr(rf, r::kIpsr, r::ipsr::pmip.mask(), 4);
  wr(rf, r::kIohpmcycles, r::iohpmcycles::counter.mask() - 4);  // OF cleared
  sc_core::sc_start(2, sc_core::SC_NS);
  wr(rf, r::kIohpmcycles, 0);
  sc_core::sc_start(20, sc_core::SC_NS);
  CHECK(rf.ipsr() == 0);
  CHECK(raised_at.size() == 1);
  CHECK(rd(rf, r::kIohpmcycles) == 20);
}

TEST_CASE("hpm without counters leaves the registers alone") {
  RegisterFile rf(params(0));
  Hpm hpm(rf, kPeriod);
  hpm.count(Ev::kTlbMiss, device(0));
  sc_core::sc_start(10, sc_core::SC_NS);
  CHECK(rd(rf, r::kIohpmcycles) == 0);
  CHECK(hpm.events_counted() == 0);
  CHECK_THROWS_AS(Hpm(rf, sc_core::SC_ZERO_TIME), std::invalid_argument);
}
