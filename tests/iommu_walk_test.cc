// Unit tests of the IOMMU translation core: DDT walk, PDT walk, first- and
// second-stage page-table walks, against a fake memory whose tables are
// built the way a guest driver would build them.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/iommu/device_directory.h"
#include "models/iommu/page_table_walker.h"
#include "models/iommu/process_directory.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/walk_memory.h"
#include "support/stats_map.h"
#include "support/walk_fixtures.h"

using namespace vp::iommu;
using namespace vp::iommu::walk_fixtures;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// Builds a DDT as a host driver does: allocate directory pages on demand,
// point non-leaf entries at them, write the DC into the leaf page.
class DdtBuilder {
 public:
  DdtBuilder(FakeMemory& mem, PageAllocator& pages, unsigned ddtp_mode, bool extended)
      : mem_(mem), pages_(pages), mode_(ddtp_mode), ext_(extended), root_(pages.alloc()) {}

  uint64_t root_ppn() const { return root_ >> kPageShift; }
  unsigned mode() const { return mode_; }

  // Returns the DC address.
  uint64_t install(uint32_t device_id, const DeviceContext& dc) {
    uint64_t a = root_;
    for (int i = int(DeviceDirectory::levels(mode_)) - 1; i > 0; --i) {
      uint64_t e = a + 8ull * DeviceDirectory::ddi(device_id, unsigned(i), ext_);
      uint64_t v = mem_.peek(e);
      if (!nonleaf::kV.test(v)) {
        v = nonleaf::kV.make(1) | nonleaf::kPpn.make(pages_.alloc() >> kPageShift);
        mem_.poke(e, v);
      }
      a = nonleaf::kPpn.get(v) << kPageShift;
    }
    uint64_t dc_addr = a + DeviceDirectory::ddi(device_id, 0, ext_) * (ext_ ? 64ull : 32ull);
    uint64_t dw[8] = {
        dc.tc,      dc.iohgatp, dc.ta, dc.fsc, dc.msiptp, dc.msi_addr_mask, dc.msi_addr_pattern,
        dc.reserved};
    for (unsigned k = 0; k < (ext_ ? 8u : 4u); ++k) mem_.poke(dc_addr + 8 * k, dw[k]);
    return dc_addr;
  }

  // Address of the level-`level` non-leaf entry for `device_id` (after install).
  uint64_t nonleaf_entry(uint32_t device_id, int level) const {
    uint64_t a = root_;
    for (int i = int(DeviceDirectory::levels(mode_)) - 1; i > level; --i) {
      uint64_t e = a + 8ull * DeviceDirectory::ddi(device_id, unsigned(i), ext_);
      a = nonleaf::kPpn.get(mem_.peek(e)) << kPageShift;
    }
    return a + 8ull * DeviceDirectory::ddi(device_id, unsigned(level), ext_);
  }

 private:
  FakeMemory& mem_;
  PageAllocator& pages_;
  unsigned mode_;
  bool ext_;
  uint64_t root_;
};

// Builds a PDT as a guest OS does. Directory pages are allocated in the
// guest's physical space; `to_spa` maps a guest physical address to where
// the fake memory holds it (identity when the second stage is Bare).
class PdtBuilder {
 public:
  PdtBuilder(
      FakeMemory& mem, PageAllocator& guest_pages, unsigned pdtp_mode,
      std::function<uint64_t(uint64_t)> to_spa = [](uint64_t a) { return a; })
      : mem_(mem),
        pages_(guest_pages),
        mode_(pdtp_mode),
        to_spa_(std::move(to_spa)),
        root_(pages_.alloc()) {}

  uint64_t root_ppn() const { return root_ >> kPageShift; }
  uint64_t fsc() const { return dc::fsc::kMode.make(mode_) | dc::fsc::kPpn.make(root_ppn()); }

  // Returns the guest physical address of the PC.
  uint64_t install(uint32_t pid, const ProcessContext& pcx) {
    uint64_t a = root_;
    for (int i = int(ProcessDirectory::levels(mode_)) - 1; i > 0; --i) {
      uint64_t e = a + 8ull * ProcessDirectory::pdi(pid, unsigned(i));
      uint64_t v = mem_.peek(to_spa_(e));
      if (!nonleaf::kV.test(v)) {
        v = nonleaf::kV.make(1) | nonleaf::kPpn.make(pages_.alloc() >> kPageShift);
        mem_.poke(to_spa_(e), v);
      }
      a = nonleaf::kPpn.get(v) << kPageShift;
    }
    uint64_t pc_gpa = a + 16ull * ProcessDirectory::pdi(pid, 0);
    mem_.poke(to_spa_(pc_gpa), pcx.ta);
    mem_.poke(to_spa_(pc_gpa + 8), pcx.fsc);
    return pc_gpa;
  }
  // Guest physical address of the level-`level` entry for `pid` (after install).
  uint64_t entry_gpa(uint32_t pid, int level) const {
    uint64_t a = root_;
    for (int i = int(ProcessDirectory::levels(mode_)) - 1; i > level; --i) {
      uint64_t e = a + 8ull * ProcessDirectory::pdi(pid, unsigned(i));
      a = nonleaf::kPpn.get(mem_.peek(to_spa_(e))) << kPageShift;
    }
    return a + (level == 0 ? 16ull : 8ull) * ProcessDirectory::pdi(pid, unsigned(level));
  }

 private:
  FakeMemory& mem_;
  PageAllocator& pages_;
  unsigned mode_;
  std::function<uint64_t(uint64_t)> to_spa_;
  uint64_t root_;
};

ProcessContext valid_pc(uint32_t pscid, unsigned mode = iosatp_mode::kSv39, uint64_t ppn = 0x1234) {
  ProcessContext p;
  p.ta = pc::ta::kV.make(1) | pc::ta::kPscid.make(pscid);
  p.fsc = pc::fsc::kMode.make(mode) | pc::fsc::kPpn.make(ppn);
  return p;
}

DeviceContext bare_dc() {
  DeviceContext dc;
  dc.tc = dc::tc::kV.make(1);
  return dc;
}

}  // namespace

// ---------------------------------------------------------------------------
// Device directory

TEST_CASE("DDT 1LVL base format locates the DC at root + device_id * 32") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k1Lvl, false);
  DeviceContext dc = bare_dc();
  dc.ta = dc::ta::kPscid.make(0x1234);
  uint64_t dc_addr = ddt.install(0x45, dc);
  REQUIRE(dc_addr == 0x8000'0000 + 0x45 * 32);

  DeviceDirectory dir(mem, IommuFeatures::rv64_full(false));
  sc_time delay = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x45, delay);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.dc_address == dc_addr);
  CHECK(r.dc.pscid() == 0x1234);
  CHECK(r.trace.size() == 4);  // four DC doublewords
  CHECK(delay == 4 * mem.per_access());
}

TEST_CASE("DDT 2LVL base format splits device_id as DDI[1]=15:7, DDI[0]=6:0") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k2Lvl, false);
  const uint32_t did = 0x1234;  // DDI[1] = 0x24, DDI[0] = 0x34
  DeviceContext dc = bare_dc();
  dc.iohgatp = dc::iohgatp::kGscid.make(7);
  uint64_t dc_addr = ddt.install(did, dc);

  DeviceDirectory dir(mem, IommuFeatures::rv64_full(false));
  sc_time delay = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), did, delay);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.dc_address == dc_addr);
  REQUIRE(r.trace.size() == 5);
  CHECK(r.trace[0].table == WalkTable::kDdt);
  CHECK(r.trace[0].level == 1);
  CHECK(r.trace[0].address == 0x8000'0000 + 0x24 * 8);
  CHECK((dc_addr & 0xfff) == 0x34 * 32);
  CHECK(r.dc.gscid() == 7);
  CHECK(delay == 5 * mem.per_access());
}

TEST_CASE("DDT 3LVL extended format splits device_id 6/9/9 and reads 64-byte DCs") {
  FakeMemory mem;
  PageAllocator pages(0x9000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k3Lvl, true);
  const uint32_t did = 0xabcdef;  // DDI[2]=0x157, DDI[1]=0x137, DDI[0]=0x2f
  DeviceContext dc = bare_dc();
  dc.msi_addr_pattern = 0x123;
  uint64_t dc_addr = ddt.install(did, dc);

  DeviceDirectory dir(mem, IommuFeatures::rv64_full(true));
  sc_time delay = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), did, delay);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.dc_address == dc_addr);
  CHECK((dc_addr & 0xfff) == 0x2f * 64);
  REQUIRE(r.trace.size() == 2 + 8);
  CHECK(r.trace[0].address == 0x9000'0000 + 0x157 * 8);
  CHECK(r.trace[1].level == 1);
  CHECK((r.trace[1].address & 0xfff) == 0x137 * 8);
  CHECK(r.dc.msi_addr_pattern == 0x123);
  CHECK(delay == 10 * mem.per_access());
}

TEST_CASE("DDT: Off gives cause 256, Bare gives 260") {
  FakeMemory mem;
  DeviceDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  CHECK(dir.locate(regs::ddtp::kOff, 0x80000, 1, d).cause == cause::kAllInboundDisallowed);
  CHECK(dir.locate(regs::ddtp::kBare, 0x80000, 1, d).cause == cause::kTransactionTypeDisallowed);
  CHECK(mem.reads == 0);
}

TEST_CASE("DDT: device_id wider than the DDT depth gives cause 260 without memory reads") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DeviceDirectory base(mem, IommuFeatures::rv64_full(false));
  DeviceDirectory ext(mem, IommuFeatures::rv64_full(true));
  sc_time d = sc_core::SC_ZERO_TIME;
  // 1LVL base: 7 bits.
  CHECK(base.locate(regs::ddtp::k1Lvl, 0x80000, 0x7f, d).cause !=
        cause::kTransactionTypeDisallowed);
  DeviceContextLookup r = base.locate(regs::ddtp::k1Lvl, 0x80000, 0x80, d);
  CHECK(r.cause == cause::kTransactionTypeDisallowed);
  CHECK(r.why.find("too wide") != std::string::npos);
  // 1LVL extended: 6 bits.
  CHECK(ext.locate(regs::ddtp::k1Lvl, 0x80000, 0x40, d).cause == cause::kTransactionTypeDisallowed);
  // 2LVL base: 16 bits; extended: 15 bits.
  CHECK(base.locate(regs::ddtp::k2Lvl, 0x80000, 0x10000, d).cause ==
        cause::kTransactionTypeDisallowed);
  CHECK(ext.locate(regs::ddtp::k2Lvl, 0x80000, 0x8000, d).cause ==
        cause::kTransactionTypeDisallowed);
  CHECK(DeviceDirectory::device_id_fits(regs::ddtp::k2Lvl, false, 0xffff));
  CHECK(DeviceDirectory::device_id_fits(regs::ddtp::k3Lvl, false, 0xffffff));
  CHECK_FALSE(DeviceDirectory::device_id_fits(regs::ddtp::k3Lvl, true, 0x1000000));
}

TEST_CASE("DDT: bus error on a non-leaf entry or the DC gives cause 257") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k2Lvl, false);
  ddt.install(0x0101, bare_dc());
  DeviceDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  // Fault on the leaf page only: the root entry is read, the DC is not.
  uint64_t leaf_page = nonleaf::kPpn.get(mem.peek(ddt.nonleaf_entry(0x0101, 1))) << kPageShift;
  mem.add_fault_range(leaf_page, kPageSize);
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x0101, d);
  CHECK(r.cause == cause::kDdtLoadAccessFault);
  CHECK(r.trace.size() == 1);
  // Fault on the root.
  mem.add_fault_range(ddt.root_ppn() << kPageShift, kPageSize);
  r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x0101, d);
  CHECK(r.cause == cause::kDdtLoadAccessFault);
  CHECK(r.trace.empty());
  CHECK(r.why.find("level-1 DDT entry") != std::string::npos);
}

TEST_CASE("DDT: V=0 in a non-leaf entry or in DC.tc gives cause 258") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k3Lvl, false);
  DeviceDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  // Nothing installed: the root entry is zero.
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x010203, d);
  CHECK(r.cause == cause::kDdtNotValid);
  CHECK(r.trace.size() == 1);
  // DC present but tc.V = 0.
  DeviceContext dc;
  dc.tc = 0;
  ddt.install(0x010203, dc);
  r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x010203, d);
  CHECK(r.cause == cause::kDdtNotValid);
  CHECK(r.why.find("tc.V=0") != std::string::npos);
  // Invalidate the middle level.
  ddt.install(0x010203, bare_dc());
  REQUIRE(dir.locate(ddt.mode(), ddt.root_ppn(), 0x010203, d).ok());
  mem.poke(ddt.nonleaf_entry(0x010203, 1), 0);
  r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x010203, d);
  CHECK(r.cause == cause::kDdtNotValid);
  CHECK(r.trace.size() == 2);
}

TEST_CASE("DDT: reserved bits in a non-leaf entry give cause 259") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k2Lvl, false);
  ddt.install(0x200, bare_dc());
  uint64_t e = ddt.nonleaf_entry(0x200, 1);
  mem.poke(e, mem.peek(e) | (1ull << 5));
  DeviceDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 0x200, d);
  CHECK(r.cause == cause::kDdtMisconfigured);
  CHECK(r.why.find("reserved") != std::string::npos);
}

TEST_CASE("DDT: each device-context misconfiguration rule gives cause 259") {
  const IommuFeatures full = IommuFeatures::rv64_full(true);
  IommuFeatures no_ats = full;
  no_ats.capabilities &= ~regs::capabilities::ATS.mask();
  IommuFeatures no_hwad = full;
  no_hwad.capabilities &= ~regs::capabilities::AMO_HWAD.mask();
  IommuFeatures no_pd20 = full;
  no_pd20.capabilities &= ~regs::capabilities::PD20.mask();
  IommuFeatures no_sv57 = full;
  no_sv57.capabilities &= ~(regs::capabilities::Sv57.mask() | regs::capabilities::Sv57x4.mask());

  struct Case {
    const char* what;
    std::function<void(DeviceContext&)> edit;
    IommuFeatures features;
  };
  using namespace dc;
  const uint64_t g39 = iohgatp::kMode.make(iohgatp_mode::kSv39x4) | iohgatp::kPpn.make(0x80000);
  std::vector<Case> cases = {
      {"tc reserved bit 12", [](DeviceContext& d) { d.tc |= 1ull << 12; }, full},
      {"tc reserved bit 40", [](DeviceContext& d) { d.tc |= 1ull << 40; }, full},
      {"ta reserved bit 0", [](DeviceContext& d) { d.ta |= 1; }, full},
      {"ta RCID without QOSID", [](DeviceContext& d) { d.ta |= ta::kRcid.make(1); }, full},
      {"fsc reserved bit 50", [](DeviceContext& d) { d.fsc |= 1ull << 50; }, full},
      {"EN_ATS without capability", [](DeviceContext& d) { d.tc |= tc::kEnAts.make(1); }, no_ats},
      {"T2GPA without EN_ATS",
       [g39](DeviceContext& d) {
         d.tc |= tc::kT2gpa.make(1);
         d.iohgatp = g39;
       },
       full},
      {"EN_PRI without EN_ATS", [](DeviceContext& d) { d.tc |= tc::kEnPri.make(1); }, full},
      {"PRPR without EN_PRI",
       [](DeviceContext& d) { d.tc |= tc::kEnAts.make(1) | tc::kPrpr.make(1); }, full},
      {"T2GPA with iohgatp Bare",
       [](DeviceContext& d) { d.tc |= tc::kEnAts.make(1) | tc::kT2gpa.make(1); }, full},
      {"pdtp.MODE reserved",
       [](DeviceContext& d) {
         d.tc |= tc::kPdtv.make(1);
         d.fsc = fsc::kMode.make(4);
       },
       full},
      {"pdtp.MODE PD20 unsupported",
       [](DeviceContext& d) {
         d.tc |= tc::kPdtv.make(1);
         d.fsc = fsc::kMode.make(pdtp_mode::kPd20);
       },
       no_pd20},
      {"iosatp.MODE reserved", [](DeviceContext& d) { d.fsc = fsc::kMode.make(5); }, full},
      {"iosatp.MODE Sv57 unsupported",
       [](DeviceContext& d) { d.fsc = fsc::kMode.make(iosatp_mode::kSv57); }, no_sv57},
      {"DPE without PDTV", [](DeviceContext& d) { d.tc |= tc::kDpe.make(1); }, full},
      {"iohgatp.MODE reserved", [](DeviceContext& d) { d.iohgatp = iohgatp::kMode.make(3); }, full},
      {"iohgatp.MODE Sv57x4 unsupported",
       [](DeviceContext& d) { d.iohgatp = iohgatp::kMode.make(iohgatp_mode::kSv57x4); }, no_sv57},
      {"msiptp.MODE reserved",
       [g39](DeviceContext& d) {
         d.iohgatp = g39;
         d.msiptp = msiptp::kMode.make(2);
       },
       full},
      {"msiptp Flat with iohgatp Bare",
       [](DeviceContext& d) { d.msiptp = msiptp::kMode.make(msiptp::kModeFlat); }, full},
      {"msi_addr_mask reserved", [](DeviceContext& d) { d.msi_addr_mask = 1ull << 60; }, full},
      {"reserved 8th doubleword", [](DeviceContext& d) { d.reserved = 1; }, full},
      {"iohgatp root not 16K aligned",
       [](DeviceContext& d) {
         d.iohgatp = iohgatp::kMode.make(iohgatp_mode::kSv39x4) | iohgatp::kPpn.make(0x80001);
       },
       full},
      {"SADE without AMO_HWAD", [](DeviceContext& d) { d.tc |= tc::kSade.make(1); }, no_hwad},
      {"GADE without AMO_HWAD", [](DeviceContext& d) { d.tc |= tc::kGade.make(1); }, no_hwad},
      {"SBE != fctl.BE without END", [](DeviceContext& d) { d.tc |= tc::kSbe.make(1); }, full},
      {"SXL=1 on an RV64-only IOMMU", [](DeviceContext& d) { d.tc |= tc::kSxl.make(1); }, full},
  };
  for (const Case& c : cases) {
    FakeMemory mem;
    PageAllocator pages(0x8000'0000);
    DdtBuilder ddt(mem, pages, regs::ddtp::k1Lvl, c.features.extended_dc());
    DeviceContext dc = bare_dc();
    c.edit(dc);
    ddt.install(3, dc);
    DeviceDirectory dir(mem, c.features);
    sc_time d = sc_core::SC_ZERO_TIME;
    DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 3, d);
    INFO(c.what << ": " << r.why);
    CHECK(r.cause == cause::kDdtMisconfigured);
    CHECK_FALSE(r.why.empty());
  }
  // And the legal counterparts pass.
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, regs::ddtp::k1Lvl, true);
  DeviceContext dc = bare_dc();
  dc.tc |= tc::kEnAts.make(1) | tc::kEnPri.make(1) | tc::kPrpr.make(1) | tc::kT2gpa.make(1) |
           tc::kSade.make(1) | tc::kGade.make(1) | tc::kPdtv.make(1) | tc::kDpe.make(1);
  dc.iohgatp = g39 | iohgatp::kGscid.make(0xffff);
  dc.fsc = fsc::kMode.make(pdtp_mode::kPd20) | fsc::kPpn.make(0x1234);
  dc.msiptp = msiptp::kMode.make(msiptp::kModeFlat) | msiptp::kPpn.make(0x5678);
  dc.msi_addr_mask = 0xff;
  dc.msi_addr_pattern = (1ull << 46) - 1;  // MGPAW 59: bits 46:0 usable
  ddt.install(3, dc);
  DeviceDirectory dir(mem, full);
  sc_time d = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddt.mode(), ddt.root_ppn(), 3, d);
  INFO(r.why);
  CHECK(r.ok());
}

TEST_CASE("DDT: big-endian fctl.BE byte-swaps entries") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  IommuFeatures f = IommuFeatures::rv64_full();
  f.fctl = regs::fctl::BE.make(1);
  const uint64_t root = pages.alloc();
  const uint64_t leaf = pages.alloc();
  const uint32_t did = 0x85;  // DDI[1] = 1, DDI[0] = 5
  mem.poke(root + 8, __builtin_bswap64(nonleaf::kV.make(1) | nonleaf::kPpn.make(leaf >> 12)));
  mem.poke(leaf + 5 * 32, __builtin_bswap64(dc::tc::kV.make(1) | dc::tc::kSbe.make(1)));
  mem.poke(leaf + 5 * 32 + 16, __builtin_bswap64(dc::ta::kPscid.make(0x99)));
  DeviceDirectory dir(mem, f);
  sc_time d = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(regs::ddtp::k2Lvl, root >> 12, did, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.dc.pscid() == 0x99);
  CHECK(r.dc.sbe());
}

// ---------------------------------------------------------------------------
// Process directory

namespace {

struct PdtCase {
  unsigned mode;
  uint32_t pid;
  size_t nonleaf_reads;
};

void check_pdt_lookup(const PdtCase& c) {
  FakeMemory mem;
  PageAllocator pages(0x8800'0000);
  PdtBuilder pdt(mem, pages, c.mode);
  uint64_t pc_addr = pdt.install(c.pid, valid_pc(0xabcde));
  pdt.install(c.pid ^ 1, valid_pc(0x11111));  // a neighbour must not be picked
  DeviceContext dc = bare_dc();
  dc.tc |= dc::tc::kPdtv.make(1);
  dc.fsc = pdt.fsc();
  ProcessDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time delay = sc_core::SC_ZERO_TIME;
  ProcessContextLookup r = dir.locate(dc, c.pid, AccessType::kRead, nullptr, delay);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.pc_address == pc_addr);
  CHECK(r.pc.pscid() == 0xabcde);
  CHECK(r.pc.fsc_mode() == iosatp_mode::kSv39);
  CHECK(r.pc.fsc_ppn() == 0x1234);
  CHECK(r.trace.size() == c.nonleaf_reads + 2);
  CHECK(delay == double(c.nonleaf_reads + 2) * mem.per_access());
  CHECK(r.second_stage_translations == 0);
}

}  // namespace

TEST_CASE("PDT PD8: one level, PC at root + process_id * 16") {
  check_pdt_lookup({pdtp_mode::kPd8, 0xa5, 0});
}

TEST_CASE("PDT PD17: two levels, PDI[1]=16:8, PDI[0]=7:0") {
  check_pdt_lookup({pdtp_mode::kPd17, 0x1a5c3, 1});
}

TEST_CASE("PDT PD20: three levels, PDI[2]=19:17") {
  check_pdt_lookup({pdtp_mode::kPd20, 0xfa5c3, 2});
  CHECK(ProcessDirectory::pdi(0xfa5c3, 2) == 0x7);
  CHECK(ProcessDirectory::pdi(0xfa5c3, 1) == 0x1a5);
  CHECK(ProcessDirectory::pdi(0xfa5c3, 0) == 0xc3);
}

TEST_CASE("PDT: process_id wider than pdtp.MODE gives cause 260") {
  FakeMemory mem;
  ProcessDirectory dir(mem, IommuFeatures::rv64_full());
  DeviceContext dc = bare_dc();
  dc.tc |= dc::tc::kPdtv.make(1);
  sc_time d = sc_core::SC_ZERO_TIME;
  dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8);
  CHECK(dir.locate(dc, 0x100, AccessType::kRead, nullptr, d).cause ==
        cause::kTransactionTypeDisallowed);
  dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd17);
  CHECK(dir.locate(dc, 0x20000, AccessType::kRead, nullptr, d).cause ==
        cause::kTransactionTypeDisallowed);
  dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd20);
  CHECK(dir.locate(dc, 0x100000, AccessType::kRead, nullptr, d).cause ==
        cause::kTransactionTypeDisallowed);
  CHECK(mem.reads == 0);
}

TEST_CASE("PDT: bus error gives 265, V=0 gives 266, reserved bits and bad fsc give 267") {
  FakeMemory mem;
  PageAllocator pages(0x8800'0000);
  PdtBuilder pdt(mem, pages, pdtp_mode::kPd17);
  DeviceContext dc = bare_dc();
  dc.tc |= dc::tc::kPdtv.make(1);
  dc.fsc = pdt.fsc();
  ProcessDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  const uint32_t pid = 0x305;

  // Empty directory: the root entry has V=0.
  ProcessContextLookup r = dir.locate(dc, pid, AccessType::kRead, nullptr, d);
  CHECK(r.cause == cause::kPdtNotValid);

  pdt.install(pid, valid_pc(1));
  REQUIRE(dir.locate(dc, pid, AccessType::kRead, nullptr, d).ok());

  // PC with V=0.
  uint64_t pc_addr = pdt.entry_gpa(pid, 0);
  mem.poke(pc_addr, 0);
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtNotValid);

  // PC reserved bits in ta, fsc; reserved and unsupported fsc.MODE.
  ProcessContext bad = valid_pc(1);
  bad.ta |= 1ull << 3;
  pdt.install(pid, bad);
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtMisconfigured);
  bad = valid_pc(1);
  bad.fsc |= 1ull << 44;
  pdt.install(pid, bad);
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtMisconfigured);
  pdt.install(pid, valid_pc(1, 7));
  r = dir.locate(dc, pid, AccessType::kRead, nullptr, d);
  CHECK(r.cause == cause::kPdtMisconfigured);
  CHECK(r.why.find("fsc.MODE=7") != std::string::npos);
  IommuFeatures no57 = IommuFeatures::rv64_full();
  no57.capabilities &= ~regs::capabilities::Sv57.mask();
  ProcessDirectory dir57(mem, no57);
  pdt.install(pid, valid_pc(1, iosatp_mode::kSv57));
  CHECK(dir57.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtMisconfigured);
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).ok());

  // Non-leaf entry with a reserved bit.
  uint64_t root_entry = pdt.entry_gpa(pid, 1);
  uint64_t v = mem.peek(root_entry);
  mem.poke(root_entry, v | (1ull << 63));
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtMisconfigured);
  mem.poke(root_entry, v);

  // Bus error on the leaf page, then on the root.
  mem.add_fault_range(pc_addr & ~0xfffull, kPageSize);
  r = dir.locate(dc, pid, AccessType::kRead, nullptr, d);
  CHECK(r.cause == cause::kPdtLoadAccessFault);
  CHECK(r.trace.size() == 1);
  mem.add_fault_range(pdt.root_ppn() << kPageShift, kPageSize);
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kPdtLoadAccessFault);
}

TEST_CASE("PDT nested: entry GPAs go through the GpaTranslator, faults map to 21, 23, 265") {
  FakeMemory mem;
  const uint64_t kGuestBase = 0x4000'0000;
  const uint64_t kHostOffset = 0x1'0000'0000;  // SPA = GPA + offset
  auto to_spa = [=](uint64_t gpa) { return gpa + kHostOffset; };
  PageAllocator guest_pages(kGuestBase);
  PdtBuilder pdt(mem, guest_pages, pdtp_mode::kPd20, to_spa);
  const uint32_t pid = 0x4321;
  uint64_t pc_gpa = pdt.install(pid, valid_pc(0x77));
  DeviceContext dc = bare_dc();
  dc.tc |= dc::tc::kPdtv.make(1);
  dc.fsc = pdt.fsc();
  dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) | dc::iohgatp::kPpn.make(0x90000);

  std::vector<uint64_t> asked;
  uint64_t fault_gpa = ~0ull;
  bool access_fault = false;
  GpaTranslator g = [&](uint64_t gpa, bool write, sc_time& delay, WalkTrace*) {
    CHECK_FALSE(write);
    asked.push_back(gpa);
    delay += sc_time(1, SC_NS);
    GpaTranslation t;
    if ((gpa & ~0xfffull) == fault_gpa) {
      t.status = access_fault ? GpaTranslation::Status::kAccessFault
                              : GpaTranslation::Status::kGuestPageFault;
      t.why = "test fault";
    } else {
      t.spa = to_spa(gpa);
    }
    return t;
  };
  ProcessDirectory dir(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  ProcessContextLookup r = dir.locate(dc, pid, AccessType::kRead, g, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.pc.pscid() == 0x77);
  CHECK(r.pc_address == to_spa(pc_gpa));
  CHECK(r.second_stage_translations == 3);
  REQUIRE(asked.size() == 3);
  CHECK(asked[0] == kGuestBase + 8 * ProcessDirectory::pdi(pid, 2));
  CHECK(asked[2] == pc_gpa);
  CHECK(d == 4 * mem.per_access() + sc_time(3, SC_NS));

  // Guest-page fault on the PC's page: original access type, iotval2 = GPA | implicit.
  fault_gpa = pc_gpa & ~0xfffull;
  r = dir.locate(dc, pid, AccessType::kWrite, g, d);
  CHECK(r.cause == cause::kWriteGuestPageFault);
  CHECK(r.iotval2 == ((pc_gpa & ~3ull) | 1));
  r = dir.locate(dc, pid, AccessType::kRead, g, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  access_fault = true;
  r = dir.locate(dc, pid, AccessType::kRead, g, d);
  CHECK(r.cause == cause::kPdtLoadAccessFault);
  CHECK(r.iotval2 == 0);

  // No translator for a nested DC is a wiring error, not a crash.
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause == cause::kInternalDatapathError);
}

// ---------------------------------------------------------------------------
// First stage

namespace {

struct MapCase {
  unsigned mode;
  unsigned levels;
  int leaf_level;
};

void check_first_stage_mapping(const MapCase& c) {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, c.levels, false);
  const unsigned shift = 12 + 9 * unsigned(c.leaf_level);
  const uint64_t size = 1ull << shift;
  // An IOVA with bits set at every level, and a target aligned to the page size.
  const uint64_t va_bits = 12 + 9 * c.levels;
  const uint64_t iova = (0x5a5a5a5a5a5a5a5aull & ((1ull << (va_bits - 1)) - 1));
  const uint64_t pa = (0x00c0'0000'0000'0000ull >> (64 - 56 + (c.levels == 5 ? 0 : 2))) &
                      ~(size - 1) & ((1ull << 56) - 1);
  pt.map(iova, pa, c.leaf_level, kRw);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time delay = sc_core::SC_ZERO_TIME;
  WalkResult r =
      w.translate(first_stage_ctx(c.mode, pt.root_ppn()), iova, AccessType::kWrite, false, delay);
  INFO(r.why << describe(r.trace));
  REQUIRE(r.ok());
  CHECK(r.spa == (pa | (iova & (size - 1))));
  CHECK(r.gpa == r.spa);
  CHECK(r.page_shift == shift);
  CHECK(r.first_stage_shift == shift);
  CHECK(r.first_stage_levels == c.levels - unsigned(c.leaf_level));
  CHECK(r.second_stage_levels == 0);
  CHECK(r.trace.size() == r.first_stage_levels);
  CHECK(r.r);
  CHECK(r.w);
  CHECK_FALSE(r.x);
  CHECK(r.user);
  CHECK(r.dirty);
  CHECK(r.pscid == 0x42);
  CHECK(delay == double(r.first_stage_levels) * mem.per_access());
  CHECK(mem.cas == 0);
  // Next page (or next superpage) is not mapped.
  r = w.translate(first_stage_ctx(c.mode, pt.root_ppn()), (iova & ~(size - 1)) + size,
                  AccessType::kRead, false, delay);
  CHECK(r.cause == cause::kReadPageFault);
}

}  // namespace

TEST_CASE("Sv39 4 KiB, 2 MiB and 1 GiB mappings") {
  check_first_stage_mapping({iosatp_mode::kSv39, 3, 0});
  check_first_stage_mapping({iosatp_mode::kSv39, 3, 1});
  check_first_stage_mapping({iosatp_mode::kSv39, 3, 2});
}

TEST_CASE("Sv48 4 KiB, 2 MiB, 1 GiB and 512 GiB mappings") {
  for (int l = 0; l <= 3; ++l) check_first_stage_mapping({iosatp_mode::kSv48, 4, l});
}

TEST_CASE("Sv57 4 KiB, 1 GiB and 256 TiB mappings") {
  check_first_stage_mapping({iosatp_mode::kSv57, 5, 0});
  check_first_stage_mapping({iosatp_mode::kSv57, 5, 2});
  check_first_stage_mapping({iosatp_mode::kSv57, 5, 4});
}

TEST_CASE("Sv39 walk reads the entries Sv39 indexes (VPN[2]=38:30, VPN[1]=29:21, VPN[0]=20:12)") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  const uint64_t iova = (0x1ull << 30) | (0x2ull << 21) | (0x3ull << 12) | 0x456;
  pt.map(iova, 0x1'2345'6000, 0, kRw);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn()), iova,
                             AccessType::kRead, false, d);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x1'2345'6456);
  REQUIRE(r.trace.size() == 3);
  CHECK(r.trace[0].address == pt.root() + 1 * 8);
  CHECK(r.trace[0].level == 2);
  CHECK((r.trace[1].address & 0xfff) == 2 * 8);
  CHECK((r.trace[2].address & 0xfff) == 3 * 8);
  CHECK(r.trace[2].table == WalkTable::kFirstStage);
}

TEST_CASE("Svnapot 64 KiB page: N=1, PPN[3:0]=1000") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  const uint64_t base_iova = 0x20'0000;  // 64 KiB aligned
  // A NAPOT mapping repeats the PTE in all 16 slots; PPN[3:0] encodes the size.
  for (unsigned k = 0; k < 16; ++k) {
    pt.set_raw(base_iova + k * kPageSize, 0,
               pte::kV | kRw | pte::kN | pte::kPpn.make((0x9000'0000 >> 12) | 0x8));
  }
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn()), base_iova + 0x5abc,
                             AccessType::kRead, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x9000'5abc);
  CHECK(r.page_shift == 16);
  // N=1 with another PPN[3:0] is reserved.
  pt.set_raw(base_iova, 0, pte::kV | kRw | pte::kN | pte::kPpn.make((0x9000'0000 >> 12) | 0x4));
  r = w.translate(first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn()), base_iova, AccessType::kRead,
                  false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("1000b") != std::string::npos);
}

TEST_CASE("Non-canonical IOVA gives a page fault of the access type") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  // Top of the Sv39 space: bits 63:38 all ones is canonical.
  const uint64_t high = 0xffff'ffc0'0000'1000ull;
  pt.map(high, 0x7000'0000, 0, kRw);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, high, AccessType::kRead, false, d);
  INFO(r.why);
  CHECK(r.ok());
  CHECK(r.spa == 0x7000'0000);
  CHECK(r.trace[0].address == pt.root() + 256 * 8);

  const uint64_t reads = mem.reads;
  r = w.translate(ctx, 0x0000'0040'0000'0000ull, AccessType::kRead, false, d);  // bit 38 only
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("not canonical for Sv39: bits 63:38 must equal bit 38") != std::string::npos);
  r = w.translate(ctx, 0x8000'0000'0000'1000ull, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  r = w.translate(ctx, 0x0001'0000'0000'0000ull, AccessType::kExecute, false, d);
  CHECK(r.cause == cause::kInstructionPageFault);
  CHECK(mem.reads == reads);  // no table reads for a non-canonical address
  // Sv48 accepts bit 38 but not bit 48 alone.
  PageTableWalker w48(mem, IommuFeatures::rv64_full());
  r = w48.translate(first_stage_ctx(iosatp_mode::kSv48, pt.root_ppn()), 0x0001'0000'0000'0000ull,
                    AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("Sv48: bits 63:47") != std::string::npos);
}

TEST_CASE("Misaligned superpage gives a page fault") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.set_raw(0x4000'0000, 1,
             pte::kV | kRw | pte::kPpn.make(0x9000'1000 >> 12));  // 2 MiB leaf, 4K aligned PPN
  pt.set_raw(0x8000'0000, 2,
             pte::kV | kRw | pte::kPpn.make(0x4020'0000 >> 12));  // 1 GiB leaf, 2M aligned PPN
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x4000'0000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("misaligned superpage") != std::string::npos);
  r = w.translate(ctx, 0x8000'1000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("misaligned superpage") != std::string::npos);
}

TEST_CASE("First-stage permission failures give 12, 13, 15") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.map(0x1000, 0x10'0000, 0, pte::kX | pte::kU | pte::kA);  // execute-only
  pt.map(0x2000, 0x20'0000, 0, kRo);
  pt.map(0x3000, 0x30'0000, 0, kRw);
  pt.map(0x4000, 0x40'0000, 0, kRwx);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("R=0: the page is not readable") != std::string::npos);
  CHECK(w.translate(ctx, 0x1000, AccessType::kExecute, false, d).ok());
  r = w.translate(ctx, 0x2000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("W=0: the page is not writable") != std::string::npos);
  r = w.translate(ctx, 0x3000, AccessType::kExecute, false, d);
  CHECK(r.cause == cause::kInstructionPageFault);
  CHECK(r.why.find("X=0: the page is not executable") != std::string::npos);
  r = w.translate(ctx, 0x4000, AccessType::kExecute, false, d);
  CHECK(r.ok());
  CHECK(r.x);
  // W without R is reserved even for a write.
  pt.map(0x5000, 0x50'0000, 0, pte::kW | pte::kU | pte::kA | pte::kD);
  r = w.translate(ctx, 0x5000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("reserved encoding") != std::string::npos);
}

TEST_CASE("U bit against privilege and PC.ta.SUM") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.map(0x1000, 0x10'0000, 0, kRwx);             // user page
  pt.map(0x2000, 0x20'0000, 0, kRwx & ~pte::kU);  // supervisor page
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  // User access to a supervisor page.
  WalkResult r = w.translate(ctx, 0x2000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("U=0") != std::string::npos);
  // Supervisor access to a supervisor page.
  CHECK(w.translate(ctx, 0x2000, AccessType::kExecute, true, d).ok());
  // Supervisor access to a user page: only with SUM, never for execute.
  r = w.translate(ctx, 0x1000, AccessType::kWrite, true, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("SUM=0") != std::string::npos);
  ctx.sum = true;
  r = w.translate(ctx, 0x1000, AccessType::kWrite, true, d);
  CHECK(r.ok());
  CHECK(r.allows(AccessType::kRead, true, true));
  CHECK_FALSE(r.allows(AccessType::kRead, true, false));
  CHECK_FALSE(r.allows(AccessType::kExecute, true, true));
  r = w.translate(ctx, 0x1000, AccessType::kExecute, true, d);
  CHECK(r.cause == cause::kInstructionPageFault);
  CHECK(r.why.find("whatever SUM") != std::string::npos);
}

TEST_CASE("First-stage A/D: fault when SADE=0, atomic update when SADE=1") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  const uint64_t leaf = pt.map(0x1000, 0x10'0000, 0, pte::kR | pte::kW | pte::kU);  // A=D=0
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("PTE.A clear and A/D update disabled (SADE=0)") != std::string::npos);
  mem.poke(leaf, mem.peek(leaf) | pte::kA);
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).ok());
  r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("PTE.D clear on a write and A/D update disabled (SADE=0)") != std::string::npos);
  CHECK(mem.cas == 0);

  ctx.sade = true;
  mem.poke(leaf, mem.peek(leaf) & ~pte::kA);
  d = sc_core::SC_ZERO_TIME;
  r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  REQUIRE(r.ok());
  CHECK(mem.cas == 1);
  CHECK((mem.peek(leaf) & (pte::kA | pte::kD)) == pte::kA);  // a read sets only A
  CHECK_FALSE(r.dirty);
  CHECK_FALSE(r.allows(AccessType::kWrite, false, false));  // cached entry must re-walk for D
  CHECK(d == 4 * mem.per_access());                         // 3 reads + 1 CAS
  r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  REQUIRE(r.ok());
  CHECK(mem.cas == 2);
  CHECK((mem.peek(leaf) & (pte::kA | pte::kD)) == (pte::kA | pte::kD));
  CHECK(r.dirty);
  CHECK(r.allows(AccessType::kWrite, false, false));
  CHECK(w.ad_updates() == 2);
}

TEST_CASE("First-stage reserved PTE bits and encodings give page faults") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  const uint64_t ppn = pte::kPpn.make(0x10'0000 >> 12);
  IommuFeatures no_pbmt = IommuFeatures::rv64_full();
  no_pbmt.capabilities &= ~regs::capabilities::Svpbmt.mask();
  IommuFeatures rsw = IommuFeatures::rv64_full();
  rsw.capabilities |= regs::capabilities::Svrsw60t59b.make(1);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  PageTableWalker w_no_pbmt(mem, no_pbmt);
  PageTableWalker w_rsw(mem, rsw);
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;

  pt.set_raw(0x1000, 0, pte::kV | kRw | ppn | (1ull << 54));
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("reserved bits") != std::string::npos);
  pt.set_raw(0x1000, 0, pte::kV | kRw | ppn | (1ull << 60));
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).cause == cause::kReadPageFault);
  CHECK(w_rsw.translate(ctx, 0x1000, AccessType::kRead, false, d).ok());  // Svrsw60t59b
  pt.set_raw(0x1000, 0, pte::kV | kRw | ppn | pte::kPbmt.make(3));
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).cause == cause::kReadPageFault);
  pt.set_raw(0x1000, 0, pte::kV | kRw | ppn | pte::kPbmt.make(1));
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).ok());
  CHECK(w_no_pbmt.translate(ctx, 0x1000, AccessType::kRead, false, d).cause ==
        cause::kReadPageFault);
  // N and PBMT are reserved in non-leaf entries.
  const uint64_t l1 = pt.pte_spa(0x1000, 1);
  const uint64_t l1v = mem.peek(l1);
  mem.poke(l1, l1v | pte::kN);
  r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWritePageFault);
  CHECK(r.why.find("non-leaf") != std::string::npos);
  mem.poke(l1, l1v | pte::kPbmt.make(1));
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).cause == cause::kReadPageFault);
  // N in a superpage leaf.
  mem.poke(l1, pte::kV | kRw | pte::kN | pte::kPpn.make(0x20'0000 >> 12));
  CHECK(w.translate(ctx, 0x1000, AccessType::kRead, false, d).cause == cause::kReadPageFault);
  // Level-0 pointer.
  mem.poke(l1, l1v);
  pt.set_raw(0x1000, 0, pte::kV | ppn);
  r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadPageFault);
  CHECK(r.why.find("level 0 must be a leaf") != std::string::npos);
}

TEST_CASE("Bus error on a first-stage table read gives the access fault of the access type") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.map(0x1000, 0x10'0000, 0, kRwx);
  const uint64_t leaf_table = pt.pte_spa(0x1000, 0) & ~0xfffull;
  mem.add_fault_range(leaf_table, kPageSize);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadAccessFault);
  CHECK(r.first_stage_levels == 3);
  CHECK(r.trace.size() == 2);
  CHECK(r.why.find("bus error reading the first-stage level-0 PTE") != std::string::npos);
  CHECK(w.translate(ctx, 0x1000, AccessType::kWrite, false, d).cause == cause::kWriteAccessFault);
  CHECK(w.translate(ctx, 0x1000, AccessType::kExecute, false, d).cause ==
        cause::kInstructionAccessFault);
  CHECK(d == 9 * mem.per_access());  // the failing read still costs its time
}

namespace {

// Memory whose PTE changes under the first compare-and-swap, as if another
// agent updated it concurrently.
class RacyMemory : public FakeMemory {
 public:
  bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
             sc_time& delay) override {
    if (!raced_) {
      raced_ = true;
      poke(pa, peek(pa) | pte::kG);  // a concurrent change
    }
    return FakeMemory::cas64(pa, expected, desired, observed, delay);
  }

 private:
  bool raced_ = false;
};

}  // namespace

TEST_CASE("A/D update that loses a race restarts the walk and uses the new PTE") {
  RacyMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  const uint64_t leaf = pt.map(0x1000, 0x10'0000, 0, pte::kR | pte::kW | pte::kU);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  ctx.sade = true;
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.first_stage_levels == 6);  // walked twice
  CHECK(mem.cas == 2);
  CHECK(r.global);  // the value written by the other agent
  CHECK(mem.peek(leaf) == (pte::kV | pte::kR | pte::kW | pte::kU | pte::kG | pte::kA | pte::kD |
                           pte::kPpn.make(0x100)));
  CHECK(d == 8 * mem.per_access());
}

TEST_CASE("Big-endian first-stage tables with DC.tc.SBE=1") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.map(0x1000, 0x10'0000, 0, pte::kR | pte::kU);  // A=0: the update must be swapped too
  // Byte-swap every PTE the builder wrote.
  std::vector<uint64_t> spas = {pt.pte_spa(0x1000, 2), pt.pte_spa(0x1000, 1),
                                pt.pte_spa(0x1000, 0)};
  for (uint64_t e : spas) mem.poke(e, __builtin_bswap64(mem.peek(e)));
  IommuFeatures f = IommuFeatures::rv64_full();
  f.capabilities |= regs::capabilities::END.make(1);
  PageTableWalker w(mem, f);
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  ctx.sbe = true;
  ctx.sade = true;
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1234, AccessType::kRead, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x10'0234);
  CHECK(__builtin_bswap64(mem.peek(spas[2])) & pte::kA);
}

TEST_CASE("Both stages Bare: SPA equals IOVA with no memory reads") {
  FakeMemory mem;
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(TranslationContext{}, 0x1234'5678, AccessType::kWrite, false, d);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x1234'5678);
  CHECK(r.page_shift == 12);
  CHECK(mem.reads == 0);
  CHECK(d == sc_core::SC_ZERO_TIME);
}

// ---------------------------------------------------------------------------
// Second stage

TEST_CASE("Sv39x4 G-stage only: 11-bit root index, 4 KiB and 2 MiB pages") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder g(mem, pages, 3, true);
  CHECK((g.root() & 0x3fff) == 0);
  const uint64_t gpa = 0x1a0'1234'5678ull;  // bit 40 set: root index 0x680
  g.map(gpa, 0x3'0000'0000, 0, kRw);
  g.map(0x20'0000, 0x4'0000'0000, 1, kRwx);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = second_stage_ctx(iohgatp_mode::kSv39x4, g.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, gpa, AccessType::kWrite, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x3'0000'0678);
  CHECK(r.gpa == gpa);
  CHECK(r.trace[0].address == g.root() + 0x680 * 8);
  CHECK(r.trace[0].table == WalkTable::kSecondStage);
  CHECK(r.second_stage_levels == 3);
  CHECK(r.first_stage_levels == 0);
  CHECK(r.gscid == 0x9);
  CHECK(r.first_stage_bare);
  CHECK(d == 3 * mem.per_access());
  r = w.translate_gpa(ctx, 0x21'2345, AccessType::kExecute, d);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x4'0001'2345);
  CHECK(r.page_shift == 21);
  // GPA beyond 41 bits: guest-page fault, iotval2 = GPA[63:2], no reads.
  const uint64_t reads = mem.reads;
  r = w.translate(ctx, 0x200'0000'1007ull, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  CHECK(r.iotval2 == 0x200'0000'1004ull);
  CHECK(r.why.find("bits 63:41 must be 0") != std::string::npos);
  CHECK(mem.reads == reads);
  // Unmapped GPA.
  r = w.translate(ctx, 0x5000'0003, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWriteGuestPageFault);
  CHECK(r.iotval2 == 0x5000'0000);
}

TEST_CASE("Sv48x4 and Sv57x4 G-stage 4 KiB mappings") {
  for (unsigned levels : {4u, 5u}) {
    FakeMemory mem;
    PageAllocator pages(0x8000'0000);
    PageTableBuilder g(mem, pages, levels, true);
    const uint64_t gpa = levels == 4 ? 0x3'f123'4567'8abcull : 0x7ff'1234'5678'9abcull;
    g.map(gpa, 0x5'0000'0000, 0, kRw);
    PageTableWalker w(mem, IommuFeatures::rv64_full());
    auto ctx =
        second_stage_ctx(levels == 4 ? iohgatp_mode::kSv48x4 : iohgatp_mode::kSv57x4, g.root_ppn());
    sc_time d = sc_core::SC_ZERO_TIME;
    WalkResult r = w.translate(ctx, gpa, AccessType::kRead, false, d);
    INFO(levels << ": " << r.why);
    REQUIRE(r.ok());
    CHECK(r.spa == 0x5'0000'0abcull);
    CHECK(r.second_stage_levels == levels);
    const unsigned width = levels == 4 ? 50 : 59;
    r = w.translate(ctx, 1ull << width, AccessType::kRead, false, d);
    CHECK(r.cause == cause::kReadGuestPageFault);
  }
}

TEST_CASE("G-stage permission failures give 20, 21, 23 with iotval2") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder g(mem, pages, 3, true);
  g.map(0x1000, 0x10'0000, 0, kRo);
  g.map(0x2000, 0x20'0000, 0, kRw);
  g.map(0x3000, 0x30'0000, 0, kRwx & ~pte::kU);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = second_stage_ctx(iohgatp_mode::kSv39x4, g.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1ffe, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWriteGuestPageFault);
  CHECK(r.iotval2 == 0x1ffc);
  CHECK(r.why.find("W=0: the page is not writable (write)") != std::string::npos);
  r = w.translate(ctx, 0x2010, AccessType::kExecute, false, d);
  CHECK(r.cause == cause::kInstructionGuestPageFault);
  CHECK(r.iotval2 == 0x2010);
  r = w.translate(ctx, 0x3000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  CHECK(r.why.find("U=0; second-stage leaf PTEs must have U=1") != std::string::npos);
  // Privilege does not matter to the second stage.
  CHECK(w.translate(ctx, 0x2000, AccessType::kRead, true, d).ok());
}

TEST_CASE("G-stage A/D: guest-page fault when GADE=0, atomic update when GADE=1") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder g(mem, pages, 3, true);
  const uint64_t leaf = g.map(0x1000, 0x10'0000, 0, pte::kR | pte::kW | pte::kU);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = second_stage_ctx(iohgatp_mode::kSv39x4, g.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  CHECK(r.why.find("A=0 and hardware A/D update disabled (GADE=0)") != std::string::npos);
  ctx.gade = true;
  r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  REQUIRE(r.ok());
  CHECK((mem.peek(leaf) & (pte::kA | pte::kD)) == (pte::kA | pte::kD));
  CHECK(r.dirty);
  CHECK(mem.cas == 1);
}

TEST_CASE("Bus error on a G-stage table read gives an access fault") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder g(mem, pages, 3, true);
  g.map(0x1000, 0x10'0000, 0, kRw);
  mem.add_fault_range(g.root(), 4 * kPageSize);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = second_stage_ctx(iohgatp_mode::kSv39x4, g.root_ppn());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, 0x1000, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWriteAccessFault);
  CHECK(r.iotval2 == 0);
  CHECK(r.why.find("second-stage level-2 PTE") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Nested: Sv39 over Sv39x4

TEST_CASE("Nested translation walks every first-stage PTE address through the second stage") {
  FakeMemory mem;
  NestedGuest guest(mem);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(guest.ctx(), NestedGuest::kIova + 0x123, AccessType::kWrite, false, d);
  INFO(r.why << describe(r.trace));
  REQUIRE(r.ok());
  CHECK(r.gpa == NestedGuest::kDataGpa + 0x123);
  CHECK(r.spa == NestedGuest::kDataSpa + 0x123);
  CHECK(r.page_shift == 12);
  CHECK(r.first_stage_levels == 3);
  // Three first-stage PTE GPAs, each through a 2 MiB second-stage leaf (2
  // reads), then the data GPA through a 4 KiB leaf (3 reads).
  CHECK(r.second_stage_levels == 3 * 2 + 3);
  CHECK(d == 12 * mem.per_access());
  REQUIRE(r.trace.size() == 12);
  const WalkTable G = WalkTable::kSecondStage, F = WalkTable::kFirstStage;
  const WalkTable expect[12] = {G, G, F, G, G, F, G, G, F, G, G, G};
  for (int k = 0; k < 12; ++k) CHECK(r.trace[k].table == expect[k]);
  CHECK(r.trace[2].address == guest.s1.root() + NestedGuest::kHostOffset);
  CHECK(r.gscid == 0x9);
  CHECK(r.pscid == 0x42);
  CHECK(r.user);
  CHECK(r.dirty);
  CHECK(r.second_stage_shift == 12);
  CHECK(r.first_stage_shift == 12);
}

TEST_CASE("Nested: guest-page fault on the final GPA reports iotval2 = GPA[63:2]") {
  FakeMemory mem;
  NestedGuest guest(mem);
  mem.poke(guest.data_leaf, 0);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(guest.ctx(), NestedGuest::kIova + 0x127, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWriteGuestPageFault);
  CHECK(r.iotval2 == NestedGuest::kDataGpa + 0x124);
  CHECK(r.first_stage_levels == 3);
}

TEST_CASE("Nested: guest-page fault on a first-stage PTE read sets iotval2 bit 0") {
  FakeMemory mem;
  NestedGuest guest(mem);
  // The guest's page-table memory is not mapped by the second stage.
  mem.poke(guest.region_leaf, 0);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(guest.ctx(), NestedGuest::kIova, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  CHECK(r.iotval2 == (guest.s1.root() | 1));  // root PTE GPA (VPN[2]=0), implicit read
  CHECK(r.first_stage_levels == 0);
  CHECK(r.why.find("first-stage level-2 PTE") != std::string::npos);
  // Reported with the original access type.
  r = w.translate(guest.ctx(), NestedGuest::kIova, AccessType::kExecute, false, d);
  CHECK(r.cause == cause::kInstructionGuestPageFault);
  CHECK(r.iotval2 == (guest.s1.root() | 1));
}

TEST_CASE("Nested: first-stage A/D update through a read-only G-stage page sets iotval2 bits 1:0") {
  FakeMemory mem;
  NestedGuest guest(mem, kRo);  // guest page tables read-only to the IOMMU
  const uint64_t leaf_gpa = guest.s1.pte_table_addr(NestedGuest::kIova, 0);
  mem.poke(guest.s1_leaf, mem.peek(guest.s1_leaf) & ~pte::kA);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  auto ctx = guest.ctx();
  ctx.sade = true;
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(ctx, NestedGuest::kIova, AccessType::kRead, false, d);
  CHECK(r.cause == cause::kReadGuestPageFault);
  CHECK(r.iotval2 == (leaf_gpa | 3));
  CHECK(r.why.find("A/D update") != std::string::npos);
  CHECK(mem.cas == 0);
  // With a writable region the update goes through, at the SPA.
  mem.poke(guest.region_leaf, mem.peek(guest.region_leaf) | pte::kW | pte::kD);
  r = w.translate(ctx, NestedGuest::kIova, AccessType::kRead, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(mem.cas == 1);
  CHECK(mem.peek(guest.s1_leaf) & pte::kA);
}

TEST_CASE("Nested: bus error in the second-stage walk of a first-stage PTE is an access fault") {
  FakeMemory mem;
  NestedGuest guest(mem);
  mem.add_fault_range(guest.g.root(), 4 * kPageSize);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(guest.ctx(), NestedGuest::kIova, AccessType::kWrite, false, d);
  CHECK(r.cause == cause::kWriteAccessFault);
  CHECK(r.iotval2 == 0);
}

TEST_CASE("Nested: 2 MiB first-stage page over 4 KiB second-stage pages caches as 4 KiB") {
  FakeMemory mem;
  NestedGuest guest(mem);
  guest.s1.map(0x4000'0000, 0x6000'0000, 1, kRw);  // IOVA 1 GiB -> GPA 0x6000_0000, 2 MiB
  guest.g.map(0x6000'5000, 0x3'0000'0000, 0, kRw);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  sc_time d = sc_core::SC_ZERO_TIME;
  WalkResult r = w.translate(guest.ctx(), 0x4000'5010, AccessType::kRead, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.spa == 0x3'0000'0010);
  CHECK(r.first_stage_shift == 21);
  CHECK(r.second_stage_shift == 12);
  CHECK(r.page_shift == 12);
}

TEST_CASE("Nested PDT lookup uses the walker's implicit second-stage translation") {
  FakeMemory mem;
  NestedGuest guest(mem);
  PdtBuilder pdt(mem, guest.guest_pages, pdtp_mode::kPd8,
                 [](uint64_t gpa) { return gpa + NestedGuest::kHostOffset; });
  const uint64_t pc_gpa =
      pdt.install(0x21, valid_pc(0x321, iosatp_mode::kSv39, guest.s1.root_ppn()));
  DeviceContext dc = bare_dc();
  dc.tc |= dc::tc::kPdtv.make(1);
  dc.fsc = pdt.fsc();
  dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) |
               dc::iohgatp::kPpn.make(guest.g.root_ppn()) | dc::iohgatp::kGscid.make(0x9);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  ProcessDirectory pd(mem, IommuFeatures::rv64_full());
  const TranslationContext dc_ctx = TranslationContext::from(dc, nullptr);
  CHECK(dc_ctx.iosatp_mode == iosatp_mode::kBare);  // PDTV=1 without a PC: first stage Bare
  sc_time d = sc_core::SC_ZERO_TIME;
  ProcessContextLookup p = pd.locate(dc, 0x21, AccessType::kRead, w.gpa_translator(dc_ctx), d);
  INFO(p.why << describe(p.trace));
  REQUIRE(p.ok());
  CHECK(p.pc_address == pc_gpa + NestedGuest::kHostOffset);
  CHECK(p.trace.size() == 2 + 2);  // second-stage root + 2 MiB leaf, then the PC
  // The PC's first stage then translates the IOVA end to end.
  const TranslationContext ctx = TranslationContext::from(dc, &p.pc);
  CHECK(ctx.pscid == 0x321);
  CHECK(ctx.gscid == 0x9);
  WalkResult r = w.translate(ctx, NestedGuest::kIova, AccessType::kRead, false, d);
  INFO(r.why);
  REQUIRE(r.ok());
  CHECK(r.spa == NestedGuest::kDataSpa);
  // Unmap the guest's table memory: the PDT read faults with iotval2 bit 0.
  mem.poke(guest.region_leaf, 0);
  p = pd.locate(dc, 0x21, AccessType::kWrite, w.gpa_translator(dc_ctx), d);
  CHECK(p.cause == cause::kWriteGuestPageFault);
  CHECK(p.iotval2 == (pc_gpa | 1));
}

// ---------------------------------------------------------------------------
// Statistics

TEST_CASE("Walkers report walks, entries read, A/D updates and faults") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  PageTableBuilder pt(mem, pages, 3, false);
  pt.map(0x1000, 0x10'0000, 0, pte::kR | pte::kU);
  DdtBuilder ddt(mem, pages, regs::ddtp::k2Lvl, false);
  ddt.install(0x101, bare_dc());
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  DeviceDirectory dir(mem, IommuFeatures::rv64_full());
  auto ctx = first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn());
  ctx.sade = true;
  sc_time d = sc_core::SC_ZERO_TIME;
  REQUIRE(w.translate(ctx, 0x1000, AccessType::kRead, false, d).ok());
  CHECK(w.translate(ctx, 0x1000, AccessType::kWrite, false, d).cause == cause::kWritePageFault);
  REQUIRE(dir.locate(ddt.mode(), ddt.root_ppn(), 0x101, d).ok());
  vp::test::StatsMap v;
  w.report_stats(v);
  dir.report_stats(v);
  CHECK(v.values["page_table_walker.walks"] == 2);
  CHECK(v.values["page_table_walker.pte_reads"] == 6);
  CHECK(v.values["page_table_walker.ad_updates"] == 1);
  CHECK(v.values["page_table_walker.faults"] == 1);
  CHECK(v.values["ddt_walker.walks"] == 1);
  CHECK(v.values["ddt_walker.entries_read"] == 5);
  CHECK(v.values["ddt_walker.faults"] == 0);
}
