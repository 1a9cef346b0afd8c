// RISC-V IOMMU interrupt generation: turns pending bits of ipsr into
// wire-signaled interrupts or MSIs.
//
// Models (spec v1.0, registers 6.4 fctl.WSI, 6.18 ipsr, 6.28 icvec, 6.29
// msi_cfg_tbl):
//   - fctl.WSI = 1: each ipsr bit drives the wire of the vector its icvec
//     field selects; a wire is high while any cause mapped to it is pending
//     and goes low when software clears the last such ipsr bit (or remaps
//     the cause in icvec, or turns fctl.WSI off);
//   - fctl.WSI = 0: MSIs are edge-triggered, one message per 0 -> 1
//     transition of an ipsr bit (the register file reports those, including
//     the re-raise of a bit whose level condition still holds), written with
//     msi_addr_x / msi_data_x of the cause's vector x;
//   - msi_vec_ctl_x.M = 1 holds the vector's message back; it is sent when
//     software clears M (one message however many transitions occurred
//     while masked, like a PCIe MSI-X pending bit);
//   - an MSI write that faults is counted and handed to `on_msi_fault`, for
//     the owner to report as cause 273 "IOMMU MSI write access fault" with
//     TTYP 0 and iotval = msi_addr_x (6.29).
// Switching fctl.WSI does not send messages for bits already pending (MSI
// edges are 0 -> 1 transitions only); pending masked messages are dropped
// if the IOMMU is in WSI mode when the vector is unmasked.
//
// Timing: each message is an independent write by the IOMMU. The sink gets
// a delay that starts at zero for every message and owns the message's
// timing (the Iommu may issue it from its own thread); the generator does
// not add it to anyone's time. The sinks may be called from inside a
// register write (e.g. setting cqcsr.cie while an error bit is set raises
// cip at once).
//
// Does not model: interrupt moderation, the custom ipsr bits, wire
// polarity or edge-triggered wires (the spec's wires are level signals).
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"

namespace vp::iommu {

class InterruptGenerator {
 public:
  // Drives wire `vector` to `level` (called on changes only).
  using WireSink = std::function<void(unsigned vector, bool level)>;
  // Writes the 32-bit `data` to `addr`; false on an access fault.
  using MsiSink = std::function<bool(uint64_t addr, uint32_t data, sc_core::sc_time& delay)>;

  InterruptGenerator(RegisterFile& regs, WireSink wsi, MsiSink msi_write);
  InterruptGenerator(const InterruptGenerator&) = delete;
  InterruptGenerator& operator=(const InterruptGenerator&) = delete;

  // Chains the handlers below into the register file's on_interrupt_pending,
  // on_ipsr_write, on_msi_vec_ctl_write, on_fctl_write and on_icvec_write
  // hooks (hooks installed before still run, after ours).
  void install_hooks();

  // ---- Event handlers (what install_hooks() wires)
  void interrupt_pending(regs::InterruptCause cause);
  void ipsr_written();
  void msi_vec_ctl_written(unsigned vector, bool masked);
  void fctl_written();
  void icvec_written();

  // Called with msi_addr_x when an MSI write faults.
  std::function<void(uint64_t addr)> on_msi_fault;

  // ---- State
  bool wire_level(unsigned vector) const {
    return vector < regs::kMsiCfgTblEntries && levels_[vector];
  }
  // A message is held back by msi_vec_ctl.M for this vector.
  bool msi_pending(unsigned vector) const {
    return vector < regs::kMsiCfgTblEntries && msi_pending_[vector];
  }

  // ---- Statistics
  uint64_t msis_sent() const { return msis_sent_; }
  uint64_t msi_faults() const { return msi_faults_; }
  uint64_t msis_masked() const { return msis_masked_; }
  uint64_t msis_sent_on_unmask() const { return msis_sent_on_unmask_; }
  uint64_t wsi_assertions() const { return wsi_assertions_; }
  uint64_t wsi_deassertions() const { return wsi_deassertions_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void send_msi(unsigned vector);
  // Recomputes every wire from ipsr, icvec and fctl.WSI.
  void update_wires();

  RegisterFile& regs_;
  WireSink wsi_;
  MsiSink msi_write_;
  bool levels_[regs::kMsiCfgTblEntries] = {};
  bool msi_pending_[regs::kMsiCfgTblEntries] = {};

  uint64_t msis_sent_ = 0;
  uint64_t msi_faults_ = 0;
  uint64_t msis_masked_ = 0;
  uint64_t msis_sent_on_unmask_ = 0;
  uint64_t wsi_assertions_ = 0;
  uint64_t wsi_deassertions_ = 0;
};

}  // namespace vp::iommu
