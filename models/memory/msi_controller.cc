#include "models/memory/msi_controller.h"

#include <cstring>

#include "models/common/parameters.h"
#include "models/common/sim_time.h"

namespace vp::memory {

using vp::common::FieldAccess;
using vp::common::Register;

void MsiControllerParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "num_ids", num_ids, "ids", "interrupt identities (1..num_ids-1 are usable)", 2,
        1024);
  p.add(prefix + "access_latency_ns", access_latency_ns, "ns", "register access latency");
}

MsiController::MsiController(sc_core::sc_module_name name, const MsiControllerParams& params)
    : sc_module(name), socket("socket"), irq("irq"), params_(params),
      latency_(vp::common::ns_to_time(params.access_latency_ns)),
      words_((params.num_ids + 31) / 32), regs_(std::string(basename()) + ".regs") {
  socket.register_b_transport(this, &MsiController::b_transport);
  socket.register_transport_dbg(this, &MsiController::transport_dbg);

  regs_.add("seteipnum_le", kSetEipNum, 4)
      .field("identity", 0, 32, FieldAccess::kRW)
      .on_write([this](uint64_t, uint64_t v) {
        // The write lands at the initiator's annotated time, not now.
        arrivals_.emplace(sc_core::sc_time_stamp() + access_delay_, static_cast<uint32_t>(v));
        arrival_event_.notify(arrivals_.begin()->first - sc_core::sc_time_stamp());
        regs_["seteipnum_le"].set(0);  // reads as zero
      });
  regs_.add("claim", kClaim, 4).field("identity", 0, 32, FieldAccess::kRO).on_read([this](uint64_t) {
    for (unsigned w = 0; w < words_; ++w) {
      const uint64_t ready = pending_[w]->get() & enable_[w]->get();
      if (!ready) continue;
      const unsigned bit = __builtin_ctzll(ready);
      pending_[w]->set(pending_[w]->get() & ~(1ull << bit));
      ++claims_;
      update_irq();
      return uint64_t(w * 32 + bit);
    }
    return uint64_t(0);
  });
  // The pending and enable bitmaps live in the registers themselves, so the
  // bank's W1C and RW rules apply to them directly.
  for (unsigned w = 0; w < words_; ++w) {
    pending_.push_back(&regs_.add("pending" + std::to_string(w), kPending + 4 * w, 4)
                            .field("bits", 0, 32, FieldAccess::kW1C)
                            .on_write([this](uint64_t, uint64_t) { update_irq(); }));
    enable_.push_back(&regs_.add("enable" + std::to_string(w), kEnable + 4 * w, 4)
                           .field("bits", w == 0 ? 1 : 0, w == 0 ? 31 : 32, FieldAccess::kRW)
                           .on_write([this](uint64_t, uint64_t) { update_irq(); }));
  }
  SC_METHOD(deliver);
  sensitive << arrival_event_;
  dont_initialize();
  SC_METHOD(drive_irq);
  sensitive << irq_changed_;
  dont_initialize();
}

void MsiController::set_pending(uint32_t id) {
  if (id == 0 || id >= params_.num_ids) {
    ++ignored_;
    return;
  }
  ++delivered_;
  Register& word = *pending_[id / 32];
  word.set(word.get() | (1ull << (id % 32)));
  update_irq();
}

bool MsiController::pending(unsigned id) const {
  return id < params_.num_ids && (pending_[id / 32]->get() >> (id % 32)) & 1;
}

void MsiController::update_irq() {
  bool level = false;
  for (unsigned w = 0; w < words_; ++w) level |= (pending_[w]->get() & enable_[w]->get()) != 0;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_changed_.notify(sc_core::SC_ZERO_TIME);
  }
}

void MsiController::deliver() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!arrivals_.empty() && arrivals_.begin()->first <= now) {
    set_pending(arrivals_.begin()->second);
    arrivals_.erase(arrivals_.begin());
  }
  if (!arrivals_.empty()) arrival_event_.notify(arrivals_.begin()->first - now);
}

void MsiController::drive_irq() { irq.write(irq_level_); }

void MsiController::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  delay += latency_;
  access_delay_ = delay;
  regs_.access(gp);
}

unsigned MsiController::transport_dbg(tlm::tlm_generic_payload& gp) {
  // Debug reads must not claim; serve pending/enable words only.
  if (!gp.is_read() || gp.get_data_length() != 4) return 0;
  const uint64_t addr = gp.get_address();
  uint32_t v = 0;
  if (addr >= kPending && addr < kPending + 4 * words_) v = pending_[(addr - kPending) / 4]->get();
  else if (addr >= kEnable && addr < kEnable + 4 * words_) v = enable_[(addr - kEnable) / 4]->get();
  else return 0;
  std::memcpy(gp.get_data_ptr(), &v, 4);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return 4;
}

void MsiController::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("delivered", double(delivered_));
  v.value("ignored", double(ignored_));
  v.value("claims", double(claims_));
  v.end_group();
}

}  // namespace vp::memory
