// RISC-V IOMMU performance monitor (spec 6.19-6.23).
// sc_spawn (the cycle-counter overflow wake-up) needs the dynamic-process
// API, which <systemc> declares only with this macro.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "models/iommu/hpm.h"

#include <stdexcept>

namespace vp::iommu {

namespace r = regs;

namespace {

constexpr uint32_t kDidBits = 0xffffff;  // DID_GSCID is 24 bits wide

// 6.23, "Standard Events list", column "IDT settings supported": only TLB
// misses and the page-table walks can be filtered by GSCID/PSCID.
constexpr bool idt1_supported(unsigned event) {
  return event == unsigned(r::HpmEvent::kTlbMiss) ||
         event == unsigned(r::HpmEvent::kFirstStageWalks) ||
         event == unsigned(r::HpmEvent::kSecondStageWalks);
}

}  // namespace

Hpm::Hpm(RegisterFile& regs, sc_core::sc_time clock_period)
    : regs_(regs), period_(clock_period), counters_(regs.params().hpm_counters) {
  if (period_ == sc_core::SC_ZERO_TIME) {
    throw std::invalid_argument("Hpm: the clock period (unit of iohpmcycles) must be non-zero");
  }
  if (counters_ > r::kHpmCounters) counters_ = r::kHpmCounters;
  if (counters_ == 0) return;  // capabilities.HPM = 0: the registers read 0
  regs_.on_hpm_write = [this](HpmRegister reg, unsigned index, uint64_t old, uint64_t now) {
    on_write(reg, index, old, now);
  };
  regs_.bank()["iohpmcycles"].on_read([this](uint64_t) { return cycles(); });
  for (unsigned n = 1; n <= counters_; ++n) decode(n);
  rebuild_event_masks();
  restart_cycles(r::iohpmcycles::counter.get(regs_.hpm_cycles()));
  cy_running_ = !regs_.hpm_inhibited(0);
  schedule_cycles_overflow();
}

Hpm::~Hpm() {
  if (counters_ == 0) return;
  regs_.on_hpm_write = nullptr;
  regs_.bank()["iohpmcycles"].on_read(nullptr);
}

// ---------------------------------------------------------------------------
// Event counters

void Hpm::decode(unsigned n) {
  const uint64_t v = regs_.hpm_event(n);
  Filter& f = filters_[n];
  f.event = unsigned(r::iohpmevt::eventID.get(v));
  f.idt = r::iohpmevt::IDT.get(v) != 0;
  f.dv = r::iohpmevt::DV_GSCV.get(v) != 0;
  f.pv = r::iohpmevt::PV_PSCV.get(v) != 0;
  f.pid = uint32_t(r::iohpmevt::PID_PSCID.get(v));
  const uint32_t did = uint32_t(r::iohpmevt::DID_GSCID.get(v));
  // DMASK (6.23): the low-order bits up to and including the first 0 bit
  // are ignored. did ^ (did + 1) is exactly that run of ones plus the 0.
  const uint32_t ignored = r::iohpmevt::DMASK.get(v) ? ((did ^ (did + 1)) & kDidBits) : 0;
  f.did_care = kDidBits & ~ignored;
  f.did = did & f.did_care;
}

void Hpm::rebuild_event_masks() {
  for (uint32_t& m : event_counters_) m = 0;
  const uint32_t inhibited = regs_.iocountinh();
  for (unsigned n = 1; n <= counters_; ++n) {
    const Filter& f = filters_[n];
    if (f.event == 0 || f.event >= kEvents) continue;  // 0: do not count
    if ((inhibited >> n) & 1) continue;
    if (f.idt && !idt1_supported(f.event)) continue;  // never increments
    event_counters_[f.event] |= 1u << n;
  }
}

bool Hpm::filter_matches(const Filter& f, unsigned e, const HpmRequest& q) const {
  if (f.event != e) return false;
  if (f.idt && !idt1_supported(e)) return false;
  // 6.23 "filtering options": with DV_GSCV / PV_PSCV set, only transactions
  // whose ID is valid and matches are counted.
  if (f.dv) {
    const bool valid = f.idt ? q.gscv : true;  // a device_id is always present
    const uint32_t id = f.idt ? q.gscid : q.device_id;
    if (!valid || ((id & f.did_care) != f.did)) return false;
  }
  if (f.pv) {
    const bool valid = f.idt ? q.pscv : q.pv;
    const uint32_t id = f.idt ? q.pscid : q.process_id;
    if (!valid || id != f.pid) return false;
  }
  return true;
}

bool Hpm::matches(unsigned n, r::HpmEvent ev, const HpmRequest& q) const {
  if (n < 1 || n > counters_) return false;
  return filter_matches(filters_[n], unsigned(ev), q);
}

void Hpm::count_slow(unsigned e, uint32_t candidates, const HpmRequest& q) {
  while (candidates != 0) {
    const unsigned n = unsigned(__builtin_ctz(candidates));
    candidates &= candidates - 1;
    if (!filter_matches(filters_[n], e, q)) continue;
    ++increments_;
    const uint64_t v = regs_.hpm_counter(n) + 1;  // 64-bit unsigned: wraps to 0
    regs_.set_hpm_counter(n, v);
    if (v == 0) {
      // 6.23: unsigned overflow sets OF; pmip only if OF was clear.
      ++overflows_;
      regs_.hpm_overflow(n);
    }
  }
}

void Hpm::on_write(HpmRegister reg, unsigned index, uint64_t old, uint64_t now) {
  switch (reg) {
    case HpmRegister::kEvent:
      decode(index);
      rebuild_event_masks();
      break;
    case HpmRegister::kCounter:
      break;  // the register holds the value count_slow() increments
    case HpmRegister::kCycles:
      // A write restarts counting from the written value (OF as written).
      restart_cycles(r::iohpmcycles::counter.get(now));
      break;
    case HpmRegister::kCountInh: {
      const bool was = r::iocountinh::CY.get(old) != 0;
      const bool is = r::iocountinh::CY.get(now) != 0;
      if (!was && is) {
        sync_cycles();  // keep what was counted up to now
        cy_running_ = false;
        ++cy_generation_;
      } else if (was && !is) {
        cy_start_ = sc_core::sc_time_stamp();
        cy_running_ = true;
        ++cy_generation_;
        schedule_cycles_overflow();
      }
      rebuild_event_masks();
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// Cycle counter

uint64_t Hpm::cycles_since_start() const {
  if (!cy_running_) return 0;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (now <= cy_start_) return 0;
  return (now - cy_start_).value() / period_.value();
}

void Hpm::sync_cycles() {
  const uint64_t elapsed = cycles_since_start();
  if (elapsed == 0) return;
  const unsigned __int128 sum = (unsigned __int128)cy_base_ + elapsed;
  const bool wrapped = sum > kCyclesMask;
  cy_base_ = uint64_t(sum) & kCyclesMask;
  // Advance the start by whole cycles so a partial cycle is not lost.
  cy_start_ += sc_core::sc_time::from_value(elapsed * period_.value());
  regs_.set_hpm_cycles(cy_base_);
  if (wrapped) {
    // 6.21: unsigned overflow sets OF; pmip only if OF was clear.
    ++overflows_;
    regs_.hpm_overflow(0);
  }
}

void Hpm::restart_cycles(uint64_t value) {
  cy_base_ = value & kCyclesMask;
  cy_start_ = sc_core::sc_time_stamp();
  ++cy_generation_;
  schedule_cycles_overflow();
}

uint64_t Hpm::cycles() {
  sync_cycles();
  return regs_.hpm_cycles();
}

void Hpm::schedule_cycles_overflow() {
  if (!cy_running_) return;
  // Cycles until the counter passes all ones, from cy_start_.
  const uint64_t remaining = kCyclesMask - cy_base_ + 1;
  const uint64_t p = period_.value();
  const uint64_t start = cy_start_.value();
  if (remaining > (UINT64_MAX - start) / p) return;  // beyond the end of simulated time
  const sc_core::sc_time due = sc_core::sc_time::from_value(start + remaining * p);
  std::weak_ptr<int> alive = alive_;
  const uint64_t gen = cy_generation_;
  // A method that first runs now, waits until `due`, then folds the count
  // in (which raises OF / pmip) and schedules the next wrap.
  auto armed = std::make_shared<bool>(false);
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  sc_core::sc_spawn(
      [this, alive, gen, due, armed]() {
        if (alive.expired()) return;
        if (gen != cy_generation_) return;
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (!*armed && now < due) {
          *armed = true;
          sc_core::next_trigger(due - now);
          return;
        }
        sync_cycles();
        ++cy_generation_;
        schedule_cycles_overflow();
      },
      sc_core::sc_gen_unique_name("iommu_hpm_cycles_overflow"), &opts);
}

// ---------------------------------------------------------------------------

void Hpm::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("hpm");
  v.value("counter_increments", double(increments_));
  v.value("overflows", double(overflows_));
  v.end_group();
}

}  // namespace vp::iommu
