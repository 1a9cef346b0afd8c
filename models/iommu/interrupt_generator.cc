#include "models/iommu/interrupt_generator.h"

#include <utility>

namespace vp::iommu {

namespace r = regs;

InterruptGenerator::InterruptGenerator(RegisterFile& regs, WireSink wsi, MsiSink msi_write)
    : regs_(regs), wsi_(std::move(wsi)), msi_write_(std::move(msi_write)) {}

void InterruptGenerator::install_hooks() {
  auto prev_pending = regs_.on_interrupt_pending;
  regs_.on_interrupt_pending = [this, prev_pending](r::InterruptCause c) {
    interrupt_pending(c);
    if (prev_pending) prev_pending(c);
  };
  auto prev_ipsr = regs_.on_ipsr_write;
  regs_.on_ipsr_write = [this, prev_ipsr](uint32_t o, uint32_t n) {
    ipsr_written();
    if (prev_ipsr) prev_ipsr(o, n);
  };
  auto prev_vec = regs_.on_msi_vec_ctl_write;
  regs_.on_msi_vec_ctl_write = [this, prev_vec](unsigned vector, bool masked) {
    msi_vec_ctl_written(vector, masked);
    if (prev_vec) prev_vec(vector, masked);
  };
  auto prev_fctl = regs_.on_fctl_write;
  regs_.on_fctl_write = [this, prev_fctl](uint32_t o, uint32_t n) {
    fctl_written();
    if (prev_fctl) prev_fctl(o, n);
  };
  auto prev_icvec = regs_.on_icvec_write;
  regs_.on_icvec_write = [this, prev_icvec](uint64_t o, uint64_t n) {
    icvec_written();
    if (prev_icvec) prev_icvec(o, n);
  };
}

void InterruptGenerator::interrupt_pending(r::InterruptCause cause) {
  if (regs_.fctl_wsi()) {
    // 6.18: the pending bit drives the wire selected by icvec.
    update_wires();
    return;
  }
  // 6.18: MSIs are edge-triggered; the register file calls us on each
  // 0 -> 1 transition of an ipsr bit.
  const unsigned vector = regs_.vector_of(cause);
  if (regs_.msi_masked(vector)) {
    // 6.29: a masked vector's message is sent when M is cleared.
    if (!msi_pending_[vector]) ++msis_masked_;
    msi_pending_[vector] = true;
    return;
  }
  send_msi(vector);
}

void InterruptGenerator::ipsr_written() {
  // Software cleared pending bits: wires whose causes are all clear drop.
  update_wires();
}

void InterruptGenerator::msi_vec_ctl_written(unsigned vector, bool masked) {
  if (masked || !msi_pending(vector)) return;
  msi_pending_[vector] = false;
  if (regs_.fctl_wsi()) return;  // the IOMMU no longer signals with messages
  ++msis_sent_on_unmask_;
  send_msi(vector);
}

void InterruptGenerator::fctl_written() {
  update_wires();
}

void InterruptGenerator::icvec_written() {
  update_wires();
}

void InterruptGenerator::send_msi(unsigned vector) {
  // 6.29: 4-byte aligned address in msi_addr_x[55:2], data in msi_data_x.
  const uint64_t addr = regs_.msi_addr(vector) & r::msi_addr::ADDR.mask();
  const uint32_t data = regs_.msi_data(vector);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (msi_write_ && msi_write_(addr, data, delay)) {
    ++msis_sent_;
    return;
  }
  ++msi_faults_;
  if (on_msi_fault) on_msi_fault(addr);
}

void InterruptGenerator::update_wires() {
  bool want[r::kMsiCfgTblEntries] = {};
  if (regs_.fctl_wsi()) {
    const uint32_t ipsr = regs_.ipsr();
    for (unsigned c = 0; c < r::kInterruptCauses; ++c) {
      if (!((ipsr >> c) & 1)) continue;
      const unsigned v = regs_.vector_of(static_cast<r::InterruptCause>(c));
      if (v < r::kMsiCfgTblEntries) want[v] = true;
    }
  }
  for (unsigned v = 0; v < r::kMsiCfgTblEntries; ++v) {
    if (want[v] == levels_[v]) continue;
    levels_[v] = want[v];
    if (want[v])
      ++wsi_assertions_;
    else
      ++wsi_deassertions_;
    if (wsi_) wsi_(v, want[v]);
  }
}

void InterruptGenerator::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("interrupts");
  v.value("msis_sent", double(msis_sent_));
  v.value("msi_faults", double(msi_faults_));
  v.value("msis_masked", double(msis_masked_));
  v.value("msis_sent_on_unmask", double(msis_sent_on_unmask_));
  v.value("wsi_assertions", double(wsi_assertions_));
  v.value("wsi_deassertions", double(wsi_deassertions_));
  v.end_group();
}

}  // namespace vp::iommu
