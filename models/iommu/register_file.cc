#include "models/iommu/register_file.h"

#include <algorithm>
#include <sstream>
#include <systemc>

namespace vp::iommu {

using vp::common::FieldAccess;
namespace r = regs;

namespace {

using Legalize = std::function<uint64_t(uint64_t, uint64_t)>;

vp::common::Register& add_field(vp::common::Register& reg, const char* name, r::Field f,
                                FieldAccess access, Legalize legalize = nullptr) {
  return reg.field(name, f.lsb, f.width, access, std::move(legalize));
}

// Bits covered by the declared fields of a register (the rest is reserved).
uint64_t implemented_bits(const vp::common::Register& reg) {
  uint64_t m = 0;
  for (const auto& f : reg.fields()) m |= f.mask();
  return m;
}

uint64_t low_mask(unsigned bits) {
  return bits >= 64 ? ~0ull : ((1ull << bits) - 1);
}

}  // namespace

RegisterFile::RegisterFile(const IommuParams& params, const std::string& name)
    : params_(params), bank_(name, /*strict=*/true) {
  params_.validate();
  build();
}

uint64_t RegisterFile::pas_ppn_mask() const {
  return low_mask(params_.pas_bits - 12);
}

unsigned RegisterFile::queue_log2sz(const Register* base) const {
  return unsigned(r::qb::LOG2SZ_1.get(base->get())) + 1;
}

void RegisterFile::build() {
  const bool ats = params_.ats;
  // 6.3 capabilities: read-only, reports exactly the configured features.
  capabilities_ = &bank_.add("capabilities", r::kCapabilities, 8, params_.capabilities_value());
  capabilities_->field("capabilities", 0, 64, FieldAccess::kRO);

  // 6.4 fctl. BE is writable only when both endiannesses are supported
  // (capabilities.END); WSI only when IGS=BOTH, else fixed to the one method.
  const bool wsi_only = params_.igs == "wsi";
  const bool both = params_.igs == "both";
  fctl_ = &bank_.add("fctl", r::kFctl, 4, r::fctl::WSI.put(wsi_only));
  add_field(*fctl_, "BE", r::fctl::BE, FieldAccess::kWARL,
            [end = params_.end](uint64_t, uint64_t w) { return end ? w : 0; });
  add_field(*fctl_, "WSI", r::fctl::WSI, FieldAccess::kWARL,
            [both, wsi_only](uint64_t, uint64_t w) { return both ? w : uint64_t(wsi_only); });
  fctl_->on_write([this](uint64_t o, uint64_t n) {
    if (on_fctl_write) on_fctl_write(uint32_t(o), uint32_t(n));
  });

  // 6.5 ddtp. Unsupported modes keep the old, legal value; PPN is masked
  // to the physical address size; busy is set by hardware only.
  const uint64_t reset_mode = params_.reset_mode == "bare" ? r::ddtp::kBare : r::ddtp::kOff;
  const uint64_t max_mode = r::ddtp::k1Lvl + params_.ddt_max_levels - 1;
  ddtp_ = &bank_.add("ddtp", r::kDdtp, 8, r::ddtp::iommu_mode.put(reset_mode));
  add_field(*ddtp_, "iommu_mode", r::ddtp::iommu_mode, FieldAccess::kWARL,
            [max_mode](uint64_t old, uint64_t w) { return w <= max_mode ? w : old; });
  add_field(*ddtp_, "busy", r::ddtp::busy, FieldAccess::kRO);
  add_field(*ddtp_, "PPN", r::ddtp::PPN, FieldAccess::kWARL,
            [m = pas_ppn_mask()](uint64_t, uint64_t w) { return w & m; });
  ddtp_->on_write([this](uint64_t o, uint64_t n) {
    if (on_ddtp_write) on_ddtp_write(o, n);
  });

  add_queue_registers();

  // 6.18 ipsr: RW1C. pmip exists with the HPM, pip with ATS.
  ipsr_ = &bank_.add("ipsr", r::kIpsr, 4, 0);
  add_field(*ipsr_, "cip", r::ipsr::cip, FieldAccess::kW1C);
  add_field(*ipsr_, "fip", r::ipsr::fip, FieldAccess::kW1C);
  if (params_.hpm_counters > 0) add_field(*ipsr_, "pmip", r::ipsr::pmip, FieldAccess::kW1C);
  if (ats) add_field(*ipsr_, "pip", r::ipsr::pip, FieldAccess::kW1C);
  ipsr_->on_write([this](uint64_t o, uint64_t) {
    // 6.18: a cleared bit whose condition still holds goes 0 -> 1 again.
    update_interrupt_pending();
    if (on_ipsr_write) on_ipsr_write(uint32_t(o), ipsr());
  });

  add_hpm_registers();
  add_debug_registers();
  // 6.27 iommu_qosid: capabilities.QOSID is 0, so read-only zero.
  bank_.add("iommu_qosid", r::kIommuQosid, 4, 0);
  add_interrupt_registers();
}

void RegisterFile::add_queue_registers() {
  const bool ats = params_.ats;
  const uint64_t log2sz_1_max = params_.queue_log2sz_max - 1;
  const uint64_t ppn_mask = pas_ppn_mask();
  // 6.6/6.9/6.12 queue bases: LOG2SZ-1 clamped (so writing all ones reads
  // back the largest supported size), PPN masked to PAS.
  auto add_base = [&](const char* name, uint64_t offset, bool present) -> Register& {
    Register& reg = bank_.add(name, offset, 8, 0);
    if (!present) return reg;
    add_field(reg, "LOG2SZ-1", r::qb::LOG2SZ_1, FieldAccess::kWARL,
              [log2sz_1_max](uint64_t, uint64_t w) { return std::min(w, log2sz_1_max); });
    add_field(reg, "PPN", r::qb::PPN, FieldAccess::kWARL,
              [ppn_mask](uint64_t, uint64_t w) { return w & ppn_mask; });
    return reg;
  };
  // Software-written index: only bits LOG2SZ-1:0 are writable.
  auto add_sw_index = [&](const char* name, uint64_t offset, bool present,
                          Register** base) -> Register& {
    Register& reg = bank_.add(name, offset, 4, 0);
    if (!present) return reg;
    add_field(reg, "index", r::qidx::index, FieldAccess::kWARL,
              [this, base](uint64_t, uint64_t w) { return w & low_mask(queue_log2sz(*base)); });
    return reg;
  };
  auto add_hw_index = [&](const char* name, uint64_t offset, bool present) -> Register& {
    Register& reg = bank_.add(name, offset, 4, 0);
    if (present) add_field(reg, "index", r::qidx::index, FieldAccess::kRO);
    return reg;
  };

  cqb_ = &add_base("cqb", r::kCqb, true);
  cqh_ = &add_hw_index("cqh", r::kCqh, true);
  cqt_ = &add_sw_index("cqt", r::kCqt, true, &cqb_);
  fqb_ = &add_base("fqb", r::kFqb, true);
  fqh_ = &add_sw_index("fqh", r::kFqh, true, &fqb_);
  fqt_ = &add_hw_index("fqt", r::kFqt, true);
  pqb_ = &add_base("pqb", r::kPqb, ats);
  pqh_ = &add_sw_index("pqh", r::kPqh, ats, &pqb_);
  pqt_ = &add_hw_index("pqt", r::kPqt, ats);

  // After a base write the software index bits 31:LOG2SZ read 0 (6.6).
  cqb_->on_write(
      [this](uint64_t, uint64_t) { cqt_->set(cqt_->get() & low_mask(queue_log2sz(cqb_))); });
  fqb_->on_write(
      [this](uint64_t, uint64_t) { fqh_->set(fqh_->get() & low_mask(queue_log2sz(fqb_))); });
  if (ats)
    pqb_->on_write(
        [this](uint64_t, uint64_t) { pqh_->set(pqh_->get() & low_mask(queue_log2sz(pqb_))); });
  cqt_->on_write([this](uint64_t, uint64_t n) {
    if (on_cqt_write) on_cqt_write(uint32_t(n));
  });
  fqh_->on_write([this](uint64_t, uint64_t n) {
    if (on_fqh_write) on_fqh_write(uint32_t(n));
  });
  if (ats)
    pqh_->on_write([this](uint64_t, uint64_t n) {
      if (on_pqh_write) on_pqh_write(uint32_t(n));
    });

  // 6.15 cqcsr. fence_w_ip exists only with wire-signaled interrupts.
  cqcsr_ = &bank_.add("cqcsr", r::kCqcsr, 4, 0);
  add_field(*cqcsr_, "cqen", r::cqcsr::cqen, FieldAccess::kRW);
  add_field(*cqcsr_, "cie", r::cqcsr::cie, FieldAccess::kRW);
  add_field(*cqcsr_, "cqmf", r::cqcsr::cqmf, FieldAccess::kW1C);
  add_field(*cqcsr_, "cmd_to", r::cqcsr::cmd_to, FieldAccess::kW1C);
  add_field(*cqcsr_, "cmd_ill", r::cqcsr::cmd_ill, FieldAccess::kW1C);
  if (params_.supports_wsi())
    add_field(*cqcsr_, "fence_w_ip", r::cqcsr::fence_w_ip, FieldAccess::kW1C);
  add_field(*cqcsr_, "cqon", r::cqcsr::cqon, FieldAccess::kRO);
  add_field(*cqcsr_, "busy", r::cqcsr::busy, FieldAccess::kRO);
  cqcsr_->on_write([this](uint64_t o, uint64_t n) {
    uint64_t v = n;
    if (!r::cqcsr::cqen.get(o) && r::cqcsr::cqen.get(n)) {
      // cqen 0 -> 1: cqh and the error bits are cleared; the queue is on.
      cqh_->set(0);
      v &= ~(r::cqcsr::cqmf.mask() | r::cqcsr::cmd_to.mask() | r::cqcsr::cmd_ill.mask() |
             r::cqcsr::fence_w_ip.mask());
      v |= r::cqcsr::cqon.mask();
    } else if (r::cqcsr::cqen.get(o) && !r::cqcsr::cqen.get(n)) {
      v &= ~r::cqcsr::cqon.mask();
    }
    cqcsr_->set(v);
    update_interrupt_pending();
    if (on_cqcsr_write) on_cqcsr_write(uint32_t(o), uint32_t(cqcsr_->get()));
  });

  // 6.16 fqcsr.
  fqcsr_ = &bank_.add("fqcsr", r::kFqcsr, 4, 0);
  add_field(*fqcsr_, "fqen", r::fqcsr::fqen, FieldAccess::kRW);
  add_field(*fqcsr_, "fie", r::fqcsr::fie, FieldAccess::kRW);
  add_field(*fqcsr_, "fqmf", r::fqcsr::fqmf, FieldAccess::kW1C);
  add_field(*fqcsr_, "fqof", r::fqcsr::fqof, FieldAccess::kW1C);
  add_field(*fqcsr_, "fqon", r::fqcsr::fqon, FieldAccess::kRO);
  add_field(*fqcsr_, "busy", r::fqcsr::busy, FieldAccess::kRO);
  fqcsr_->on_write([this](uint64_t o, uint64_t n) {
    uint64_t v = n;
    if (!r::fqcsr::fqen.get(o) && r::fqcsr::fqen.get(n)) {
      fqt_->set(0);
      v &= ~(r::fqcsr::fqmf.mask() | r::fqcsr::fqof.mask());
      v |= r::fqcsr::fqon.mask();
    } else if (r::fqcsr::fqen.get(o) && !r::fqcsr::fqen.get(n)) {
      v &= ~r::fqcsr::fqon.mask();
    }
    fqcsr_->set(v);
    update_interrupt_pending();
    if (on_fqcsr_write) on_fqcsr_write(uint32_t(o), uint32_t(fqcsr_->get()));
  });

  // 6.17 pqcsr (with ATS).
  pqcsr_ = &bank_.add("pqcsr", r::kPqcsr, 4, 0);
  if (ats) {
    add_field(*pqcsr_, "pqen", r::pqcsr::pqen, FieldAccess::kRW);
    add_field(*pqcsr_, "pie", r::pqcsr::pie, FieldAccess::kRW);
    add_field(*pqcsr_, "pqmf", r::pqcsr::pqmf, FieldAccess::kW1C);
    add_field(*pqcsr_, "pqof", r::pqcsr::pqof, FieldAccess::kW1C);
    add_field(*pqcsr_, "pqon", r::pqcsr::pqon, FieldAccess::kRO);
    add_field(*pqcsr_, "busy", r::pqcsr::busy, FieldAccess::kRO);
    pqcsr_->on_write([this](uint64_t o, uint64_t n) {
      uint64_t v = n;
      if (!r::pqcsr::pqen.get(o) && r::pqcsr::pqen.get(n)) {
        pqt_->set(0);
        v &= ~(r::pqcsr::pqmf.mask() | r::pqcsr::pqof.mask());
        v |= r::pqcsr::pqon.mask();
      } else if (r::pqcsr::pqen.get(o) && !r::pqcsr::pqen.get(n)) {
        v &= ~r::pqcsr::pqon.mask();
      }
      pqcsr_->set(v);
      update_interrupt_pending();
      if (on_pqcsr_write) on_pqcsr_write(uint32_t(o), uint32_t(pqcsr_->get()));
    });
  }
}

void RegisterFile::add_hpm_registers() {
  const unsigned n = params_.hpm_counters;
  const bool hpm = n > 0;
  // 6.19 iocountovf: read-only shadow of the OF bits.
  iocountovf_ = &bank_.add("iocountovf", r::kIocountovf, 4, 0);
  // 6.20 iocountinh: CY RW; HPM keeps the bits of implemented counters.
  iocountinh_ = &bank_.add("iocountinh", r::kIocountinh, 4, 0);
  // 6.21 iohpmcycles.
  iohpmcycles_ = &bank_.add("iohpmcycles", r::kIohpmcycles, 8, 0);
  if (hpm) {
    add_field(*iocountovf_, "CY", r::iocountovf::CY, FieldAccess::kRO);
    add_field(*iocountovf_, "HPM", r::iocountovf::HPM, FieldAccess::kRO);
    add_field(*iocountinh_, "CY", r::iocountinh::CY, FieldAccess::kRW);
    add_field(*iocountinh_, "HPM", r::iocountinh::HPM, FieldAccess::kWARL,
              [m = low_mask(n)](uint64_t, uint64_t w) { return w & m; });
    iocountinh_->on_write([this](uint64_t o, uint64_t v) {
      if (on_hpm_write) on_hpm_write(HpmRegister::kCountInh, 0, o, v);
    });
    add_field(*iohpmcycles_, "counter", r::iohpmcycles::counter, FieldAccess::kRW);
    add_field(*iohpmcycles_, "OF", r::iohpmcycles::OF, FieldAccess::kRW);
    iohpmcycles_->on_write([this](uint64_t o, uint64_t v) {
      update_iocountovf();
      if (on_hpm_write) on_hpm_write(HpmRegister::kCycles, 0, o, v);
    });
  }
  // 6.22 iohpmctr1-31 and 6.23 iohpmevt1-31; counters beyond `n` read 0.
  for (unsigned i = 1; i <= r::kHpmCounters; ++i) {
    Register& ctr = bank_.add("iohpmctr" + std::to_string(i), r::iohpmctr_offset(i), 8, 0);
    Register& evt = bank_.add("iohpmevt" + std::to_string(i), r::iohpmevt_offset(i), 8, 0);
    iohpmctr_[i] = &ctr;
    iohpmevt_[i] = &evt;
    if (i > n) continue;
    add_field(ctr, "counter", r::iohpmctr::counter, FieldAccess::kRW);
    ctr.on_write([this, i](uint64_t o, uint64_t v) {
      if (on_hpm_write) on_hpm_write(HpmRegister::kCounter, i, o, v);
    });
    add_field(evt, "eventID", r::iohpmevt::eventID, FieldAccess::kWARL,
              [](uint64_t old, uint64_t w) { return w <= r::kHpmEventMaxStandard ? w : old; });
    add_field(evt, "DMASK", r::iohpmevt::DMASK, FieldAccess::kRW);
    add_field(evt, "PID_PSCID", r::iohpmevt::PID_PSCID, FieldAccess::kRW);
    add_field(evt, "DID_GSCID", r::iohpmevt::DID_GSCID, FieldAccess::kRW);
    add_field(evt, "PV_PSCV", r::iohpmevt::PV_PSCV, FieldAccess::kRW);
    add_field(evt, "DV_GSCV", r::iohpmevt::DV_GSCV, FieldAccess::kRW);
    add_field(evt, "IDT", r::iohpmevt::IDT, FieldAccess::kRW);
    add_field(evt, "OF", r::iohpmevt::OF, FieldAccess::kRW);
    evt.on_write([this, i](uint64_t o, uint64_t v) {
      update_iocountovf();
      if (on_hpm_write) on_hpm_write(HpmRegister::kEvent, i, o, v);
    });
  }
}

void RegisterFile::add_debug_registers() {
  // 6.24-6.26 translation-request interface (capabilities.DBG).
  tr_req_iova_ = &bank_.add("tr_req_iova", r::kTrReqIova, 8, 0);
  tr_req_ctl_ = &bank_.add("tr_req_ctl", r::kTrReqCtl, 8, 0);
  tr_response_ = &bank_.add("tr_response", r::kTrResponse, 8, 0);
  if (!params_.debug) return;
  add_field(*tr_req_iova_, "vpn", r::tr_req_iova::vpn, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "Go/Busy", r::tr_req_ctl::Go_Busy, FieldAccess::kW1S);
  add_field(*tr_req_ctl_, "Priv", r::tr_req_ctl::Priv, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "Exe", r::tr_req_ctl::Exe, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "NW", r::tr_req_ctl::NW, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "PID", r::tr_req_ctl::PID, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "PV", r::tr_req_ctl::PV, FieldAccess::kRW);
  add_field(*tr_req_ctl_, "DID", r::tr_req_ctl::DID, FieldAccess::kRW);
  tr_req_ctl_->on_write([this](uint64_t o, uint64_t v) {
    if (on_tr_req_ctl_write) on_tr_req_ctl_write(o, v);
  });
  add_field(*tr_response_, "fault", r::tr_response::fault, FieldAccess::kRO);
  add_field(*tr_response_, "PBMT", r::tr_response::PBMT, FieldAccess::kRO);
  add_field(*tr_response_, "S", r::tr_response::S, FieldAccess::kRO);
  add_field(*tr_response_, "PPN", r::tr_response::PPN, FieldAccess::kRO);
}

void RegisterFile::add_interrupt_registers() {
  // 6.28 icvec: each field keeps log2(interrupt_vectors) bits.
  const uint64_t vmask = params_.interrupt_vectors - 1;
  icvec_ = &bank_.add("icvec", r::kIcvec, 8, 0);
  auto legal_vector = [vmask](uint64_t, uint64_t w) { return w & vmask; };
  add_field(*icvec_, "civ", r::icvec::civ, FieldAccess::kWARL, legal_vector);
  add_field(*icvec_, "fiv", r::icvec::fiv, FieldAccess::kWARL, legal_vector);
  add_field(*icvec_, "pmiv", r::icvec::pmiv, FieldAccess::kWARL, legal_vector);
  add_field(*icvec_, "piv", r::icvec::piv, FieldAccess::kWARL, legal_vector);
  icvec_->on_write([this](uint64_t o, uint64_t n) {
    if (on_icvec_write) on_icvec_write(o, n);
  });

  // 6.29 msi_cfg_tbl: hardwired to 0 with IGS=WSI; entries beyond the
  // implemented vectors read 0.
  const uint64_t addr_mask = low_mask(params_.pas_bits - 2);
  for (unsigned x = 0; x < r::kMsiCfgTblEntries; ++x) {
    const std::string sx = std::to_string(x);
    Register& addr = bank_.add("msi_addr_" + sx, r::msi_addr_offset(x), 8, 0);
    Register& data = bank_.add("msi_data_" + sx, r::msi_data_offset(x), 4, 0);
    Register& ctl = bank_.add("msi_vec_ctl_" + sx, r::msi_vec_ctl_offset(x), 4, 0);
    msi_addr_[x] = &addr;
    msi_data_[x] = &data;
    msi_vec_ctl_[x] = &ctl;
    if (!params_.supports_msi() || x >= params_.interrupt_vectors) continue;
    add_field(addr, "ADDR", r::msi_addr::ADDR, FieldAccess::kWARL,
              [addr_mask](uint64_t, uint64_t w) { return w & addr_mask; });
    add_field(data, "data", r::msi_data::data, FieldAccess::kRW);
    add_field(ctl, "M", r::msi_vec_ctl::M, FieldAccess::kRW);
    ctl.on_write([this, x](uint64_t, uint64_t v) {
      if (on_msi_vec_ctl_write) on_msi_vec_ctl_write(x, r::msi_vec_ctl::M.get(v));
    });
  }
}

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

vp::common::Register* RegisterFile::covering(uint64_t offset) {
  if (Register* reg = bank_.at_offset(offset)) return reg;
  if (offset >= 4) {
    Register* reg = bank_.at_offset(offset - 4);
    if (reg && reg->size() == 8) return reg;
  }
  return nullptr;
}

bool RegisterFile::write_blocked(const Register* reg) const {
  if (reg == ddtp_) return ddtp_busy();
  if (reg == cqb_) return (cqcsr() & (r::cqcsr::cqon.mask() | r::cqcsr::busy.mask())) != 0;
  if (reg == fqb_) return (fqcsr() & (r::fqcsr::fqon.mask() | r::fqcsr::busy.mask())) != 0;
  if (reg == pqb_) return (pqcsr() & (r::pqcsr::pqon.mask() | r::pqcsr::busy.mask())) != 0;
  if (reg == cqcsr_) return r::cqcsr::busy.get(cqcsr());
  if (reg == fqcsr_) return r::fqcsr::busy.get(fqcsr());
  if (reg == pqcsr_) return r::pqcsr::busy.get(pqcsr());
  return false;
}

bool RegisterFile::in_reserved_range(uint64_t offset, unsigned len) const {
  // 6.1: custom and reserved ranges read as zero and ignore writes.
  struct Range {
    uint64_t base, size;
  };
  static constexpr Range kRanges[] = {
      {r::kFctlCustom, 4},
      {r::kReserved0, r::kCustom0 - r::kReserved0},
      {r::kCustom0, r::kIcvec - r::kCustom0},
      {r::kReserved1, r::kRegisterPageSize - r::kReserved1},
  };
  for (const auto& rg : kRanges)
    if (offset >= rg.base && offset + len <= rg.base + rg.size) return true;
  return false;
}

tlm::tlm_response_status RegisterFile::access(tlm::tlm_generic_payload& gp) {
  const uint64_t offset = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.is_read()) ++reads_;
  if (gp.is_write()) ++writes_;
  auto fail = [&](const char* why, tlm::tlm_response_status status) {
    ++errors_;
    if (log_) {
      std::ostringstream os;
      os << why << " (" << len << " bytes at offset 0x" << std::hex << offset << ")";
      SC_REPORT_WARNING(bank_.name().c_str(), os.str().c_str());
    }
    gp.set_response_status(status);
    return status;
  };
  // 6: only naturally aligned 4- and 8-byte accesses inside the page.
  if (len != 4 && len != 8)
    return fail("access size not 4 or 8 bytes", tlm::TLM_BURST_ERROR_RESPONSE);
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len)
    return fail("streaming access not supported", tlm::TLM_BURST_ERROR_RESPONSE);
  if (offset % len) return fail("misaligned access", tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (offset >= r::kRegisterPageSize || offset + len > r::kRegisterPageSize)
    return fail("access outside the register page", tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return tlm::TLM_OK_RESPONSE;
  }
  if (in_reserved_range(offset, len)) {
    if (gp.is_read()) {
      unsigned char* data = gp.get_data_ptr();
      const unsigned char* be = gp.get_byte_enable_ptr();
      const unsigned be_len = gp.get_byte_enable_length();
      for (unsigned i = 0; i < len; ++i)
        if (!be || be[i % be_len] == TLM_BYTE_ENABLED) data[i] = 0;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return tlm::TLM_OK_RESPONSE;
  }
  if (gp.is_write()) {
    const Register* reg = covering(offset);
    if (reg && write_blocked(reg)) {
      ++ignored_writes_;
      gp.set_response_status(tlm::TLM_OK_RESPONSE);
      return tlm::TLM_OK_RESPONSE;
    }
  }
  const auto status = bank_.access(gp);
  if (status != tlm::TLM_OK_RESPONSE) ++errors_;
  return status;
}

bool RegisterFile::read(uint64_t offset, unsigned size, uint64_t* value) {
  if (size > 8) return false;
  uint64_t v = 0;
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  if (access(gp) != tlm::TLM_OK_RESPONSE) return false;
  *value = v;
  return true;
}

bool RegisterFile::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size > 8) return false;
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  return access(gp) == tlm::TLM_OK_RESPONSE;
}

void RegisterFile::reset() {
  bank_.reset();
}

// ---------------------------------------------------------------------------
// Interrupts and hardware setters
// ---------------------------------------------------------------------------

bool RegisterFile::set_ipsr_bit(r::InterruptCause cause) {
  const uint64_t bit = 1ull << static_cast<unsigned>(cause);
  if (!(implemented_bits(*ipsr_) & bit) || (ipsr_->get() & bit)) return false;
  ipsr_->set(ipsr_->get() | bit);
  if (on_interrupt_pending) on_interrupt_pending(cause);
  return true;
}

bool RegisterFile::raise_if_enabled(r::InterruptCause cause) {
  switch (cause) {
    case r::InterruptCause::kCommandQueue:
      if (!r::cqcsr::cie.get(cqcsr())) return false;
      break;
    case r::InterruptCause::kFaultQueue:
      if (!r::fqcsr::fie.get(fqcsr())) return false;
      break;
    case r::InterruptCause::kPageRequestQueue:
      if (!r::pqcsr::pie.get(pqcsr())) return false;
      break;
    case r::InterruptCause::kHpm:
      break;
  }
  return set_ipsr_bit(cause);
}

void RegisterFile::update_interrupt_pending() {
  // 6.18: cip/fip/pip are set while the interrupt is enabled and an error
  // condition of the queue holds.
  const uint64_t cq = cqcsr();
  const uint64_t cq_errors = r::cqcsr::cqmf.mask() | r::cqcsr::cmd_to.mask() |
                             r::cqcsr::cmd_ill.mask() | r::cqcsr::fence_w_ip.mask();
  if (r::cqcsr::cie.get(cq) && (cq & cq_errors)) set_ipsr_bit(r::InterruptCause::kCommandQueue);
  const uint64_t fq = fqcsr();
  if (r::fqcsr::fie.get(fq) && (fq & (r::fqcsr::fqmf.mask() | r::fqcsr::fqof.mask())))
    set_ipsr_bit(r::InterruptCause::kFaultQueue);
  const uint64_t pq = pqcsr();
  if (r::pqcsr::pie.get(pq) && (pq & (r::pqcsr::pqmf.mask() | r::pqcsr::pqof.mask())))
    set_ipsr_bit(r::InterruptCause::kPageRequestQueue);
}

void RegisterFile::update_iocountovf() {
  if (params_.hpm_counters == 0) return;
  uint64_t v = r::iohpmcycles::OF.get(iohpmcycles_->get());
  for (unsigned i = 1; i <= params_.hpm_counters; ++i)
    v |= r::iohpmevt::OF.get(iohpmevt_[i]->get()) << i;
  iocountovf_->set(v);
}

void RegisterFile::set_ddtp_busy(bool busy) {
  ddtp_->set(r::ddtp::busy.with(ddtp_->get(), busy));
}

void RegisterFile::set_cqh(uint32_t index) {
  cqh_->set(index & low_mask(cq_log2sz()));
}

void RegisterFile::set_fqt(uint32_t index) {
  fqt_->set(index & low_mask(fq_log2sz()));
}

void RegisterFile::set_pqt(uint32_t index) {
  if (params_.ats) pqt_->set(index & low_mask(pq_log2sz()));
}

void RegisterFile::set_cqcsr_bits(uint32_t mask) {
  cqcsr_->set(cqcsr_->get() | (mask & implemented_bits(*cqcsr_)));
  update_interrupt_pending();
}

void RegisterFile::clear_cqcsr_bits(uint32_t mask) {
  cqcsr_->set(cqcsr_->get() & ~uint64_t(mask));
}

void RegisterFile::set_fqcsr_bits(uint32_t mask) {
  fqcsr_->set(fqcsr_->get() | (mask & implemented_bits(*fqcsr_)));
  update_interrupt_pending();
}

void RegisterFile::clear_fqcsr_bits(uint32_t mask) {
  fqcsr_->set(fqcsr_->get() & ~uint64_t(mask));
}

void RegisterFile::set_pqcsr_bits(uint32_t mask) {
  pqcsr_->set(pqcsr_->get() | (mask & implemented_bits(*pqcsr_)));
  update_interrupt_pending();
}

void RegisterFile::clear_pqcsr_bits(uint32_t mask) {
  pqcsr_->set(pqcsr_->get() & ~uint64_t(mask));
}

void RegisterFile::complete_translation_request(uint64_t response) {
  if (!params_.debug) return;
  tr_response_->set(response & implemented_bits(*tr_response_));
  tr_req_ctl_->set(r::tr_req_ctl::Go_Busy.with(tr_req_ctl_->get(), 0));
}

uint64_t RegisterFile::hpm_counter(unsigned n) const {
  return n >= 1 && n <= r::kHpmCounters ? iohpmctr_[n]->get() : 0;
}

uint64_t RegisterFile::hpm_event(unsigned n) const {
  return n >= 1 && n <= r::kHpmCounters ? iohpmevt_[n]->get() : 0;
}

void RegisterFile::set_hpm_cycles(uint64_t value) {
  if (params_.hpm_counters == 0) return;
  iohpmcycles_->set(r::iohpmcycles::counter.with(iohpmcycles_->get(), value));
}

void RegisterFile::set_hpm_counter(unsigned n, uint64_t value) {
  if (n >= 1 && n <= params_.hpm_counters) iohpmctr_[n]->set(value);
}

bool RegisterFile::hpm_overflow(unsigned n) {
  if (params_.hpm_counters == 0 || n > params_.hpm_counters) return false;
  Register* reg = n == 0 ? iohpmcycles_ : iohpmevt_[n];
  const r::Field of = n == 0 ? r::iohpmcycles::OF : r::iohpmevt::OF;
  // 6.21/6.23: OF already set doubles as the overflow-interrupt disable.
  if (of.get(reg->get())) return false;
  reg->set(of.with(reg->get(), 1));
  update_iocountovf();
  return set_ipsr_bit(r::InterruptCause::kHpm);
}

uint64_t RegisterFile::msi_addr(unsigned vector) const {
  return vector < r::kMsiCfgTblEntries ? msi_addr_[vector]->get() : 0;
}

uint32_t RegisterFile::msi_data(unsigned vector) const {
  return vector < r::kMsiCfgTblEntries ? uint32_t(msi_data_[vector]->get()) : 0;
}

bool RegisterFile::msi_masked(unsigned vector) const {
  return vector < r::kMsiCfgTblEntries && r::msi_vec_ctl::M.get(msi_vec_ctl_[vector]->get());
}

void RegisterFile::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("registers");
  v.value("reads", double(reads_));
  v.value("writes", double(writes_));
  v.value("errors", double(errors_));
  v.value("ignored_writes", double(ignored_writes_));
  v.end_group();
}

}  // namespace vp::iommu
