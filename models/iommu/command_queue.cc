#include "models/iommu/command_queue.h"

#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu {

namespace cmd = command;
namespace r = regs;

namespace {

constexpr uint32_t kStopBits =
    uint32_t(r::cqcsr::cmd_ill.mask() | r::cqcsr::cqmf.mask() | r::cqcsr::cmd_to.mask());

bool fits(uint64_t value, unsigned bits) {
  return bits >= 64 || (value >> bits) == 0;
}

}  // namespace

CommandQueue::CommandQueue(RegisterFile& regs, WalkMemory& memory, CommandHandler& handler,
                           const IommuParams& params)
    : regs_(regs),
      memory_(memory),
      handler_(handler),
      command_time_(params.cycles(params.command_cycles)),
      timeout_time_(params.cycles(params.command_timeout_cycles)),
      ats_supported_(params.ats),
      extended_dc_(params.msi_flat),
      pid_bits_(params.pd20   ? 20
                : params.pd17 ? 17
                : params.pd8  ? 8
                              : 0) {}

void CommandQueue::install_hooks() {
  auto prev_cqt = regs_.on_cqt_write;
  regs_.on_cqt_write = [this, prev_cqt](uint32_t tail) {
    cqt_written(tail);
    if (prev_cqt) prev_cqt(tail);
  };
  auto prev_csr = regs_.on_cqcsr_write;
  regs_.on_cqcsr_write = [this, prev_csr](uint32_t o, uint32_t n) {
    cqcsr_written(o, n);
    if (prev_csr) prev_csr(o, n);
  };
}

void CommandQueue::cqt_written(uint32_t) {
  if (doorbell && work_pending()) doorbell();
}

void CommandQueue::cqcsr_written(uint32_t old_value, uint32_t new_value) {
  // cqen 0 -> 1 starts a fresh queue: a timeout of a command from before is
  // no longer reported (software resubmits after re-enabling, 6.15 note).
  if (!r::cqcsr::cqen.get(old_value) && r::cqcsr::cqen.get(new_value)) ats_timeout_pending_ = false;
  // Enabling the queue or clearing an error bit may make commands runnable.
  if (doorbell && work_pending()) doorbell();
}

bool CommandQueue::work_pending() const {
  return regs_.cq_on() && !(regs_.cqcsr() & kStopBits) && regs_.cqh() != regs_.cqt();
}

unsigned CommandQueue::process(sc_core::sc_time& delay) {
  unsigned completed = 0;
  while (work_pending()) {
    const uint32_t head = regs_.cqh();
    const uint64_t slot = regs_.cq_base() + uint64_t(head) * r::kCommandBytes;
    uint64_t dw[2];
    if (!memory_.read_block(slot, dw, 2, delay)) {
      // 6.15: a fetch fault sets cqmf; cqh stays at the command.
      ++fetch_faults_;
      regs_.set_cqcsr_bits(uint32_t(r::cqcsr::cqmf.mask()));
      break;
    }
    if (regs_.fctl_be()) {
      // 3.1: each doubleword in the byte order selected by fctl.BE.
      dw[0] = __builtin_bswap64(dw[0]);
      dw[1] = __builtin_bswap64(dw[1]);
    }
    delay += command_time_;
    const Outcome outcome = execute(dw[0], dw[1], delay);
    if (outcome == Outcome::kIllegal) {
      ++illegal_;
      regs_.set_cqcsr_bits(uint32_t(r::cqcsr::cmd_ill.mask()));
      break;
    }
    if (outcome == Outcome::kMemoryFault) {
      regs_.set_cqcsr_bits(uint32_t(r::cqcsr::cqmf.mask()));
      break;
    }
    if (outcome == Outcome::kTimeout) {
      regs_.set_cqcsr_bits(uint32_t(r::cqcsr::cmd_to.mask()));
      break;
    }
    regs_.set_cqh(uint32_t((head + 1) % regs_.cq_entries()));
    ++completed;
  }
  return completed;
}

CommandQueue::Outcome CommandQueue::execute(uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay) {
  const unsigned func3 = unsigned(cmd::kFunc3.get(dw0));
  switch (cmd::kOpcode.get(dw0)) {
    case cmd::kOpIotinval:
      return iotinval(func3, dw0, dw1, delay);
    case cmd::kOpIofence:
      return iofence(func3, dw0, dw1, delay);
    case cmd::kOpIodir:
      return iodir(func3, dw0, dw1, delay);
    case cmd::kOpAts:
      return ats(func3, dw0, dw1, delay);
    default:
      // 0 and 5-63 reserved; 64-127 custom, not implemented here.
      return Outcome::kIllegal;
  }
}

CommandQueue::Outcome CommandQueue::iotinval(unsigned func3, uint64_t dw0, uint64_t dw1,
                                             sc_core::sc_time& delay) {
  namespace it = cmd::iotinval;
  if (func3 != it::kFuncVma && func3 != it::kFuncGvma) return Outcome::kIllegal;
  if ((dw0 & it::kDword0ReservedMask) || (dw1 & it::kDword1ReservedMask)) return Outcome::kIllegal;
  // NL and S belong to extensions this IOMMU does not implement
  // (capabilities.NL = capabilities.S = 0): the bits are reserved.
  if (it::kNl.test(dw0) || it::kS.test(dw1)) return Outcome::kIllegal;
  const bool av = it::kAv.test(dw0);
  const bool gv = it::kGv.test(dw0);
  const bool pscv = it::kPscv.test(dw0);
  const uint32_t gscid = gv ? uint32_t(it::kGscid.get(dw0)) : 0;
  const uint64_t addr = av ? it::kAddr.get(dw1) << kPageShift : 0;
  if (func3 == it::kFuncVma) {
    ++executed_[unsigned(Command::kIotinvalVma)];
    const uint32_t pscid = pscv ? uint32_t(it::kPscid.get(dw0)) : 0;
    handler_.iotinval_vma(gv, gscid, pscv, pscid, av, addr, delay);
    return Outcome::kDone;
  }
  // 3.1.1: "Setting PSCV to 1 with IOTINVAL.GVMA is illegal."
  if (pscv) return Outcome::kIllegal;
  ++executed_[unsigned(Command::kIotinvalGvma)];
  // With GV=0 the AV operand is ignored (table IGVMA).
  handler_.iotinval_gvma(gv, gscid, gv && av, gv && av ? addr : 0, delay);
  return Outcome::kDone;
}

CommandQueue::Outcome CommandQueue::iofence(unsigned func3, uint64_t dw0, uint64_t dw1,
                                            sc_core::sc_time& delay) {
  namespace f = cmd::iofence;
  if (func3 != f::kFuncC) return Outcome::kIllegal;
  if ((dw0 & f::kDword0ReservedMask) || (dw1 & f::kDword1ReservedMask)) return Outcome::kIllegal;
  const bool wsi = f::kWsi.test(dw0);
  // 3.1.2: WSI is reserved unless wire-signaled interrupts are enabled.
  if (wsi && !regs_.fctl_wsi()) return Outcome::kIllegal;
  ++executed_[unsigned(Command::kIofenceC)];
  handler_.iofence(f::kPr.test(dw0), f::kPw.test(dw0), delay);
  if (ats_timeout_pending_) {
    // 3.1.2: a timeout of a previous command is reported by the fence as
    // cmd_to, with cqh at the fence; the fence does not complete.
    ats_timeout_pending_ = false;
    ++timeouts_reported_;
    return Outcome::kTimeout;
  }
  if (f::kAv.test(dw0)) {
    const uint64_t addr = f::kAddr.get(dw1) << 2;
    uint32_t data = uint32_t(f::kData.get(dw0));
    // The store is made in the IOMMU's in-memory byte order (fctl.BE).
    if (regs_.fctl_be()) data = __builtin_bswap32(data);
    if (!memory_.write32(addr, data, delay)) {
      ++fence_write_faults_;
      return Outcome::kMemoryFault;
    }
  }
  // 6.15/6.18: fence_w_ip signals completion; cip follows when cie is 1.
  if (wsi) regs_.set_cqcsr_bits(uint32_t(r::cqcsr::fence_w_ip.mask()));
  return Outcome::kDone;
}

unsigned CommandQueue::device_id_bits() const {
  // Data Structures 2: device_id bits the DDT of each depth indexes.
  const unsigned* w = extended_dc_ ? ddi::kExtendedWidth : ddi::kBaseWidth;
  switch (regs_.ddtp_mode()) {
    case r::ddtp::k1Lvl:
      return w[0];
    case r::ddtp::k2Lvl:
      return w[0] + w[1];
    default:
      return ddi::kDeviceIdBits;
  }
}

unsigned CommandQueue::process_id_bits() const {
  return pid_bits_;
}

CommandQueue::Outcome CommandQueue::iodir(unsigned func3, uint64_t dw0, uint64_t dw1,
                                          sc_core::sc_time& delay) {
  namespace d = cmd::iodir;
  if (func3 != d::kFuncInvalDdt && func3 != d::kFuncInvalPdt) return Outcome::kIllegal;
  if ((dw0 & d::kDword0ReservedMask) || (dw1 & d::kDword1ReservedMask)) return Outcome::kIllegal;
  const bool dv = d::kDv.test(dw0);
  const uint32_t did = uint32_t(d::kDid.get(dw0));
  const uint32_t pid = uint32_t(d::kPid.get(dw0));
  if (dv && !fits(did, device_id_bits())) return Outcome::kIllegal;
  if (func3 == d::kFuncInvalDdt) {
    // 3.1.3: PID is reserved for IODIR.INVAL_DDT.
    if (pid != 0) return Outcome::kIllegal;
    ++executed_[unsigned(Command::kIodirInvalDdt)];
    handler_.iodir_inval_ddt(dv, dv ? did : 0, delay);
    return Outcome::kDone;
  }
  // 3.1.3: DV must be 1 for IODIR.INVAL_PDT; PID no wider than supported.
  if (!dv || !fits(pid, process_id_bits())) return Outcome::kIllegal;
  ++executed_[unsigned(Command::kIodirInvalPdt)];
  handler_.iodir_inval_pdt(did, pid, delay);
  return Outcome::kDone;
}

CommandQueue::Outcome CommandQueue::ats(unsigned func3, uint64_t dw0, uint64_t dw1,
                                        sc_core::sc_time& delay) {
  namespace a = cmd::ats;
  // 3.1.4: supported only with capabilities.ATS; otherwise unsupported,
  // which 3.1 treats like illegal.
  if (!ats_supported_) return Outcome::kIllegal;
  if (func3 != a::kFuncInval && func3 != a::kFuncPrgr) return Outcome::kIllegal;
  if (dw0 & a::kDword0ReservedMask) return Outcome::kIllegal;
  AtsCommand c;
  c.rid = uint32_t(a::kRid.get(dw0));
  c.dsv = a::kDsv.test(dw0);
  c.dseg = c.dsv ? uint32_t(a::kDseg.get(dw0)) : 0;
  c.pv = a::kPv.test(dw0);
  c.pid = c.pv ? uint32_t(a::kPid.get(dw0)) : 0;
  c.payload = dw1;
  if (func3 == a::kFuncPrgr) {
    ++executed_[unsigned(Command::kAtsPrgr)];
    handler_.ats_prgr(c, delay);
    return Outcome::kDone;
  }
  ++executed_[unsigned(Command::kAtsInval)];
  if (!handler_.ats_inval(c, delay)) {
    // The queue moves on; the next IOFENCE.C reports cmd_to (3.1.4).
    ++ats_timeouts_;
    ats_timeout_pending_ = true;
    delay += timeout_time_;
  }
  return Outcome::kDone;
}

uint64_t CommandQueue::executed_total() const {
  uint64_t n = 0;
  for (uint64_t e : executed_) n += e;
  return n;
}

void CommandQueue::report_stats(vp::common::StatsVisitor& v) const {
  static const char* const kNames[kCommandTypes] = {
      "iotinval_vma",    "iotinval_gvma", "iofence_c", "iodir_inval_ddt",
      "iodir_inval_pdt", "ats_inval",     "ats_prgr"};
  v.begin_group("command_queue");
  for (unsigned i = 0; i < kCommandTypes; ++i) v.value(kNames[i], double(executed_[i]));
  v.value("illegal_commands", double(illegal_));
  v.value("fetch_faults", double(fetch_faults_));
  v.value("fence_write_faults", double(fence_write_faults_));
  v.value("ats_timeouts", double(ats_timeouts_));
  v.value("timeouts_reported", double(timeouts_reported_));
  v.end_group();
}

}  // namespace vp::iommu
