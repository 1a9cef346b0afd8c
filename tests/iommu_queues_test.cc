// RISC-V IOMMU in-memory queues: the fault queue (In-memory queues 3.2) and
// the command queue (3.1), driven as a driver would: register writes through
// the RegisterFile and queue entries in guest memory.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "models/iommu/command_queue.h"
#include "models/iommu/fault_queue.h"
#include "models/iommu/register_file.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "support/iommu_queue_bench.h"
#include "support/map_walk_memory.h"
#include "support/stats_map.h"

using namespace vp::iommu;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;
using namespace vp::test;  // queue bench: rd, wr, enable_fq, kFqBase, ...
namespace r = vp::iommu::regs;

namespace {

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

namespace {

// The fault queue on the queue bench's registers and guest memory.
struct FqHarness : IommuQueueBench {
  explicit FqHarness(const IommuParams& params = IommuParams())
      : IommuQueueBench(params), fq(rf, mem) {}
  FaultQueue fq;
};

}  // namespace

TEST_CASE("fault record fields are placed as in the spec's record layout") {
  FqHarness h;
  enable_fq(h.rf, 4, false);

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(h.fq.report(sample_record(), delay));
  // Four doubleword stores, nothing else.
  CHECK(delay == h.mem.per_access() * 4.0);
  const auto dw = fq_slot(h.mem, 0);
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
  CHECK(rd(h.rf, r::kFqt) == 1);
  CHECK(h.fq.records_written() == 1);

  // PV=0: PID and PRIV are reported as 0.
  FaultRecord no_pid = sample_record();
  no_pid.pv = false;
  REQUIRE(h.fq.report(no_pid, delay));
  auto dw1 = fq_slot(h.mem, 1);
  CHECK(((dw1[0] >> 12) & 0xfffff) == 0);
  CHECK(((dw1[0] >> 32) & 3) == 0);
  CHECK((dw1[0] >> 40) == 0xabcdef);

  // TTYP=0: DID, PV, PID and PRIV are 0 (e.g. an IOMMU MSI write fault).
  FaultRecord no_txn = sample_record();
  no_txn.cause = cause::kIommuMsiWriteAccessFault;
  no_txn.ttyp = ttyp::kNone;
  no_txn.iotval = 0xfee00000;
  REQUIRE(h.fq.report(no_txn, delay));
  auto dw2 = fq_slot(h.mem, 2);
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
  FqHarness h;
  std::vector<r::InterruptCause> pending;
  h.rf.on_interrupt_pending = [&](r::InterruptCause c) { pending.push_back(c); };
  enable_fq(h.rf, 2, true);  // 4 entries, 3 usable

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(h.fq.report(sample_record(0), delay));
  CHECK(rd(h.rf, r::kFqt) == 1);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::fip.mask());
  REQUIRE(pending.size() == 1);
  CHECK(pending[0] == r::InterruptCause::kFaultQueue);
  // fip stays set: a second record does not signal again until cleared.
  REQUIRE(h.fq.report(sample_record(1), delay));
  CHECK(pending.size() == 1);
  wr(h.rf, r::kIpsr, r::ipsr::fip.mask());  // W1C
  CHECK(rd(h.rf, r::kIpsr) == 0);
  REQUIRE(h.fq.report(sample_record(2), delay));
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::fip.mask());
  CHECK(pending.size() == 2);
  CHECK(rd(h.rf, r::kFqt) == 3);

  // Software consumed two records: two more fit, the second wraps to 0.
  wr(h.rf, r::kFqh, 2);
  REQUIRE(h.fq.report(sample_record(3), delay));
  CHECK(rd(h.rf, r::kFqt) == 0);
  REQUIRE(h.fq.report(sample_record(4), delay));
  CHECK(rd(h.rf, r::kFqt) == 1);
  CHECK(fq_slot(h.mem, 3)[2] == 0x7fff0000ull + 3 * 0x1000);
  CHECK(fq_slot(h.mem, 0)[2] == 0x7fff0000ull + 4 * 0x1000);  // overwrote record 0
  CHECK(fq_slot(h.mem, 1)[2] == 0x7fff0000ull + 1 * 0x1000);  // not yet consumed
  CHECK(h.fq.records_written() == 5);
  CHECK(h.fq.records_dropped() == 0);
  CHECK((rd(h.rf, r::kFqcsr) & (r::fqcsr::fqof.mask() | r::fqcsr::fqmf.mask())) == 0);
}

TEST_CASE("fault queue full sets fqof and discards records until fqof is cleared") {
  FqHarness h;
  enable_fq(h.rf, 2, false);

  sc_time delay = SC_ZERO_TIME;
  for (uint32_t i = 0; i < 3; ++i) REQUIRE(h.fq.report(sample_record(i), delay));
  CHECK(rd(h.rf, r::kFqt) == 3);
  const uint64_t writes_before = h.mem.writes;
  // fqt == fqh - 1 (mod 4): full.
  CHECK_FALSE(h.fq.report(sample_record(3), delay));
  CHECK(r::fqcsr::fqof.get(rd(h.rf, r::kFqcsr)) == 1);
  CHECK(rd(h.rf, r::kFqt) == 3);
  CHECK(h.mem.writes == writes_before);
  CHECK(h.fq.records_dropped(FaultQueue::DropReason::kOverflow) == 1);
  // fie was 0: no interrupt.
  CHECK(rd(h.rf, r::kIpsr) == 0);

  // Space is available again, but fqof discards records until cleared.
  wr(h.rf, r::kFqh, 3);
  CHECK_FALSE(h.fq.report(sample_record(4), delay));
  CHECK(h.fq.records_dropped(FaultQueue::DropReason::kErrorPending) == 1);
  CHECK(h.mem.writes == writes_before);

  // Enabling fie while fqof is set raises fip (6.18 level condition).
  wr(h.rf, r::kFqcsr, r::fqcsr::fqen.put(1) | r::fqcsr::fie.put(1));
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::fip.mask());

  wr(h.rf, r::kFqcsr, r::fqcsr::fqen.put(1) | r::fqcsr::fie.put(1) | r::fqcsr::fqof.put(1));
  CHECK(r::fqcsr::fqof.get(rd(h.rf, r::kFqcsr)) == 0);
  REQUIRE(h.fq.report(sample_record(5), delay));
  CHECK(rd(h.rf, r::kFqt) == 0);
  CHECK(fq_slot(h.mem, 3)[2] == 0x7fff0000ull + 5 * 0x1000);
  CHECK(h.fq.records_written() == 4);
}

TEST_CASE("fault queue store fault sets fqmf, raises fip and discards records") {
  FqHarness h;
  h.mem.add_fault_range(kFqBase, 0x1000);
  enable_fq(h.rf, 4, true);

  sc_time delay = SC_ZERO_TIME;
  CHECK_FALSE(h.fq.report(sample_record(), delay));
  CHECK(r::fqcsr::fqmf.get(rd(h.rf, r::kFqcsr)) == 1);
  CHECK(rd(h.rf, r::kFqt) == 0);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::fip.mask());
  CHECK(h.fq.records_dropped(FaultQueue::DropReason::kMemoryFault) == 1);
  CHECK(delay == h.mem.per_access());  // the first store faulted

  const uint64_t writes = h.mem.writes;
  CHECK_FALSE(h.fq.report(sample_record(), delay));
  CHECK(h.mem.writes == writes);
  CHECK(h.fq.records_dropped(FaultQueue::DropReason::kErrorPending) == 1);

  // Re-enabling the queue (fqen 1 -> 0 -> 1) clears fqmf and fqt (6.16).
  wr(h.rf, r::kFqcsr, 0);
  CHECK_FALSE(h.rf.fq_on());
  CHECK_FALSE(h.fq.report(sample_record(), delay));
  CHECK(h.fq.records_dropped(FaultQueue::DropReason::kQueueOff) == 1);
  wr(h.rf, r::kFqb, queue_base(kFqBase + 0x1000, 4), 8);
  wr(h.rf, r::kFqcsr, r::fqcsr::fqen.put(1));
  CHECK(r::fqcsr::fqmf.get(rd(h.rf, r::kFqcsr)) == 0);
  REQUIRE(h.fq.report(sample_record(), delay));
  CHECK(fq_slot(h.mem, 0, kFqBase + 0x1000)[3] == 0x1122334455667788ull);
  CHECK(rd(h.rf, r::kFqt) == 1);
}

TEST_CASE("fault queue with fctl.BE stores big-endian records") {
  IommuParams p;
  p.end = true;
  FqHarness h(p);
  wr(h.rf, r::kFctl, r::fctl::BE.put(1));
  REQUIRE(h.rf.fctl_be());
  enable_fq(h.rf, 4, false);

  sc_time delay = SC_ZERO_TIME;
  REQUIRE(h.fq.report(sample_record(), delay));
  const auto dw = fq_slot(h.mem, 0);
  CHECK(dw[3] == 0x8877665544332211ull);
  CHECK(__builtin_bswap64(dw[2]) == 0x7fff0000ull);
  CHECK((__builtin_bswap64(dw[0]) & 0xfff) == 15);
}

TEST_CASE("fault queue reports its statistics") {
  FqHarness h;
  sc_time delay = SC_ZERO_TIME;
  CHECK_FALSE(h.fq.report(sample_record(), delay));  // queue off
  enable_fq(h.rf, 4, false);
  REQUIRE(h.fq.report(sample_record(), delay));

  const StatsMap c = stats_of(h.fq);
  CHECK(c["fault_queue.records_written"] == 1);
  CHECK(c["fault_queue.dropped_queue_off"] == 1);
  CHECK(c["fault_queue.dropped_overflow"] == 0);
}

// ---------------------------------------------------------------------------
// Command queue
// ---------------------------------------------------------------------------

namespace {

// Command encoders written from the spec's figures (3.1.1-3.1.4), bit by
// bit, independently of the model's constants.
struct Cmd {
  uint64_t dw0 = 0;
  uint64_t dw1 = 0;
};

Cmd iotinval(unsigned func3, bool av, bool pscv, uint32_t pscid, bool gv, uint32_t gscid,
             uint64_t addr) {
  Cmd c;
  c.dw0 = 1 | (uint64_t(func3) << 7) | (uint64_t(av) << 10) | (uint64_t(pscid) << 12) |
          (uint64_t(pscv) << 32) | (uint64_t(gv) << 33) | (uint64_t(gscid) << 44);
  c.dw1 = (addr >> 12) << 10;
  return c;
}
Cmd vma(bool gv, uint32_t gscid, bool pscv, uint32_t pscid, bool av, uint64_t addr) {
  return iotinval(0, av, pscv, pscid, gv, gscid, addr);
}
Cmd gvma(bool gv, uint32_t gscid, bool av, uint64_t addr) {
  return iotinval(1, av, false, 0, gv, gscid, addr);
}
Cmd iofence(bool av, bool wsi, bool pr, bool pw, uint32_t data, uint64_t addr) {
  Cmd c;
  c.dw0 = 2 | (uint64_t(av) << 10) | (uint64_t(wsi) << 11) | (uint64_t(pr) << 12) |
          (uint64_t(pw) << 13) | (uint64_t(data) << 32);
  c.dw1 = addr >> 2;
  return c;
}
Cmd iodir(unsigned func3, bool dv, uint32_t did, uint32_t pid) {
  Cmd c;
  c.dw0 = 3 | (uint64_t(func3) << 7) | (uint64_t(pid) << 12) | (uint64_t(dv) << 33) |
          (uint64_t(did) << 40);
  return c;
}
Cmd ats(unsigned func3, bool pv, uint32_t pid, bool dsv, uint32_t dseg, uint32_t rid,
        uint64_t payload) {
  Cmd c;
  c.dw0 = 4 | (uint64_t(func3) << 7) | (uint64_t(pid) << 12) | (uint64_t(pv) << 32) |
          (uint64_t(dsv) << 33) | (uint64_t(rid) << 40) | (uint64_t(dseg) << 56);
  c.dw1 = payload;
  return c;
}
Cmd with(Cmd c, uint64_t dw0_bits, uint64_t dw1_bits = 0) {
  c.dw0 |= dw0_bits;
  c.dw1 |= dw1_bits;
  return c;
}

// A CommandHandler that logs every call in a readable form.
class RecordingHandler : public CommandHandler {
 public:
  std::vector<std::string> calls;
  bool ats_answers = true;
  sc_time per_call = sc_time(5, SC_NS);

  void iotinval_vma(bool gv, uint32_t gscid, bool pscv, uint32_t pscid, bool av, uint64_t addr,
                    sc_time& delay) override {
    log() << std::hex << "vma gv=" << gv << " gscid=0x" << gscid << " pscv=" << pscv << " pscid=0x"
          << pscid << " av=" << av << " addr=0x" << addr;
    done(delay);
  }
  void iotinval_gvma(bool gv, uint32_t gscid, bool av, uint64_t addr, sc_time& delay) override {
    log() << std::hex << "gvma gv=" << gv << " gscid=0x" << gscid << " av=" << av << " addr=0x"
          << addr;
    done(delay);
  }
  void iodir_inval_ddt(bool dv, uint32_t did, sc_time& delay) override {
    log() << "ddt dv=" << dv << " did=0x" << std::hex << did;
    done(delay);
  }
  void iodir_inval_pdt(uint32_t did, uint32_t pid, sc_time& delay) override {
    log() << "pdt did=0x" << std::hex << did << " pid=0x" << pid;
    done(delay);
  }
  bool ats_inval(const AtsCommand& c, sc_time& delay) override {
    log() << "ats_inval " << describe(c);
    done(delay);
    return ats_answers;
  }
  void ats_prgr(const AtsCommand& c, sc_time& delay) override {
    log() << "ats_prgr " << describe(c);
    done(delay);
  }
  void iofence(bool pr, bool pw, sc_time& delay) override {
    log() << "fence pr=" << pr << " pw=" << pw;
    done(delay);
  }

 private:
  static std::string describe(const AtsCommand& c) {
    std::ostringstream os;
    os << std::hex << "rid=0x" << c.rid << " dsv=" << c.dsv << " dseg=0x" << c.dseg
       << " pv=" << c.pv << " pid=0x" << c.pid << " payload=0x" << c.payload;
    return os.str();
  }
  std::ostringstream& log() {
    os_.str("");
    os_.flags(std::ios::dec);
    return os_;
  }
  void done(sc_time& delay) {
    calls.push_back(os_.str());
    delay += per_call;
  }
  std::ostringstream os_;
};

// The IOMMU's command queue with the guest's view of it: registers, a
// queue in guest memory and the tail software owns.
struct CqHarness : vp::test::IommuQueueBench {
  explicit CqHarness(const IommuParams& params = IommuParams())
      : IommuQueueBench(params), cq(rf, mem, handler, p) {}

  void enable(unsigned log2sz_ = 4, bool cie = true, uint64_t base_ = kCqBase) {
    log2sz = log2sz_;
    base = base_;
    tail = 0;
    vp::test::enable_cq(rf, log2sz, cie, base);
  }
  // Writes the command at cqt and advances cqt, as a driver does.
  void submit(const Cmd& c) {
    write_slot(tail, c);
    tail = (tail + 1) % (1u << log2sz);
    wr(rf, r::kCqt, tail);
  }
  void write_slot(uint32_t i, const Cmd& c) {
    const bool be = rf.fctl_be();
    mem.poke(base + 16ull * i, be ? __builtin_bswap64(c.dw0) : c.dw0);
    mem.poke(base + 16ull * i + 8, be ? __builtin_bswap64(c.dw1) : c.dw1);
  }
  unsigned run() { return cq.process(delay); }
  uint32_t cqh() { return uint32_t(rd(rf, r::kCqh)); }
  uint32_t cqcsr() { return uint32_t(rd(rf, r::kCqcsr)); }
  // Time of n commands that each make one handler call.
  sc_time cost(unsigned n) const {
    return (p.clock_period() * double(p.command_cycles) + mem.per_access() * 2.0 +
            handler.per_call) *
           double(n);
  }

  RecordingHandler handler;
  CommandQueue cq;
  unsigned log2sz = 4;
  uint64_t base = kCqBase;
  uint32_t tail = 0;
  sc_time delay = SC_ZERO_TIME;
};

}  // namespace

TEST_CASE("command queue executes every IOTINVAL.VMA operand variant") {
  CqHarness h;
  h.enable();
  for (unsigned v = 0; v < 8; ++v) {
    const bool gv = v & 4, av = v & 2, pscv = v & 1;
    h.submit(vma(gv, 0x1234, pscv, 0xabcde, av, 0x7654321000ull));
  }
  CHECK(h.run() == 8);
  CHECK(h.cqh() == 8);
  // Operands that are not valid reach the handler as 0 (3.1.1: ignored).
  const std::vector<std::string> expected = {
      "vma gv=0 gscid=0x0 pscv=0 pscid=0x0 av=0 addr=0x0",
      "vma gv=0 gscid=0x0 pscv=1 pscid=0xabcde av=0 addr=0x0",
      "vma gv=0 gscid=0x0 pscv=0 pscid=0x0 av=1 addr=0x7654321000",
      "vma gv=0 gscid=0x0 pscv=1 pscid=0xabcde av=1 addr=0x7654321000",
      "vma gv=1 gscid=0x1234 pscv=0 pscid=0x0 av=0 addr=0x0",
      "vma gv=1 gscid=0x1234 pscv=1 pscid=0xabcde av=0 addr=0x0",
      "vma gv=1 gscid=0x1234 pscv=0 pscid=0x0 av=1 addr=0x7654321000",
      "vma gv=1 gscid=0x1234 pscv=1 pscid=0xabcde av=1 addr=0x7654321000",
  };
  CHECK(h.handler.calls == expected);
  CHECK(h.cq.executed(CommandQueue::Command::kIotinvalVma) == 8);
  // command_cycles + the 16-byte fetch + the handler, per command.
  CHECK(h.delay == h.cost(8));
  CHECK((h.cqcsr() & 0xf00) == 0);
  CHECK(rd(h.rf, r::kIpsr) == 0);
  CHECK_FALSE(h.cq.work_pending());
}

TEST_CASE("command queue executes IOTINVAL.GVMA and rejects it with PSCV") {
  CqHarness h;
  h.enable();
  h.submit(gvma(false, 0x55, true, 0x1000));  // GV=0: GSCID and AV ignored
  h.submit(gvma(true, 0x55, false, 0x1000));
  h.submit(gvma(true, 0xffff, true, 0xfffffffffffff000ull));
  Cmd bad = gvma(true, 1, false, 0);
  bad.dw0 |= 1ull << 32;  // PSCV
  h.submit(bad);
  h.submit(gvma(true, 2, false, 0));
  CHECK(h.run() == 3);
  const std::vector<std::string> expected = {
      "gvma gv=0 gscid=0x0 av=0 addr=0x0",
      "gvma gv=1 gscid=0x55 av=0 addr=0x0",
      "gvma gv=1 gscid=0xffff av=1 addr=0xfffffffffffff000",
  };
  CHECK(h.handler.calls == expected);
  // 3.1: cmd_ill set, cqh at the illegal command, the queue stops; cip
  // is raised because cie is 1.
  CHECK(h.cqh() == 3);
  CHECK(r::cqcsr::cmd_ill.get(h.cqcsr()) == 1);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::cip.mask());
  CHECK(h.cq.illegal_commands() == 1);
  CHECK(h.run() == 0);  // stays stopped
  CHECK(h.handler.calls.size() == 3);

  // The driver repairs the command, clears cmd_ill (W1C) and the queue
  // resumes at cqh.
  h.write_slot(3, gvma(true, 1, false, 0));
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::cmd_ill.put(1));
  CHECK(r::cqcsr::cmd_ill.get(h.cqcsr()) == 0);
  CHECK(h.run() == 2);
  CHECK(h.cqh() == 5);
  CHECK(h.handler.calls.back() == "gvma gv=1 gscid=0x2 av=0 addr=0x0");
}

TEST_CASE("command queue stops with cmd_ill at each illegal command") {
  struct Case {
    const char* what;
    Cmd cmd;
    std::function<void(IommuParams&)> configure;
    std::function<void(RegisterFile&)> setup;
  };
  const Cmd ok_vma = vma(false, 0, false, 0, false, 0);
  const std::vector<Case> cases = {
      {"opcode 0", Cmd{}, nullptr, nullptr},
      {"reserved opcode 5", Cmd{5, 0}, nullptr, nullptr},
      {"reserved opcode 63", Cmd{63, 0}, nullptr, nullptr},
      {"custom opcode 64", Cmd{64, 0}, nullptr, nullptr},
      {"IOTINVAL func3 2", iotinval(2, false, false, 0, false, 0, 0), nullptr, nullptr},
      {"IOTINVAL reserved bit 11", with(ok_vma, 1ull << 11), nullptr, nullptr},
      {"IOTINVAL NL without capabilities.NL", with(ok_vma, 1ull << 34), nullptr, nullptr},
      {"IOTINVAL reserved bit 35", with(ok_vma, 1ull << 35), nullptr, nullptr},
      {"IOTINVAL reserved bit 43", with(ok_vma, 1ull << 43), nullptr, nullptr},
      {"IOTINVAL reserved bit 60", with(ok_vma, 1ull << 60), nullptr, nullptr},
      {"IOTINVAL reserved bit 63", with(ok_vma, 1ull << 63), nullptr, nullptr},
      {"IOTINVAL dword1 reserved bit 0", with(ok_vma, 0, 1), nullptr, nullptr},
      {"IOTINVAL dword1 reserved bit 8", with(ok_vma, 0, 1ull << 8), nullptr, nullptr},
      {"IOTINVAL S without capabilities.S", with(ok_vma, 0, 1ull << 9), nullptr, nullptr},
      {"IOTINVAL dword1 reserved bit 62", with(ok_vma, 0, 1ull << 62), nullptr, nullptr},
      {"IOTINVAL.GVMA with PSCV", with(gvma(true, 1, false, 0), 1ull << 32), nullptr, nullptr},
      {"IOFENCE func3 1", with(iofence(false, false, false, false, 0, 0), 1ull << 7), nullptr,
       nullptr},
      {"IOFENCE reserved bit 14", with(iofence(false, false, false, false, 0, 0), 1ull << 14),
       nullptr, nullptr},
      {"IOFENCE reserved bit 31", with(iofence(false, false, false, false, 0, 0), 1ull << 31),
       nullptr, nullptr},
      {"IOFENCE dword1 reserved bit 63",
       with(iofence(false, false, false, false, 0, 0), 0, 1ull << 63), nullptr, nullptr},
      {"IOFENCE WSI while fctl.WSI=0", iofence(false, true, false, false, 0, 0), nullptr, nullptr},
      {"IOFENCE WSI with IGS=MSI", iofence(false, true, false, false, 0, 0),
       [](IommuParams& p) { p.igs = "msi"; }, nullptr},
      {"IODIR func3 2", iodir(2, true, 1, 0), nullptr, nullptr},
      {"IODIR.INVAL_DDT with PID", iodir(0, true, 1, 5), nullptr, nullptr},
      {"IODIR reserved bit 10", with(iodir(0, true, 1, 0), 1ull << 10), nullptr, nullptr},
      {"IODIR reserved bit 32", with(iodir(0, true, 1, 0), 1ull << 32), nullptr, nullptr},
      {"IODIR reserved bit 39", with(iodir(0, true, 1, 0), 1ull << 39), nullptr, nullptr},
      {"IODIR dword1 reserved", with(iodir(0, true, 1, 0), 0, 1ull << 20), nullptr, nullptr},
      {"IODIR.INVAL_PDT with DV=0", iodir(1, false, 1, 1), nullptr, nullptr},
      {"IODIR DID wider than 1LVL DDT", iodir(0, true, 0x80, 0), nullptr,
       [](RegisterFile& rf) { wr(rf, r::kDdtp, r::ddtp::k1Lvl, 8); }},
      {"IODIR DID wider than 2LVL DDT", iodir(1, true, 0x10000, 0), nullptr,
       [](RegisterFile& rf) { wr(rf, r::kDdtp, r::ddtp::k2Lvl, 8); }},
      {"IODIR.INVAL_PDT PID wider than PD17", iodir(1, true, 1, 1u << 17),
       [](IommuParams& p) { p.pd20 = false; }, nullptr},
      {"ATS without capabilities.ATS", ats(0, false, 0, false, 0, 0x100, 0),
       [](IommuParams& p) { p.ats = false; }, nullptr},
      {"ATS func3 2", ats(2, false, 0, false, 0, 0x100, 0), nullptr, nullptr},
      {"ATS reserved bit 11", with(ats(0, false, 0, false, 0, 0x100, 0), 1ull << 11), nullptr,
       nullptr},
      {"ATS reserved bit 34", with(ats(1, false, 0, false, 0, 0x100, 0), 1ull << 34), nullptr,
       nullptr},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    IommuParams p;
    if (c.configure) c.configure(p);
    CqHarness h(p);
    if (c.setup) c.setup(h.rf);
    h.enable(3, true);
    h.submit(ok_vma);
    h.submit(c.cmd);
    h.submit(ok_vma);
    CHECK(h.run() == 1);
    CHECK(h.cqh() == 1);
    CHECK(r::cqcsr::cmd_ill.get(h.cqcsr()) == 1);
    CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 0);
    CHECK(h.handler.calls.size() == 1);
    CHECK(h.cq.illegal_commands() == 1);
    CHECK(r::ipsr::cip.get(rd(h.rf, r::kIpsr)) == 1);
    CHECK_FALSE(h.cq.work_pending());
  }
}

TEST_CASE("command queue legal corner cases are accepted") {
  // Operands that are ignored may hold anything; the widest legal DID and
  // PID pass; DID is unchecked outside the DDT modes.
  IommuParams p;
  p.pd20 = false;
  CqHarness h(p);
  wr(h.rf, r::kDdtp, r::ddtp::k1Lvl, 8);
  h.enable(3, true);
  h.submit(iodir(0, false, 0xffffff, 0));  // DV=0: DID ignored
  h.submit(iodir(0, true, 0x3f, 0));       // extended DC (MSI_FLAT): 6 bits in 1LVL
  h.submit(iodir(1, true, 0x3f, (1u << 17) - 1));
  h.submit(ats(0, false, 0xfffff, false, 0xff, 0xffff, ~0ull));  // PID and DSEG ignored
  CHECK(h.run() == 4);
  const std::vector<std::string> expected = {
      "ddt dv=0 did=0x0",
      "ddt dv=1 did=0x3f",
      "pdt did=0x3f pid=0x1ffff",
      "ats_inval rid=0xffff dsv=0 dseg=0x0 pv=0 pid=0x0 payload=0xffffffffffffffff",
  };
  CHECK(h.handler.calls == expected);
  CHECK(h.cqcsr() == (r::cqcsr::cqen.mask() | r::cqcsr::cie.mask() | r::cqcsr::cqon.mask()));
  // Base-format device contexts (no MSI_FLAT): a 1LVL DDT indexes 7 DID
  // bits, so 0x7f is legal and 0x80 is not.
  IommuParams base_fmt;
  base_fmt.msi_flat = false;
  CqHarness b(base_fmt);
  wr(b.rf, r::kDdtp, r::ddtp::k1Lvl, 8);
  b.enable(3, true);
  b.submit(iodir(0, true, 0x7f, 0));
  b.submit(iodir(0, true, 0x80, 0));
  CHECK(b.run() == 1);
  CHECK(r::cqcsr::cmd_ill.get(b.cqcsr()) == 1);
  CHECK(b.cqh() == 1);
}

TEST_CASE("command queue fetch fault sets cqmf and leaves cqh at the command") {
  CqHarness h;
  h.mem.add_fault_range(kCqBase + 0x20, 0x10);  // entry 2 is unbacked
  h.enable(4, true);
  for (int i = 0; i < 4; ++i) h.submit(iodir(0, true, uint32_t(i), 0));
  CHECK(h.run() == 2);
  CHECK(h.cqh() == 2);
  CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 1);
  CHECK(r::cqcsr::cmd_ill.get(h.cqcsr()) == 0);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::cip.mask());
  CHECK(h.cq.fetch_faults() == 1);
  CHECK(h.handler.calls.size() == 2);
  // Still stalled until software clears cqmf; then it faults again at the
  // same entry because memory is still unbacked.
  CHECK(h.run() == 0);
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::cqmf.put(1));
  CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 0);
  CHECK(h.run() == 0);
  CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 1);
  CHECK(h.cq.fetch_faults() == 2);
}

TEST_CASE("command queue on an entirely unbacked queue sets cqmf") {
  CqHarness h;
  h.mem.add_fault_range(0x90000000, 0x1000);
  h.enable(4, false, 0x90000000);
  h.submit(vma(false, 0, false, 0, false, 0));
  CHECK(h.run() == 0);
  CHECK(h.cqh() == 0);
  CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 1);
  CHECK(rd(h.rf, r::kIpsr) == 0);  // cie = 0
  CHECK(h.handler.calls.empty());
  // The faulting fetch cost its memory access, no command time.
  CHECK(h.delay == h.mem.per_access());
}

TEST_CASE("IOFENCE.C with AV writes DATA to ADDR as a 4-byte store") {
  CqHarness h;
  h.enable();
  h.mem.poke(0x81000000, 0x1111111122222222ull);
  h.submit(vma(false, 0, false, 0, false, 0));
  h.submit(iofence(true, false, true, false, 0xcafef00d, 0x81000004));
  h.submit(iofence(true, false, false, true, 0x12345678, 0x81000000));
  h.submit(iofence(false, false, true, true, 0xdeadbeef, 0x81000000));  // AV=0: no store
  CHECK(h.run() == 4);
  CHECK(h.mem.peek(0x81000000) == 0xcafef00d12345678ull);
  const std::vector<std::string> expected = {
      "vma gv=0 gscid=0x0 pscv=0 pscid=0x0 av=0 addr=0x0",
      "fence pr=1 pw=0",
      "fence pr=0 pw=1",
      "fence pr=1 pw=1",
  };
  CHECK(h.handler.calls == expected);
  CHECK(h.cq.executed(CommandQueue::Command::kIofenceC) == 3);
  // AV fences pay a read-modify-write (default write32) each.
  CHECK(h.delay == h.cost(4) + h.mem.per_access() * 4.0);
  CHECK(rd(h.rf, r::kIpsr) == 0);  // no WSI: no interrupt
}

TEST_CASE("IOFENCE.C store fault sets cqmf with cqh at the fence") {
  CqHarness h;
  h.mem.add_fault_range(0x82000000, 0x1000);
  h.enable();
  h.submit(iofence(true, false, false, false, 1, 0x82000010));
  h.submit(vma(false, 0, false, 0, false, 0));
  CHECK(h.run() == 0);
  CHECK(h.cqh() == 0);
  CHECK(r::cqcsr::cqmf.get(h.cqcsr()) == 1);
  CHECK(h.cq.fence_write_faults() == 1);
  CHECK(r::ipsr::cip.get(rd(h.rf, r::kIpsr)) == 1);
  CHECK(h.handler.calls.size() == 1);  // only the fence's drain
}

TEST_CASE("IOFENCE.C with WSI sets fence_w_ip and cip without stopping the queue") {
  IommuParams p;  // IGS = both
  CqHarness h(p);
  wr(h.rf, r::kFctl, r::fctl::WSI.put(1));
  REQUIRE(h.rf.fctl_wsi());
  std::vector<r::InterruptCause> pending;
  h.rf.on_interrupt_pending = [&](r::InterruptCause c) { pending.push_back(c); };

  h.enable(4, /*cie=*/false);
  h.submit(iofence(false, true, false, false, 0, 0));
  h.submit(vma(false, 0, false, 0, false, 0));
  CHECK(h.run() == 2);
  CHECK(r::cqcsr::fence_w_ip.get(h.cqcsr()) == 1);
  CHECK(pending.empty());  // cie = 0
  // Enabling cie while fence_w_ip is set raises cip (6.18).
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1));
  REQUIRE(pending.size() == 1);
  CHECK(pending[0] == r::InterruptCause::kCommandQueue);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::cip.mask());

  // Software acknowledges: clears fence_w_ip and cip; the next fence
  // signals again.
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::fence_w_ip.put(1));
  wr(h.rf, r::kIpsr, r::ipsr::cip.mask());
  CHECK(rd(h.rf, r::kIpsr) == 0);
  h.submit(iofence(false, true, false, false, 0, 0));
  CHECK(h.run() == 1);
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::cip.mask());
  CHECK(pending.size() == 2);
  CHECK(h.cqh() == 3);
}

TEST_CASE("ATS.INVAL timeout is reported as cmd_to by the next IOFENCE.C") {
  CqHarness h;
  h.enable();
  h.handler.ats_answers = false;
  h.submit(ats(0, true, 0x42, true, 0x3, 0x0108, (0x12345ull << 12) | 1));
  h.submit(vma(false, 0, false, 0, false, 0));  // runs: the queue moves on
  h.submit(iofence(true, false, false, false, 7, 0x81000000));
  h.submit(vma(false, 0, false, 0, false, 0));
  CHECK(h.run() == 2);
  CHECK(h.cqh() == 2);  // at the fence
  CHECK(r::cqcsr::cmd_to.get(h.cqcsr()) == 1);
  CHECK(r::ipsr::cip.get(rd(h.rf, r::kIpsr)) == 1);
  CHECK(h.mem.peek(0x81000000) == 0);  // the fence did not complete
  CHECK(h.cq.ats_timeouts() == 1);
  CHECK(h.cq.timeouts_reported() == 1);
  CHECK(h.handler.calls[0] ==
        "ats_inval rid=0x108 dsv=1 dseg=0x3 pv=1 pid=0x42 payload=0x12345001");
  // Three commands with one handler call each plus the timeout wait.
  CHECK(h.delay == h.cost(3) + h.p.cycles(h.p.command_timeout_cycles));

  // Software clears cmd_to: the fence re-executes and completes.
  h.handler.ats_answers = true;
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::cmd_to.put(1));
  CHECK(h.run() == 2);
  CHECK(h.cqh() == 4);
  CHECK(h.mem.peek32(0x81000000) == 7);
}

TEST_CASE("ATS.PRGR is forwarded with its operands") {
  CqHarness h;
  h.enable();
  const uint64_t payload = (0x1ffull << 32) | (0xfull << 44);
  h.submit(ats(1, false, 0x99, false, 0x7, 0xbeef, payload));
  CHECK(h.run() == 1);
  REQUIRE(h.handler.calls.size() == 1);
  CHECK(h.handler.calls[0] ==
        "ats_prgr rid=0xbeef dsv=0 dseg=0x0 pv=0 pid=0x0 payload=0xf1ff00000000");
  CHECK(h.cq.executed(CommandQueue::Command::kAtsPrgr) == 1);
}

TEST_CASE("command queue wraps around and rings the doorbell") {
  CqHarness h;
  unsigned rings = 0;
  h.cq.doorbell = [&] { ++rings; };
  unsigned chained = 0;
  h.rf.on_cqt_write = [&](uint32_t) { ++chained; };
  h.cq.install_hooks();

  // A cqt write while the queue is off rings nothing.
  wr(h.rf, r::kCqb, queue_base(kCqBase, 2), 8);
  h.write_slot(0, vma(false, 0, false, 0, false, 0));
  wr(h.rf, r::kCqt, 1);
  CHECK(rings == 0);
  CHECK(chained == 1);  // the previously installed hook still runs
  // Enabling with a command pending rings.
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1));
  CHECK(rings == 1);
  h.tail = 1;
  h.log2sz = 2;  // 4 entries
  CHECK(h.run() == 1);
  for (uint32_t i = 0; i < 3; ++i) h.submit(iodir(0, true, i, 0));
  CHECK(rings == 4);
  CHECK(h.run() == 3);
  CHECK(h.cqh() == 0);  // wrapped
  h.submit(iodir(0, true, 9, 0));
  CHECK(h.run() == 1);
  CHECK(h.cqh() == 1);
  CHECK(h.handler.calls.back() == "ddt dv=1 did=0x9");

  // Disable and re-enable: cqh returns to 0 (6.15, done by the register
  // file) and the driver restarts its tail at 0 as well.
  wr(h.rf, r::kCqcsr, 0);
  CHECK_FALSE(h.cq.work_pending());
  wr(h.rf, r::kCqt, 0);
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1));
  CHECK(h.cqh() == 0);
  CHECK_FALSE(h.cq.work_pending());
}

TEST_CASE("command queue with fctl.BE reads big-endian commands") {
  IommuParams p;
  p.end = true;
  CqHarness h(p);
  wr(h.rf, r::kFctl, r::fctl::BE.put(1));
  h.enable();
  h.mem.poke(0x81000000, 0);
  h.submit(vma(true, 7, true, 0x321, true, 0x5000));
  h.submit(iofence(true, false, false, false, 0x11223344, 0x81000000));
  CHECK(h.run() == 2);
  CHECK(h.handler.calls[0] == "vma gv=1 gscid=0x7 pscv=1 pscid=0x321 av=1 addr=0x5000");
  // The fence's 4-byte store is in the IOMMU's byte order.
  CHECK(h.mem.peek32(0x81000000) == 0x44332211u);
}

TEST_CASE("command queue reports its statistics") {
  CqHarness h;
  h.enable();
  h.submit(vma(false, 0, false, 0, false, 0));
  h.submit(gvma(false, 0, false, 0));
  h.submit(Cmd{5, 0});
  h.run();
  const StatsMap c = stats_of(h.cq);
  CHECK(c["command_queue.iotinval_vma"] == 1);
  CHECK(c["command_queue.iotinval_gvma"] == 1);
  CHECK(c["command_queue.illegal_commands"] == 1);
  CHECK(c["command_queue.iofence_c"] == 0);
  CHECK(h.cq.executed_total() == 2);
}
