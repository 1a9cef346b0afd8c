// Bad input never crashes or hangs the IOMMU: a fixed-seed random mix of
// register writes (any offset, any value), random bytes in the directory,
// page-table and queue memory, and random DMA (any device, PASID, type,
// address, size), debug translations and DMI requests. Every operation must
// complete with an architected outcome (OK or an error response, a fault
// record, cmd_ill/cqmf); the counters must add up at the end.
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <vector>

#include "tests/support/iommu_bench.h"
#include "tests/support/stats_map.h"

using namespace vp::iommu;
using vp::common::AddressType;
using vp::common::PcieExtension;
using vp::test::IommuBench;
using vp::test::TestInitiator;

namespace {

constexpr uint64_t kTableBase = 0x100000, kTableSize = 0x100000;  // tables live here

struct Fuzzer {
  IommuBench& b;
  std::mt19937_64 rng;
  uint64_t ok = 0, errors = 0, faults_seen = 0, seeds = 0;

  Fuzzer(IommuBench& bench, uint64_t seed) : b(bench), rng(seed) {}

  uint64_t rnd(uint64_t n) { return n ? rng() % n : 0; }

  // A plausible start: 2LVL DDT, a few devices with Sv39/Sv48 tables,
  // PASID tables, and mapped pages, so that the random walk explores deep
  // states before garbage overwrites them.
  void seed_tables() {
    ++seeds;
    b.next_page = kTableBase;
    static const std::vector<uint8_t> zeros(kTableSize, 0);
    b.poke(kTableBase, zeros.data(), unsigned(zeros.size()));  // drop the garbage
    const uint64_t ddt = b.alloc_page(), leaf = b.alloc_page();
    b.poke64(ddt, pte::kV | pte::kPpn.make(leaf >> 12));  // DDI[1] = 0: devices 0..63
    for (uint32_t did = 0; did < 8; ++did) {
      const uint64_t root = b.alloc_page();
      DeviceContext dc;
      dc.tc = dc::tc::kV.make(1) | (did & 1 ? dc::tc::kPdtv.make(1) : 0) |
              (did == 2 ? dc::tc::kEnAts.make(1) | dc::tc::kEnPri.make(1) : 0);
      dc.ta = dc::ta::kPscid.make(did);
      if (did & 1) {
        const uint64_t pdt = b.alloc_page();
        dc.fsc = dc::fsc::kMode.make(pdtp_mode::kPd8) | dc::fsc::kPpn.make(pdt >> 12);
        b.poke64(pdt + 16 * 1, pc::ta::kV.make(1) | pc::ta::kPscid.make(100 + did));
        b.poke64(pdt + 16 * 1 + 8,
                 pc::fsc::kMode.make(iosatp_mode::kSv39) | pc::fsc::kPpn.make(root >> 12));
      } else {
        dc.fsc = dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(root >> 12);
      }
      b.install_dc(leaf, did, dc, true);
      for (unsigned p = 0; p < 8; ++p) {
        b.map(root, 3, 0x10000 * p, 0x1000000 + 0x1000 * (8 * did + p),
              pte::kR | pte::kW | pte::kU | (p & 1 ? pte::kA | pte::kD : 0));
      }
    }
    // Device 8: second stage only, with an MSI page table whose file 0
    // (GPA 0x80000) is in MRIF mode and file 1 (GPA 0x81000) in basic
    // translate mode; MRIF and notice inside the table area.
    const uint64_t groot = b.alloc_page(16384), msipt = b.alloc_page(), mrif = b.alloc_page(),
                   notice = b.alloc_page();
    for (unsigned p = 0; p < 8; ++p) {
      b.map(groot, 3, 0x10000 * p, 0x2000000 + 0x1000 * p,
            pte::kR | pte::kW | pte::kU | pte::kA | pte::kD, 0, true);
    }
    DeviceContext dc;
    dc.tc = dc::tc::kV.make(1);
    dc.iohgatp = dc::iohgatp::kMode.make(iohgatp_mode::kSv39x4) | dc::iohgatp::kGscid.make(1) |
                 dc::iohgatp::kPpn.make(groot >> 12);
    dc.msiptp = dc::msiptp::kMode.make(dc::msiptp::kModeFlat) | dc::msiptp::kPpn.make(msipt >> 12);
    dc.msi_addr_mask = 0x1;
    dc.msi_addr_pattern = 0x80;
    b.install_dc(leaf, 8, dc, true);
    b.poke64(msipt, msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeMrif) |
                        msi_pte::kMrifAddress.make(mrif >> 9));
    b.poke64(msipt + 8, msi_pte::kNppn.make(notice >> 12) | msi_pte::kNid.make(0x3f0));
    b.poke64(msipt + 16, msi_pte::kV.make(1) | msi_pte::kM.make(msi_pte::kModeWriteThrough) |
                             msi_pte::kPpn.make(0x2100));
    b.set_ddtp(regs::ddtp::k2Lvl, ddt);
    // A page-request queue for device 2's page requests (EN_PRI).
    b.write_reg(regs::kPqcsr, 0, 4);
    b.write_reg(regs::kPqb, regs::qb::PPN.put(b.alloc_page() >> 12) | regs::qb::LOG2SZ_1.put(7));
    b.write_reg(regs::kPqcsr, regs::pqcsr::pqen.mask(), 4);
    // The seed works: an MSI to device 8's MRIF-mode file is recorded.
    uint32_t identity = 3;
    PcieExtension ext;
    ext.rid = 8;
    CHECK(b.dev.transport(tlm::TLM_WRITE_COMMAND, 0x80000, &identity, 4, sc_core::SC_ZERO_TIME,
                          nullptr, 0, 0, &ext) == tlm::TLM_OK_RESPONSE);
    CHECK((b.peek64(mrif) & 0x8) != 0);
  }

  void dma() {
    PcieExtension ext;
    ext.rid = uint16_t(rnd(4) == 0 ? rng() : rnd(10));
    ext.pasid_valid = rnd(3) == 0;
    ext.pasid = uint32_t(rnd(4) == 0 ? rng() & 0xfffff : rnd(3));
    ext.privileged = rnd(4) == 0;
    ext.execute = rnd(8) == 0;
    ext.address_type = AddressType(rnd(8) == 0 ? rnd(3) : 0);
    uint64_t addr = rnd(3) == 0 ? rng() : 0x10000 * rnd(9) + rnd(0x1100);
    unsigned len = 1 + unsigned(rnd(300));
    uint8_t data[300] = {};
    if (rnd(8) == 0) {  // MSI-like: 4 bytes near a device-8 interrupt file's start
      if (rnd(4) != 0) ext.rid = 8;
      addr = 0x80000 + 0x1000 * rnd(2) + 4 * rnd(3);
      len = 4;
      const uint32_t identity = uint32_t(rnd(2100));
      std::memcpy(data, &identity, 4);
    }
    if (rnd(16) == 0) {  // a PCIe message: mostly page requests, any payload
      ext.message = vp::common::MessageCode(rnd(8) == 0 ? rnd(4) : 1);
      if (rnd(4) != 0) ext.rid = 2;  // the device with EN_PRI
      len = rnd(8) == 0 ? len : 8;
      const uint64_t payload = rng();
      std::memcpy(data, &payload, 8);
    }
    const tlm::tlm_command cmd = rnd(2) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
    const auto st =
        b.dev.transport(cmd, addr, data, len, sc_core::SC_ZERO_TIME, nullptr, 0, 0, &ext);
    (st == tlm::TLM_OK_RESPONSE ? ok : errors)++;
  }

  void scribble_tables() {
    const uint64_t a = kTableBase + 8 * rnd(kTableSize / 8);
    uint64_t v = b.peek64(a);
    switch (rnd(4)) {
      case 0:
        v = rng();
        break;
      case 1:
        v ^= 1ull << rnd(64);
        break;
      case 2:
        v = 0;
        break;
      default:
        v = pte::kV | pte::kPpn.make((kTableBase >> 12) + rnd(kTableSize >> 12));
        break;
    }
    b.poke64(a, v);
  }

  void register_write() {
    // Mostly the interesting registers, sometimes anywhere in the page.
    static const uint64_t hot[] = {
        regs::kFctl,  regs::kDdtp,      regs::kCqb,      regs::kCqt,       regs::kFqb, regs::kFqh,
        regs::kCqcsr, regs::kFqcsr,     regs::kIpsr,     regs::kIcvec,     regs::kPqb, regs::kPqh,
        regs::kPqcsr, regs::kTrReqIova, regs::kTrReqCtl, regs::kIocountinh};
    uint64_t off = rnd(4) == 0 ? rnd(4096) : hot[rnd(sizeof hot / sizeof hot[0])];
    const unsigned len = rnd(2) ? 8 : 4;
    uint64_t v = rng();
    if (off == regs::kDdtp && rnd(2)) {
      // Keep DDT roots inside the table area half of the time.
      v = regs::ddtp::PPN.put((kTableBase >> 12) + rnd(kTableSize >> 12)) |
          regs::ddtp::iommu_mode.put(rnd(6));
    }
    if ((off == regs::kCqb || off == regs::kFqb || off == regs::kPqb) && rnd(2)) {
      v = regs::qb::PPN.put((kTableBase >> 12) + rnd(kTableSize >> 12)) |
          regs::qb::LOG2SZ_1.put(rnd(10));
    }
    b.cpu.transport(tlm::TLM_WRITE_COMMAND, off, &v, len);
  }

  // Writes a few commands at the queue's tail and rings the doorbell. Most
  // are well formed (every opcode and function, random operands); some are
  // random bits. Sometimes the queue is (re)configured first.
  void queue_commands() {
    // A queue a random cqb write put outside DRAM cannot be filled by the
    // driver: reconfigure it too.
    const auto& queue = b.iommu.register_file();
    if (rnd(8) == 0 || !(queue.cqcsr() & regs::cqcsr::cqon.mask()) ||
        queue.cq_base() + 16ull * queue.cq_entries() > IommuBench::dram_params().size) {
      uint64_t csr = 0;
      b.cpu.write(regs::kCqcsr, &csr, 4);  // off
      uint64_t cqb =
          regs::qb::PPN.put((kTableBase >> 12) + 200 + rnd(16)) | regs::qb::LOG2SZ_1.put(rnd(6));
      b.cpu.write(regs::kCqb, &cqb, 8);
      csr = regs::cqcsr::cqen.mask() | (rnd(2) ? regs::cqcsr::cie.mask() : 0);
      b.cpu.write(regs::kCqcsr, &csr, 4);
    }
    auto& rf = b.iommu.register_file();
    uint32_t tail = rf.cqt();
    for (unsigned n = 1 + unsigned(rnd(4)); n > 0; --n) {
      uint64_t cmd[2];
      if (rnd(6) == 0) {
        cmd[0] = rng();
        cmd[1] = rng();
      } else {
        cmd[0] = cmd[1] = 0;
        const uint64_t addr = kTableBase + 8 * rnd(kTableSize / 8);
        switch (rnd(4)) {
          case 0: {  // IOTINVAL.VMA / GVMA
            namespace t = command::iotinval;
            const bool gvma = rnd(2), av = rnd(2);
            cmd[0] = command::kOpcode.make(command::kOpIotinval) |
                     command::kFunc3.make(gvma ? t::kFuncGvma : t::kFuncVma) | t::kAv.make(av) |
                     t::kGv.make(rnd(2)) | t::kGscid.make(rnd(8)) |
                     t::kPscv.make(gvma ? 0 : rnd(2)) | t::kPscid.make(rnd(16));
            cmd[1] = av ? t::kAddr.make(rnd(1u << 20)) : 0;
            break;
          }
          case 1: {  // IOFENCE.C
            namespace f = command::iofence;
            const bool av = rnd(2);
            cmd[0] = command::kOpcode.make(command::kOpIofence) | f::kAv.make(av) |
                     f::kPr.make(rnd(2)) | f::kPw.make(rnd(2)) | (av ? f::kData.make(rng()) : 0);
            cmd[1] = av ? f::kAddr.make(addr >> 2) : 0;
            break;
          }
          case 2: {  // IODIR.INVAL_DDT / INVAL_PDT
            namespace d = command::iodir;
            const bool pdt = rnd(2);
            cmd[0] = command::kOpcode.make(command::kOpIodir) |
                     command::kFunc3.make(pdt ? d::kFuncInvalPdt : d::kFuncInvalDdt) |
                     d::kDv.make(pdt ? 1 : rnd(2)) | d::kDid.make(rnd(10)) |
                     d::kPid.make(pdt ? rnd(4) : 0);
            break;
          }
          default: {  // ATS.INVAL / PRGR
            namespace a = command::ats;
            cmd[0] = command::kOpcode.make(command::kOpAts) | command::kFunc3.make(rnd(2)) |
                     a::kPv.make(rnd(2)) | a::kPid.make(rnd(4)) | a::kRid.make(rnd(10));
            cmd[1] = rng();
            break;
          }
        }
      }
      b.poke(rf.cq_base() + 16ull * tail, cmd, 16);
      tail = uint32_t((tail + 1) % rf.cq_entries());
    }
    uint64_t t = tail;
    b.cpu.write(regs::kCqt, &t, 4);
    sc_core::wait(sc_core::sc_time(500, sc_core::SC_NS));  // let the IOMMU run them
    if (rf.cqcsr() & (regs::cqcsr::cmd_ill.mask() | regs::cqcsr::cqmf.mask())) {
      uint64_t clear = rf.cqcsr();  // W1C the errors, keep enables
      b.cpu.write(regs::kCqcsr, &clear, 4);
    }
  }

  void register_read() {
    uint64_t v = 0;
    b.cpu.transport(tlm::TLM_READ_COMMAND, rnd(4096), &v, rnd(2) ? 8 : 4);
  }

  void dmi() {
    tlm::tlm_generic_payload gp;
    PcieExtension ext;
    ext.rid = uint16_t(rnd(10));
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(0x10000 * rnd(9) + rnd(0x1000));
    tlm::tlm_dmi d;
    if (b.dev.socket->get_direct_mem_ptr(gp, d)) {
      CHECK(d.get_end_address() - d.get_start_address() < (1ull << 30));
    }
    gp.clear_extension(&ext);
  }

  void invalidate() {
    switch (rnd(4)) {
      case 0:
        b.iommu.invalidate_vma(std::nullopt, std::nullopt, std::nullopt);
        break;
      case 1:
        b.iommu.invalidate_device_context(uint32_t(rnd(10)));
        break;
      case 2:
        b.iommu.invalidate_process_context(uint32_t(rnd(10)), std::nullopt);
        break;
      default:
        b.iommu.invalidate_gvma(std::nullopt, std::nullopt);
        break;
    }
  }

  void step() {
    const uint64_t r = rnd(100);
    if (r < 45) {
      dma();
    } else if (r < 65) {
      scribble_tables();
    } else if (r < 80) {
      register_write();
    } else if (r < 88) {
      register_read();
    } else if (r < 91) {
      dmi();
    } else if (r < 96) {
      queue_commands();
    } else {
      invalidate();
    }
  }
};

}  // namespace

IommuParams fuzz_params() {
  IommuParams p = IommuBench::quiet({});  // faults are not logged
  p.msi_mrif = p.amo_mrif = true;
  return p;
}

TEST_CASE("iommu robustness: 120k random operations end in architected outcomes") {
  IommuBench b(fuzz_params());
  // Misaligned and reserved register accesses are logged as warnings; the
  // fuzzer makes thousands.
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  uint64_t ops = 0;
  Fuzzer fz(b, 0x5eed'1234);
  b.dev.body = [&](TestInitiator&) {
    fz.seed_tables();
    for (; ops < 120000; ++ops) {
      if (ops % 4000 == 0) fz.seed_tables();  // re-seed now and then
      fz.step();
      // Let time advance now and then so queued work and interrupts run.
      if (ops % 64 == 0) sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
    }
  };
  REQUIRE_NOTHROW(sc_core::sc_start());
  CHECK(ops == 120000);
  // Enough of the mix reached both outcomes to mean something.
  CHECK(fz.ok > 1000);
  CHECK(fz.errors > 1000);
  CHECK(!b.iommu.recent_faults().empty());
  // The garbage reached the queues too: commands decoded (some illegal) and
  // fault records written.
  INFO("commands " << b.iommu.command_queue().executed_total() << " illegal "
                   << b.iommu.command_queue().illegal_commands() << " records "
                   << b.iommu.fault_queue().records_written());
  CHECK(b.iommu.command_queue().executed_total() + b.iommu.command_queue().illegal_commands() >
        100);
  CHECK(b.iommu.command_queue().illegal_commands() > 0);
  CHECK(b.iommu.fault_queue().records_written() > 100);
  // MSIs reached the MRIF-mode file, and other accesses there were refused.
  const vp::test::StatsMap stats = vp::test::stats_of(b.iommu);
  INFO("MRIF MSIs " << stats["iommu.mrif_msis"] << " aborted "
                    << stats["iommu.mrif_aborted_accesses"]);
  CHECK(stats["iommu.mrif_msis"] > double(fz.seeds));  // each seed checks one itself
  CHECK(stats["iommu.mrif_aborted_accesses"] > 0);
  CHECK(stats["iommu.page_requests"] > 100);
  INFO("page requests queued " << stats["iommu.page_request_queue.records_written"]);
  CHECK(stats["iommu.page_request_queue.records_written"] > 20);
}
