#include "models/iommu/command_queue.h"

#include <algorithm>

namespace vp::iommu {

namespace c = command;

CommandQueue::CommandQueue(RegisterFile& regs, WalkMemory& memory, CommandHandler& handler,
                           const IommuParams& params)
    : regs_(regs),
      memory_(memory),
      handler_(handler),
      params_(params),
      command_cost_(params.cycles(params.command_cycles)) {}

unsigned CommandQueue::process(sc_core::sc_time& delay, unsigned max_commands) {
  namespace q = regs::cqcsr;
  const uint32_t stop =
      uint32_t(q::cqmf.mask() | q::cmd_ill.mask() | q::cmd_to.mask() | q::fence_w_ip.mask());
  unsigned done = 0;
  // At most one pass over the queue per call: software moves cqt, so a
  // queue it keeps refilling is served in later calls, never in a loop here.
  for (uint64_t budget = std::min<uint64_t>(regs_.cq_entries(), max_commands); budget > 0;
       --budget) {
    const uint32_t csr = regs_.cqcsr();
    if (!q::cqon.get(csr) || (csr & stop)) break;
    const uint64_t size = regs_.cq_entries();
    const uint32_t head = regs_.cqh();
    if (head == regs_.cqt() % size) break;
    uint64_t cmd[2];
    const uint64_t addr = regs_.cq_base() + uint64_t(head) * c::kSize;
    if (!memory_.read_block(addr, cmd, 2, delay)) {
      ++memory_faults_;
      regs_.set_cqcsr_bits(uint32_t(q::cqmf.mask()));
      break;
    }
    if (regs_.fctl_be()) {
      cmd[0] = __builtin_bswap64(cmd[0]);
      cmd[1] = __builtin_bswap64(cmd[1]);
    }
    delay += command_cost_;
    if (!execute(cmd, delay)) break;
    regs_.set_cqh(uint32_t((head + 1) % size));
    ++commands_;
    ++done;
  }
  return done;
}

bool CommandQueue::illegal_command() {
  ++illegal_;
  regs_.set_cqcsr_bits(uint32_t(regs::cqcsr::cmd_ill.mask()));
  return false;
}

bool CommandQueue::execute(const uint64_t cmd[2], sc_core::sc_time& delay) {
  namespace cap = regs::capabilities;
  const uint64_t caps = regs_.capabilities();
  const unsigned opcode = unsigned(c::kOpcode.get(cmd[0]));
  const unsigned func = unsigned(c::kFunc3.get(cmd[0]));
  switch (opcode) {
    case c::kOpIotinval: {
      namespace t = c::iotinval;
      uint64_t rsv0 = t::kDword0ReservedMask, rsv1 = t::kDword1ReservedMask;
      // NL and S belong to extensions this model does not offer: reserved.
      if (!cap::NL.get(caps)) rsv0 |= t::kNl.mask();
      if (!cap::S.get(caps)) rsv1 |= t::kS.mask();
      if ((cmd[0] & rsv0) || (cmd[1] & rsv1)) return illegal_command();
      const bool av = t::kAv.get(cmd[0]);
      if (!av && t::kAddr.get(cmd[1])) return illegal_command();
      std::optional<uint32_t> gscid, pscid;
      std::optional<uint64_t> addr;
      if (t::kGv.get(cmd[0])) gscid = uint32_t(t::kGscid.get(cmd[0]));
      if (t::kPscv.get(cmd[0])) pscid = uint32_t(t::kPscid.get(cmd[0]));
      if (av) addr = t::kAddr.get(cmd[1]) << 12;
      if (func == t::kFuncVma) {
        ++iotinval_vma_;
        handler_.iotinval_vma(gscid, pscid, addr);
        return true;
      }
      if (func == t::kFuncGvma) {
        if (pscid) return illegal_command();  // 3.1.1: PSCV=1 is illegal with GVMA
        ++iotinval_gvma_;
        handler_.iotinval_gvma(gscid, gscid ? addr : std::nullopt);
        return true;
      }
      return illegal_command();
    }
    case c::kOpIofence: {
      namespace f = c::iofence;
      if (func != f::kFuncC) return illegal_command();
      if ((cmd[0] & f::kDword0ReservedMask) || (cmd[1] & f::kDword1ReservedMask))
        return illegal_command();
      const bool wsi = f::kWsi.get(cmd[0]);
      // WSI is reserved unless wire-signaled interrupts are on (3.1.2).
      if (wsi && !regs_.fctl_wsi()) return illegal_command();
      const bool av = f::kAv.get(cmd[0]);
      if (!av && (f::kAddr.get(cmd[1]) || f::kData.get(cmd[0]))) return illegal_command();
      ++iofence_;
      handler_.fence(f::kPr.get(cmd[0]), f::kPw.get(cmd[0]));
      if (av) {
        const uint64_t addr = f::kAddr.get(cmd[1]) << 2;
        uint32_t data = uint32_t(f::kData.get(cmd[0]));
        if (regs_.fctl_be()) data = __builtin_bswap32(data);
        // A 4-byte store: read-modify-write of the doubleword holding it.
        uint64_t dw = 0;
        const uint64_t aligned = addr & ~7ull;
        const unsigned shift = unsigned(addr & 4) * 8;
        if (!memory_.read64(aligned, &dw, delay) ||
            !memory_.write64(aligned, (dw & ~(0xffffffffull << shift)) | (uint64_t(data) << shift),
                             delay)) {
          ++memory_faults_;
          regs_.set_cqcsr_bits(uint32_t(regs::cqcsr::cqmf.mask()));
          return false;
        }
      }
      if (wsi) regs_.set_cqcsr_bits(uint32_t(regs::cqcsr::fence_w_ip.mask()));
      return true;
    }
    case c::kOpIodir: {
      namespace d = c::iodir;
      if ((cmd[0] & d::kDword0ReservedMask) || (cmd[1] & d::kDword1ReservedMask))
        return illegal_command();
      const bool dv = d::kDv.get(cmd[0]);
      const uint32_t did = uint32_t(d::kDid.get(cmd[0]));
      const uint32_t pid = uint32_t(d::kPid.get(cmd[0]));
      if (func == d::kFuncInvalDdt) {
        if (pid != 0) return illegal_command();  // PID is reserved for INVAL_DDT
        ++iodir_;
        handler_.iodir_inval_ddt(dv ? std::optional<uint32_t>(did) : std::nullopt);
        return true;
      }
      if (func == d::kFuncInvalPdt) {
        if (!dv) return illegal_command();  // 3.1.3: DV must be 1
        ++iodir_;
        handler_.iodir_inval_pdt(did, pid);
        return true;
      }
      return illegal_command();
    }
    case c::kOpAts: {
      namespace a = c::ats;
      if (!cap::ATS.get(caps)) return illegal_command();  // unsupported command
      if (cmd[0] & a::kDword0ReservedMask) return illegal_command();
      const uint32_t rid = uint32_t(a::kRid.get(cmd[0]));
      const uint32_t seg = a::kDsv.get(cmd[0]) ? uint32_t(a::kDseg.get(cmd[0])) : 0;
      const uint32_t did = (seg << 16) | rid;
      std::optional<uint32_t> pasid;
      if (a::kPv.get(cmd[0])) pasid = uint32_t(a::kPid.get(cmd[0]));
      bool answered;
      if (func == a::kFuncInval) {
        answered = handler_.ats_invalidate(did, pasid, cmd[1]);
      } else if (func == a::kFuncPrgr) {
        answered = handler_.ats_page_request_group_response(did, pasid, cmd[1]);
      } else {
        return illegal_command();
      }
      ++ats_;
      if (!answered) {
        regs_.set_cqcsr_bits(uint32_t(regs::cqcsr::cmd_to.mask()));
        return false;
      }
      return true;
    }
  }
  return illegal_command();
}

void CommandQueue::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("command_queue");
  v.value("commands", double(commands_));
  v.value("iotinval_vma", double(iotinval_vma_));
  v.value("iotinval_gvma", double(iotinval_gvma_));
  v.value("iofence_c", double(iofence_));
  v.value("iodir", double(iodir_));
  v.value("ats", double(ats_));
  v.value("illegal", double(illegal_));
  v.value("memory_faults", double(memory_faults_));
  v.end_group();
}

}  // namespace vp::iommu
