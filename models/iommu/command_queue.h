// RISC-V IOMMU command queue (CQ): the consumer side that fetches, decodes
// and executes the commands software writes into the in-memory queue.
//
// Models (spec v1.0, In-memory queues 3.1, registers cqb/cqh/cqt/cqcsr 6.6-
// 6.8 and 6.15):
//   - fetch of the 16-byte command at cqb + cqh * 16, both doublewords in the
//     byte order of fctl.BE; a fetch fault sets cqcsr.cqmf;
//   - decode per 3.1: undefined opcodes (including the custom range 64-127,
//     which this IOMMU does not implement), undefined func3, any reserved
//     bit set, IOTINVAL.GVMA with PSCV=1, IODIR.INVAL_PDT with DV=0, a PID
//     operand in IODIR.INVAL_DDT, IOFENCE.C WSI=1 while fctl.WSI=0, the NL/S
//     extension bits, and ATS commands without capabilities.ATS set
//     cqcsr.cmd_ill and stop the queue with cqh at the offending command;
//   - IOTINVAL.VMA/GVMA, IODIR.INVAL_DDT/PDT and ATS.INVAL/PRGR are handed
//     to a CommandHandler (the Iommu: IOTLB, directory caches, PCIe side);
//   - IOFENCE.C: asks the handler to drain (PR/PW), reports an earlier
//     ATS.INVAL timeout as cqcsr.cmd_to with cqh at the fence (3.1.2), writes
//     DATA to ADDR with AV=1 (a store fault sets cqmf, cqh stays at the
//     fence), and sets cqcsr.fence_w_ip with WSI=1 (which raises ipsr.cip
//     when cqcsr.cie is 1, 6.18);
//   - the queue stops while cmd_ill, cqmf or cmd_to is set and resumes when
//     software clears them (fence_w_ip does not stop it).
// The cqen 0 -> 1 effects (cqh := 0, error bits cleared, cqon set) are
// architected register behaviour done by RegisterFile; this class only
// consumes commands while cqon reads 1.
//
// Model choices the spec leaves open:
//   - commands execute in order and to completion, so "all prior commands
//     complete" holds at every IOFENCE.C; PR/PW are accepted and forwarded
//     to the handler, which in this platform has no outstanding requests
//     (every translated request is complete when its b_transport returns);
//   - a DID operand wider than ddtp.iommu_mode supports (IODIR, DV=1) or a
//     PID wider than the widest supported PDT (IODIR.INVAL_PDT) is treated
//     as an illegal command (3.1.3 says they "must not" be wider);
//   - an ATS.INVAL that times out costs `command_timeout_cycles` at the
//     ATS.INVAL itself (the IOFENCE.C after it would wait that long).
//
// Timing: every fetched command adds `command_cycles` IOMMU clock cycles
// plus the fetch's memory latency and whatever the handler adds.
//
// Does not model: command prefetching, out-of-order execution, a delayed
// cqon/busy transition, the non-leaf (NL) and address-range (S) invalidation
// extensions.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/iommu_params.h"
#include "models/iommu/register_file.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu {

// Operands of ATS.INVAL / ATS.PRGR (3.1.4).
struct AtsCommand {
  uint32_t rid = 0;      // PCIe requester ID of the target function
  bool dsv = false;      // DSEG is valid
  uint32_t dseg = 0;     // destination segment
  bool pv = false;       // PID is valid: the message carries a PASID
  uint32_t pid = 0;      // PASID
  uint64_t payload = 0;  // message body (command doubleword 1)
};

// What the IOMMU does for each command; every method adds its latency to
// `delay`. Addresses are byte addresses (ADDR[63:12] << 12).
class CommandHandler {
 public:
  virtual ~CommandHandler() = default;
  // IOTINVAL.VMA: first-stage entries; the GV/AV/PSCV table of 3.1.1.
  virtual void iotinval_vma(bool gv, uint32_t gscid, bool pscv, uint32_t pscid, bool av,
                            uint64_t addr, sc_core::sc_time& delay) = 0;
  // IOTINVAL.GVMA: second-stage entries (GV=0: all VMs; AV ignored then).
  virtual void iotinval_gvma(bool gv, uint32_t gscid, bool av, uint64_t addr,
                             sc_core::sc_time& delay) = 0;
  // IODIR.INVAL_DDT: DV=0 all DDT and PDT entries; DV=1 the device's DC and
  // its PDT entries.
  virtual void iodir_inval_ddt(bool dv, uint32_t did, sc_core::sc_time& delay) = 0;
  // IODIR.INVAL_PDT: the leaf PDT entry of (did, pid).
  virtual void iodir_inval_pdt(uint32_t did, uint32_t pid, sc_core::sc_time& delay) = 0;
  // ATS.INVAL: send an Invalidation Request; false if no Invalidation
  // Completion arrived before the protocol timeout.
  virtual bool ats_inval(const AtsCommand& cmd, sc_core::sc_time& delay) = 0;
  // ATS.PRGR: send a Page Request Group Response (posted; no completion, so
  // no timeout, 3.1.2 note).
  virtual void ats_prgr(const AtsCommand& cmd, sc_core::sc_time& delay) = 0;
  // IOFENCE.C: commit previous device reads (pr) / writes (pw) processed by
  // the IOMMU to the global ordering point. Default: nothing outstanding.
  virtual void iofence(bool pr, bool pw, sc_core::sc_time& delay) {
    (void)pr;
    (void)pw;
    (void)delay;
  }
};

class CommandQueue {
 public:
  enum class Command : unsigned {
    kIotinvalVma,
    kIotinvalGvma,
    kIofenceC,
    kIodirInvalDdt,
    kIodirInvalPdt,
    kAtsInval,
    kAtsPrgr,
  };
  static constexpr unsigned kCommandTypes = 7;

  // `params` must have passed validate(); the timing constants are
  // precomputed from it.
  CommandQueue(RegisterFile& regs, WalkMemory& memory, CommandHandler& handler,
               const IommuParams& params);
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  // Consumes commands while cqon is 1, no cmd_ill/cqmf/cmd_to is set and
  // cqh != cqt. Returns the number of commands completed (cqh advanced).
  // Call it from a context that may consume `delay` (the Iommu's thread).
  unsigned process(sc_core::sc_time& delay);

  // True when process() would consume a command.
  bool work_pending() const;

  // Called (if set) when software makes work available: a cqt write, or a
  // cqcsr write that leaves the queue on (enable, error bits cleared). The
  // Iommu wakes its command thread from it; it must not call process()
  // from inside a register write.
  std::function<void()> doorbell;
  // Chains cqt_written()/cqcsr_written() into RegisterFile::on_cqt_write and
  // on_cqcsr_write (previously installed hooks still run, after ours).
  void install_hooks();
  void cqt_written(uint32_t tail);
  void cqcsr_written(uint32_t old_value, uint32_t new_value);

  // ---- Statistics
  uint64_t executed(Command c) const { return executed_[unsigned(c)]; }
  uint64_t executed_total() const;
  uint64_t illegal_commands() const { return illegal_; }
  uint64_t fetch_faults() const { return fetch_faults_; }
  uint64_t fence_write_faults() const { return fence_write_faults_; }
  uint64_t ats_timeouts() const { return ats_timeouts_; }
  uint64_t timeouts_reported() const { return timeouts_reported_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  enum class Outcome { kDone, kIllegal, kMemoryFault, kTimeout };
  Outcome execute(uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay);
  Outcome iotinval(unsigned func3, uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay);
  Outcome iofence(unsigned func3, uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay);
  Outcome iodir(unsigned func3, uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay);
  Outcome ats(unsigned func3, uint64_t dw0, uint64_t dw1, sc_core::sc_time& delay);
  // Widest device_id the current ddtp.iommu_mode supports (24 outside DDT modes).
  unsigned device_id_bits() const;
  unsigned process_id_bits() const;

  RegisterFile& regs_;
  WalkMemory& memory_;
  CommandHandler& handler_;
  const sc_core::sc_time command_time_;
  const sc_core::sc_time timeout_time_;
  const bool ats_supported_;
  const bool extended_dc_;
  const unsigned pid_bits_;
  // An ATS.INVAL timed out since the last IOFENCE.C (reported by the next one).
  bool ats_timeout_pending_ = false;

  uint64_t executed_[kCommandTypes] = {};
  uint64_t illegal_ = 0;
  uint64_t fetch_faults_ = 0;
  uint64_t fence_write_faults_ = 0;
  uint64_t ats_timeouts_ = 0;
  uint64_t timeouts_reported_ = 0;
};

}  // namespace vp::iommu
