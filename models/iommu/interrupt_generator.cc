#include "models/iommu/interrupt_generator.h"

namespace vp::iommu {

InterruptGenerator::InterruptGenerator(RegisterFile& regs, WireSink wire, MsiSink msi)
    : regs_(regs), wire_(std::move(wire)), msi_(std::move(msi)) {
  regs_.on_interrupt_pending = [this](regs::InterruptCause c) { pending(c); };
  regs_.on_ipsr_write = [this](uint32_t, uint32_t) { update_wires(); };
  regs_.on_msi_vec_ctl_write = [this](unsigned vector, bool masked) {
    if (!masked && vector < kMaxVectors && deferred_[vector]) {
      deferred_[vector] = false;
      send_msi(vector);
    }
  };
}

void InterruptGenerator::pending(regs::InterruptCause cause) {
  if (regs_.fctl_wsi()) {
    update_wires();
    return;
  }
  const unsigned vector = regs_.vector_of(cause);
  if (vector >= kMaxVectors) return;
  if (regs_.msi_masked(vector)) {
    // 6.29: a masked vector's message is held and sent on unmask.
    if (!deferred_[vector]) ++msis_deferred_;
    deferred_[vector] = true;
    return;
  }
  send_msi(vector);
}

void InterruptGenerator::send_msi(unsigned vector) {
  if (msi_(regs_.msi_addr(vector), regs_.msi_data(vector))) {
    ++msis_sent_;
  } else {
    ++msi_faults_;
  }
}

void InterruptGenerator::update_wires() {
  std::array<bool, kMaxVectors> level{};
  if (regs_.fctl_wsi()) {
    const uint32_t ipsr = regs_.ipsr();
    for (unsigned c = 0; c < regs::kInterruptCauses; ++c) {
      if (!((ipsr >> c) & 1)) continue;
      const unsigned v = regs_.vector_of(regs::InterruptCause(c));
      if (v < kMaxVectors) level[v] = true;
    }
  }
  for (unsigned v = 0; v < kMaxVectors; ++v) {
    if (level[v] == wires_[v]) continue;
    wires_[v] = level[v];
    if (level[v]) ++wire_assertions_;
    if (wire_) wire_(v, level[v]);
  }
}

void InterruptGenerator::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("interrupts");
  v.value("msis_sent", double(msis_sent_));
  v.value("msis_deferred_by_mask", double(msis_deferred_));
  v.value("msi_write_faults", double(msi_faults_));
  v.value("wire_assertions", double(wire_assertions_));
  v.end_group();
}

}  // namespace vp::iommu
