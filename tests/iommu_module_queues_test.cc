// Command queue, fault queue and interrupts of the Iommu module, driven as a
// driver does: commands written into guest memory, cqt bumped over the
// register socket, completion seen through cqh and IOFENCE.C's data write;
// fault records read back from the fault queue field by field.
#include <catch2/catch.hpp>

#include "tests/support/iommu_bench.h"

using namespace vp::iommu;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::wait;
using vp::common::PcieExtension;
using vp::test::IommuBench;
using vp::test::TestInitiator;

namespace {

constexpr uint32_t kDid = 0x2a;
constexpr uint64_t kFlagsRW = pte::kR | pte::kW | pte::kA | pte::kD | pte::kU;

struct QueueBench : IommuBench {
  uint64_t cq = 0, fq = 0, ddt = 0, pt = 0;
  uint32_t tail = 0;

  explicit QueueBench(const IommuParams& p = quiet({})) : IommuBench(p) {}

  // 8-entry command queue and fault queue, enabled; device kDid on Sv39.
  void setup(uint64_t cqcsr_extra = 0, uint64_t fqcsr_extra = 0) {
    cq = alloc_page();
    fq = alloc_page();
    write_reg(regs::kCqb, regs::qb::PPN.put(cq >> 12) | regs::qb::LOG2SZ_1.put(2));
    write_reg(regs::kCqcsr, regs::cqcsr::cqen.mask() | cqcsr_extra, 4);
    write_reg(regs::kFqb, regs::qb::PPN.put(fq >> 12) | regs::qb::LOG2SZ_1.put(2));
    write_reg(regs::kFqcsr, regs::fqcsr::fqen.mask() | fqcsr_extra, 4);
    ddt = alloc_page();
    pt = alloc_page();
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1);
    dc.ta = dc::ta::kPscid.make(3);
    dc.fsc = dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(pt >> 12);
    install_dc(ddt, kDid, dc, true);
    set_ddtp(regs::ddtp::k1Lvl, ddt);
  }
  void submit(uint64_t dw0, uint64_t dw1 = 0) {
    poke64(cq + 16 * tail, dw0);
    poke64(cq + 16 * tail + 8, dw1);
    tail = (tail + 1) % 8;
    write_reg(regs::kCqt, tail, 4);
  }
  uint32_t cqh() { return uint32_t(read_reg(regs::kCqh, 4)); }
  uint32_t cqcsr() { return uint32_t(read_reg(regs::kCqcsr, 4)); }
  uint32_t fqcsr() { return uint32_t(read_reg(regs::kFqcsr, 4)); }
  tlm::tlm_response_status dma_write(uint64_t iova, uint32_t did = kDid) {
    PcieExtension ext;
    ext.rid = uint16_t(did);
    uint64_t v = 0x55;
    return dev.transport(tlm::TLM_WRITE_COMMAND, iova, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                         &ext);
  }
  FaultRecord record(unsigned index) {
    uint64_t dw[4];
    for (unsigned i = 0; i < 4; ++i) dw[i] = peek64(fq + 32 * index + 8 * i);
    return FaultRecord::decode(dw);
  }
};

uint64_t iofence(bool av, uint32_t data = 0, bool wsi = false) {
  namespace f = command::iofence;
  return command::kOpcode.make(command::kOpIofence) | f::kAv.make(av) | f::kData.make(data) |
         f::kWsi.make(wsi);
}

void run(QueueBench& b, std::function<void(QueueBench&)> body) {
  b.dev.body = [&b, body](TestInitiator&) { body(b); };
  sc_core::sc_start();
}

}  // namespace

TEST_CASE("iommu queues: IOFENCE.C completes in order and writes its data") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.setup();
    const uint64_t flag = b.alloc_page();
    b.submit(iofence(true, 0xfeedf00d), flag >> 2);
    CHECK(uint32_t(b.peek64(flag)) == 0);  // nothing before the IOMMU runs
    wait(sc_time(1, sc_core::SC_US));
    CHECK(uint32_t(b.peek64(flag)) == 0xfeedf00d);
    CHECK(b.cqh() == 1);
    CHECK(b.iommu.command_queue().executed(CommandQueue::Command::kIofenceC) == 1);
  });
}

TEST_CASE("iommu queues: IOTINVAL.VMA makes a remapped page visible and IODIR a changed DC") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.setup();
    const uint64_t leaf = b.map(b.pt, 3, 0x1000, 0x7000, kFlagsRW);
    CHECK(b.dma_write(0x1000) == tlm::TLM_OK_RESPONSE);
    b.poke64(leaf, pte::kV | kFlagsRW | pte::kPpn.make(0x8000 >> 12));
    namespace t = command::iotinval;
    b.submit(command::kOpcode.make(command::kOpIotinval) | t::kAv.make(1) | t::kPscv.make(1) |
                 t::kPscid.make(3),
             t::kAddr.make(0x1000 >> 12));
    wait(sc_time(1, sc_core::SC_US));
    CHECK(b.cqh() == 1);
    CHECK(b.dma_write(0x1000) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0x8000) == 0x55);

    // Invalidate the DC: with V cleared in memory, the next DMA faults.
    b.poke64(b.ddt + 64 * kDid, 0);
    CHECK(b.dma_write(0x1000) == tlm::TLM_OK_RESPONSE);  // cached DC still used
    namespace d = command::iodir;
    b.submit(command::kOpcode.make(command::kOpIodir) | d::kDv.make(1) | d::kDid.make(kDid));
    wait(sc_time(1, sc_core::SC_US));
    CHECK(b.dma_write(0x1000) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.record(0).cause == cause::kDdtNotValid);
  });
}

TEST_CASE("iommu queues: an illegal command sets cmd_ill and stops with cqh on it") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.setup();
    const uint64_t flag = b.alloc_page();
    b.submit(iofence(false));
    b.submit(command::kOpcode.make(command::kOpIotinval) | command::kFunc3.make(1) |
             command::iotinval::kPscv.make(1));  // GVMA with PSCV: illegal
    b.submit(iofence(true, 1), flag >> 2);
    wait(sc_time(1, sc_core::SC_US));
    CHECK(b.cqh() == 1);
    CHECK(regs::cqcsr::cmd_ill.get(b.cqcsr()) == 1);
    CHECK(uint32_t(b.peek64(flag)) == 0);  // the fence after it did not run
    // Software fixes the command, clears cmd_ill (W1C) and the queue resumes.
    b.poke64(b.cq + 16, iofence(false));
    b.write_reg(regs::kCqcsr, regs::cqcsr::cqen.mask() | regs::cqcsr::cmd_ill.mask(), 4);
    wait(sc_time(1, sc_core::SC_US));
    CHECK(b.cqh() == 3);
    CHECK(uint32_t(b.peek64(flag)) == 1);
    // A reserved bit, an unknown opcode, IODIR.INVAL_PDT without DV.
    for (uint64_t bad :
         {uint64_t(iofence(false) | (1ull << 20)), uint64_t(0x3f),
          uint64_t(command::kOpcode.make(command::kOpIodir) | command::kFunc3.make(1))}) {
      const uint32_t at = b.cqh();
      b.submit(bad);
      wait(sc_time(1, sc_core::SC_US));
      CHECK(b.cqh() == at);
      CHECK(regs::cqcsr::cmd_ill.get(b.cqcsr()) == 1);
      b.poke64(b.cq + 16 * at, iofence(false));
      b.write_reg(regs::kCqcsr, regs::cqcsr::cqen.mask() | regs::cqcsr::cmd_ill.mask(), 4);
      wait(sc_time(1, sc_core::SC_US));
    }
    CHECK(b.iommu.command_queue().illegal_commands() == 4);
  });
}

TEST_CASE("iommu queues: a command queue in unbacked memory sets cqmf") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.setup();
    b.write_reg(regs::kCqcsr, 0, 4);
    b.write_reg(regs::kCqb, regs::qb::PPN.put(0x10'0000'0000ull >> 12));  // beyond the DRAM
    b.write_reg(regs::kCqcsr, regs::cqcsr::cqen.mask(), 4);
    b.write_reg(regs::kCqt, 1, 4);
    wait(sc_time(1, sc_core::SC_US));
    CHECK(regs::cqcsr::cqmf.get(b.cqcsr()) == 1);
    CHECK(b.cqh() == 0);
  });
}

TEST_CASE("iommu queues: fault records with wrap-around and overflow and fqmf") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.setup();
    // 8 entries hold 7 records; the 8th overflows (fqof) and is dropped.
    for (unsigned i = 0; i < 8; ++i)
      CHECK(b.dma_write(0x100000 + 0x1000 * i) != tlm::TLM_OK_RESPONSE);
    CHECK(b.read_reg(regs::kFqt, 4) == 7);
    CHECK(regs::fqcsr::fqof.get(b.fqcsr()) == 1);
    for (unsigned i = 0; i < 7; ++i) {
      const FaultRecord r = b.record(i);
      CHECK(r.cause == cause::kWritePageFault);
      CHECK(r.ttyp == ttyp::kUntranslatedWrite);
      CHECK(r.did == kDid);
      CHECK_FALSE(r.pv);
      CHECK(r.pid == 0);
      CHECK_FALSE(r.priv);
      CHECK(r.iotval == 0x100000 + 0x1000 * i);
      CHECK(r.iotval2 == 0);
    }
    CHECK(b.iommu.fault_queue().records_dropped(FaultQueue::DropReason::kOverflow) == 1);
    // While fqof is set nothing is queued; software drains, clears, resumes.
    CHECK(b.dma_write(0x200000) != tlm::TLM_OK_RESPONSE);
    CHECK(b.read_reg(regs::kFqt, 4) == 7);
    b.write_reg(regs::kFqh, 7, 4);
    b.write_reg(regs::kFqcsr, regs::fqcsr::fqen.mask() | regs::fqcsr::fqof.mask(), 4);
    CHECK(b.dma_write(0x300000) != tlm::TLM_OK_RESPONSE);
    CHECK(b.read_reg(regs::kFqt, 4) == 0);  // wrapped
    CHECK(b.record(7).iotval == 0x300000);
    // A fault queue outside memory: fqmf.
    b.write_reg(regs::kFqcsr, 0, 4);
    b.write_reg(regs::kFqb, regs::qb::PPN.put(0x10'0000'0000ull >> 12) | regs::qb::LOG2SZ_1.put(2));
    b.write_reg(regs::kFqh, 0, 4);
    b.write_reg(regs::kFqcsr, regs::fqcsr::fqen.mask(), 4);
    CHECK(b.dma_write(0x400000) != tlm::TLM_OK_RESPONSE);
    CHECK(regs::fqcsr::fqmf.get(b.fqcsr()) == 1);
  });
}

TEST_CASE("iommu interrupts: fault-queue MSI through msi_cfg_tbl and masking defers it") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    const uint64_t doorbell = b.alloc_page();
    b.write_reg(regs::kIcvec, regs::icvec::fiv.put(2), 8);  // faults on vector 2
    b.write_reg(regs::kMsiCfgTbl + 16 * 2, doorbell);       // msi_addr_2
    b.write_reg(regs::kMsiCfgTbl + 16 * 2 + 8, 0x77, 4);    // msi_data_2
    b.setup(0, regs::fqcsr::fie.mask());
    CHECK(b.dma_write(0x500000) != tlm::TLM_OK_RESPONSE);
    CHECK(regs::ipsr::fip.get(b.read_reg(regs::kIpsr, 4)) == 1);
    CHECK(uint32_t(b.peek64(doorbell)) == 0x77);
    CHECK(b.iommu.interrupts().msis_sent() == 1);
    // fip stays set: a second fault sends no new MSI until software clears it.
    CHECK(b.dma_write(0x501000) != tlm::TLM_OK_RESPONSE);
    CHECK(b.iommu.interrupts().msis_sent() == 1);
    b.write_reg(regs::kIpsr, regs::ipsr::fip.mask(), 4);
    // Masked vector: the MSI waits for the unmask.
    b.poke64(doorbell, 0);
    b.write_reg(regs::kMsiCfgTbl + 16 * 2 + 12, 1, 4);  // msi_vec_ctl_2.M
    CHECK(b.dma_write(0x502000) != tlm::TLM_OK_RESPONSE);
    CHECK(uint32_t(b.peek64(doorbell)) == 0);
    b.write_reg(regs::kMsiCfgTbl + 16 * 2 + 12, 0, 4);
    CHECK(uint32_t(b.peek64(doorbell)) == 0x77);
    CHECK(b.iommu.interrupts().msis_sent() == 2);
  });
}

TEST_CASE("iommu interrupts: wire-signaled fault and IOFENCE.C interrupts") {
  QueueBench b;
  run(b, [](QueueBench& b) {
    b.write_reg(regs::kFctl, regs::fctl::WSI.mask(), 4);
    b.write_reg(regs::kIcvec, regs::icvec::fiv.put(1) | regs::icvec::civ.put(3), 8);
    b.setup(regs::cqcsr::cie.mask(), regs::fqcsr::fie.mask());
    CHECK(b.dma_write(0x500000) != tlm::TLM_OK_RESPONSE);
    wait(sc_core::SC_ZERO_TIME);
    CHECK(b.iommu.wsi[1].read());
    CHECK_FALSE(b.iommu.wsi[3].read());
    b.write_reg(regs::kIpsr, regs::ipsr::fip.mask(), 4);  // software handles it
    wait(sc_core::SC_ZERO_TIME);
    CHECK_FALSE(b.iommu.wsi[1].read());
    // IOFENCE.C with WSI: fence_w_ip, cip, wire 3.
    b.submit(iofence(false, 0, true));
    wait(sc_time(1, sc_core::SC_US));
    CHECK(regs::cqcsr::fence_w_ip.get(b.cqcsr()) == 1);
    CHECK(regs::ipsr::cip.get(b.read_reg(regs::kIpsr, 4)) == 1);
    CHECK(b.iommu.wsi[3].read());
  });
}
