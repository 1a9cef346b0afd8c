// CommandQueue: fetches and executes commands from the in-memory command
// queue.
//
// Spec: RISC-V IOMMU 1.0, 3.1 (command queue, cqh/cqt, illegal commands),
// 3.1.1 IOTINVAL.VMA/GVMA, 3.1.2 IOFENCE.C, 3.1.3 IODIR.INVAL_DDT/PDT, 3.1.4
// ATS.INVAL/PRGR; 6.15 cqcsr (cqon, cqmf, cmd_ill, cmd_to, fence_w_ip).
// Commands are 16 bytes at cqb.PPN * 4096 + cqh * 16 in fctl.BE byte
// order. A command with a reserved encoding, a reserved bit set, or one
// the capabilities do not offer sets cmd_ill and stops the queue with cqh
// at that command; a bus error reading it sets cqmf. The queue also stops
// while fence_w_ip is set.
// Not modeled: device ATCs. ATS.INVAL and ATS.PRGR are delivered to a
// CommandHandler that answers at once, so cmd_to (an ATS invalidation
// timing out) is set only if the handler says the device did not answer.
#pragma once

#include <cstdint>
#include <optional>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/iommu_params.h"
#include "models/iommu/register_file.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu {

// What executing a command does to the rest of the IOMMU.
class CommandHandler {
 public:
  virtual ~CommandHandler() = default;
  // IOTINVAL.VMA: gscid without GV means "address spaces without a second
  // stage"; no pscid = every PSCID; no addr = every address.
  virtual void iotinval_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                            std::optional<uint64_t> addr) = 0;
  // IOTINVAL.GVMA: no gscid = every VM; addr is a GPA.
  virtual void iotinval_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa) = 0;
  virtual void iodir_inval_ddt(std::optional<uint32_t> device_id) = 0;
  virtual void iodir_inval_pdt(uint32_t device_id, uint32_t process_id) = 0;
  // ATS.INVAL / ATS.PRGR to the device `rid` (segment `dseg` if valid);
  // false if the device did not answer within the command timeout.
  virtual bool ats_invalidate(uint32_t device_id, std::optional<uint32_t> pasid,
                              uint64_t payload) = 0;
  virtual bool ats_page_request_group_response(uint32_t device_id, std::optional<uint32_t> pasid,
                                               uint64_t payload) = 0;
  // IOFENCE.C: every earlier request is complete in this model; the IOMMU
  // may still need to order its own outstanding work.
  virtual void fence(bool pr, bool pw) = 0;
};

class CommandQueue {
 public:
  CommandQueue(RegisterFile& regs, WalkMemory& memory, CommandHandler& handler,
               const IommuParams& params);

  // Executes up to `max_commands` commands while the queue is on, not
  // stopped by an error or fence_w_ip, and not empty. Adds the time taken
  // (command fetches, the per-command cost, IOFENCE.C writes) to `delay`.
  // Returns the number of commands completed.
  unsigned process(sc_core::sc_time& delay, unsigned max_commands = ~0u);

  // Statistics.
  uint64_t commands() const { return commands_; }
  uint64_t illegal() const { return illegal_; }
  uint64_t iotinval_vma() const { return iotinval_vma_; }
  uint64_t iotinval_gvma() const { return iotinval_gvma_; }
  uint64_t iofence() const { return iofence_; }
  uint64_t iodir() const { return iodir_; }
  uint64_t ats() const { return ats_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  // Executes one command; false stops the queue (the reason is in cqcsr).
  bool execute(const uint64_t cmd[2], sc_core::sc_time& delay);
  bool illegal_command();

  RegisterFile& regs_;
  WalkMemory& memory_;
  CommandHandler& handler_;
  IommuParams params_;
  sc_core::sc_time command_cost_;
  uint64_t commands_ = 0, illegal_ = 0, iotinval_vma_ = 0, iotinval_gvma_ = 0, iofence_ = 0,
           iodir_ = 0, ats_ = 0, memory_faults_ = 0;
};

}  // namespace vp::iommu
