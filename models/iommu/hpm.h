// Hpm: the RISC-V IOMMU performance monitor (spec 5.x "Performance
// monitoring", registers 6.19 iocountovf, 6.20 iocountinh, 6.21 iohpmcycles,
// 6.22 iohpmctr1-31, 6.23 iohpmevt1-31 and its "Standard Events list").
//
// The counters live in the RegisterFile; this class gives them behaviour:
//   - iohpmcycles counts clock cycles of `clock_period` while iocountinh.CY
//     is 0. It is computed from sc_time_stamp() since the last software
//     write (or inhibit change), through a read hook on the register, so a
//     read always returns the live value; a write restarts counting from the
//     written value. The 63-bit counter wraps from all ones to 0, setting OF
//     and, if OF was 0, ipsr.pmip (6.21) at the simulated time of the wrap
//     (a spawned method process wakes up then).
//   - count(event, request) increments every counter whose iohpmevt selects
//     `event`, that is not inhibited (iocountinh.HPM) and whose ID filter
//     matches (6.23: DMASK, PID_PSCID, DID_GSCID, PV_PSCV, DV_GSCV, IDT, and
//     the "IDT settings supported" column: IDT=1 counts only events 4, 7, 8).
//     The 64-bit counters wrap from all ones to 0 setting iohpmevt.OF,
//     iocountovf and ipsr.pmip (if OF was 0).
// count() is on the translation hot path: a per-event bitmask of counters
// that may count it (programmed and not inhibited) is rebuilt on every
// iohpmevt / iocountinh write, so an event nobody counts costs a table load.
//
// Does not model: custom events (eventID >= 16384; the register file keeps
// the old eventID for those), the WARL width of counters (all 64/63 bits are
// implemented), a cycle count finer than the local time of a temporally
// decoupled initiator (writes and reads use sc_time_stamp(), so the count is
// off by at most one quantum). An RV32 4-byte write of one half of
// iohpmcycles merges with the value stored at the last read, inhibit change
// or overflow, not with the live count of that instant.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>

#include "models/common/statistics.h"
#include "models/iommu/register_file.h"
#include "models/iommu/riscv_iommu_regs.h"

namespace vp::iommu {

// The IDs of the transaction that caused an event, for the iohpmevt filters.
struct HpmRequest {
  uint32_t device_id = 0;  // requester ID (with segment), 24 bits
  bool pv = false;         // the request has a valid process_id (PASID)
  uint32_t process_id = 0;
  bool gscv = false;  // the device context has a GSCID (second stage active)
  uint32_t gscid = 0;
  bool pscv = false;  // the translation has a PSCID (first stage active)
  uint32_t pscid = 0;
};

class Hpm {
 public:
  // Installs the read hook on iohpmcycles and the on_hpm_write hook of
  // `regs` (which must outlive this object). `clock_period` is the IOMMU
  // clock, the unit of iohpmcycles; it must be non-zero.
  Hpm(RegisterFile& regs, sc_core::sc_time clock_period);
  Hpm(const Hpm&) = delete;
  Hpm& operator=(const Hpm&) = delete;
  ~Hpm();

  // Is any counter programmed for `ev`? (Lets callers skip building the
  // request's IDs.)
  bool counting(regs::HpmEvent ev) const {
    const unsigned e = static_cast<unsigned>(ev);
    return e < kEvents && event_counters_[e] != 0;
  }
  // An event caused by a transaction with the IDs in `r`.
  void count(regs::HpmEvent ev, const HpmRequest& r) {
    const unsigned e = static_cast<unsigned>(ev);
    if (e >= kEvents) return;
    const uint32_t candidates = event_counters_[e];
    if (candidates == 0) return;
    count_slow(e, candidates, r);
  }

  // iohpmcycles as software would read it now (also brings the stored
  // register up to date and raises a due overflow).
  uint64_t cycles();
  // The filter decision of counter n (1..31) for event `ev` and request `r`,
  // ignoring inhibit; exposed for tests and debug.
  bool matches(unsigned n, regs::HpmEvent ev, const HpmRequest& r) const;

  // Statistics.
  uint64_t events_counted() const { return increments_; }
  uint64_t overflows() const { return overflows_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  static constexpr unsigned kEvents = regs::kHpmEventMaxStandard + 1;
  static constexpr uint64_t kCyclesMask = (1ull << 63) - 1;

  // One counter's event selector, decoded.
  struct Filter {
    unsigned event = 0;
    bool idt = false;
    bool dv = false, pv = false;
    uint32_t did = 0, did_care = 0;  // compare (id & did_care) == did
    uint32_t pid = 0;
  };

  void on_write(HpmRegister reg, unsigned index, uint64_t old, uint64_t now);
  void decode(unsigned n);
  void rebuild_event_masks();
  void count_slow(unsigned e, uint32_t candidates, const HpmRequest& r);
  bool filter_matches(const Filter& f, unsigned e, const HpmRequest& r) const;

  // Cycle counter: value `cy_base_` at time `cy_start_`, counting while
  // `cy_running_`.
  uint64_t cycles_since_start() const;
  void sync_cycles();  // folds elapsed cycles into the register, raises OF
  void restart_cycles(uint64_t value);
  void schedule_cycles_overflow();
  void on_cycles_overflow_event();

  RegisterFile& regs_;
  sc_core::sc_time period_;
  unsigned counters_;  // implemented programmable counters
  Filter filters_[regs::kHpmCounters + 1];
  uint32_t event_counters_[kEvents] = {};  // bit n: counter n may count the event

  uint64_t cy_base_ = 0;
  sc_core::sc_time cy_start_;
  bool cy_running_ = false;
  // The overflow wake-up is a spawned one-shot method; it holds a weak
  // reference to `alive_` (so it is harmless after this object is gone)
  // and the generation it was scheduled for (so a restart cancels it).
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  uint64_t cy_generation_ = 0;

  uint64_t increments_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace vp::iommu
