// RISC-V IOMMU register file: the 4-KiB register page of spec chapter 6.
//
// Models: every architected register at its offset (6.1) with its reset
// value (6.2) and access policy: RO, RW, RW1C (cqcsr/fqcsr/pqcsr error bits,
// ipsr), RW1S (tr_req_ctl.Go/Busy) and WARL legalization:
//   - ddtp.iommu_mode: a mode the instance does not support (reserved,
//     custom, or a DDT deeper than `ddt_max_levels`) keeps the old value;
//     ddtp.PPN is masked to capabilities.PAS; ddtp.busy is RO.
//   - cqb/fqb/pqb: LOG2SZ-1 is clamped to `queue_log2sz_max`-1 (so writing
//     all ones discovers the largest queue, as Linux does); PPN is masked to
//     PAS. A write to the base clears the software index bits above LOG2SZ
//     (cqt, fqh, pqh; 6.6, 6.9, 6.12).
//   - cqt/fqh/pqh: only bits LOG2SZ-1:0 are writable (6.8, 6.10, 6.13).
//   - fctl.BE writable only with capabilities.END, fctl.WSI only with
//     IGS=BOTH (fixed to 1 with IGS=WSI); fctl.GXL is 0 (no Sv32x4).
//   - icvec fields keep log2(interrupt_vectors) bits; iocountinh.HPM keeps
//     the bits of implemented counters; iohpmevt.eventID keeps its old value
//     on an unsupported event; msi_addr.ADDR is masked to PAS.
// Optional registers of absent features (6.1: pq* without ATS, HPM
// registers without HPM or beyond `hpm_counters`, tr_* without DBG,
// iommu_qosid, msi_cfg_tbl with IGS=WSI or beyond `interrupt_vectors`)
// read 0 and ignore writes; so do the reserved and custom ranges.
//
// Architected side effects done here: cqen 0->1 clears cqh and the cqcsr
// error bits and sets cqon, cqen 1->0 clears cqon (fqen/pqen likewise with
// fqt/pqt); ipsr bits are re-raised while their level condition holds (6.18);
// iocountovf shadows the OF bits. The queue on/off transition is synchronous
// (busy stays 0, as 6.15 allows); a control part that wants a delay overrides
// cqon/busy from its hook, which runs after these effects. Writes to ddtp
// while ddtp.busy, to a queue base while its queue is on or busy, and to a
// queue CSR while busy are ignored (behaviour the spec leaves UNSPECIFIED).
//
// Accesses: 4 or 8 bytes, naturally aligned, inside one register (an 8-byte
// access to two 4-byte registers is refused); byte enables honoured; other
// accesses get a TLM error response. Timing is the caller's: the control
// part adds `reg_access_cycles` to the delay.
//
// Does not model: the custom ranges, RV32 two-half write ordering subtleties
// (each 4-byte half is a complete write), counting of HPM events (the control
// part increments counters through the setters here).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <tlm>

#include "models/common/register_bank.h"
#include "models/common/statistics.h"
#include "models/iommu/iommu_params.h"
#include "models/iommu/riscv_iommu_regs.h"

namespace vp::iommu {

enum class HpmRegister { kCountInh, kCycles, kCounter, kEvent };

class RegisterFile {
 public:
  // `params` must have passed validate(); it is copied.
  explicit RegisterFile(const IommuParams& params, const std::string& name = "iommu.regs");
  RegisterFile(const RegisterFile&) = delete;
  RegisterFile& operator=(const RegisterFile&) = delete;

  // Completes a TLM transaction addressed relative to the register page.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& gp);
  // Software-visible access for models and tests; false on a bad access.
  bool read(uint64_t offset, unsigned size, uint64_t* value);
  bool write(uint64_t offset, unsigned size, uint64_t value);
  // Reset values of 6.2; hooks are not called.
  void reset();
  // One warning line per bad access (on by default).
  void set_logging(bool on) {
    log_ = on;
    bank_.set_logging(on);
  }

  // ---- Hooks the control part sets; each runs after the write and its
  // architected side effects took effect. Values are whole registers.
  std::function<void(uint32_t old, uint32_t now)> on_fctl_write;
  std::function<void(uint64_t old, uint64_t now)> on_ddtp_write;
  std::function<void(uint32_t tail)> on_cqt_write;
  std::function<void(uint32_t old, uint32_t now)> on_cqcsr_write;
  std::function<void(uint32_t old, uint32_t now)> on_fqcsr_write;
  std::function<void(uint32_t head)> on_fqh_write;
  std::function<void(uint32_t old, uint32_t now)> on_pqcsr_write;
  std::function<void(uint32_t head)> on_pqh_write;
  std::function<void(uint32_t old, uint32_t now)> on_ipsr_write;
  std::function<void(uint64_t old, uint64_t now)> on_tr_req_ctl_write;
  // index: counter number (1..31) for kCounter/kEvent, 0 otherwise.
  std::function<void(HpmRegister, unsigned index, uint64_t old, uint64_t now)> on_hpm_write;
  std::function<void(uint64_t old, uint64_t now)> on_icvec_write;
  std::function<void(unsigned vector, bool masked)> on_msi_vec_ctl_write;
  // An ipsr bit went 0 -> 1 (from hardware or a level re-raise): deliver
  // the interrupt (MSI through msi_cfg_tbl, or assert the WSI wire).
  std::function<void(regs::InterruptCause)> on_interrupt_pending;

  // ---- Typed getters ---------------------------------------------------
  const IommuParams& params() const { return params_; }
  uint64_t capabilities() const { return capabilities_->get(); }
  uint32_t fctl() const { return static_cast<uint32_t>(fctl_->get()); }
  bool fctl_be() const { return regs::fctl::BE.get(fctl_->get()); }
  bool fctl_wsi() const { return regs::fctl::WSI.get(fctl_->get()); }

  uint64_t ddtp() const { return ddtp_->get(); }
  uint64_t ddtp_mode() const { return regs::ddtp::iommu_mode.get(ddtp_->get()); }
  uint64_t ddtp_ppn() const { return regs::ddtp::PPN.get(ddtp_->get()); }
  uint64_t ddt_root() const { return ddtp_ppn() << 12; }
  bool ddtp_busy() const { return regs::ddtp::busy.get(ddtp_->get()); }

  uint64_t cq_base() const { return regs::qb::PPN.get(cqb_->get()) << 12; }
  unsigned cq_log2sz() const { return unsigned(regs::qb::LOG2SZ_1.get(cqb_->get())) + 1; }
  uint64_t cq_entries() const { return 1ull << cq_log2sz(); }
  uint32_t cqh() const { return static_cast<uint32_t>(cqh_->get()); }
  uint32_t cqt() const { return static_cast<uint32_t>(cqt_->get()); }
  uint32_t cqcsr() const { return static_cast<uint32_t>(cqcsr_->get()); }
  bool cq_enabled() const { return regs::cqcsr::cqen.get(cqcsr_->get()); }
  bool cq_on() const { return regs::cqcsr::cqon.get(cqcsr_->get()); }

  uint64_t fq_base() const { return regs::qb::PPN.get(fqb_->get()) << 12; }
  unsigned fq_log2sz() const { return unsigned(regs::qb::LOG2SZ_1.get(fqb_->get())) + 1; }
  uint64_t fq_entries() const { return 1ull << fq_log2sz(); }
  uint32_t fqh() const { return static_cast<uint32_t>(fqh_->get()); }
  uint32_t fqt() const { return static_cast<uint32_t>(fqt_->get()); }
  uint32_t fqcsr() const { return static_cast<uint32_t>(fqcsr_->get()); }
  bool fq_enabled() const { return regs::fqcsr::fqen.get(fqcsr_->get()); }
  bool fq_on() const { return regs::fqcsr::fqon.get(fqcsr_->get()); }

  uint64_t pq_base() const { return regs::qb::PPN.get(pqb_->get()) << 12; }
  unsigned pq_log2sz() const { return unsigned(regs::qb::LOG2SZ_1.get(pqb_->get())) + 1; }
  uint64_t pq_entries() const { return 1ull << pq_log2sz(); }
  uint32_t pqh() const { return static_cast<uint32_t>(pqh_->get()); }
  uint32_t pqt() const { return static_cast<uint32_t>(pqt_->get()); }
  uint32_t pqcsr() const { return static_cast<uint32_t>(pqcsr_->get()); }
  bool pq_enabled() const { return regs::pqcsr::pqen.get(pqcsr_->get()); }
  bool pq_on() const { return regs::pqcsr::pqon.get(pqcsr_->get()); }

  uint32_t ipsr() const { return static_cast<uint32_t>(ipsr_->get()); }
  uint64_t icvec() const { return icvec_->get(); }
  unsigned vector_of(regs::InterruptCause c) const {
    return unsigned(regs::icvec::of(c).get(icvec_->get()));
  }
  // msi_cfg_tbl entry `vector` (0 for vectors that do not exist).
  uint64_t msi_addr(unsigned vector) const;
  uint32_t msi_data(unsigned vector) const;
  bool msi_masked(unsigned vector) const;

  uint64_t tr_req_iova() const { return tr_req_iova_->get(); }
  uint64_t tr_req_ctl() const { return tr_req_ctl_->get(); }
  uint64_t tr_response() const { return tr_response_->get(); }

  uint32_t iocountovf() const { return static_cast<uint32_t>(iocountovf_->get()); }
  uint32_t iocountinh() const { return static_cast<uint32_t>(iocountinh_->get()); }
  // n = 0: iohpmcycles, n = 1..31: iohpmctrN / iohpmevtN.
  bool hpm_inhibited(unsigned n) const { return (iocountinh() >> n) & 1; }
  uint64_t hpm_cycles() const { return iohpmcycles_->get(); }
  uint64_t hpm_counter(unsigned n) const;
  uint64_t hpm_event(unsigned n) const;

  // ---- Hardware setters (no policy, hooks only where stated) -------------
  void set_ddtp_busy(bool busy);
  void set_cqh(uint32_t index);
  void set_fqt(uint32_t index);
  void set_pqt(uint32_t index);
  // Set or clear status bits (cqmf, cmd_to, cmd_ill, fence_w_ip, cqon,
  // busy; fqmf, fqof, fqon, busy; pqmf, pqof, pqon, busy). Setting an error
  // bit raises the queue's ipsr bit when its interrupt enable is set.
  void set_cqcsr_bits(uint32_t mask);
  void clear_cqcsr_bits(uint32_t mask);
  void set_fqcsr_bits(uint32_t mask);
  void clear_fqcsr_bits(uint32_t mask);
  void set_pqcsr_bits(uint32_t mask);
  void clear_pqcsr_bits(uint32_t mask);
  // Sets an ipsr bit. Returns true (and calls on_interrupt_pending) if it
  // went 0 -> 1. The caller checks the enable; raise_if_enabled() does it.
  bool set_ipsr_bit(regs::InterruptCause cause);
  // For the "new record produced" conditions of fip/pip (6.18): raises the
  // bit when cqcsr.cie / fqcsr.fie / pqcsr.pie is set (always for kHpm).
  bool raise_if_enabled(regs::InterruptCause cause);
  // Debug interface: stores the response and clears tr_req_ctl.Go/Busy.
  void complete_translation_request(uint64_t response);
  // HPM: counter values as hardware counts them.
  void set_hpm_cycles(uint64_t value);  // counter bits only; OF kept
  void set_hpm_counter(unsigned n, uint64_t value);
  // Counter n (0 = cycles) overflowed: sets its OF bit and, if OF was 0,
  // ipsr.pmip (6.21, 6.23). Returns true if an interrupt was raised.
  bool hpm_overflow(unsigned n);

  // The underlying bank, e.g. to install a read hook on iohpmcycles that
  // returns a live count.
  vp::common::RegisterBank& bank() { return bank_; }
  const vp::common::RegisterBank& bank() const { return bank_; }

  // ---- Statistics ---------------------------------------------------------
  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }
  uint64_t errors() const { return errors_; }
  uint64_t ignored_writes() const { return ignored_writes_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  using Register = vp::common::Register;
  void build();
  void add_queue_registers();
  void add_hpm_registers();
  void add_debug_registers();
  void add_interrupt_registers();
  // Register covering a 4-byte aligned offset, or nullptr.
  Register* covering(uint64_t offset);
  bool write_blocked(const Register* r) const;
  bool in_reserved_range(uint64_t offset, unsigned len) const;
  // Re-raises ipsr bits whose level condition holds (6.18).
  void update_interrupt_pending();
  void update_iocountovf();
  uint64_t pas_ppn_mask() const;
  unsigned queue_log2sz(const Register* base) const;

  IommuParams params_;
  vp::common::RegisterBank bank_;
  Register* capabilities_ = nullptr;
  Register* fctl_ = nullptr;
  Register* ddtp_ = nullptr;
  Register* cqb_ = nullptr;
  Register* cqh_ = nullptr;
  Register* cqt_ = nullptr;
  Register* fqb_ = nullptr;
  Register* fqh_ = nullptr;
  Register* fqt_ = nullptr;
  Register* pqb_ = nullptr;
  Register* pqh_ = nullptr;
  Register* pqt_ = nullptr;
  Register* cqcsr_ = nullptr;
  Register* fqcsr_ = nullptr;
  Register* pqcsr_ = nullptr;
  Register* ipsr_ = nullptr;
  Register* iocountovf_ = nullptr;
  Register* iocountinh_ = nullptr;
  Register* iohpmcycles_ = nullptr;
  Register* iohpmctr_[regs::kHpmCounters + 1] = {};
  Register* iohpmevt_[regs::kHpmCounters + 1] = {};
  Register* tr_req_iova_ = nullptr;
  Register* tr_req_ctl_ = nullptr;
  Register* tr_response_ = nullptr;
  Register* icvec_ = nullptr;
  Register* msi_addr_[regs::kMsiCfgTblEntries] = {};
  Register* msi_data_[regs::kMsiCfgTblEntries] = {};
  Register* msi_vec_ctl_[regs::kMsiCfgTblEntries] = {};

  bool log_ = true;
  uint64_t reads_ = 0;
  uint64_t writes_ = 0;
  uint64_t errors_ = 0;
  uint64_t ignored_writes_ = 0;
};

}  // namespace vp::iommu
