// MRIF-mode MSI PTEs (RISC-V AIA "Memory-resident interrupt files" and "MSI
// PTE, MRIF mode"; IOMMU 2.3.3): a device's MSI write to a virtual interrupt
// file whose MSI PTE is in MRIF mode sets the identity's pending bit in the
// MRIF in memory and is followed by the notice MSI. Driven as a hypervisor
// would: MSI page table and MRIF in DRAM, DMA from the device side.
#include <catch2/catch.hpp>
#include <functional>

#include "tests/support/iommu_bench.h"

using namespace vp::iommu;
using vp::common::PcieExtension;
using vp::test::IommuBench;
using vp::test::TestInitiator;

namespace {

constexpr uint32_t kDid = 0x0030;
constexpr uint64_t kFiles = 0x28000000;       // GPA of virtual interrupt file 0
constexpr uint64_t kMrif = 0x50000200;        // MRIF of file 2: 512-byte, not page, aligned
constexpr uint64_t kNotice = 0x91000000;      // notice MSI address (an IMSIC page)
constexpr uint32_t kNid = 0x5a3;              // an 11-bit notice identity: N10 is used
constexpr uint64_t kFlatTarget = 0x90003000;  // file 3 is in basic translate mode
constexpr uint64_t kGuestRam = 0x28010000;    // an ordinary guest page (second stage)

uint64_t mrif_pte0(uint64_t mrif) {
  return msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeMrif) |
         msi_pte::kMrifAddress.make(mrif >> 9);
}
uint64_t mrif_pte1(uint64_t notice, uint32_t nid) {
  return msi_pte::kNppn.make(notice >> 12) | msi_pte::kNid.make(nid & 0x3ff) |
         msi_pte::kNid10.make(nid >> 10);
}

struct MrifBench : IommuBench {
  uint64_t ddt = 0, msipt = 0, groot = 0;

  static IommuParams with_mrif(bool mrif, bool amo, bool log) {
    IommuParams p = quiet({});
    p.msi_mrif = mrif;
    p.amo_mrif = amo;
    p.log_faults = log;  // fills IommuFault::explanation
    return p;
  }
  explicit MrifBench(bool mrif = true, bool amo = false, bool log = false)
      : IommuBench(with_mrif(mrif, amo, log), flat_dram_params()) {}

  // Device kDid: second stage Sv39x4 (GSCID 3) mapping kGuestRam, an MSI
  // page table for 8 interrupt files at kFiles; file 2 in MRIF mode, file 3
  // in basic translate mode.
  void setup(uint64_t extra_tc = 0) {
    ddt = alloc_page();
    msipt = alloc_page();
    groot = alloc_page(16384);
    map(groot, 3, kGuestRam, 0x60010000, pte::kR | pte::kW | pte::kA | pte::kD | pte::kU, 0, true);
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1) | extra_tc;
    dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) | dc::iohgatp::kGscid.make(3) |
                 dc::iohgatp::kPpn.make(groot >> 12);
    dc.msiptp = dc::msiptp::kMode.make(dc::msiptp::kModeFlat) | dc::msiptp::kPpn.make(msipt >> 12);
    dc.msi_addr_mask = 0x7;
    dc.msi_addr_pattern = kFiles >> 12;
    install_dc(ddt, kDid, dc, true);
    set_ddtp(regs::ddtp::k1Lvl, ddt);
    set_msi_pte(2, mrif_pte0(kMrif), mrif_pte1(kNotice, kNid));
    set_msi_pte(3,
                msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeWriteThrough) |
                    msi_pte::kPpn.make(kFlatTarget >> 12),
                0);
  }
  void set_msi_pte(unsigned file, uint64_t dw0, uint64_t dw1) {
    poke64(msipt + 16 * file, dw0);
    poke64(msipt + 16 * file + 8, dw1);
  }
  tlm::tlm_response_status msi(uint64_t addr, uint32_t data) {
    return device_request(tlm::TLM_WRITE_COMMAND, addr, &data, 4, kDid);
  }
  uint32_t peek32(uint64_t pa) {
    uint32_t v = 0;
    peek(pa, &v, 4);
    return v;
  }
  // The MRIF's pending doubleword for identities 64k..64k+63.
  uint64_t pending(unsigned k) { return peek64(kMrif + 16 * k); }
};

void run(MrifBench& b, std::function<void(MrifBench&)> body) {
  b.dev.body = [&b, body](TestInitiator&) { body(b); };
  sc_core::sc_start();
}

}  // namespace

TEST_CASE("iommu MRIF: an MSI write sets the identity's pending bit and sends the notice MSI") {
  MrifBench b;
  run(b, [](MrifBench& b) {
    b.setup();
    b.poke64(kMrif, 0x1);            // identity 0 already pending
    b.poke64(kMrif + 8, 0xffff);     // enable bits: never touched by the IOMMU
    b.poke64(kMrif + 16 * 31, 0x2);  // identity 1985 pending
    REQUIRE(b.msi(kFiles + 0x2000, 5) == tlm::TLM_OK_RESPONSE);
    CHECK(b.pending(0) == 0x21);  // bit 5 set, bit 0 kept
    CHECK(b.peek64(kMrif + 8) == 0xffff);
    CHECK(b.peek32(kNotice) == kNid);  // notice: NID zero-extended, at NPPN << 12

    const struct {
      uint32_t identity;
      unsigned k;
      uint64_t expect;
    } cases[] = {{100, 1, 1ull << 36}, {2047, 31, (1ull << 63) | 0x2}, {64, 1, (1ull << 36) | 1}};
    for (const auto& c : cases) {
      b.poke(kNotice, "\0\0\0\0", 4);
      REQUIRE(b.msi(kFiles + 0x2000, c.identity) == tlm::TLM_OK_RESPONSE);
      CHECK(b.pending(c.k) == c.expect);
      CHECK(b.peek32(kNotice) == kNid);  // a notice after every recorded MSI
    }
    // Identity 0 is recorded like any other, and announced.
    b.poke(kNotice, "\0\0\0\0", 4);
    REQUIRE(b.msi(kFiles + 0x2000, 0) == tlm::TLM_OK_RESPONSE);
    CHECK(b.pending(0) == 0x21);
    CHECK(b.peek32(kNotice) == kNid);
    // Basic-translate file 3 still redirects the write itself.
    REQUIRE(b.msi(kFiles + 0x3000, 9) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek32(kFlatTarget) == 9);
    CHECK(b.iommu.recent_faults().empty());
    // An ordinary guest page is translated by the second stage, as before.
    REQUIRE(b.msi(kGuestRam + 0x10, 0x77) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek32(0x60010010) == 0x77);
  });
}

TEST_CASE("iommu MRIF: writes that are not MSIs are discarded, reads return zero, others abort") {
  MrifBench b;
  run(b, [](MrifBench& b) {
    b.setup();
    auto untouched = [&b]() {
      for (unsigned k = 0; k < 32; ++k) {
        if (b.pending(k) != 0) return false;
      }
      return b.peek32(kNotice) == 0;
    };
    // AIA: identity above 2047, A[11:3] not zero, or a big-endian MSI (A bit
    // 2 set, not supported): accepted and discarded, no notice.
    CHECK(b.msi(kFiles + 0x2000, 2048) == tlm::TLM_OK_RESPONSE);
    CHECK(b.msi(kFiles + 0x2000, 0x80000001) == tlm::TLM_OK_RESPONSE);
    CHECK(b.msi(kFiles + 0x2008, 5) == tlm::TLM_OK_RESPONSE);
    CHECK(b.msi(kFiles + 0x2ffc, 5) == tlm::TLM_OK_RESPONSE);
    CHECK(b.msi(kFiles + 0x2004, 5) == tlm::TLM_OK_RESPONSE);
    CHECK(untouched());
    // An aligned 32-bit read returns zero.
    uint32_t r = 0xdeadbeef;
    CHECK(b.device_request(tlm::TLM_READ_COMMAND, kFiles + 0x2000, &r, 4, kDid) ==
          tlm::TLM_OK_RESPONSE);
    CHECK(r == 0);
    // Anything but an aligned 32-bit access is aborted (no fault record:
    // the spec gives it no cause), and changes nothing.
    uint64_t wide = 5;
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, kFiles + 0x2000, &wide, 8, kDid) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    uint32_t v = 5;
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, kFiles + 0x2002, &v, 4, kDid) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, kFiles + 0x2000, &v, 2, kDid) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    // A burst from basic-translate file 1 straddling into file 2's page.
    b.set_msi_pte(1,
                  msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeWriteThrough) |
                      msi_pte::kPpn.make(0x90001),
                  0);
    uint8_t burst[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    CHECK(b.device_request(tlm::TLM_WRITE_COMMAND, kFiles + 0x1ff8, burst, 16, kDid) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(untouched());
    CHECK(b.iommu.recent_faults().empty());
    // A read-for-execute is an instruction access fault (cause 1).
    PcieExtension x;
    x.execute = true;
    CHECK(b.device_request(tlm::TLM_READ_COMMAND, kFiles + 0x2000, &r, 4, kDid, x) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kInstructionAccessFault);
    CHECK(b.iommu.recent_faults()[0].ttyp == ttyp::kUntranslatedReadForExecute);
  });
}

TEST_CASE("iommu MRIF: misconfigured MRIF-mode PTEs are cause 263") {
  MrifBench b;
  run(b, [](MrifBench& b) {
    b.setup();
    const uint64_t good0 = mrif_pte0(kMrif), good1 = mrif_pte1(kNotice, kNid);
    const struct {
      uint64_t dw0, dw1;
      const char* what;
    } bad[] = {
        {good0 | (1ull << 3), good1, "bit 3 (reserved, first doubleword)"},
        {good0 | (1ull << 54), good1, "bit 54 (reserved, first doubleword)"},
        {good0, good1 | (1ull << 55), "bit 55 (reserved, second doubleword)"},
        {good0, good1 | (1ull << 62), "bit 62 (reserved, second doubleword)"},
        {(good0 & ~msi_pte::kM.mask()) | msi_pte::kM.make(2), good1, "M=2"},
        {good0 | msi_pte::kC.make(1), good1, "C=1"},
    };
    unsigned n = 0;
    for (const auto& c : bad) {
      INFO(c.what);
      b.set_msi_pte(2, c.dw0, c.dw1);
      CHECK(b.msi(kFiles + 0x2000, 5) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
      REQUIRE(b.iommu.recent_faults().size() == ++n);
      CHECK(b.iommu.recent_faults().back().cause == cause::kMsiPteMisconfigured);
      CHECK(b.iommu.recent_faults().back().iotval == kFiles + 0x2000);
    }
    CHECK(b.pending(0) == 0);
    // The second doubleword of a basic-translate PTE is ignored (free for
    // software), so garbage there is no misconfiguration.
    b.set_msi_pte(3,
                  msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeWriteThrough) |
                      msi_pte::kPpn.make(kFlatTarget >> 12),
                  ~0ull);
    CHECK(b.msi(kFiles + 0x3000, 9) == tlm::TLM_OK_RESPONSE);
    CHECK(b.peek32(kFlatTarget) == 9);
  });
}

TEST_CASE("iommu MRIF: without capabilities.MSI_MRIF an MRIF-mode PTE is cause 263") {
  MrifBench b(false, false, true);
  run(b, [](MrifBench& b) {
    CHECK(regs::capabilities::MSI_MRIF.get(b.read_reg(regs::kCapabilities)) == 0);
    b.setup();
    CHECK(b.msi(kFiles + 0x2000, 5) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kMsiPteMisconfigured);
    CHECK(b.iommu.recent_faults()[0].explanation.find("capabilities.MSI_MRIF is 0") !=
          std::string::npos);
    CHECK(b.pending(0) == 0);
  });
}

TEST_CASE("iommu MRIF: a bus error on the MRIF or the notice is an MRIF access fault (264)") {
  MrifBench b;
  run(b, [](MrifBench& b) {
    b.setup();
    // MRIF beyond DRAM (4 GiB): the pending bit cannot be set.
    b.set_msi_pte(2, mrif_pte0(0x200000000ull), mrif_pte1(kNotice, kNid));
    CHECK(b.msi(kFiles + 0x2000, 5) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    const IommuFault& f = b.iommu.recent_faults()[0];
    CHECK(f.cause == cause::kMrifAccessFault);
    CHECK(f.ttyp == ttyp::kUntranslatedWrite);
    CHECK(f.did == kDid);
    CHECK(f.iotval == kFiles + 0x2000);
    CHECK(b.peek32(kNotice) == 0);  // no notice for an MSI that was not recorded
    // Notice address beyond DRAM: the MSI is recorded, the notice fails.
    b.set_msi_pte(2, mrif_pte0(kMrif), mrif_pte1(0x300000000ull, kNid));
    CHECK(b.msi(kFiles + 0x2000, 5) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(b.iommu.recent_faults().size() == 2);
    CHECK(b.iommu.recent_faults()[1].cause == cause::kMrifAccessFault);
    CHECK(b.pending(0) == 0x20);
  });
}

TEST_CASE("iommu MRIF: ATS gives Untranslated-only access and tr_req reports cause 260") {
  MrifBench b;
  run(b, [](MrifBench& b) {
    b.setup(dc::tc::kEnAts.make(1));
    uint64_t e = 0;
    REQUIRE(b.ats_request(kFiles + 0x2000, kDid, &e) == tlm::TLM_OK_RESPONSE);
    CHECK((e & 0x1f) == (0x1 | 0x2 | 0x4));  // R, W, U (Untranslated only); no Exe, no Priv
    REQUIRE(b.ats_request(kFiles + 0x2000, kDid, &e, true, true) == tlm::TLM_OK_RESPONSE);
    CHECK((e & 0x1f) == (0x1 | 0x4));  // no-write request: W=0; execute never granted
    // A basic-translate file gets a translated address (U=0).
    REQUIRE(b.ats_request(kFiles + 0x3000, kDid, &e) == tlm::TLM_OK_RESPONSE);
    CHECK(e == (kFlatTarget | 0x3));
    CHECK(b.iommu.recent_faults().empty());
    CHECK(b.pending(0) == 0);  // translation requests record nothing

    // Debug translation interface (6.25): "Transaction type disallowed".
    const uint64_t resp = b.debug_translate(kFiles + 0x2000, kDid);
    CHECK(regs::tr_response::fault.get(resp) == 1);
    REQUIRE(b.iommu.recent_faults().size() == 1);
    CHECK(b.iommu.recent_faults()[0].cause == cause::kTransactionTypeDisallowed);
    CHECK(b.iommu.recent_faults()[0].iotval == kFiles + 0x2000);
  });
}

// One MRIF MSI costs what a basic-translate MSI costs, plus the pending-bit
// update (a read and a write, or one AMOOR round trip) and the notice write,
// minus the forwarded write itself; the flat DRAM makes each access exactly
// latency_ns.
static void check_mrif_timing(bool amo) {
  MrifBench b(true, amo);
  run(b, [amo](MrifBench& b) {
    b.setup();
    REQUIRE(b.msi(kFiles + 0x3000, 1) == tlm::TLM_OK_RESPONSE);  // warms the context
    REQUIRE(b.msi(kFiles + 0x3000, 1) == tlm::TLM_OK_RESPONSE);
    const sc_core::sc_time flat = b.dev.last_delay;
    REQUIRE(b.msi(kFiles + 0x2000, 7) == tlm::TLM_OK_RESPONSE);
    const sc_core::sc_time mrif = b.dev.last_delay;
    const sc_core::sc_time access(b.dram_params().latency_ns, sc_core::SC_NS);
    // flat: PTE read + forwarded write. MRIF: PTE read + update + notice.
    CHECK(mrif == flat + access * (amo ? 1.0 : 2.0));
    CHECK(b.pending(0) == 0x80);
  });
}

TEST_CASE("iommu MRIF: the pending-bit update is a read and a write without AMO_MRIF") {
  check_mrif_timing(false);
}

TEST_CASE("iommu MRIF: with AMO_MRIF the update is one AMOOR round trip") {
  check_mrif_timing(true);
}
