// RISC-V IOMMU interrupt generation (registers 6.18 ipsr, 6.28 icvec, 6.29
// msi_cfg_tbl): wire levels per vector with fctl.WSI=1, MSI address/data
// per vector with fctl.WSI=0, masking and delivery on unmask, MSI write
// faults reported through the fault queue. Interrupts are caused the way
// hardware causes them: fault records, illegal commands, IOFENCE.C, HPM
// overflow.
#include <catch2/catch.hpp>
#include <cstdint>
#include <ostream>
#include <utility>
#include <vector>

#include "models/iommu/command_queue.h"
#include "models/iommu/fault_queue.h"
#include "models/iommu/interrupt_generator.h"
#include "models/iommu/register_file.h"
#include "support/iommu_queue_bench.h"
#include "support/stats_map.h"

using namespace vp::iommu;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;
using namespace vp::test;  // queue bench: rd, wr, enable_fq, kFqBase, ...
namespace r = vp::iommu::regs;

namespace {

// icvec with one 4-bit vector per cause (6.28: civ 3:0, fiv 7:4, pmiv
// 11:8, piv 15:12).
uint64_t icvec(unsigned civ, unsigned fiv, unsigned pmiv, unsigned piv) {
  return civ | (fiv << 4) | (pmiv << 8) | (piv << 12);
}

// No-op handler: these tests only need the CQ to raise cqcsr errors.
struct NullHandler : CommandHandler {
  void iotinval_vma(bool, uint32_t, bool, uint32_t, bool, uint64_t, sc_time&) override {}
  void iotinval_gvma(bool, uint32_t, bool, uint64_t, sc_time&) override {}
  void iodir_inval_ddt(bool, uint32_t, sc_time&) override {}
  void iodir_inval_pdt(uint32_t, uint32_t, sc_time&) override {}
  bool ats_inval(const AtsCommand&, sc_time&) override { return true; }
  void ats_prgr(const AtsCommand&, sc_time&) override {}
};

struct Msi {
  uint64_t addr;
  uint32_t data;
  bool operator==(const Msi& o) const { return addr == o.addr && data == o.data; }
};

std::ostream& operator<<(std::ostream& os, const Msi& m) {
  return os << "{0x" << std::hex << m.addr << ", 0x" << m.data << std::dec << "}";
}

// An IOMMU control part: registers, queues and the interrupt generator,
// wired as the Iommu wires them, with recording sinks.
struct IrqHarness : IommuQueueBench {
  explicit IrqHarness(const IommuParams& params = IommuParams())
      : IommuQueueBench(params),
        fq(rf, mem),
        cq(rf, mem, handler, p),
        irq(
            rf,
            [this](unsigned v, bool level) {
              wires.push_back({v, level});
            },
            [this](uint64_t addr, uint32_t data, sc_time& delay) {
              delay += sc_time(20, sc_core::SC_NS);
              if (!msi_ok) return false;
              msis.push_back({addr, data});
              return true;
            }) {
    irq.install_hooks();
    cq.install_hooks();
    irq.on_msi_fault = [this](uint64_t addr) {
      FaultRecord rec;
      rec.cause = cause::kIommuMsiWriteAccessFault;
      rec.ttyp = ttyp::kNone;
      rec.iotval = addr;
      sc_time d = SC_ZERO_TIME;
      fq.report(rec, d);
    };
  }

  void enable_fq(bool fie, unsigned log2sz = 4) { vp::test::enable_fq(rf, log2sz, fie); }
  void enable_cq(bool cie) { vp::test::enable_cq(rf, 4, cie); }
  // Program msi_cfg_tbl entry x.
  void msi_entry(unsigned x, uint64_t addr, uint32_t data, bool masked = false) {
    wr(rf, r::msi_addr_offset(x), addr, 8);
    wr(rf, r::msi_data_offset(x), data);
    wr(rf, r::msi_vec_ctl_offset(x), masked ? 1 : 0);
  }
  // A fault the translation path would report.
  bool fault() {
    FaultRecord rec;
    rec.cause = cause::kReadPageFault;
    rec.ttyp = ttyp::kUntranslatedRead;
    rec.did = 3;
    rec.iotval = 0x1000;
    sc_time d = SC_ZERO_TIME;
    return fq.report(rec, d);
  }
  // An illegal command (reserved opcode 5): sets cqcsr.cmd_ill.
  void illegal_command() {
    const uint32_t tail = uint32_t(rd(rf, r::kCqt));
    mem.poke(kCqBase + 16ull * tail, 5);
    mem.poke(kCqBase + 16ull * tail + 8, 0);
    wr(rf, r::kCqt, tail + 1);
    sc_time d = SC_ZERO_TIME;
    cq.process(d);
    REQUIRE(r::cqcsr::cmd_ill.get(rd(rf, r::kCqcsr)) == 1);
  }
  void clear_ipsr(uint32_t bits) { wr(rf, r::kIpsr, bits); }

  NullHandler handler;
  FaultQueue fq;
  CommandQueue cq;
  std::vector<std::pair<unsigned, bool>> wires;
  std::vector<Msi> msis;
  bool msi_ok = true;
  InterruptGenerator irq;
};

using Wire = std::pair<unsigned, bool>;

}  // namespace

// ---------------------------------------------------------------------------
// Wire-signaled interrupts
// ---------------------------------------------------------------------------

TEST_CASE("WSI: a vector's wire is high while any cause mapped to it is pending") {
  IrqHarness h;  // IGS = both, 4 vectors
  wr(h.rf, r::kFctl, r::fctl::WSI.put(1));
  wr(h.rf, r::kIcvec, icvec(0, 1, 1, 2), 8);
  h.enable_fq(true);
  h.enable_cq(true);

  REQUIRE(h.fault());
  CHECK(h.wires == std::vector<Wire>{{1, true}});
  CHECK(h.irq.wire_level(1));
  // The HPM cycle counter overflows: pmip, also on vector 1: no new edge.
  REQUIRE(h.rf.hpm_overflow(0));
  CHECK(rd(h.rf, r::kIpsr) == (r::ipsr::fip.mask() | r::ipsr::pmip.mask()));
  CHECK(h.wires.size() == 1);
  // An illegal command: cip on vector 0.
  h.illegal_command();
  CHECK(h.wires == std::vector<Wire>{{1, true}, {0, true}});

  // Software clears fip: vector 1 stays high because pmip is pending.
  h.clear_ipsr(r::ipsr::fip.mask());
  CHECK(h.irq.wire_level(1));
  CHECK(h.wires.size() == 2);
  h.clear_ipsr(r::ipsr::pmip.mask());
  CHECK_FALSE(h.irq.wire_level(1));
  CHECK(h.wires.back() == Wire{1, false});
  // cip's condition (cmd_ill) still holds: clearing it re-raises it at once
  // (6.18), so wire 0 never drops.
  h.clear_ipsr(r::ipsr::cip.mask());
  CHECK(rd(h.rf, r::kIpsr) == r::ipsr::cip.mask());
  CHECK(h.irq.wire_level(0));
  CHECK(h.wires.size() == 3);
  // Clearing cmd_ill then cip drops wire 0.
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::cmd_ill.put(1));
  h.clear_ipsr(r::ipsr::cip.mask());
  CHECK_FALSE(h.irq.wire_level(0));
  CHECK(h.wires.back() == Wire{0, false});
  CHECK(h.irq.wsi_assertions() == 2);
  CHECK(h.irq.wsi_deassertions() == 2);
  CHECK(h.msis.empty());
}

TEST_CASE("WSI: remapping a pending cause in icvec moves its wire; fctl.WSI=0 drops wires") {
  IrqHarness h;
  wr(h.rf, r::kFctl, r::fctl::WSI.put(1));
  wr(h.rf, r::kIcvec, icvec(0, 1, 0, 0), 8);
  h.enable_fq(true);
  REQUIRE(h.fault());
  CHECK(h.irq.wire_level(1));
  wr(h.rf, r::kIcvec, icvec(0, 3, 0, 0), 8);
  CHECK_FALSE(h.irq.wire_level(1));
  CHECK(h.irq.wire_level(3));
  CHECK(h.wires == std::vector<Wire>{{1, true}, {1, false}, {3, true}});
  wr(h.rf, r::kFctl, 0);
  CHECK_FALSE(h.irq.wire_level(3));
  CHECK(h.wires.back() == Wire{3, false});
  // Switching to MSI does not send a message for the bit already pending.
  CHECK(h.msis.empty());
}

TEST_CASE("WSI: IOFENCE.C with WSI raises cip on the command-queue vector") {
  IommuParams p;
  p.igs = "wsi";  // fctl.WSI is fixed to 1
  IrqHarness h(p);
  REQUIRE(h.rf.fctl_wsi());
  wr(h.rf, r::kIcvec, icvec(2, 0, 0, 0), 8);
  h.enable_cq(true);
  // IOFENCE.C (opcode 2) with WSI (bit 11).
  h.mem.poke(kCqBase, 2 | (1ull << 11));
  wr(h.rf, r::kCqt, 1);
  sc_time d = SC_ZERO_TIME;
  CHECK(h.cq.process(d) == 1);
  CHECK(r::cqcsr::fence_w_ip.get(rd(h.rf, r::kCqcsr)) == 1);
  CHECK(h.wires == std::vector<Wire>{{2, true}});
  // Acknowledge: clear fence_w_ip, then cip.
  wr(h.rf, r::kCqcsr, r::cqcsr::cqen.put(1) | r::cqcsr::cie.put(1) | r::cqcsr::fence_w_ip.put(1));
  h.clear_ipsr(r::ipsr::cip.mask());
  CHECK(h.wires == std::vector<Wire>{{2, true}, {2, false}});
  // With IGS=WSI the MSI table reads 0 and no message is ever sent.
  CHECK(rd(h.rf, r::msi_addr_offset(0), 8) == 0);
  CHECK(h.msis.empty());
}

// ---------------------------------------------------------------------------
// Message-signaled interrupts
// ---------------------------------------------------------------------------

TEST_CASE("MSI: each 0->1 transition sends msi_cfg_tbl[icvec[cause]]") {
  IrqHarness h;
  REQUIRE_FALSE(h.rf.fctl_wsi());
  for (unsigned x = 0; x < 4; ++x) h.msi_entry(x, 0x28000000 + 0x1000 * x, 0x40 + x);
  wr(h.rf, r::kIcvec, icvec(2, 3, 1, 0), 8);
  h.enable_fq(true);
  h.enable_cq(true);

  REQUIRE(h.fault());
  CHECK(h.msis == std::vector<Msi>{{0x28003000, 0x43}});
  // fip still pending: the next record sends nothing (edge semantics).
  REQUIRE(h.fault());
  CHECK(h.msis.size() == 1);
  h.illegal_command();
  CHECK(h.msis.back() == Msi{0x28002000, 0x42});
  REQUIRE(h.rf.hpm_overflow(0));
  CHECK(h.msis.back() == Msi{0x28001000, 0x41});
  // Cleared fip, new record: a new message.
  h.clear_ipsr(r::ipsr::fip.mask());
  REQUIRE(h.fault());
  CHECK(h.msis.size() == 4);
  CHECK(h.msis.back() == Msi{0x28003000, 0x43});
  // A level condition that still holds re-raises the bit on clear: that is
  // a new 0 -> 1 transition, so a new message (cmd_ill is still set).
  h.clear_ipsr(r::ipsr::cip.mask());
  CHECK(h.msis.size() == 5);
  CHECK(h.msis.back() == Msi{0x28002000, 0x42});
  CHECK(h.irq.msis_sent() == 5);
  CHECK(h.wires.empty());
}

TEST_CASE("MSI: msi_addr bits 1:0 and above PAS are not part of the address") {
  IommuParams p;
  p.pas_bits = 40;
  IrqHarness h(p);
  h.msi_entry(0, 0xff00f0001234567bull, 0xffffffff);
  h.enable_fq(true);
  REQUIRE(h.fault());
  REQUIRE(h.msis.size() == 1);
  CHECK(h.msis[0] == Msi{0x12345678, 0xffffffff});
}

TEST_CASE("MSI: a masked vector holds its message until unmasked") {
  IrqHarness h;
  h.msi_entry(1, 0x28001000, 0x11, /*masked=*/true);
  wr(h.rf, r::kIcvec, icvec(0, 1, 0, 0), 8);
  h.enable_fq(true);

  REQUIRE(h.fault());
  CHECK(h.msis.empty());
  CHECK(h.irq.msi_pending(1));
  // More transitions while masked still give one message.
  h.clear_ipsr(r::ipsr::fip.mask());
  REQUIRE(h.fault());
  CHECK(h.irq.msis_masked() == 1);
  // The driver changes the data while masked: the message uses the table
  // as it is when sent.
  wr(h.rf, r::msi_data_offset(1), 0x22);
  wr(h.rf, r::msi_vec_ctl_offset(1), 0);
  CHECK(h.msis == std::vector<Msi>{{0x28001000, 0x22}});
  CHECK_FALSE(h.irq.msi_pending(1));
  CHECK(h.irq.msis_sent_on_unmask() == 1);
  // Masking and unmasking with nothing pending sends nothing.
  wr(h.rf, r::msi_vec_ctl_offset(1), 1);
  wr(h.rf, r::msi_vec_ctl_offset(1), 0);
  CHECK(h.msis.size() == 1);
  // Other vectors are not affected by vector 1's mask.
  h.msi_entry(0, 0x28000000, 0x10);
  h.enable_cq(true);
  h.illegal_command();
  CHECK(h.msis.back() == Msi{0x28000000, 0x10});
}

TEST_CASE("MSI: a faulting MSI write is reported as fault cause 273") {
  IrqHarness h;
  h.msi_entry(0, 0x30000000, 0x5);  // cip
  h.msi_entry(1, 0x30001000, 0x6);  // fip
  wr(h.rf, r::kIcvec, icvec(0, 1, 0, 0), 8);
  h.enable_fq(true);
  h.enable_cq(true);
  h.msi_ok = false;

  h.illegal_command();
  // cip's MSI faulted -> fault record (cause 273, TTYP 0, iotval = address)
  // -> fip -> its MSI faulted too -> a second record; fip is already set, so
  // that one raises nothing and the chain ends.
  CHECK(h.irq.msi_faults() == 2);
  CHECK(h.fq.records_written() == 2);
  CHECK(rd(h.rf, r::kFqt) == 2);
  CHECK((h.mem.peek(kFqBase) & 0xfff) == 273);
  CHECK((h.mem.peek(kFqBase) >> 34) == 0);  // TTYP, DID: 0
  CHECK(h.mem.peek(kFqBase + 16) == 0x30000000);
  CHECK(h.mem.peek(kFqBase + 32 + 16) == 0x30001000);
  CHECK(h.irq.msis_sent() == 0);

  const StatsMap c = stats_of(h.irq);
  CHECK(c["interrupts.msi_faults"] == 2);
  CHECK(c["interrupts.msis_sent"] == 0);
}
