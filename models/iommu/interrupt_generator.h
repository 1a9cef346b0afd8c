// InterruptGenerator: turns pending bits of ipsr into wire-signaled
// interrupts or MSIs.
//
// Spec: RISC-V IOMMU 1.0, 6.18 (ipsr), 6.28 (icvec: vector of each cause),
// 6.29 (msi_cfg_tbl: address, data and mask per vector), 5 "Interrupts":
// with fctl.WSI=1 the wire of a vector is high while any cause mapped to it
// is pending in ipsr; with fctl.WSI=0 an MSI (msi_addr[vector],
// msi_data[vector]) is sent when a cause becomes pending, or, if the vector
// is masked, when it is unmasked while the cause is still pending.
// Not modeled: MSIs to an IMSIC through MRIFs.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"

namespace vp::iommu {

class InterruptGenerator {
 public:
  static constexpr unsigned kMaxVectors = 16;
  // Drives wire `vector` to `level`.
  using WireSink = std::function<void(unsigned vector, bool level)>;
  // Performs the MSI write; false on a bus error (the caller reports cause
  // 273, IOMMU MSI write access fault).
  using MsiSink = std::function<bool(uint64_t address, uint32_t data)>;

  // Installs the register file's on_interrupt_pending, on_ipsr_write and
  // on_msi_vec_ctl_write hooks.
  InterruptGenerator(RegisterFile& regs, WireSink wire, MsiSink msi);

  // Re-evaluates the wires (after fctl or icvec changes).
  void update_wires();

  uint64_t msis_sent() const { return msis_sent_; }
  uint64_t msis_deferred() const { return msis_deferred_; }
  uint64_t msi_faults() const { return msi_faults_; }
  uint64_t wire_assertions() const { return wire_assertions_; }
  bool wire(unsigned vector) const { return vector < kMaxVectors && wires_[vector]; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void pending(regs::InterruptCause cause);
  void send_msi(unsigned vector);

  RegisterFile& regs_;
  WireSink wire_;
  MsiSink msi_;
  std::array<bool, kMaxVectors> wires_{};
  std::array<bool, kMaxVectors> deferred_{};  // masked MSI waiting for unmask
  uint64_t msis_sent_ = 0, msis_deferred_ = 0, msi_faults_ = 0, wire_assertions_ = 0;
};

}  // namespace vp::iommu
