// The Iommu module end to end: a device's DMA through the upstream socket,
// tables built in DRAM by the test as a driver would, registers written
// over the register socket. Checks data placement, fault responses and
// records, IOTLB use, the debug translation interface, DMI and timing
// against the parameters.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "tests/support/iommu_bench.h"

using namespace vp::iommu;
using sc_core::SC_NS;
using sc_core::sc_time;
using vp::common::PcieExtension;
using vp::test::IommuBench;
using vp::test::TestInitiator;

namespace {

constexpr uint32_t kDid = 0x0028;  // bus 0, device 5, function 0 (fits a 1LVL DDT)
// Device requests without a PASID are user-mode accesses: leaves need U.
constexpr uint64_t kFlagsRW = pte::kR | pte::kW | pte::kA | pte::kD | pte::kU;

// A DRAM without a bandwidth term, so latencies are whole nanoseconds.
vp::memory::SparseMemoryParams flat_dram() {
  vp::memory::SparseMemoryParams p;
  p.size = 1ull << 32;
  p.bandwidth_gbps = 0;
  return p;
}

struct Bench : IommuBench {
  uint64_t ddt = 0;
  uint64_t pt_root = 0;

  explicit Bench(const IommuParams& p = quiet({})) : IommuBench(p) {}

  // 1LVL DDT, device kDid with Sv39 (PSCID 7) rooted at pt_root.
  void setup_sv39(uint64_t extra_tc = 0) {
    ddt = alloc_page();
    pt_root = alloc_page();
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1) | extra_tc;
    dc.ta = dc::ta::kPscid.make(7);
    dc.fsc = dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(pt_root >> 12);
    install_dc(ddt, kDid, dc, iommu.params().msi_flat);
    set_ddtp(regs::ddtp::k1Lvl, ddt);
  }

  tlm::tlm_response_status dma(tlm::tlm_command cmd, uint64_t iova, void* data, unsigned len,
                               uint32_t did = kDid) {
    return device_request(cmd, iova, data, len, did);
  }
};

void run(Bench& b, std::function<void(Bench&)> body) {
  b.dev.body = [&b, body](TestInitiator&) { body(b); };
  sc_core::sc_start();
}

}  // namespace

TEST_CASE("iommu: Off blocks every request with cause 256, Bare passes through") {
  Bench b;
  run(b, [](Bench& b) {
    uint32_t v = 0x12345678;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x5000, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    const IommuFault& f = b.iommu.recent_faults()[0];
    CHECK(f.cause == cause::kAllInboundDisallowed);
    CHECK(f.ttyp == ttyp::kUntranslatedWrite);
    CHECK(f.did == kDid);
    CHECK(f.iotval == 0x5000);
    CHECK(b.peek64(0x5000) == 0);

    b.set_ddtp(regs::ddtp::kBare, 0);
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x5000, &v, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(uint32_t(b.peek64(0x5000)) == 0x12345678);
    // Translated requests are disallowed in Bare mode (2.3 step 2).
    PcieExtension ext;
    ext.rid = kDid;
    ext.address_type = vp::common::AddressType::kTranslated;
    CHECK(b.dev.transport(tlm::TLM_READ_COMMAND, 0x5000, &v, 4, sc_core::SC_ZERO_TIME, nullptr, 0,
                          0, &ext) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.iommu.recent_faults().back().cause == cause::kTransactionTypeDisallowed);
    CHECK(b.iommu.recent_faults().back().ttyp == ttyp::kTranslatedRead);
  });
}

TEST_CASE("iommu: Sv39 DMA lands at the translated address and the second access hits") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x40001000, 0x7000, kFlagsRW);
    const char msg[] = "translated by the IOMMU";
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x40001010, const_cast<char*>(msg), sizeof msg) ==
          tlm::TLM_OK_RESPONSE);
    char back[sizeof msg] = {};
    b.peek(0x7010, back, sizeof msg);
    CHECK(std::string(back) == msg);
    CHECK(b.iommu.iotlb().misses() == 1);
    char rd[sizeof msg] = {};
    CHECK(b.dma(tlm::TLM_READ_COMMAND, 0x40001010, rd, sizeof msg) == tlm::TLM_OK_RESPONSE);
    CHECK(std::string(rd) == msg);
    CHECK(b.iommu.iotlb().hits() == 1);
    CHECK(b.iommu.recent_faults().empty());
  });
}

TEST_CASE("iommu: miss and hit latency equal the parameters' sum") {
  IommuParams p = IommuBench::quiet({});
  p.clock_period_ps = 1000;
  p.context_cache_lookup_cycles = 3;
  p.iotlb_lookup_cycles = 2;
  p.walk_level_cycles = 5;
  // A DRAM without bandwidth term: 40 ns per access exactly.
  vp::memory::SparseMemory flat("flat", flat_dram());
  vp::iommu::Iommu iommu("iommu2", p);
  TestInitiator dev("dev2"), cpu("cpu2");
  iommu.downstream.bind(flat.socket);
  dev.socket.bind(iommu.upstream);
  cpu.socket.bind(iommu.regs);
  // Tables written directly into `flat` (extended 64-byte DCs: MSI_FLAT).
  auto poke = [&](uint64_t a, uint64_t v) { flat.write(a, &v, 8); };
  const uint64_t ddt = 0x100000, l2 = 0x101000, l1 = 0x102000, l0 = 0x103000;
  poke(ddt + 64 * kDid, dc::tc::kV.make(1));
  poke(ddt + 64 * kDid + 16, dc::ta::kPscid.make(1));
  poke(ddt + 64 * kDid + 24,
       dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(l2 >> 12));
  const uint64_t va = 0x0000001040201000ull & ((1ull << 39) - 1);
  poke(l2 + 8 * ((va >> 30) & 0x1ff), pte::kV | pte::kPpn.make(l1 >> 12));
  poke(l1 + 8 * ((va >> 21) & 0x1ff), pte::kV | pte::kPpn.make(l0 >> 12));
  poke(l0 + 8 * ((va >> 12) & 0x1ff), pte::kV | kFlagsRW | pte::kPpn.make(0x9000 >> 12));
  // Drive the IOMMU only from the device thread; registers set before start.
  iommu.register_file().write(regs::kDdtp, 8, regs::ddtp::PPN.put(ddt >> 12) | regs::ddtp::k1Lvl);
  sc_time miss, hit;
  dev.body = [&](TestInitiator& d) {
    PcieExtension ext;
    ext.rid = kDid;
    uint64_t v = 42;
    REQUIRE(d.transport(tlm::TLM_WRITE_COMMAND, va, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                        &ext) == tlm::TLM_OK_RESPONSE);
    miss = d.last_delay;
    REQUIRE(d.transport(tlm::TLM_READ_COMMAND, va, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                        &ext) == tlm::TLM_OK_RESPONSE);
    hit = d.last_delay;
    CHECK(v == 42);
  };
  sc_core::sc_start();
  const sc_time mem(40, SC_NS), cyc(1, SC_NS);
  // Miss: DC probe, DC read, IOTLB probe, 3 PTE reads each with the per-level
  // cost, then the data access.
  CHECK(miss == 3 * cyc + mem + 2 * cyc + 3 * (mem + 5 * cyc) + mem);
  // Hit: DC cache probe, IOTLB probe, the data access.
  CHECK(hit == 3 * cyc + 2 * cyc + mem);
  uint64_t landed = 0;
  flat.read(0x9000, &landed, 8);
  CHECK(landed == 42);
}

TEST_CASE("iommu: a page fault aborts the DMA and records every field") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x1000, 0x7000, pte::kR | pte::kA | pte::kU);  // read-only
    uint64_t v = 0xdead;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1008, &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.peek64(0x7008) == 0);
    CHECK(b.dma(tlm::TLM_READ_COMMAND, 0x200000, &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 2);
    const IommuFault& w = b.iommu.recent_faults()[0];
    CHECK(w.cause == cause::kWritePageFault);
    CHECK(w.ttyp == ttyp::kUntranslatedWrite);
    CHECK(w.did == kDid);
    CHECK_FALSE(w.pv);
    CHECK(w.iotval == 0x1008);
    CHECK(w.iotval2 == 0);
    const IommuFault& r = b.iommu.recent_faults()[1];
    CHECK(r.cause == cause::kReadPageFault);
    CHECK(r.ttyp == ttyp::kUntranslatedRead);
    CHECK(r.iotval == 0x200000);
  });
}

TEST_CASE("iommu: DC.tc.DTF suppresses translation faults but not DDT faults") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39(dc::tc::kDtf.make(1));
    uint64_t v = 0;
    CHECK(b.dma(tlm::TLM_READ_COMMAND, 0x3000, &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.iommu.recent_faults().empty());
    // Device 0x0029 has no valid DC: reported whatever DTF says.
    CHECK(b.dma(tlm::TLM_READ_COMMAND, 0x3000, &v, 8, 0x0029) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kDdtNotValid);
    CHECK(b.iommu.recent_faults()[0].did == 0x0029);
  });
}

TEST_CASE("iommu: a burst crossing a page boundary is split and each page translated") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x10000, 0x30000, kFlagsRW);
    b.map(b.pt_root, 3, 0x11000, 0x50000, kFlagsRW);  // not contiguous
    std::vector<uint8_t> data(256);
    for (unsigned i = 0; i < data.size(); ++i) data[i] = uint8_t(i);
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x10f80, data.data(), 256) == tlm::TLM_OK_RESPONSE);
    std::vector<uint8_t> lo(128), hi(128);
    b.peek(0x30f80, lo.data(), 128);
    b.peek(0x50000, hi.data(), 128);
    CHECK(lo[0] == 0);
    CHECK(lo[127] == 127);
    CHECK(hi[0] == 128);
    CHECK(hi[127] == 255);
    // The second page unmapped: the write faults at its first byte.
    b.map(b.pt_root, 3, 0x21000, 0x60000, kFlagsRW);
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x21f80, data.data(), 256) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].iotval == 0x22000);
  });
}

TEST_CASE("iommu: superpages translate and report their size through tr_response.S") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x40000000, 0x80200000, kFlagsRW, 1);  // 2 MiB leaf
    uint32_t v = 0xabcd;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x401ff000, &v, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(uint32_t(b.peek64(0x803ff000)) == 0xabcd);

    // Debug interface (6.25): read translation of the same IOVA.
    b.write_reg(regs::kTrReqIova, 0x40123000);
    b.write_reg(regs::kTrReqCtl, regs::tr_req_ctl::DID.put(kDid) | regs::tr_req_ctl::NW.put(1) |
                                     regs::tr_req_ctl::Go_Busy.put(1));
    CHECK(regs::tr_req_ctl::Go_Busy.get(b.read_reg(regs::kTrReqCtl)) == 0);
    const uint64_t resp = b.read_reg(regs::kTrResponse);
    CHECK(regs::tr_response::fault.get(resp) == 0);
    CHECK(regs::tr_response::S.get(resp) == 1);
    // 2 MiB = 2^9 pages: PPN[7:0] all ones, PPN[8] zero, upper bits the base.
    CHECK(regs::tr_response::PPN.get(resp) == ((0x80200000ull >> 12) | 0xff));

    // A 4 KiB page: S = 0, exact PPN; an unmapped IOVA: fault = 1 and a record.
    b.map(b.pt_root, 3, 0x5000, 0x6000, kFlagsRW);
    uint64_t r2 = b.debug_translate(0x5000, kDid);
    CHECK(regs::tr_response::S.get(r2) == 0);
    CHECK(regs::tr_response::PPN.get(r2) == 6);
    CHECK(regs::tr_response::fault.get(b.debug_translate(0x9000, kDid)) == 1);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kWritePageFault);
    CHECK(b.iommu.recent_faults()[0].iotval == 0x9000);
  });
}

TEST_CASE("iommu: DMI is granted for one page and revoked by invalidation") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x1000, 0x7000, kFlagsRW);
    b.map(b.pt_root, 3, 0x2000, 0x8000, pte::kR | pte::kA | pte::kU);
    tlm::tlm_generic_payload gp;
    PcieExtension ext;
    ext.rid = kDid;
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(0x1010);
    tlm::tlm_dmi dmi;
    REQUIRE(b.dev.socket->get_direct_mem_ptr(gp, dmi));
    CHECK(dmi.get_start_address() == 0x1000);
    CHECK(dmi.get_end_address() == 0x1fff);
    CHECK(dmi.is_read_write_allowed());
    b.poke64(0x7020, 0x1122334455667788ull);
    uint64_t v = 0;
    std::memcpy(&v, dmi.get_dmi_ptr() + 0x20, 8);
    CHECK(v == 0x1122334455667788ull);
    // Read-only page: read-only DMI.
    gp.set_address(0x2000);
    tlm::tlm_dmi ro;
    REQUIRE(b.dev.socket->get_direct_mem_ptr(gp, ro));
    CHECK(ro.is_read_allowed());
    CHECK_FALSE(ro.is_write_allowed());
    // Unmapped: refused.
    gp.set_address(0x3000);
    tlm::tlm_dmi none;
    CHECK_FALSE(b.dev.socket->get_direct_mem_ptr(gp, none));
    gp.clear_extension(&ext);
    REQUIRE(b.dev.invalidations.empty());
    b.iommu.invalidate_vma(std::nullopt, 7u, 0x1000ull);
    REQUIRE(b.dev.invalidations.size() == 1);
    CHECK(b.dev.invalidations[0].first == 0);
    // A ddtp write also revokes (after a new grant).
    gp.set_extension(&ext);
    gp.set_address(0x1000);
    REQUIRE(b.dev.socket->get_direct_mem_ptr(gp, dmi));
    gp.clear_extension(&ext);
    b.set_ddtp(regs::ddtp::kBare, 0);
    CHECK(b.dev.invalidations.size() == 2);
  });
}

TEST_CASE("iommu: IOTLB invalidation makes a changed mapping visible") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    const uint64_t leaf = b.map(b.pt_root, 3, 0x1000, 0x7000, kFlagsRW);
    uint64_t v = 1;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_OK_RESPONSE);
    // Remap without invalidation: the stale translation is still used.
    b.poke64(leaf, pte::kV | kFlagsRW | pte::kPpn.make(0x8000 >> 12));
    v = 2;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0x7000) == 2);
    b.iommu.invalidate_vma(std::nullopt, 7u, 0x1000ull);
    v = 3;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0x8000) == 3);
    CHECK(b.peek64(0x7000) == 2);
  });
}

TEST_CASE("iommu: PASID requests use the process context's page table") {
  Bench b;
  run(b, [](Bench& b) {
    const uint64_t ddt = b.alloc_page(), pdt = b.alloc_page();
    const uint64_t pt_a = b.alloc_page(), pt_b = b.alloc_page();
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1) | dc::tc::kPdtv.make(1);
    dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8) | dc::fsc::kPpn.make(pdt >> 12);
    b.install_dc(ddt, kDid, dc, true);
    // PD8: 16-byte PCs indexed by process_id.
    b.poke64(pdt + 16 * 3, pc::ta::kV.make(1) | pc::ta::kPscid.make(30));
    b.poke64(pdt + 16 * 3 + 8,
             pc::fsc::kMode.make(iosatp_mode::kSv39) | pc::fsc::kPpn.make(pt_a >> 12));
    b.poke64(pdt + 16 * 4, pc::ta::kV.make(1) | pc::ta::kPscid.make(40));
    b.poke64(pdt + 16 * 4 + 8,
             pc::fsc::kMode.make(iosatp_mode::kSv39) | pc::fsc::kPpn.make(pt_b >> 12));
    b.map(pt_a, 3, 0x1000, 0xa000, kFlagsRW | pte::kU);
    b.map(pt_b, 3, 0x1000, 0xb000, kFlagsRW | pte::kU);
    b.set_ddtp(regs::ddtp::k1Lvl, ddt);
    for (uint32_t pid : {3u, 4u}) {
      PcieExtension ext;
      ext.rid = kDid;
      ext.pasid_valid = true;
      ext.pasid = pid;
      uint64_t v = pid;
      CHECK(b.dev.transport(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8, sc_core::SC_ZERO_TIME, nullptr,
                            0, 0, &ext) == tlm::TLM_OK_RESPONSE);
    }
    CHECK(b.peek64(0xa000) == 3);
    CHECK(b.peek64(0xb000) == 4);
    // Supervisor request to a PC without ENS: transaction type disallowed.
    PcieExtension ext;
    ext.rid = kDid;
    ext.pasid_valid = true;
    ext.pasid = 3;
    ext.privileged = true;
    uint64_t v = 0;
    CHECK(b.dev.transport(tlm::TLM_READ_COMMAND, 0x1000, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0,
                          0, &ext) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kTransactionTypeDisallowed);
    CHECK(b.iommu.recent_faults()[0].pv);
    CHECK(b.iommu.recent_faults()[0].pid == 3);
    CHECK(b.iommu.recent_faults()[0].priv);
    // No PASID and DPE=0: first stage Bare, the IOVA is used as is.
    v = 77;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0xc000, &v, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0xc000) == 77);
  });
}

TEST_CASE("iommu: the fault explanation names the rule and the walk") {
  IommuParams p = IommuBench::quiet({});
  p.log_faults = true;
  Bench b(p);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  run(b, [](Bench& b) {
    b.setup_sv39();
    uint64_t v = 0;
    CHECK(b.dma(tlm::TLM_READ_COMMAND, 0x0000004000000000ull, &v, 8) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);  // bit 38 set, 63:39 clear
    b.map(b.pt_root, 3, 0x1000, 0x7000, pte::kR | pte::kA | pte::kU);
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
  REQUIRE(b.iommu.recent_faults().size() == 2);
  const std::string& canon = b.iommu.recent_faults()[0].explanation;
  INFO(canon);
  CHECK(canon.find("Read page fault (cause 13)") != std::string::npos);
  CHECK(canon.find("device_id 0x28") != std::string::npos);
  CHECK(canon.find("canonical") != std::string::npos);
  const std::string& perm = b.iommu.recent_faults()[1].explanation;
  INFO(perm);
  CHECK(perm.find("Write/AMO page fault") != std::string::npos);
  CHECK(perm.find("walk:") != std::string::npos);
}

TEST_CASE("iommu: MSI page table redirects virtual interrupt file pages (2.3.3)") {
  Bench b;
  run(b, [](Bench& b) {
    const uint64_t ddt = b.alloc_page(), msipt = b.alloc_page();
    const uint64_t groot = b.alloc_page(16384);  // Sv39x4 root: 16 KiB
    // Second stage (MSI translation needs one, 2.1.3.5): GPA 0x28008000 ->
    // SPA 0x60008000; the interrupt-file pages are not mapped there.
    b.map(groot, 3, 0x28008000, 0x60008000, kFlagsRW);
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1);
    dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) | dc::iohgatp::kGscid.make(5) |
                 dc::iohgatp::kPpn.make(groot >> 12);
    dc.msiptp = dc::msiptp::kMode.make(dc::msiptp::kModeFlat) | dc::msiptp::kPpn.make(msipt >> 12);
    dc.msi_addr_mask = 0x7;                  // 8 interrupt files
    dc.msi_addr_pattern = 0x28000000 >> 12;  // at GPA 0x28000000..0x28007fff
    b.install_dc(ddt, kDid, dc, true);
    b.set_ddtp(regs::ddtp::k1Lvl, ddt);
    // File 3 -> SPA page 0x90003000, write-through PTE (M=3).
    b.poke64(msipt + 16 * 3,
             msi_pte::kV.make(1) | msi_pte::kM.make(3) | msi_pte::kPpn.make(0x90003));
    uint32_t data = 0x21;
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x28003000, &data, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(uint32_t(b.peek64(0x90003000)) == 0x21);
    // Outside the pattern: the second stage translates.
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x28008000, &data, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(uint32_t(b.peek64(0x60008000)) == 0x21);
    // File 4 has V=0: cause 262.
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x28004000, &data, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kMsiPteNotValid);
    // File 5 in MRIF mode (not offered): misconfigured, cause 263.
    b.poke64(msipt + 16 * 5, msi_pte::kV.make(1) | msi_pte::kM.make(1));
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x28005000, &data, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.iommu.recent_faults().back().cause == cause::kMsiPteMisconfigured);
  });
}

TEST_CASE("iommu: ATS translation requests and Translated requests") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39(dc::tc::kEnAts.make(1));
    b.map(b.pt_root, 3, 0x1000, 0x7000, kFlagsRW);
    b.map(b.pt_root, 3, 0x2000, 0x8000, pte::kR | pte::kA | pte::kU);
    b.map(b.pt_root, 3, 0x200000, 0x40000000, kFlagsRW, 1);  // 2 MiB
    auto ats = [&](uint64_t iova, bool no_write, uint64_t* entry, uint32_t did = kDid) {
      return b.ats_request(iova, did, entry, no_write);
    };
    uint64_t e = 0;
    REQUIRE(ats(0x1000, false, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (0x7000 | 0x3));  // R, W, 4 KiB
    REQUIRE(ats(0x2000, false, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (0x8000 | 0x1));  // read-only page: W denied
    REQUIRE(ats(0x200000, true, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (0x40000000 | (0xffull << 12) | (1ull << 11) | 0x1));  // S=1, 2 MiB
    REQUIRE(ats(0x9000, false, &e) == tlm::TLM_OK_RESPONSE);
    CHECK((e & 3) == 0);  // unmapped: success with R=W=0 and no fault record
    CHECK(b.iommu.recent_faults().empty());

    // Translated request: bypasses translation (EN_ATS=1, T2GPA=0).
    PcieExtension tr;
    tr.rid = kDid;
    tr.address_type = vp::common::AddressType::kTranslated;
    uint64_t v = 0x77;
    CHECK(b.dev.transport(tlm::TLM_WRITE_COMMAND, 0x7040, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0,
                          0, &tr) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0x7040) == 0x77);

    // A device without EN_ATS: Unsupported Request and a cause-260 record.
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1);
    b.install_dc(b.ddt, kDid + 1, dc, true);
    CHECK(ats(0x1000, false, &e, kDid + 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kTransactionTypeDisallowed);
    CHECK(b.iommu.recent_faults()[0].ttyp == ttyp::kAtsTranslationRequest);
  });
}

TEST_CASE("iommu: every DDT depth x first-stage mode x second-stage mode translates") {
  IommuParams p = IommuBench::quiet({});
  p.sv57 = p.sv57x4 = true;
  Bench b(p);
  run(b, [](Bench& b) {
    unsigned combos = 0;
    uint32_t did = 0x1234;  // needs 2 or 3 levels with extended DCs
    for (unsigned ddt_mode : {regs::ddtp::k2Lvl, regs::ddtp::k3Lvl}) {
      for (unsigned fs :
           {iosatp_mode::kBare, iosatp_mode::kSv39, iosatp_mode::kSv48, iosatp_mode::kSv57}) {
        for (unsigned gs : {iohgatp_mode::kBare, iohgatp_mode::kSv39x4, iohgatp_mode::kSv48x4,
                            iohgatp_mode::kSv57x4}) {
          ++did;
          const uint64_t ddt = b.alloc_page();
          const unsigned fs_levels = fs == iosatp_mode::kBare ? 0 : fs - iosatp_mode::kSv39 + 3;
          const unsigned gs_levels = gs == iohgatp_mode::kBare ? 0 : gs - iohgatp_mode::kSv39x4 + 3;
          const uint64_t iova = 0x12345000, gpa = 0x40000000 + 0x1000 * combos;
          const uint64_t spa = 0x80000000 + 0x1000 * combos;
          DeviceContext dc;
          dc.tc = dc::tc::kV.make(1);
          uint64_t groot = 0;
          if (gs_levels) {
            groot = b.alloc_page(16384);
            dc.iohgatp = dc::iohgatp::kMode.make(gs) | dc::iohgatp::kGscid.make(combos) |
                         dc::iohgatp::kPpn.make(groot >> 12);
          }
          // Without a second stage the first stage's output is the SPA.
          const uint64_t fs_out = gs_levels ? gpa : spa;
          if (fs_levels) {
            const uint64_t root = b.alloc_page();
            dc.ta = dc::ta::kPscid.make(combos);
            dc.fsc = dc::fsc::kMode.make(fs) | dc::fsc::kPpn.make(root >> 12);
            b.map(root, fs_levels, iova, fs_out, kFlagsRW);
          }
          if (gs_levels) {
            // The second stage maps the data page and, identically, every
            // table page the first stage uses (implicit accesses).
            b.map(groot, gs_levels, fs_levels ? gpa : iova, spa, kFlagsRW, 0, true);
          }
          const uint64_t table_end = b.next_page + 0x40000;  // room for tables to come
          b.install_dc_at_depth(ddt_mode, ddt, did, dc, true);
          if (gs_levels) {
            for (uint64_t a = 0x100000; a < table_end; a += 4096) {
              b.map(groot, gs_levels, a, a, kFlagsRW, 0, true);
            }
          }
          b.set_ddtp(ddt_mode, ddt);
          uint64_t v = 0x1000 + combos;
          INFO("ddt " << ddt_mode << " fs " << fs << " gs " << gs);
          CHECK(b.dma(tlm::TLM_WRITE_COMMAND, iova + 8, &v, 8, did) == tlm::TLM_OK_RESPONSE);
          CHECK(b.peek64((fs_levels || gs_levels ? spa : iova) + 8) == v);
          ++combos;
        }
      }
    }
    CHECK(combos == 32);
    CHECK(b.iommu.recent_faults().empty());
  });
}

TEST_CASE("iommu: HPM counts requests, IOTLB misses and DDT walks with a device filter") {
  Bench b;
  run(b, [](Bench& b) {
    b.setup_sv39();
    b.map(b.pt_root, 3, 0x1000, 0x7000, kFlagsRW);
    b.map(b.pt_root, 3, 0x2000, 0x8000, kFlagsRW);
    namespace e = regs::iohpmevt;
    auto evt = [](regs::HpmEvent ev) { return e::eventID.put(uint64_t(ev)); };
    // Counter 1: untranslated requests of kDid only (DV_GSCV=1 matches DID).
    b.write_reg(regs::iohpmevt_offset(1), evt(regs::HpmEvent::kUntranslatedRequests) |
                                              e::DV_GSCV.put(1) | e::DID_GSCID.put(kDid));
    b.write_reg(regs::iohpmevt_offset(2), evt(regs::HpmEvent::kTlbMiss));
    b.write_reg(regs::iohpmevt_offset(3), evt(regs::HpmEvent::kDeviceDirectoryWalks));
    // Counter 4: requests of another device: stays 0.
    b.write_reg(regs::iohpmevt_offset(4), evt(regs::HpmEvent::kUntranslatedRequests) |
                                              e::DV_GSCV.put(1) | e::DID_GSCID.put(kDid + 1));
    uint64_t v = 0;
    for (int i = 0; i < 5; ++i) {
      CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_OK_RESPONSE);
      CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x2000, &v, 8) == tlm::TLM_OK_RESPONSE);
    }
    CHECK(b.read_reg(regs::iohpmctr_offset(1)) == 10);
    CHECK(b.read_reg(regs::iohpmctr_offset(2)) == 2);  // one miss per page
    CHECK(b.read_reg(regs::iohpmctr_offset(3)) == 1);  // the DC is cached after one walk
    CHECK(b.read_reg(regs::iohpmctr_offset(4)) == 0);
    // Overflow: all ones + 1 wraps to 0, sets OF, iocountovf and ipsr.pmip.
    b.write_reg(regs::iohpmctr_offset(1), ~0ull);
    CHECK(b.dma(tlm::TLM_WRITE_COMMAND, 0x1000, &v, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(b.read_reg(regs::iohpmctr_offset(1)) == 0);
    CHECK(e::OF.get(b.read_reg(regs::iohpmevt_offset(1))) == 1);
    CHECK(((b.read_reg(regs::kIocountovf, 4) >> 1) & 1) == 1);
    CHECK(regs::ipsr::pmip.get(b.read_reg(regs::kIpsr, 4)) == 1);
  });
}

TEST_CASE("iommu: with T2GPA, ATS completions carry the GPA and Translated requests take the "
          "second stage") {
  IommuParams p = IommuBench::quiet({});
  p.t2gpa = true;
  Bench b(p);
  run(b, [](Bench& b) {
    CHECK(regs::capabilities::T2GPA.get(b.read_reg(regs::kCapabilities)) == 1);
    const uint64_t ddt = b.alloc_page(), root = b.alloc_page(), groot = b.alloc_page(16384);
    // Second stage: the table area (GPA = SPA below 1 GiB), GPA 0x40000000
    // -> SPA 0x80000000 (2 MiB), and GPA 0x40203000 -> SPA 0x70003000 read-only.
    b.map(groot, 3, 0, 0, kFlagsRW, 2, true);
    b.map(groot, 3, 0x40000000, 0x80000000, kFlagsRW, 1, true);
    b.map(groot, 3, 0x40203000, 0x70003000, pte::kR | pte::kA | pte::kU, 0, true);
    // First stage: IOVA 0x1000 -> GPA 0x40005000 (4 KiB); IOVA 0x200000 ->
    // GPA 0x40200000 (2 MiB superpage).
    b.map(root, 3, 0x1000, 0x40005000, kFlagsRW);
    b.map(root, 3, 0x200000, 0x40200000, kFlagsRW, 1);
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1) | dc::tc::kEnAts.make(1) | dc::tc::kT2gpa.make(1);
    dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) | dc::iohgatp::kGscid.make(4) |
                 dc::iohgatp::kPpn.make(groot >> 12);
    dc.ta = dc::ta::kPscid.make(2);
    dc.fsc = dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(root >> 12);
    b.install_dc(ddt, kDid, dc, true);
    b.set_ddtp(regs::ddtp::k1Lvl, ddt);

    uint64_t e = 0;
    REQUIRE(b.ats_request(0x1000, kDid, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (0x40005000 | 0x3));  // the GPA, not SPA 0x80005000; R, W; 4 KiB
    // Both stages' permissions and the smaller page: 2 MiB first-stage leaf
    // over a read-only 4 KiB second-stage page gives 4 KiB, W denied.
    REQUIRE(b.ats_request(0x203000, kDid, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (0x40203000 | 0x1));
    CHECK(b.iommu.recent_faults().empty());

    // The device then uses the GPA in Translated requests: second stage only.
    PcieExtension tr;
    tr.address_type = vp::common::AddressType::kTranslated;
    uint64_t v = 0x5a5a;
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, 0x40005040, &v, 8, kDid, tr) ==
          tlm::TLM_OK_RESPONSE);
    CHECK(b.peek64(0x80005040) == 0x5a5a);
    // A GPA the second stage does not map: write guest-page fault (23) with
    // TTYP "translated write" and the GPA in iotval2.
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, 0x50000000, &v, 8, kDid, tr) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    const IommuFault& f = b.iommu.recent_faults()[0];
    CHECK(f.cause == cause::kWriteGuestPageFault);
    CHECK(f.ttyp == ttyp::kTranslatedWrite);
    CHECK(f.iotval == 0x50000000);
    CHECK((f.iotval2 & ~3ull) == 0x50000000);
    // The read-only second-stage page refuses a Translated write (23 again).
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, 0x40203000, &v, 8, kDid, tr) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.iommu.recent_faults().back().cause == cause::kWriteGuestPageFault);
  });
}
