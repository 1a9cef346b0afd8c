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
#include "models/iommu/process_directory.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/walk_memory.h"

using namespace vp::iommu;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// Sparse doubleword memory with optional bus-error ranges and a fixed
// latency per access.
class FakeMemory : public WalkMemory {
 public:
  explicit FakeMemory(sc_time per_access = sc_time(10, SC_NS)) : per_access_(per_access) {}

  void poke(uint64_t pa, uint64_t v) { words_[pa] = v; }
  uint64_t peek(uint64_t pa) const {
    auto it = words_.find(pa);
    return it == words_.end() ? 0 : it->second;
  }
  // Accesses to [base, base + size) return a bus error.
  void add_fault_range(uint64_t base, uint64_t size) { faults_.push_back({base, base + size}); }

  bool read64(uint64_t pa, uint64_t* v, sc_time& delay) override {
    delay += per_access_;
    ++reads;
    if (faulty(pa)) return false;
    *v = peek(pa);
    return true;
  }
  bool write64(uint64_t pa, uint64_t v, sc_time& delay) override {
    delay += per_access_;
    ++writes;
    if (faulty(pa)) return false;
    words_[pa] = v;
    return true;
  }
  bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
             sc_time& delay) override {
    delay += per_access_;
    ++cas;
    if (faulty(pa)) return false;
    *observed = peek(pa);
    if (*observed == expected) words_[pa] = desired;
    return true;
  }

  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t cas = 0;
  sc_time per_access() const { return per_access_; }

 private:
  bool faulty(uint64_t pa) const {
    if (pa & 7) return true;  // the walkers only make aligned 8-byte accesses
    for (auto& r : faults_) {
      if (pa >= r.first && pa < r.second) return true;
    }
    return false;
  }

  sc_time per_access_;
  std::unordered_map<uint64_t, uint64_t> words_;
  std::vector<std::pair<uint64_t, uint64_t>> faults_;
};

// Bump allocator of zeroed, aligned pages, like a guest's page allocator.
class PageAllocator {
 public:
  explicit PageAllocator(uint64_t base) : next_(base) {}
  uint64_t alloc(uint64_t size = kPageSize, uint64_t align = kPageSize) {
    next_ = (next_ + align - 1) & ~(align - 1);
    uint64_t a = next_;
    next_ += size;
    return a;
  }

 private:
  uint64_t next_;
};

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
    uint64_t dw[8] = {dc.tc,     dc.iohgatp,       dc.ta,
                      dc.fsc,    dc.msiptp,        dc.msi_addr_mask,
                      dc.msi_addr_pattern, dc.reserved};
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
  PdtBuilder(FakeMemory& mem, PageAllocator& guest_pages, unsigned pdtp_mode,
             std::function<uint64_t(uint64_t)> to_spa = [](uint64_t a) { return a; })
      : mem_(mem), pages_(guest_pages), mode_(pdtp_mode), to_spa_(std::move(to_spa)),
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
  DdtBuilder ddt(mem, pages, ddtp::kMode1Lvl, false);
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
  DdtBuilder ddt(mem, pages, ddtp::kMode2Lvl, false);
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
  DdtBuilder ddt(mem, pages, ddtp::kMode3Lvl, true);
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
  CHECK(dir.locate(ddtp::kModeOff, 0x80000, 1, d).cause == cause::kAllInboundDisallowed);
  CHECK(dir.locate(ddtp::kModeBare, 0x80000, 1, d).cause == cause::kTransactionTypeDisallowed);
  CHECK(mem.reads == 0);
}

TEST_CASE("DDT: device_id wider than the DDT depth gives cause 260 without memory reads") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DeviceDirectory base(mem, IommuFeatures::rv64_full(false));
  DeviceDirectory ext(mem, IommuFeatures::rv64_full(true));
  sc_time d = sc_core::SC_ZERO_TIME;
  // 1LVL base: 7 bits.
  CHECK(base.locate(ddtp::kMode1Lvl, 0x80000, 0x7f, d).cause != cause::kTransactionTypeDisallowed);
  DeviceContextLookup r = base.locate(ddtp::kMode1Lvl, 0x80000, 0x80, d);
  CHECK(r.cause == cause::kTransactionTypeDisallowed);
  CHECK(r.why.find("too wide") != std::string::npos);
  // 1LVL extended: 6 bits.
  CHECK(ext.locate(ddtp::kMode1Lvl, 0x80000, 0x40, d).cause == cause::kTransactionTypeDisallowed);
  // 2LVL base: 16 bits; extended: 15 bits.
  CHECK(base.locate(ddtp::kMode2Lvl, 0x80000, 0x10000, d).cause ==
        cause::kTransactionTypeDisallowed);
  CHECK(ext.locate(ddtp::kMode2Lvl, 0x80000, 0x8000, d).cause ==
        cause::kTransactionTypeDisallowed);
  CHECK(DeviceDirectory::device_id_fits(ddtp::kMode2Lvl, false, 0xffff));
  CHECK(DeviceDirectory::device_id_fits(ddtp::kMode3Lvl, false, 0xffffff));
  CHECK_FALSE(DeviceDirectory::device_id_fits(ddtp::kMode3Lvl, true, 0x1000000));
}

TEST_CASE("DDT: bus error on a non-leaf entry or the DC gives cause 257") {
  FakeMemory mem;
  PageAllocator pages(0x8000'0000);
  DdtBuilder ddt(mem, pages, ddtp::kMode2Lvl, false);
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
  DdtBuilder ddt(mem, pages, ddtp::kMode3Lvl, false);
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
  DdtBuilder ddt(mem, pages, ddtp::kMode2Lvl, false);
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
  no_ats.capabilities &= ~capabilities::kAts.mask();
  IommuFeatures no_hwad = full;
  no_hwad.capabilities &= ~capabilities::kAmoHwad.mask();
  IommuFeatures no_pd20 = full;
  no_pd20.capabilities &= ~capabilities::kPd20.mask();
  IommuFeatures no_sv57 = full;
  no_sv57.capabilities &= ~(capabilities::kSv57.mask() | capabilities::kSv57x4.mask());

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
      {"T2GPA without EN_ATS", [g39](DeviceContext& d) {
         d.tc |= tc::kT2gpa.make(1);
         d.iohgatp = g39;
       }, full},
      {"EN_PRI without EN_ATS", [](DeviceContext& d) { d.tc |= tc::kEnPri.make(1); }, full},
      {"PRPR without EN_PRI", [](DeviceContext& d) {
         d.tc |= tc::kEnAts.make(1) | tc::kPrpr.make(1);
       }, full},
      {"T2GPA with iohgatp Bare", [](DeviceContext& d) {
         d.tc |= tc::kEnAts.make(1) | tc::kT2gpa.make(1);
       }, full},
      {"pdtp.MODE reserved", [](DeviceContext& d) {
         d.tc |= tc::kPdtv.make(1);
         d.fsc = fsc::kMode.make(4);
       }, full},
      {"pdtp.MODE PD20 unsupported", [](DeviceContext& d) {
         d.tc |= tc::kPdtv.make(1);
         d.fsc = fsc::kMode.make(pdtp_mode::kPd20);
       }, no_pd20},
      {"iosatp.MODE reserved", [](DeviceContext& d) { d.fsc = fsc::kMode.make(5); }, full},
      {"iosatp.MODE Sv57 unsupported", [](DeviceContext& d) {
         d.fsc = fsc::kMode.make(iosatp_mode::kSv57);
       }, no_sv57},
      {"DPE without PDTV", [](DeviceContext& d) { d.tc |= tc::kDpe.make(1); }, full},
      {"iohgatp.MODE reserved", [](DeviceContext& d) { d.iohgatp = iohgatp::kMode.make(3); },
       full},
      {"iohgatp.MODE Sv57x4 unsupported", [](DeviceContext& d) {
         d.iohgatp = iohgatp::kMode.make(iohgatp_mode::kSv57x4);
       }, no_sv57},
      {"msiptp.MODE reserved", [g39](DeviceContext& d) {
         d.iohgatp = g39;
         d.msiptp = msiptp::kMode.make(2);
       }, full},
      {"msiptp Flat with iohgatp Bare", [](DeviceContext& d) {
         d.msiptp = msiptp::kMode.make(msiptp::kModeFlat);
       }, full},
      {"msi_addr_mask reserved", [](DeviceContext& d) { d.msi_addr_mask = 1ull << 60; }, full},
      {"reserved 8th doubleword", [](DeviceContext& d) { d.reserved = 1; }, full},
      {"iohgatp root not 16K aligned", [](DeviceContext& d) {
         d.iohgatp = iohgatp::kMode.make(iohgatp_mode::kSv39x4) | iohgatp::kPpn.make(0x80001);
       }, full},
      {"SADE without AMO_HWAD", [](DeviceContext& d) { d.tc |= tc::kSade.make(1); }, no_hwad},
      {"GADE without AMO_HWAD", [](DeviceContext& d) { d.tc |= tc::kGade.make(1); }, no_hwad},
      {"SBE != fctl.BE without END", [](DeviceContext& d) { d.tc |= tc::kSbe.make(1); }, full},
      {"SXL=1 on an RV64-only IOMMU", [](DeviceContext& d) { d.tc |= tc::kSxl.make(1); }, full},
  };
  for (const Case& c : cases) {
    FakeMemory mem;
    PageAllocator pages(0x8000'0000);
    DdtBuilder ddt(mem, pages, ddtp::kMode1Lvl, c.features.extended_dc());
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
  DdtBuilder ddt(mem, pages, ddtp::kMode1Lvl, true);
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
  f.fctl = fctl::kBe.make(1);
  const uint64_t root = pages.alloc();
  const uint64_t leaf = pages.alloc();
  const uint32_t did = 0x85;  // DDI[1] = 1, DDI[0] = 5
  mem.poke(root + 8, __builtin_bswap64(nonleaf::kV.make(1) | nonleaf::kPpn.make(leaf >> 12)));
  mem.poke(leaf + 5 * 32, __builtin_bswap64(dc::tc::kV.make(1) | dc::tc::kSbe.make(1)));
  mem.poke(leaf + 5 * 32 + 16, __builtin_bswap64(dc::ta::kPscid.make(0x99)));
  DeviceDirectory dir(mem, f);
  sc_time d = sc_core::SC_ZERO_TIME;
  DeviceContextLookup r = dir.locate(ddtp::kMode2Lvl, root >> 12, did, d);
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
  no57.capabilities &= ~capabilities::kSv57.mask();
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
  CHECK(dir.locate(dc, pid, AccessType::kRead, nullptr, d).cause ==
        cause::kInternalDatapathError);
}
