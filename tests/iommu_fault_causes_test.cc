// Every fault cause the configured model can raise, provoked from the device
// side with tables a driver could misprogram, and each record read back from
// the in-memory fault queue field by field (spec 3.2).
#include <catch2/catch.hpp>
#include <functional>

#include "tests/support/iommu_bench.h"

using namespace vp::iommu;
using vp::common::PcieExtension;
using vp::test::IommuBench;
using vp::test::TestInitiator;

namespace {

constexpr uint64_t kNowhere = 0x10'0000'0000ull;  // beyond the 4-GiB DRAM: bus error
constexpr uint64_t kFlagsRW = pte::kR | pte::kW | pte::kA | pte::kD | pte::kU;

struct Case {
  const char* what;
  uint32_t cause;
  unsigned ttyp;
  bool pv = false;
  uint32_t pid = 0;
  bool priv = false;
  bool exec = false;
  bool write = true;
  uint64_t iova = 0x1000;
  uint64_t iotval2 = 0;
  // Fills the device context (and any tables) for this case.
  std::function<void(IommuBench&, DeviceContext&)> setup;
  unsigned len = 8;  // bytes of the request
};

IommuParams with_mrif() {
  IommuParams p = IommuBench::quiet({});
  p.msi_mrif = true;
  return p;
}

// A second stage (MSI translation needs one) and an MSI page table at
// `msipt` for virtual interrupt files at GPA 0x28000000.
void msi_context(IommuBench& b, DeviceContext& dc, uint64_t msipt) {
  dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) |
               dc::iohgatp::kPpn.make(b.alloc_page(16384) >> 12);
  dc.msiptp = dc::msiptp::kMode.make(dc::msiptp::kModeFlat) | dc::msiptp::kPpn.make(msipt >> 12);
  dc.msi_addr_pattern = 0x28000000 >> 12;
}

uint64_t fsc_sv39(uint64_t root) {
  return dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(root >> 12);
}

}  // namespace

TEST_CASE("iommu faults: each cause code reaches the fault queue with every field right") {
  IommuBench b(with_mrif());
  std::vector<Case> cases = {
      {"read page fault", cause::kReadPageFault, ttyp::kUntranslatedRead, false, 0, false, false,
       false, 0x5000, 0,
       [](IommuBench& b, DeviceContext& dc) { dc.fsc = fsc_sv39(b.alloc_page()); }},
      {"write page fault (read-only page)", cause::kWritePageFault, ttyp::kUntranslatedWrite, false,
       0, false, false, true, 0x1000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         const uint64_t root = b.alloc_page();
         b.map(root, 3, 0x1000, 0x7000, pte::kR | pte::kA | pte::kU);
         dc.fsc = fsc_sv39(root);
       }},
      {"instruction page fault", cause::kInstructionPageFault, ttyp::kUntranslatedReadForExecute,
       false, 0, false, true, false, 0x1000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         const uint64_t root = b.alloc_page();
         b.map(root, 3, 0x1000, 0x7000, kFlagsRW);  // no X
         dc.fsc = fsc_sv39(root);
       }},
      {"read access fault (page table outside memory)", cause::kReadAccessFault,
       ttyp::kUntranslatedRead, false, 0, false, false, false, 0x1000, 0,
       [](IommuBench&, DeviceContext& dc) { dc.fsc = fsc_sv39(kNowhere); }},
      {"write access fault (page table outside memory)", cause::kWriteAccessFault,
       ttyp::kUntranslatedWrite, false, 0, false, false, true, 0x1000, 0,
       [](IommuBench&, DeviceContext& dc) { dc.fsc = fsc_sv39(kNowhere); }},
      {"write guest-page fault", cause::kWriteGuestPageFault, ttyp::kUntranslatedWrite, false, 0,
       false, false, true, 0x3000, 0x3000,
       [](IommuBench& b, DeviceContext& dc) {
         dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) |
                      dc::iohgatp::kPpn.make(b.alloc_page(16384) >> 12);
       }},
      {"read guest-page fault", cause::kReadGuestPageFault, ttyp::kUntranslatedRead, false, 0,
       false, false, false, 0x3000, 0x3000,
       [](IommuBench& b, DeviceContext& dc) {
         dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) |
                      dc::iohgatp::kPpn.make(b.alloc_page(16384) >> 12);
       }},
      {"DDT entry not valid", cause::kDdtNotValid, ttyp::kUntranslatedWrite, false, 0, false, false,
       true, 0x1000, 0, [](IommuBench&, DeviceContext& dc) { dc.tc = 0; }},
      {"DDT entry misconfigured (reserved tc bits)", cause::kDdtMisconfigured,
       ttyp::kUntranslatedWrite, false, 0, false, false, true, 0x1000, 0,
       [](IommuBench&, DeviceContext& dc) { dc.tc |= 1ull << 40; }},
      {"transaction type disallowed (PASID without PDTV)", cause::kTransactionTypeDisallowed,
       ttyp::kUntranslatedWrite, true, 7, false, false, true, 0x1000, 0,
       [](IommuBench& b, DeviceContext& dc) { dc.fsc = fsc_sv39(b.alloc_page()); }},
      {"PDT entry load access fault", cause::kPdtLoadAccessFault, ttyp::kUntranslatedRead, true, 5,
       false, false, false, 0x1000, 0,
       [](IommuBench&, DeviceContext& dc) {
         dc.tc |= dc::tc::kPdtv.make(1);
         dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8) | dc::fsc::kPpn.make(kNowhere >> 12);
       }},
      {"PDT entry not valid", cause::kPdtNotValid, ttyp::kUntranslatedRead, true, 5, false, false,
       false, 0x1000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         dc.tc |= dc::tc::kPdtv.make(1);
         dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8) | dc::fsc::kPpn.make(b.alloc_page() >> 12);
       }},
      {"PDT entry misconfigured (reserved PC bits)", cause::kPdtMisconfigured,
       ttyp::kUntranslatedWrite, true, 5, true, false, true, 0x1000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         const uint64_t pdt = b.alloc_page();
         dc.tc |= dc::tc::kPdtv.make(1);
         dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8) | dc::fsc::kPpn.make(pdt >> 12);
         b.poke64(pdt + 16 * 5, pc::ta::kV.make(1) | (1ull << 10));  // reserved ta bit
         b.poke64(pdt + 16 * 5 + 8, fsc_sv39(b.alloc_page()));
       }},
      {"MSI PTE load access fault", cause::kMsiPteLoadAccessFault, ttyp::kUntranslatedWrite, false,
       0, false, false, true, 0x28000000, 0,
       [](IommuBench& b, DeviceContext& dc) { msi_context(b, dc, kNowhere); }},
      {"instruction access fault (page table outside memory)", cause::kInstructionAccessFault,
       ttyp::kUntranslatedReadForExecute, false, 0, false, true, false, 0x1000, 0,
       [](IommuBench&, DeviceContext& dc) { dc.fsc = fsc_sv39(kNowhere); }},
      {"instruction guest-page fault", cause::kInstructionGuestPageFault,
       ttyp::kUntranslatedReadForExecute, false, 0, false, true, false, 0x3000, 0x3000,
       [](IommuBench& b, DeviceContext& dc) {
         dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) |
                      dc::iohgatp::kPpn.make(b.alloc_page(16384) >> 12);
       }},
      {"MSI PTE not valid", cause::kMsiPteNotValid, ttyp::kUntranslatedWrite, false, 0, false,
       false, true, 0x28000000, 0,
       [](IommuBench& b, DeviceContext& dc) { msi_context(b, dc, b.alloc_page()); },  // V=0
       4},
      {"MSI PTE misconfigured (M=2)", cause::kMsiPteMisconfigured, ttyp::kUntranslatedWrite, false,
       0, false, false, true, 0x28000000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         const uint64_t msipt = b.alloc_page();
         msi_context(b, dc, msipt);
         b.poke64(msipt, msi_pte::kV.make(1) | msi_pte::kM.make(2));
       },
       4},
      {"MRIF access fault (MRIF outside memory)", cause::kMrifAccessFault, ttyp::kUntranslatedWrite,
       false, 0, false, false, true, 0x28000000, 0,
       [](IommuBench& b, DeviceContext& dc) {
         const uint64_t msipt = b.alloc_page();
         msi_context(b, dc, msipt);
         b.poke64(msipt, msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeMrif) |
                             msi_pte::kMrifAddress.make(kNowhere >> 9));
         b.poke64(msipt + 8, msi_pte::kNppn.make(0x91000));
       },
       4},  // an MSI is a 32-bit write
  };
  b.dev.body = [&](TestInitiator&) {
    const uint64_t ddt = b.alloc_page(), fq = b.alloc_page(4 * 4096);
    b.write_reg(regs::kFqb, regs::qb::PPN.put(fq >> 12) | regs::qb::LOG2SZ_1.put(5));
    b.write_reg(regs::kFqcsr, regs::fqcsr::fqen.mask(), 4);
    b.set_ddtp(regs::ddtp::k1Lvl, ddt);
    uint32_t did = 1;
    for (const Case& c : cases) {
      DeviceContext dc;
      dc.tc = dc::tc::kV.make(1);
      dc.ta = dc::ta::kPscid.make(did);
      c.setup(b, dc);
      b.install_dc(ddt, did, dc, true);
      PcieExtension ext;
      ext.rid = uint16_t(did);
      ext.pasid_valid = c.pv;
      ext.pasid = c.pid;
      ext.privileged = c.priv;
      ext.execute = c.exec;
      uint64_t v = 0;
      CHECK(b.dev.transport(c.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, c.iova, &v,
                            c.len, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                            &ext) != tlm::TLM_OK_RESPONSE);
      INFO(c.what);
      const uint32_t index = did - 1;
      REQUIRE(b.read_reg(regs::kFqt, 4) == index + 1);
      uint64_t dw[4];
      for (unsigned i = 0; i < 4; ++i) dw[i] = b.peek64(fq + 32 * index + 8 * i);
      const FaultRecord r = FaultRecord::decode(dw);
      CHECK(r.cause == c.cause);
      CHECK(r.ttyp == c.ttyp);
      CHECK(r.did == did);
      CHECK(r.pv == c.pv);
      CHECK(r.pid == (c.pv ? c.pid : 0));
      CHECK(r.priv == (c.pv && c.priv));
      CHECK(r.iotval == c.iova);
      CHECK((r.iotval2 & ~3ull) == c.iotval2);
      CHECK(dw[1] == 0);
      ++did;
    }
    // Off: cause 256 with no device context involved.
    b.set_ddtp(regs::ddtp::kOff, 0);
    PcieExtension ext;
    ext.rid = 0x33;
    uint64_t v = 0;
    b.dev.transport(tlm::TLM_READ_COMMAND, 0x9000, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                    &ext);
    uint64_t dw[4];
    const uint32_t index = did - 1;
    for (unsigned i = 0; i < 4; ++i) dw[i] = b.peek64(fq + 32 * index + 8 * i);
    const FaultRecord off = FaultRecord::decode(dw);
    CHECK(off.cause == cause::kAllInboundDisallowed);
    CHECK(off.did == 0x33);
    CHECK(off.iotval == 0x9000);
    // DDT root outside memory: cause 257.
    b.set_ddtp(regs::ddtp::k1Lvl, kNowhere);
    b.dev.transport(tlm::TLM_READ_COMMAND, 0x9000, &v, 8, sc_core::SC_ZERO_TIME, nullptr, 0, 0,
                    &ext);
    for (unsigned i = 0; i < 4; ++i) dw[i] = b.peek64(fq + 32 * (index + 1) + 8 * i);
    CHECK(FaultRecord::decode(dw).cause == cause::kDdtLoadAccessFault);
  };
  sc_core::sc_start();
}
