// Command queue, fault queue and interrupts of the Iommu module, driven as a
// driver does: commands written into guest memory, cqt bumped over the
// register socket, completion seen through cqh and IOFENCE.C's data write;
// fault records read back from the fault queue field by field.
#include <tlm_utils/simple_target_socket.h>

#include <catch2/catch.hpp>
#include <vector>

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

// The devices' side of device_messages: records every message and answers
// with `answer` after `latency`.
struct MessageSink : sc_core::sc_module {
  struct Message {
    vp::common::MessageCode code;
    uint32_t did;
    bool pv;
    uint32_t pid;
    uint64_t payload;
  };
  tlm_utils::simple_target_socket<MessageSink> socket;
  std::vector<Message> got;
  tlm::tlm_response_status answer = tlm::TLM_OK_RESPONSE;
  sc_time latency = sc_time(100, SC_NS);

  explicit MessageSink(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &MessageSink::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    const PcieExtension* ext = gp.get_extension<PcieExtension>();
    REQUIRE(ext != nullptr);
    REQUIRE(gp.get_data_length() == 8);
    uint64_t payload = 0;
    std::memcpy(&payload, gp.get_data_ptr(), 8);
    got.push_back({ext->message, ext->device_id(), ext->pasid_valid, ext->pasid, payload});
    delay += latency;
    gp.set_response_status(answer);
  }
};

struct QueueBench : IommuBench {
  uint64_t cq = 0, fq = 0, ddt = 0, pt = 0;
  uint32_t tail = 0;
  MessageSink devices{"devices"};

  explicit QueueBench(const IommuParams& p = quiet({})) : IommuBench(p) {
    iommu.device_messages.bind(devices.socket);
  }

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

// ---------------------------------------------------------------------------
// PRI and the messages to devices

namespace {

namespace pr = page_request;

uint64_t page_request_payload(uint64_t page, unsigned prgi, bool r, bool w, bool last) {
  return pr::kPageAddress.make(page >> 12) | pr::kPrgIndex.make(prgi) | pr::kR.make(r) |
         pr::kW.make(w) | pr::kL.make(last);
}

struct PriBench : QueueBench {
  uint64_t pq = 0;
  explicit PriBench(const IommuParams& p = quiet({})) : QueueBench(p) {}

  // Device kDid with EN_ATS and EN_PRI (and PRPR if asked); a page-request
  // queue of 2^log2sz entries, enabled with interrupts.
  void setup_pri(bool prpr = false, unsigned log2sz = 3, uint64_t pq_base = 0) {
    setup();
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1) | dc::tc::kEnAts.make(1) | dc::tc::kEnPri.make(1) |
            dc::tc::kPrpr.make(prpr);
    dc.ta = dc::ta::kPscid.make(3);
    dc.fsc = dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(pt >> 12);
    install_dc(ddt, kDid, dc, true);
    pq = pq_base ? pq_base : alloc_page();
    write_reg(regs::kPqb, regs::qb::PPN.put(pq >> 12) | regs::qb::LOG2SZ_1.put(log2sz - 1));
    write_reg(regs::kPqcsr, regs::pqcsr::pqen.mask() | regs::pqcsr::pie.mask(), 4);
  }
  // A "Page Request" message from `did`, with a PASID if `pasid` >= 0.
  tlm::tlm_response_status page_request(uint64_t payload, int64_t pasid = -1, bool priv = false,
                                        bool exec = false, uint32_t did = kDid) {
    PcieExtension ext;
    ext.message = vp::common::MessageCode::kPageRequest;
    ext.pasid_valid = pasid >= 0;
    ext.pasid = pasid >= 0 ? uint32_t(pasid) : 0;
    ext.privileged = priv;
    ext.execute = exec;
    return device_request(tlm::TLM_WRITE_COMMAND, 0, &payload, 8, did, ext);
  }
  PageRequestRecord pq_record(unsigned index) {
    const uint64_t dw[2] = {peek64(pq + 16 * index), peek64(pq + 16 * index + 8)};
    return PageRequestRecord::decode(dw);
  }
  uint32_t pqcsr() { return uint32_t(read_reg(regs::kPqcsr, 4)); }
  // The last message sent to a device must be a PRG response with `code`.
  void expect_response(unsigned code, unsigned prgi, bool pv, uint32_t pid = 0) {
    REQUIRE(!devices.got.empty());
    const MessageSink::Message& m = devices.got.back();
    CHECK(m.code == vp::common::MessageCode::kPrgResponse);
    CHECK(m.did == kDid);
    CHECK(command::ats::kPrgrResponseCode.get(m.payload) == code);
    CHECK(command::ats::kPrgrIndex.get(m.payload) == prgi);
    CHECK(m.pv == pv);
    if (pv) CHECK(m.pid == pid);
  }
};

void run_pri(PriBench& b, std::function<void(PriBench&)> body) {
  b.dev.body = [&b, body](TestInitiator&) { body(b); };
  sc_core::sc_start();
}

}  // namespace

TEST_CASE("iommu PRI: page requests reach the page-request queue field by field") {
  PriBench b;
  run_pri(b, [](PriBench& b) {
    b.setup_pri();
    const uint64_t p1 = page_request_payload(0x12345000, 0x55, true, true, false);
    REQUIRE(b.page_request(p1, 0x1234, true, true) == tlm::TLM_OK_RESPONSE);
    CHECK(b.read_reg(regs::kPqt, 4) == 1);
    PageRequestRecord r = b.pq_record(0);
    CHECK(r.did == kDid);
    CHECK(r.pv);
    CHECK(r.pid == 0x1234);
    CHECK(r.priv);
    CHECK(r.exec);
    CHECK(r.payload == p1);
    CHECK(regs::ipsr::pip.get(b.read_reg(regs::kIpsr, 4)) == 1);  // pqcsr.pie = 1
    // Without a PASID, PRIV/EXEC/PID are 0 whatever the TLP says; the last
    // request of a group is queued too and software, not the IOMMU, answers.
    const uint64_t p2 = page_request_payload(0x7000, 0x56, true, false, true);
    REQUIRE(b.page_request(p2, -1, true, true) == tlm::TLM_OK_RESPONSE);
    r = b.pq_record(1);
    CHECK(!r.pv);
    CHECK(r.pid == 0);
    CHECK(!r.priv);
    CHECK(!r.exec);
    CHECK(r.payload == p2);
    CHECK(b.devices.got.empty());
    CHECK(b.iommu.page_request_queue().count(PageRequestQueue::Outcome::kQueued) == 2);
    // Raw doublewords as a driver reads them.
    CHECK(b.peek64(b.pq) == (pr::kDid.make(kDid) | pr::kPv.make(1) | pr::kPid.make(0x1234) |
                             pr::kPriv.make(1) | pr::kExec.make(1)));
  });
}

TEST_CASE("iommu PRI: without EN_PRI the IOMMU answers Invalid Request and records cause 260") {
  PriBench b;
  run_pri(b, [](PriBench& b) {
    b.setup();  // EN_ATS and EN_PRI clear
    REQUIRE(b.page_request(page_request_payload(0x9000, 0x21, true, false, true), 7) ==
            tlm::TLM_OK_RESPONSE);
    b.expect_response(pr::kResponseInvalidRequest, 0x21, false);  // PRPR taken as 0
    FaultRecord f = b.record(0);
    CHECK(f.cause == cause::kTransactionTypeDisallowed);
    CHECK(f.ttyp == ttyp::kPcieMessageRequest);
    CHECK(f.did == kDid);
    CHECK(f.pv);
    CHECK(f.pid == 7);
    CHECK(f.iotval == 0x04);  // the "Page Request" message code
    // A request that is not the last of its group, and a Stop Marker, get
    // no answer (each still records the fault).
    REQUIRE(b.page_request(page_request_payload(0x9000, 0x22, true, false, false), 7) ==
            tlm::TLM_OK_RESPONSE);
    REQUIRE(b.page_request(page_request_payload(0, 0x23, false, false, true), 7) ==
            tlm::TLM_OK_RESPONSE);
    CHECK(b.devices.got.size() == 1);
    CHECK(b.read_reg(regs::kFqt, 4) == 3);

    // ddtp Bare: Invalid Request too; Off: Response Failure with the PASID.
    b.set_ddtp(regs::ddtp::kBare, 0);
    b.page_request(page_request_payload(0x9000, 0x31, true, false, true), 7);
    b.expect_response(pr::kResponseInvalidRequest, 0x31, false);
    b.set_ddtp(regs::ddtp::kOff, 0);
    b.page_request(page_request_payload(0x9000, 0x32, true, false, true), 7);
    b.expect_response(pr::kResponseFailure, 0x32, true, 7);
    CHECK(b.record(4).cause == cause::kAllInboundDisallowed);
  });
}

TEST_CASE("iommu PRI: queue off or faulting answers Response Failure, full answers Success") {
  PriBench b;
  run_pri(b, [](PriBench& b) {
    b.setup_pri(true, 1);  // PRPR=1; a 2-entry queue holds one record
    REQUIRE(b.page_request(page_request_payload(0x1000, 1, true, false, true), 9) ==
            tlm::TLM_OK_RESPONSE);
    CHECK(b.devices.got.empty());
    // Full (pqt == pqh - 1): pqof is set, the request is dropped and
    // answered Success, with the PASID because PRPR is 1.
    b.page_request(page_request_payload(0x2000, 2, true, false, true), 9);
    CHECK(regs::pqcsr::pqof.get(b.pqcsr()) == 1);
    b.expect_response(pr::kResponseSuccess, 2, true, 9);
    // While pqof is set every request is dropped, even with room again.
    b.write_reg(regs::kPqh, 1, 4);
    b.page_request(page_request_payload(0x3000, 3, true, false, true), 9);
    b.expect_response(pr::kResponseSuccess, 3, true, 9);
    CHECK(b.read_reg(regs::kPqt, 4) == 1);
    // Cleared (W1C), the queue takes records again.
    b.write_reg(regs::kPqcsr, b.pqcsr(), 4);
    REQUIRE(regs::pqcsr::pqof.get(b.pqcsr()) == 0);
    const size_t answered = b.devices.got.size();
    b.page_request(page_request_payload(0x4000, 4, true, false, true), 9);
    CHECK(b.devices.got.size() == answered);
    CHECK(b.pq_record(1).payload == page_request_payload(0x4000, 4, true, false, true));
    // Off: Response Failure.
    b.write_reg(regs::kPqcsr, 0, 4);
    b.page_request(page_request_payload(0x5000, 5, true, false, true), 9);
    b.expect_response(pr::kResponseFailure, 5, true, 9);
  });
}

TEST_CASE("iommu PRI: a page-request queue outside memory sets pqmf and answers Failure") {
  PriBench b;
  run_pri(b, [](PriBench& b) {
    b.setup_pri(false, 3, 0x10'0000'0000ull);  // beyond the 4-GiB DRAM
    b.page_request(page_request_payload(0x1000, 0x11, true, true, true));
    CHECK(regs::pqcsr::pqmf.get(b.pqcsr()) == 1);
    CHECK(regs::ipsr::pip.get(b.read_reg(regs::kIpsr, 4)) == 1);
    b.expect_response(pr::kResponseFailure, 0x11, false);
    CHECK(b.read_reg(regs::kPqt, 4) == 0);
  });
}

TEST_CASE(
    "iommu ATS commands: PRGR and INVAL are sent to the device, a lost completion is "
    "cmd_to") {
  PriBench b;
  run_pri(b, [](PriBench& b) {
    b.setup_pri();
    namespace a = command::ats;
    // ATS.PRGR: the device gets the response with the PASID and payload.
    const uint64_t prgr_payload = a::kPrgrIndex.make(0x55) | a::kPrgrResponseCode.make(0);
    b.submit(command::kOpcode.make(command::kOpAts) | command::kFunc3.make(a::kFuncPrgr) |
                 a::kPv.make(1) | a::kPid.make(0x1234) | a::kRid.make(kDid),
             prgr_payload);
    wait(sc_time(1, sc_core::SC_US));
    b.expect_response(0, 0x55, true, 0x1234);
    CHECK(b.devices.got.back().payload == prgr_payload);
    // ATS.INVAL: an Invalidation Request with the command's payload; the
    // device's OK is the completion, and its latency is the command's.
    const uint64_t inval = a::kInvalAddr.make(0x40000) | a::kInvalS.make(0);
    b.submit(command::kOpcode.make(command::kOpAts) | command::kFunc3.make(a::kFuncInval) |
                 a::kRid.make(kDid),
             inval);
    b.submit(iofence(false));
    wait(sc_time(1, sc_core::SC_US));
    REQUIRE(b.devices.got.size() == 2);
    CHECK(b.devices.got[1].code == vp::common::MessageCode::kInvalidationRequest);
    CHECK(b.devices.got[1].did == kDid);
    CHECK(!b.devices.got[1].pv);
    CHECK(b.devices.got[1].payload == inval);
    CHECK(b.cqh() == 3);
    CHECK(regs::cqcsr::cmd_to.get(b.cqcsr()) == 0);
    // No completion (the device answers with an error): the IOFENCE.C after
    // it stops the queue with cmd_to and cqh at the fence.
    b.devices.answer = tlm::TLM_GENERIC_ERROR_RESPONSE;
    b.submit(command::kOpcode.make(command::kOpAts) | command::kFunc3.make(a::kFuncInval) |
                 a::kRid.make(kDid),
             inval);
    b.submit(iofence(false));
    wait(sc_time(2, sc_core::SC_MS));  // beyond command_timeout_cycles
    CHECK(regs::cqcsr::cmd_to.get(b.cqcsr()) == 1);
    CHECK(b.cqh() == 4);
  });
}
