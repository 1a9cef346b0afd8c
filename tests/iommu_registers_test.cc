// RISC-V IOMMU register file: reset values, capabilities, WARL, W1C, hooks
// and bad accesses (spec chapter 6).
#include <catch2/catch.hpp>
#include <vector>

#include "models/iommu/register_file.h"

using vp::iommu::HpmRegister;
using vp::iommu::IommuParams;
using vp::iommu::RegisterFile;
namespace r = vp::iommu::regs;

namespace {

uint64_t rd(RegisterFile& rf, uint64_t off, unsigned size) {
  uint64_t v = ~0ull;
  REQUIRE(rf.read(off, size, &v));
  return v;
}

void wr(RegisterFile& rf, uint64_t off, unsigned size, uint64_t v) {
  REQUIRE(rf.write(off, size, v));
}

tlm::tlm_response_status raw_access(RegisterFile& rf, tlm::tlm_command cmd, uint64_t off,
                                    unsigned len, unsigned char* data, unsigned char* be = nullptr,
                                    unsigned be_len = 0) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(off);
  gp.set_data_ptr(data);
  gp.set_data_length(len);
  gp.set_streaming_width(len);
  gp.set_byte_enable_ptr(be);
  gp.set_byte_enable_length(be_len);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const auto status = rf.access(gp);
  CHECK(gp.get_response_status() == status);
  return status;
}

}  // namespace

TEST_CASE("iommu registers hold their reset values") {
  IommuParams p;  // defaults
  RegisterFile rf(p);
  const uint64_t caps = rd(rf, r::kCapabilities, 8);
  CHECK(caps == p.capabilities_value());
  CHECK(r::capabilities::version.get(caps) == 0x10);
  CHECK(r::capabilities::Sv39.get(caps) == 1);
  CHECK(r::capabilities::Sv48.get(caps) == 1);
  CHECK(r::capabilities::Sv57.get(caps) == 0);
  CHECK(r::capabilities::Sv39x4.get(caps) == 1);
  CHECK(r::capabilities::MSI_FLAT.get(caps) == 1);
  CHECK(r::capabilities::ATS.get(caps) == 1);
  CHECK(r::capabilities::IGS.get(caps) == r::capabilities::kIgsBoth);
  CHECK(r::capabilities::HPM.get(caps) == 1);
  CHECK(r::capabilities::DBG.get(caps) == 1);
  CHECK(r::capabilities::PAS.get(caps) == 56);
  // 6.2: ddtp.iommu_mode resets to Off (recommended), busy bits and ipsr 0.
  CHECK(rd(rf, r::kDdtp, 8) == 0);
  CHECK(rd(rf, r::kFctl, 4) == 0);
  for (uint64_t off : {r::kCqh, r::kCqt, r::kFqh, r::kFqt, r::kPqh, r::kPqt, r::kCqcsr, r::kFqcsr,
                       r::kPqcsr, r::kIpsr, r::kIocountovf, r::kIocountinh})
    CHECK(rd(rf, off, 4) == 0);
  CHECK(rd(rf, r::kCqb, 8) == 0);
  CHECK(rd(rf, r::kTrReqCtl, 8) == 0);
  CHECK(rd(rf, r::kIcvec, 8) == 0);
  // Reserved and custom ranges and QOSID (not implemented) read zero and
  // ignore writes.
  for (uint64_t off : {r::kFctlCustom, r::kIommuQosid, r::kReserved0, r::kCustom0, r::kReserved1,
                       uint64_t(0xffc)}) {
    wr(rf, off, 4, 0xffffffff);
    CHECK(rd(rf, off, 4) == 0);
  }
  // Writing capabilities changes nothing (RO).
  wr(rf, r::kCapabilities, 8, 0);
  CHECK(rd(rf, r::kCapabilities, 8) == caps);

  // Reset restores the state after writes.
  wr(rf, r::kCqb, 8, 0x5003);
  wr(rf, r::kDdtp, 8, r::ddtp::kBare);
  rf.reset();
  CHECK(rd(rf, r::kCqb, 8) == 0);
  CHECK(rd(rf, r::kDdtp, 8) == 0);
}

TEST_CASE("iommu capabilities reflect exactly the configured features") {
  IommuParams p;
  p.sv57 = true;
  p.sv57x4 = true;
  p.igs = "wsi";
  p.hpm_counters = 0;
  p.debug = false;
  p.pas_bits = 40;
  p.end = true;
  p.pd20 = false;
  RegisterFile rf(p);
  // Worked out by hand from the 6.3 bit positions: version 0x10, Sv39/48/57
  // (bits 9-11), Sv39x4/48x4/57x4 (17-19), MSI_FLAT (22), AMO_HWAD (24), ATS (25), END (27),
  // IGS=WSI (28), PAS=40 (37:32), PD8/PD17 (38, 39). AMO_MRIF/MSI_MRIF stay 0: MRIF mode is not
  // modeled and validate() refuses it.
  CHECK(rd(rf, r::kCapabilities, 8) == 0x000000E81B4E0E10ull);

  // IGS=WSI: fctl.WSI reads 1 from reset and cannot be cleared; END=1 makes
  // fctl.BE writable.
  CHECK(rd(rf, r::kFctl, 4) == r::fctl::WSI.mask());
  wr(rf, r::kFctl, 4, r::fctl::BE.mask());
  CHECK(rd(rf, r::kFctl, 4) == (r::fctl::BE.mask() | r::fctl::WSI.mask()));
  // No HPM: counters and event selectors read 0 and ignore writes.
  wr(rf, r::iohpmctr_offset(1), 8, 123);
  wr(rf, r::iohpmevt_offset(1), 8, 1);
  wr(rf, r::kIohpmcycles, 8, 55);
  CHECK(rd(rf, r::iohpmctr_offset(1), 8) == 0);
  CHECK(rd(rf, r::iohpmevt_offset(1), 8) == 0);
  CHECK(rd(rf, r::kIohpmcycles, 8) == 0);
  // No DBG: the translation-request registers read 0.
  wr(rf, r::kTrReqIova, 8, 0x1000);
  wr(rf, r::kTrReqCtl, 8, 1);
  CHECK(rd(rf, r::kTrReqIova, 8) == 0);
  CHECK(rd(rf, r::kTrReqCtl, 8) == 0);
  // IGS=WSI: msi_cfg_tbl hardwired to 0.
  wr(rf, r::msi_addr_offset(0), 8, 0x1000);
  CHECK(rd(rf, r::msi_addr_offset(0), 8) == 0);

  // The other extreme: MSI only, no ATS: fctl.WSI fixed to 0, pq* absent.
  IommuParams q;
  q.igs = "msi";
  q.ats = false;
  q.sv39 = q.sv48 = q.sv39x4 = q.sv48x4 = false;  // Bare only is legal
  RegisterFile rf2(q, "rf2");
  const uint64_t caps = rd(rf2, r::kCapabilities, 8);
  CHECK(r::capabilities::ATS.get(caps) == 0);
  CHECK(r::capabilities::IGS.get(caps) == r::capabilities::kIgsMsi);
  CHECK((caps & 0x000f0f00ull) == 0);  // no translation scheme
  wr(rf2, r::kFctl, 4, 0xffffffff);
  CHECK(rd(rf2, r::kFctl, 4) == 0);
  wr(rf2, r::kPqb, 8, 0x1003);
  wr(rf2, r::kPqcsr, 4, 1);
  CHECK(rd(rf2, r::kPqb, 8) == 0);
  CHECK(rd(rf2, r::kPqcsr, 4) == 0);
}

TEST_CASE("iommu ddtp is WARL: an unsupported mode keeps the old legal value") {
  IommuParams p;
  p.ddt_max_levels = 2;
  p.pas_bits = 40;
  RegisterFile rf(p);
  rf.set_logging(false);
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  rf.on_ddtp_write = [&](uint64_t o, uint64_t n) { seen.emplace_back(o, n); };

  // 3LVL is not supported with ddt_max_levels = 2: mode stays Off.
  wr(rf, r::kDdtp, 8, r::ddtp::k3Lvl);
  CHECK(rf.ddtp_mode() == r::ddtp::kOff);
  // 2LVL is; PPN is masked to PAS (40 bits -> 28-bit PPN); busy is RO.
  const uint64_t ppn = 0xfffffffffffull;  // 44 ones
  wr(rf, r::kDdtp, 8, r::ddtp::PPN.put(ppn) | r::ddtp::busy.mask() | r::ddtp::k2Lvl);
  CHECK(rf.ddtp_mode() == r::ddtp::k2Lvl);
  CHECK(rf.ddtp_ppn() == 0xfffffffull);
  CHECK_FALSE(rf.ddtp_busy());
  CHECK(rf.ddt_root() == 0xfffffffull << 12);
  // Reserved (5..13) and custom (14, 15) modes keep 2LVL.
  for (uint64_t mode : {5, 13, 14, 15}) {
    wr(rf, r::kDdtp, 8, r::ddtp::PPN.put(0x1234) | mode);
    CHECK(rf.ddtp_mode() == r::ddtp::k2Lvl);
  }
  CHECK(rf.ddtp_ppn() == 0x1234);
  // A 4-byte write to the low half keeps the high PPN bits.
  wr(rf, r::kDdtp, 8, r::ddtp::PPN.put(0x8000001));
  wr(rf, r::kDdtp, 4, r::ddtp::PPN.put(0x5) | r::ddtp::kBare);
  CHECK(rf.ddtp_ppn() == 0x8000005);
  CHECK(rf.ddtp_mode() == r::ddtp::kBare);
  CHECK(seen.size() == 8);
  CHECK(seen.front().first == 0);
  CHECK(seen.back().second == rf.ddtp());
  // While the hardware reports busy, writes are ignored.
  rf.set_ddtp_busy(true);
  CHECK(rd(rf, r::kDdtp, 8) == (r::ddtp::PPN.put(0x8000005) | r::ddtp::busy.mask() | 1));
  wr(rf, r::kDdtp, 8, r::ddtp::kOff);
  CHECK(rf.ddtp_mode() == r::ddtp::kBare);
  CHECK(rf.ignored_writes() == 1);
  CHECK(seen.size() == 8);

  // reset_mode = bare.
  IommuParams q;
  q.reset_mode = "bare";
  RegisterFile rf2(q, "rf2");
  CHECK(rf2.ddtp_mode() == r::ddtp::kBare);
}

TEST_CASE("iommu queue registers legalize size, base and indices") {
  IommuParams p;
  p.pas_bits = 48;
  p.queue_log2sz_max = 12;
  RegisterFile rf(p);
  std::vector<uint32_t> tails;
  rf.on_cqt_write = [&](uint32_t t) { tails.push_back(t); };

  // Writing all ones discovers the largest queue (LOG2SZ-1 clamped) and
  // the PPN width (masked to PAS: 36 bits).
  wr(rf, r::kCqb, 8, ~0ull);
  CHECK(rd(rf, r::kCqb, 8) == (r::qb::PPN.put(0xfffffffffull) | 11));
  CHECK(rf.cq_log2sz() == 12);
  CHECK(rf.cq_entries() == 4096);
  // cqt: only bits LOG2SZ-1:0 are writable.
  wr(rf, r::kCqt, 4, 0xffffffff);
  CHECK(rf.cqt() == 0xfff);
  CHECK(tails == std::vector<uint32_t>{0xfff});
  // Shrinking the queue clears cqt bits 31:LOG2SZ (6.6).
  wr(rf, r::kCqb, 8, r::qb::PPN.put(0x80000) | 3);  // 16 entries at 0x80000000
  CHECK(rf.cq_base() == 0x80000000ull);
  CHECK(rf.cq_log2sz() == 4);
  CHECK(rf.cqt() == 0xf);
  // cqh is read-only for software.
  wr(rf, r::kCqh, 4, 7);
  CHECK(rf.cqh() == 0);
  rf.set_cqh(5);
  CHECK(rd(rf, r::kCqh, 4) == 5);

  // Fault queue: fqh is the software index, fqt is read-only.
  wr(rf, r::kFqb, 8, r::qb::PPN.put(0x90000) | 1);  // 4 entries
  CHECK(rf.fq_entries() == 4);
  wr(rf, r::kFqh, 4, 6);
  CHECK(rf.fqh() == 2);
  wr(rf, r::kFqt, 4, 3);
  CHECK(rf.fqt() == 0);
  rf.set_fqt(3);
  CHECK(rd(rf, r::kFqt, 4) == 3);

  // Page-request queue (ATS on by default).
  wr(rf, r::kPqb, 8, r::qb::PPN.put(0xa0000) | 2);  // 8 entries
  CHECK(rf.pq_base() == 0xa0000000ull);
  wr(rf, r::kPqh, 4, 0x1f);
  CHECK(rf.pqh() == 7);

  // A base write while the queue is on is ignored.
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask());
  REQUIRE(rf.cq_on());
  wr(rf, r::kCqb, 8, r::qb::PPN.put(0x1) | 0);
  CHECK(rf.cq_base() == 0x80000000ull);
  CHECK(rf.ignored_writes() == 1);
}

TEST_CASE("iommu cqcsr: cqen toggles cqon, clears cqh and errors, calls the hook") {
  IommuParams p;
  RegisterFile rf(p);
  std::vector<std::pair<uint32_t, uint32_t>> calls;
  rf.on_cqcsr_write = [&](uint32_t o, uint32_t n) { calls.emplace_back(o, n); };
  wr(rf, r::kCqb, 8, r::qb::PPN.put(0x100) | 7);
  rf.set_cqh(9);
  rf.set_cqcsr_bits(uint32_t(r::cqcsr::cmd_ill.mask() | r::cqcsr::cqmf.mask()));

  // cqen 0 -> 1.
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask());
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].first == (r::cqcsr::cmd_ill.mask() | r::cqcsr::cqmf.mask()));
  CHECK(calls[0].second == (r::cqcsr::cqen.mask() | r::cqcsr::cqon.mask()));
  CHECK(rd(rf, r::kCqcsr, 4) == (r::cqcsr::cqen.mask() | r::cqcsr::cqon.mask()));
  CHECK(rf.cqh() == 0);
  CHECK(rf.cq_on());
  // Writing cqon/busy (RO) does nothing; cqen stays.
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask() | r::cqcsr::busy.mask());
  CHECK(rd(rf, r::kCqcsr, 4) == (r::cqcsr::cqen.mask() | r::cqcsr::cqon.mask()));
  // cqen 1 -> 0.
  wr(rf, r::kCqcsr, 4, 0);
  CHECK(rd(rf, r::kCqcsr, 4) == 0);
  CHECK_FALSE(rf.cq_on());
  CHECK(calls.size() == 3);

  // A control part modelling a delayed enable overrides from the hook:
  // busy while turning on, cqon later.
  rf.on_cqcsr_write = [&](uint32_t o, uint32_t n) {
    if (!(o & r::cqcsr::cqen.mask()) && (n & r::cqcsr::cqen.mask())) {
      rf.clear_cqcsr_bits(uint32_t(r::cqcsr::cqon.mask()));
      rf.set_cqcsr_bits(uint32_t(r::cqcsr::busy.mask()));
    }
  };
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask());
  CHECK(rd(rf, r::kCqcsr, 4) == (r::cqcsr::cqen.mask() | r::cqcsr::busy.mask()));
  // cqcsr writes while busy are ignored.
  wr(rf, r::kCqcsr, 4, 0);
  CHECK(rf.cq_enabled());
  rf.clear_cqcsr_bits(uint32_t(r::cqcsr::busy.mask()));
  rf.set_cqcsr_bits(uint32_t(r::cqcsr::cqon.mask()));
  CHECK(rd(rf, r::kCqcsr, 4) == (r::cqcsr::cqen.mask() | r::cqcsr::cqon.mask()));

  // Fault queue: fqen 0 -> 1 clears fqt and fqof/fqmf, fqon follows.
  std::vector<uint32_t> fq_calls;
  rf.on_fqcsr_write = [&](uint32_t, uint32_t n) { fq_calls.push_back(n); };
  wr(rf, r::kFqb, 8, 3);
  rf.set_fqt(5);
  rf.set_fqcsr_bits(uint32_t(r::fqcsr::fqof.mask()));
  wr(rf, r::kFqcsr, 4, r::fqcsr::fqen.mask() | r::fqcsr::fie.mask());
  CHECK(rf.fqt() == 0);
  CHECK(rd(rf, r::kFqcsr, 4) ==
        (r::fqcsr::fqen.mask() | r::fqcsr::fie.mask() | r::fqcsr::fqon.mask()));
  CHECK(fq_calls == std::vector<uint32_t>{uint32_t(rf.fqcsr())});
}

TEST_CASE("iommu ipsr is write-1-to-clear and re-raised while its condition holds") {
  IommuParams p;
  RegisterFile rf(p);
  std::vector<unsigned> raised;
  rf.on_interrupt_pending = [&](r::InterruptCause c) { raised.push_back(unsigned(c)); };
  unsigned ipsr_writes = 0;
  rf.on_ipsr_write = [&](uint32_t, uint32_t) { ++ipsr_writes; };

  // fip: enable and record a fault (event condition).
  wr(rf, r::kFqcsr, 4, r::fqcsr::fqen.mask() | r::fqcsr::fie.mask());
  CHECK(rf.raise_if_enabled(r::InterruptCause::kFaultQueue));
  CHECK_FALSE(rf.raise_if_enabled(r::InterruptCause::kFaultQueue));  // already pending
  CHECK(rd(rf, r::kIpsr, 4) == r::ipsr::fip.mask());
  CHECK(raised == std::vector<unsigned>{1});
  wr(rf, r::kIpsr, 4, 0);  // writing 0 leaves it
  CHECK(rd(rf, r::kIpsr, 4) == r::ipsr::fip.mask());
  wr(rf, r::kIpsr, 4, r::ipsr::fip.mask());  // writing 1 clears
  CHECK(rd(rf, r::kIpsr, 4) == 0);
  CHECK(ipsr_writes == 2);

  // cip with cie=0: an error does not raise it; enabling cie does (level).
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask());
  rf.set_cqcsr_bits(uint32_t(r::cqcsr::cmd_ill.mask()));
  CHECK(rd(rf, r::kIpsr, 4) == 0);
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask() | r::cqcsr::cie.mask());
  CHECK(rd(rf, r::kIpsr, 4) == r::ipsr::cip.mask());
  CHECK(raised == std::vector<unsigned>{1, 0});
  // Clearing cip while cmd_ill is still 1 re-raises it (6.18).
  wr(rf, r::kIpsr, 4, r::ipsr::cip.mask());
  CHECK(rd(rf, r::kIpsr, 4) == r::ipsr::cip.mask());
  CHECK(raised == std::vector<unsigned>{1, 0, 0});
  // Clear cmd_ill (W1C in cqcsr) then cip: it stays clear.
  wr(rf, r::kCqcsr, 4, r::cqcsr::cqen.mask() | r::cqcsr::cie.mask() | r::cqcsr::cmd_ill.mask());
  CHECK((rf.cqcsr() & r::cqcsr::cmd_ill.mask()) == 0);
  CHECK(rf.cq_enabled());
  wr(rf, r::kIpsr, 4, r::ipsr::cip.mask());
  CHECK(rd(rf, r::kIpsr, 4) == 0);
  CHECK(raised.size() == 3);
  // Reserved ipsr bits are not writable and cannot be set.
  wr(rf, r::kIpsr, 4, 0xffffffff);
  CHECK(rd(rf, r::kIpsr, 4) == 0);
}

TEST_CASE("iommu HPM registers: OF shadows, overflow interrupt, inhibit and event WARL") {
  IommuParams p;
  p.hpm_counters = 3;
  RegisterFile rf(p);
  std::vector<std::tuple<HpmRegister, unsigned, uint64_t>> writes;
  rf.on_hpm_write = [&](HpmRegister k, unsigned i, uint64_t, uint64_t n) {
    writes.emplace_back(k, i, n);
  };
  // iocountinh keeps CY and the bits of counters 1..3.
  wr(rf, r::kIocountinh, 4, 0xffffffff);
  CHECK(rf.iocountinh() == 0xf);
  CHECK(rf.hpm_inhibited(0));
  CHECK(rf.hpm_inhibited(3));
  // Counter 4 does not exist.
  wr(rf, r::iohpmctr_offset(4), 8, 7);
  CHECK(rd(rf, r::iohpmctr_offset(4), 8) == 0);
  wr(rf, r::iohpmctr_offset(2), 8, 0xfffffffffffffff0ull);
  CHECK(rf.hpm_counter(2) == 0xfffffffffffffff0ull);
  // eventID: a supported event is stored, an unsupported one keeps it.
  wr(rf, r::iohpmevt_offset(2), 8, uint64_t(r::HpmEvent::kTlbMiss));
  wr(rf, r::iohpmevt_offset(2), 8, 0x4000 | r::iohpmevt::IDT.mask());
  CHECK(r::iohpmevt::eventID.get(rf.hpm_event(2)) == 4);
  CHECK(r::iohpmevt::IDT.get(rf.hpm_event(2)) == 1);
  // Software-written OF bits show in iocountovf.
  wr(rf, r::iohpmevt_offset(3), 8, r::iohpmevt::OF.mask() | 1);
  CHECK(rf.iocountovf() == 0x8);
  CHECK(rd(rf, r::kIpsr, 4) == 0);  // software writes do not raise pmip
  // Hardware overflow of counter 1: OF, shadow, pmip; a second overflow
  // with OF set raises nothing.
  CHECK(rf.hpm_overflow(1));
  CHECK(rf.iocountovf() == 0xa);
  CHECK(rd(rf, r::kIpsr, 4) == r::ipsr::pmip.mask());
  wr(rf, r::kIpsr, 4, r::ipsr::pmip.mask());
  CHECK_FALSE(rf.hpm_overflow(1));
  CHECK(rd(rf, r::kIpsr, 4) == 0);
  CHECK(rf.hpm_overflow(0));
  CHECK(rf.iocountovf() == 0xb);
  CHECK(r::iohpmcycles::OF.get(rf.hpm_cycles()) == 1);
  rf.set_hpm_cycles(42);
  CHECK(rd(rf, r::kIohpmcycles, 8) == (r::iohpmcycles::OF.mask() | 42));
  // Clearing OF in software updates the shadow.
  wr(rf, r::kIohpmcycles, 8, 0);
  CHECK(rf.iocountovf() == 0xa);
  CHECK(writes.size() == 6);
  CHECK(std::get<0>(writes[0]) == HpmRegister::kCountInh);
  CHECK(std::get<0>(writes[1]) == HpmRegister::kCounter);
  CHECK(std::get<1>(writes[1]) == 2);
  CHECK(std::get<0>(writes.back()) == HpmRegister::kCycles);
}

TEST_CASE("iommu icvec, msi_cfg_tbl and the translation-request interface") {
  IommuParams p;
  p.interrupt_vectors = 4;
  p.pas_bits = 40;
  RegisterFile rf(p);
  // icvec fields keep 2 bits each with 4 vectors.
  wr(rf, r::kIcvec, 8, ~0ull);
  CHECK(rd(rf, r::kIcvec, 8) == 0x3333);
  wr(rf, r::kIcvec, 8, 0x0123);
  CHECK(rf.vector_of(r::InterruptCause::kCommandQueue) == 3);
  CHECK(rf.vector_of(r::InterruptCause::kFaultQueue) == 2);
  CHECK(rf.vector_of(r::InterruptCause::kHpm) == 1);
  CHECK(rf.vector_of(r::InterruptCause::kPageRequestQueue) == 0);
  // MSI table entry 3 exists, entry 4 does not; addresses are 4-byte
  // aligned and masked to PAS.
  std::vector<std::pair<unsigned, bool>> masks;
  rf.on_msi_vec_ctl_write = [&](unsigned v, bool m) { masks.emplace_back(v, m); };
  wr(rf, r::msi_addr_offset(3), 8, 0xffff00002800100full);
  wr(rf, r::msi_data_offset(3), 4, 0xabcd);
  wr(rf, r::msi_vec_ctl_offset(3), 4, 0xffffffff);
  CHECK(rf.msi_addr(3) == 0x2800100cull);
  CHECK(rd(rf, r::msi_addr_offset(3), 8) == 0x2800100cull);
  CHECK(rf.msi_data(3) == 0xabcd);
  CHECK(rf.msi_masked(3));
  CHECK(rd(rf, r::msi_vec_ctl_offset(3), 4) == 1);
  CHECK(masks == std::vector<std::pair<unsigned, bool>>{{3, true}});
  wr(rf, r::msi_addr_offset(4), 8, 0x1000);
  CHECK(rd(rf, r::msi_addr_offset(4), 8) == 0);

  // tr_req_ctl: Go/Busy is write-1-to-set; completion clears it.
  std::vector<uint64_t> reqs;
  rf.on_tr_req_ctl_write = [&](uint64_t, uint64_t n) { reqs.push_back(n); };
  wr(rf, r::kTrReqIova, 8, 0x12345fffull);
  CHECK(rf.tr_req_iova() == 0x12345000ull);
  const uint64_t ctl =
      r::tr_req_ctl::DID.put(0x42) | r::tr_req_ctl::NW.mask() | r::tr_req_ctl::Go_Busy.mask();
  wr(rf, r::kTrReqCtl, 8, ctl);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0] == ctl);
  wr(rf, r::kTrReqCtl, 4, r::tr_req_ctl::NW.mask());  // writing 0 keeps Go
  CHECK(r::tr_req_ctl::Go_Busy.get(rf.tr_req_ctl()) == 1);
  rf.complete_translation_request(r::tr_response::PPN.put(0x777) | (0xfull << 60));
  CHECK(r::tr_req_ctl::Go_Busy.get(rf.tr_req_ctl()) == 0);
  CHECK(rd(rf, r::kTrResponse, 8) == r::tr_response::PPN.put(0x777));  // custom bits 0
  wr(rf, r::kTrResponse, 8, 0);                                        // RO
  CHECK(rd(rf, r::kTrResponse, 8) == r::tr_response::PPN.put(0x777));
}

TEST_CASE("iommu register accesses of bad size, alignment or span get TLM errors") {
  IommuParams p;
  RegisterFile rf(p);
  rf.set_logging(false);
  unsigned char buf[16] = {};
  // Sizes other than 4 and 8 bytes.
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, r::kCqt, 1, buf) == tlm::TLM_BURST_ERROR_RESPONSE);
  CHECK(raw_access(rf, tlm::TLM_WRITE_COMMAND, r::kCqt, 2, buf) == tlm::TLM_BURST_ERROR_RESPONSE);
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, r::kCqb, 16, buf) == tlm::TLM_BURST_ERROR_RESPONSE);
  // Misaligned.
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, r::kDdtp + 2, 4, buf) ==
        tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, r::kCqt, 8, buf) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // 8 bytes spanning cqh and cqt, and fctl plus its custom neighbour.
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, r::kCqh, 8, buf) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(raw_access(rf, tlm::TLM_WRITE_COMMAND, r::kFctl, 8, buf) ==
        tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Outside the 4-KiB page.
  CHECK(raw_access(rf, tlm::TLM_READ_COMMAND, 0x1000, 4, buf) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(rf.errors() == 8);
  // Nothing was written by the failed writes.
  CHECK(rd(rf, r::kCqt, 4) == 0);

  // A 4-byte access to the upper half of an 8-byte register is fine.
  wr(rf, r::kCqb + 4, 4, 0x1);
  CHECK(rd(rf, r::kCqb, 8) == 0x100000000ull);
  CHECK(rd(rf, r::kCqb + 4, 4) == 0x1);
  // Byte enables: only byte 0 of cqt is written.
  wr(rf, r::kCqb, 8, 15);  // 2^16 entries
  uint32_t v = 0x1234;
  unsigned char be[4] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED, TLM_BYTE_DISABLED, TLM_BYTE_DISABLED};
  CHECK(raw_access(rf, tlm::TLM_WRITE_COMMAND, r::kCqt, 4, reinterpret_cast<unsigned char*>(&v), be,
                   4) == tlm::TLM_OK_RESPONSE);
  CHECK(rf.cqt() == 0x34);
  CHECK(rf.errors() == 8);
}
