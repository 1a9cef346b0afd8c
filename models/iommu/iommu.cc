#include "models/iommu/iommu.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <sstream>

#include "models/common/trace.h"

namespace vp::iommu {

using vp::common::AddressType;
using vp::common::PcieExtension;

namespace {

constexpr size_t kRecentFaults = 256;

uint64_t page_mask(unsigned log2) {
  return log2 >= 64 ? ~0ull : (1ull << log2) - 1;
}

bool entry_allows(const IotlbEntry& e, AccessType access, bool privileged, bool sum) {
  return translation_allows(e.readable, e.writable, e.executable, e.dirty, e.user, e.first_stage(),
                            access, privileged, sum);
}

// The PPN of a translation with PCIe ATS size encoding (also tr_response,
// 6.25): for a range larger than 4 KiB, the PPN bits the range covers are
// ones below a single zero, and *s is set.
uint64_t size_encoded_ppn(uint64_t spa, unsigned page_log2, bool* s) {
  uint64_t ppn = spa >> 12;
  const unsigned log2 = std::min(page_log2, 56u);
  *s = log2 > 12;
  if (*s) {
    const unsigned n = log2 - 12;  // PPN bits covered by the range
    ppn = ((ppn >> n) << n) | ((1ull << (n - 1)) - 1);
  }
  return ppn;
}

// The translation IOTLB entry `e` gives `iova`: on a hit, and after a walk
// from the entry it just filled.
Translation& from_entry(Translation& t, const IotlbEntry& e, uint64_t iova) {
  t.spa = e.translate(iova);
  t.gpa = e.gpa | (iova & page_mask(e.page_log2));
  t.page_log2 = e.page_log2;
  t.readable = e.readable;
  t.writable = e.writable;
  t.executable = e.executable;
  t.dirty = e.dirty;
  t.pbmt = e.pbmt;
  return t;
}

Translation& fail(Translation& t, uint32_t cause, std::string why) {
  t.cause = cause;
  t.why = std::move(why);
  return t;
}

// Identity mapping: Bare mode, translated requests without T2GPA, and
// device contexts with both stages Bare.
Translation& identity(Translation& t, uint64_t iova) {
  t.spa = t.gpa = iova;
  t.page_log2 = 12;
  t.readable = t.writable = t.executable = t.dirty = true;
  return t;
}

const char* ttyp_name(unsigned ttyp) {
  switch (ttyp) {
    case ttyp::kUntranslatedReadForExecute:
      return "untranslated read-for-execute";
    case ttyp::kUntranslatedRead:
      return "untranslated read";
    case ttyp::kUntranslatedWrite:
      return "untranslated write";
    case ttyp::kTranslatedReadForExecute:
      return "translated read-for-execute";
    case ttyp::kTranslatedRead:
      return "translated read";
    case ttyp::kTranslatedWrite:
      return "translated write";
    case ttyp::kAtsTranslationRequest:
      return "ATS translation request";
  }
  return "none";
}

}  // namespace

unsigned TranslationRequest::ttyp() const {
  if (message) return ttyp::kPcieMessageRequest;
  switch (address_type) {
    case AddressType::kTranslationRequest:
      return ttyp::kAtsTranslationRequest;
    case AddressType::kTranslated:
      return access == AccessType::kWrite     ? ttyp::kTranslatedWrite
             : access == AccessType::kExecute ? ttyp::kTranslatedReadForExecute
                                              : ttyp::kTranslatedRead;
    case AddressType::kUntranslated:
      break;
  }
  return access == AccessType::kWrite     ? ttyp::kUntranslatedWrite
         : access == AccessType::kExecute ? ttyp::kUntranslatedReadForExecute
                                          : ttyp::kUntranslatedRead;
}

static const IommuParams& validated(const IommuParams& p) {
  p.validate();
  return p;
}

Iommu::Iommu(sc_core::sc_module_name name, const IommuParams& params)
    : sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      regs("regs"),
      device_messages("device_messages"),
      wsi("wsi", validated(params).interrupt_vectors),
      params_(params),
      regfile_(params_, std::string(this->name()) + ".regs"),
      memory_(downstream),
      features_{regfile_.capabilities(), regfile_.fctl()},
      ddt_(memory_, features_),
      pdt_(memory_, features_),
      walker_(memory_, features_),
      walk_cache_(params_.walk_cache_entries),
      dc_cache_("ddt_cache", params_.ddt_cache_entries),
      pc_cache_("pdt_cache", params_.pdt_cache_entries),
      iotlb_(IotlbParams::from(params_)),
      walkers_(params_.walkers),
      fq_(regfile_, memory_),
      pq_(regfile_, memory_),
      cq_(regfile_, memory_, *this, params_),
      irq_(
          regfile_, [this](unsigned v, bool level) { wsi[v].write(level); },
          [this](uint64_t a, uint32_t d, sc_core::sc_time& t) { return send_msi(a, d, t); }),
      hpm_(regfile_, params_.clock_period()),
      reg_access_(params_.cycles(params_.reg_access_cycles)),
      iotlb_lookup_(params_.cycles(params_.iotlb_lookup_cycles)),
      context_lookup_(params_.cycles(params_.context_cache_lookup_cycles)),
      walk_level_(params_.cycles(params_.walk_level_cycles)) {
  upstream.register_b_transport(this, &Iommu::upstream_b_transport);
  upstream.register_transport_dbg(this, &Iommu::upstream_transport_dbg);
  upstream.register_get_direct_mem_ptr(this, &Iommu::upstream_get_dmi);
  downstream.register_invalidate_direct_mem_ptr(this, &Iommu::downstream_invalidate_dmi);
  regs.register_b_transport(this, &Iommu::regs_b_transport);
  regs.register_transport_dbg(this, &Iommu::regs_transport_dbg);

  walker_.set_walk_cache(&walk_cache_);
  regfile_.on_ddtp_write = [this](uint64_t, uint64_t) { on_ddtp_or_fctl_change(); };
  regfile_.on_fctl_write = [this](uint32_t, uint32_t) { on_ddtp_or_fctl_change(); };
  // The queue and interrupt hooks chain in front of the ones above.
  cq_.install_hooks();
  cq_.doorbell = [this] { cq_doorbell_.notify(sc_core::SC_ZERO_TIME); };
  irq_.install_hooks();
  irq_.on_msi_fault = [this](uint64_t address) {
    // 3.2: cause 273, IOMMU MSI write access fault, address in iotval.
    FaultRecord rec;
    rec.cause = cause::kIommuMsiWriteAccessFault;
    rec.iotval = address;
    sc_core::sc_time d = op_delay_ ? *op_delay_ : sc_core::SC_ZERO_TIME;
    fq_.report(rec, d);
  };
  SC_THREAD(command_thread);
  regfile_.on_tr_req_ctl_write = [this](uint64_t, uint64_t now) {
    if (regs::tr_req_ctl::Go_Busy.get(now)) debug_translation_request();
  };
}

Iommu::~Iommu() = default;

// ---------------------------------------------------------------------------
// Translation process (spec 2.3)

void Iommu::count_event(regs::HpmEvent ev, const TranslationRequest& rq,
                        const ResolvedContext* rc) {
  HpmRequest h;
  h.device_id = rq.device_id;
  h.pv = rq.pv;
  h.process_id = rq.pid;
  if (rc) {
    h.gscv = rc->key.gscid_valid;
    h.gscid = rc->key.gscid;
    h.pscv = rc->key.pscid_valid;
    h.pscid = rc->key.pscid;
  }
  hpm_.count(ev, h);
}

// Steps 1-16: from the request to the translation context (which stages,
// their roots and IDs). Fails with the cause in `t`.
bool Iommu::resolve_context(const TranslationRequest& rq, sc_core::sc_time& delay,
                            ResolvedContext& rc, Translation& t) {
  const unsigned mode = unsigned(regfile_.ddtp_mode());
  const bool translated = rq.address_type == AddressType::kTranslated;
  const bool ats_request = rq.address_type == AddressType::kTranslationRequest;

  // Steps 1-2.
  if (mode == regs::ddtp::kOff) {
    fail(t, cause::kAllInboundDisallowed,
         "ddtp.iommu_mode is Off: every inbound transaction is disallowed");
    return false;
  }
  if (mode == regs::ddtp::kBare) {
    if (translated || ats_request) {
      fail(t, cause::kTransactionTypeDisallowed,
           "ddtp.iommu_mode is Bare: Translated requests and ATS translation requests are "
           "disallowed");
      return false;
    }
    rc.identity = true;
    return true;
  }

  DeviceContext dc;
  if (!device_context(rq, delay, dc, t)) return false;
  rc.dtf = t.dtf;

  // Step 8.
  if ((translated || ats_request) && !dc.en_ats()) {
    fail(t, cause::kTransactionTypeDisallowed,
         strprintf("%s from a device whose DC.tc.EN_ATS is 0",
                   translated ? "Translated request" : "ATS translation request"));
    return false;
  }
  if (rq.pv && !dc.pdtv()) {
    fail(t, cause::kTransactionTypeDisallowed,
         "the request carries a PASID but DC.tc.PDTV is 0 (no process directory)");
    return false;
  }
  if (rq.pv && !ProcessDirectory::process_id_fits(dc.fsc_mode(), rq.pid)) {
    fail(t, cause::kTransactionTypeDisallowed,
         strprintf("process_id 0x%x is wider than DC.fsc.pdtp.MODE %u supports", rq.pid,
                   dc.fsc_mode()));
    return false;
  }
  // Steps 9-10: Translated requests without T2GPA are complete.
  rc.translated = translated;
  rc.t2gpa = dc.t2gpa();
  if (translated && !dc.t2gpa()) {
    rc.identity = true;
    return true;
  }

  // Steps 11-16: the first-stage context.
  rc.ctx = TranslationContext::from(dc, nullptr);
  if (translated) {
    rc.ctx.iosatp_mode = iosatp_mode::kBare;  // T2GPA: the IOVA is a GPA
  } else if (dc.pdtv() && (rq.pv || dc.dpe()) && dc.fsc_mode() != pdtp_mode::kBare) {
    const uint32_t pid = rq.pv ? rq.pid : 0;
    delay += context_lookup_;
    ProcessContext pc;
    const ProcessContextKey key{rq.device_id, pid};
    if (const ProcessContext* cached = pc_cache_.lookup(key)) {
      pc = *cached;
    } else {
      count(regs::HpmEvent::kProcessDirectoryWalks, rq);
      ProcessContextLookup lk =
          pdt_.locate(dc, pid, rq.access, walker_.gpa_translator(rc.ctx), delay);
      if (!lk.ok()) {
        t.trace = std::move(lk.trace);
        t.iotval2 = lk.iotval2;
        fail(t, lk.cause, std::move(lk.why));
        return false;
      }
      pc = lk.pc;
      pc_cache_.insert(key, pc);
    }
    if (rq.privileged && !pc.ens()) {
      fail(t, cause::kTransactionTypeDisallowed,
           "the request asks for supervisor privilege but PC.ta.ENS is 0");
      return false;
    }
    rc.privileged = rq.privileged;
    rc.pc_used = true;
    rc.ctx = TranslationContext::from(dc, &pc);
  }
  if (features_.has(regs::capabilities::MSI_FLAT) && dc.msiptp_mode() == dc::msiptp::kModeFlat) {
    rc.msi = true;
    rc.msiptp_ppn = dc.msiptp_ppn();
    rc.msi_mask = dc::msi_addr::kMask.get(dc.msi_addr_mask);
    rc.msi_pattern = dc::msi_addr::kPattern.get(dc.msi_addr_pattern);
  }
  rc.identity = rc.ctx.iosatp_mode == iosatp_mode::kBare &&
                rc.ctx.iohgatp_mode == iohgatp_mode::kBare && !rc.msi;
  rc.key = IotlbKey{rc.ctx.iohgatp_mode != iohgatp_mode::kBare, rc.ctx.gscid,
                    rc.ctx.iosatp_mode != iosatp_mode::kBare, rc.ctx.pscid};
  return true;
}

bool Iommu::device_context(const TranslationRequest& rq, sc_core::sc_time& delay, DeviceContext& dc,
                           Translation& t) {
  delay += context_lookup_;
  if (const DeviceContext* cached = dc_cache_.lookup(rq.device_id)) {
    dc = *cached;
  } else {
    count(regs::HpmEvent::kDeviceDirectoryWalks, rq);
    DeviceContextLookup lk =
        ddt_.locate(unsigned(regfile_.ddtp_mode()), regfile_.ddtp_ppn(), rq.device_id, delay);
    if (!lk.ok()) {
      t.trace = std::move(lk.trace);
      fail(t, lk.cause, std::move(lk.why));
      return false;
    }
    dc = lk.dc;
    dc_cache_.insert(rq.device_id, dc);
  }
  t.dtf = dc.dtf();
  return true;
}

Translation Iommu::translate(const TranslationRequest& rq, sc_core::sc_time& delay) {
  Translation t;
  // The context of the previous request is reused while no directory
  // invalidation or ddtp write intervened: what a real IOMMU's per-port
  // context register does, and most of the host cost of a hit otherwise.
  const ResolvedContext* rc = nullptr;
  if (memo_.valid && memo_.device_id == rq.device_id && memo_.pv == rq.pv && memo_.pid == rq.pid &&
      memo_.privileged == rq.privileged && memo_.address_type == rq.address_type) {
    ++context_memo_hits_;
    if (!memo_.context.identity || regfile_.ddtp_mode() != regs::ddtp::kBare) {
      delay += memo_.lookup_cost;
    }
    rc = &memo_.context;
  } else {
    ResolvedContext fresh;
    if (!resolve_context(rq, delay, fresh, t)) {
      memo_.valid = false;
      return t;
    }
    // With a cache sized to zero every request must re-read the tables.
    memo_.valid = dc_cache_.capacity() > 0 && (!fresh.pc_used || pc_cache_.capacity() > 0);
    memo_.device_id = rq.device_id;
    memo_.pv = rq.pv;
    memo_.pid = rq.pid;
    memo_.privileged = rq.privileged;
    memo_.address_type = rq.address_type;
    memo_.context = fresh;
    // A cached context costs the cache probes, not the walk that filled them.
    memo_.lookup_cost = fresh.identity && regfile_.ddtp_mode() == regs::ddtp::kBare
                            ? sc_core::SC_ZERO_TIME
                            : context_lookup_ * (fresh.pc_used ? 2.0 : 1.0);
    rc = &memo_.context;
  }
  t.dtf = rc->dtf;
  t.ats_gpa = rc->t2gpa;
  if (rc->identity) {
    if (regfile_.ddtp_mode() == regs::ddtp::kBare) ++bare_requests_;
    if (rc->translated) ++translated_requests_;
    identity(t, rq.iova);
    return t;
  }
  if (rc->translated) ++translated_requests_;
  // Step 18 without a first stage: the IOVA is the GPA.
  if (rc->ctx.iosatp_mode == iosatp_mode::kBare && rc->msi_page(rq.iova)) {
    translate_msi(*rc, rq.iova, rq.access, delay, t);
    return t;
  }

  // Steps 17-19 with the IOTLB in front.
  delay += iotlb_lookup_;
  if (const IotlbEntry* e = iotlb_.lookup(rc->key, rq.iova)) {
    if (entry_allows(*e, rq.access, rc->privileged, rc->ctx.sum)) {
      from_entry(t, *e, rq.iova);
      return t;
    }
  }
  translate_miss(rq, *rc, delay, t);
  return t;
}

// Step 17-19 on an IOTLB miss: the two-stage walk, MSI translation of the
// GPA, and the IOTLB fill. Kept out of translate() so the hit path stays
// small.
Translation& Iommu::translate_miss(const TranslationRequest& rq, const ResolvedContext& rc,
                                   sc_core::sc_time& delay, Translation& t) {
  ++walks_;
  count(regs::HpmEvent::kTlbMiss, rq, &rc);
  if (rc.key.pscid_valid) count(regs::HpmEvent::kFirstStageWalks, rq, &rc);
  if (rc.key.gscid_valid) count(regs::HpmEvent::kSecondStageWalks, rq, &rc);
  const TranslationContext& ctx = rc.ctx;
  sc_core::sc_time walk = sc_core::SC_ZERO_TIME;
  WalkResult w = rc.translated ? walker_.translate_gpa(ctx, rq.iova, rq.access, walk)
                               : walker_.translate(ctx, rq.iova, rq.access, rc.privileged, walk);
  walk += walk_level_ * double(w.first_stage_levels + w.second_stage_levels);
  const sc_core::sc_time start = sc_core::sc_time_stamp() + delay;
  const sc_core::sc_time done = walkers_.reserve(start, walk);
  miss_latency_ns_.add(uint64_t((done - start).to_seconds() * 1e9 + 0.5));
  if (auto* tw = vp::common::TraceWriter::active()) {
    tw->span(tw->track(std::string(name()) + ".walker"), "walk", start, done - start,
             {{"iova", rq.iova, true},
              {"device_id", rq.device_id, true},
              {"levels", w.first_stage_levels + w.second_stage_levels},
              {"cause", w.cause}});
  }
  delay = done - sc_core::sc_time_stamp();
  t.trace = std::move(w.trace);
  if (rc.msi) {
    // Step 18 after the first stage: an MSI page's GPA is not translated by
    // the second stage, so a guest-page fault on the explicit access to it
    // (iotval2 bit 0 clear) is not a fault either.
    const bool explicit_gpf =
        (w.cause == cause::kReadGuestPageFault || w.cause == cause::kWriteGuestPageFault ||
         w.cause == cause::kInstructionGuestPageFault) &&
        !(w.iotval2 & fault_record::kIotval2Implicit);
    if (w.ok() && rc.msi_page(w.gpa)) return translate_msi(rc, w.gpa, rq.access, delay, t);
    if (explicit_gpf) {
      const uint64_t gpa = (w.iotval2 & ~0xfffull) | (rq.iova & 0xfff);
      if (rc.msi_page(gpa)) return translate_msi(rc, gpa, rq.access, delay, t);
    }
  }
  if (!w.ok()) {
    t.iotval2 = w.iotval2;
    return fail(t, w.cause, std::move(w.why));
  }

  const uint64_t mask = page_mask(w.page_shift);
  IotlbEntry e;
  e.key = rc.key;
  e.iova = rq.iova & ~mask;
  e.page_log2 = w.page_shift;
  e.global = w.global;
  e.spa = w.spa & ~mask;
  e.readable = w.r;
  e.writable = w.w;
  e.executable = w.x;
  e.user = w.user;
  e.dirty = w.dirty;
  const uint64_t leaf = w.first_stage_bare ? w.second_stage_pte : w.first_stage_pte;
  e.pbmt = uint8_t(pte::kPbmt.get(leaf));
  e.fs_leaf_log2 = w.first_stage_bare ? 0 : w.first_stage_shift;
  e.gpa = w.gpa & ~mask;
  e.gs_leaf_log2 = w.second_stage_bare ? 0 : w.second_stage_shift;
  iotlb_.insert(e);
  return from_entry(t, e, rq.iova);
}

Translation& Iommu::translate_msi(const ResolvedContext& rc, uint64_t gpa, AccessType access,
                                  sc_core::sc_time& delay, Translation& t) {
  ++msi_translations_;
  // I = extract(A >> 12, msi_addr_mask): the mask's one bits, packed.
  uint64_t index = 0;
  unsigned out = 0;
  for (unsigned bit = 0; bit < 52; ++bit) {
    if ((rc.msi_mask >> bit) & 1) index |= (((gpa >> 12) >> bit) & 1) << out++;
  }
  const uint64_t pte_addr = (rc.msiptp_ppn << 12) | (index * msi_pte::kSize);
  uint64_t pte[2] = {0, 0};
  delay += walk_level_;
  if (!memory_.read_block(pte_addr, pte, 2, delay)) {
    return fail(t, cause::kMsiPteLoadAccessFault,
                strprintf("reading the MSI PTE for interrupt file %" PRIu64 " at 0x%" PRIx64
                          " failed (bus error)",
                          index, pte_addr));
  }
  if (features_.big_endian()) {
    pte[0] = __builtin_bswap64(pte[0]);
    pte[1] = __builtin_bswap64(pte[1]);
  }
  t.trace.push_back(WalkStep{WalkTable::kSecondStage, 0, pte_addr, pte[0]});
  if (!msi_pte::kV.get(pte[0])) {
    return fail(t, cause::kMsiPteNotValid,
                strprintf("MSI PTE for interrupt file %" PRIu64 " at 0x%" PRIx64
                          " has V=0 (GPA 0x%" PRIx64 ")",
                          index, pte_addr, gpa));
  }
  const unsigned mode = unsigned(msi_pte::kM.get(pte[0]));
  const bool custom = msi_pte::kC.get(pte[0]);
  auto misconfigured = [&](const char* rule) -> Translation& {
    return fail(t, cause::kMsiPteMisconfigured,
                strprintf("MSI PTE 0x%016" PRIx64 "_%016" PRIx64 " at 0x%" PRIx64 ": %s", pte[1],
                          pte[0], pte_addr, rule));
  };
  if (custom) return misconfigured("C=1 (custom use), and this IOMMU defines no custom format");
  // MSI PTE permissions are those of a second-stage PTE with R=W=U=1, X=0.
  auto msi_execute_check = [&]() -> Translation& {
    if (access != AccessType::kExecute) return t;
    t.mrif.reset();
    return fail(t, cause::kInstructionAccessFault,
                strprintf("GPA 0x%" PRIx64 " is a virtual interrupt file page (MSI page table): "
                          "read-for-execute is not allowed there",
                          gpa));
  };
  t.gpa = gpa;
  t.page_log2 = 12;
  t.readable = t.writable = t.dirty = true;
  t.executable = false;
  if (mode == msi_pte::kModeWriteThrough) {
    if (pte[0] & msi_pte::kWriteThroughReservedMask) {
      return misconfigured("basic translate mode (M=3) with reserved bits 9:3 or 62:54 set");
    }
    t.spa = (msi_pte::kPpn.get(pte[0]) << 12) | (gpa & 0xfff);
    return msi_execute_check();
  }
  if (mode != msi_pte::kModeMrif) return misconfigured("M=0 and M=2 are reserved");
  if (!features_.has(regs::capabilities::MSI_MRIF)) {
    return misconfigured("MRIF mode (M=1) but capabilities.MSI_MRIF is 0");
  }
  if ((pte[0] & msi_pte::kMrifReservedMask) || (pte[1] & msi_pte::kNoticeReservedMask)) {
    return misconfigured(
        "MRIF mode (M=1) with reserved bits set (6:3 or 62:54 of the first doubleword, 59:54 "
        "or 63:61 of the second)");
  }
  MrifTarget m;
  m.mrif = msi_pte::kMrifAddress.get(pte[0]) << 9;
  m.notice_address = msi_pte::kNppn.get(pte[1]) << 12;
  m.notice_data = uint32_t((msi_pte::kNid10.get(pte[1]) << 10) | msi_pte::kNid.get(pte[1]));
  t.mrif = m;
  t.spa = gpa;  // not forwarded: the IOMMU handles the access
  return msi_execute_check();
}

// ---------------------------------------------------------------------------
// Faults

std::string Iommu::explain(const TranslationRequest& rq, const Translation& t) const {
  std::ostringstream os;
  os << cause::name(t.cause) << " (cause " << t.cause << ") on a " << ttyp_name(rq.ttyp())
     << " from device_id 0x" << std::hex << rq.device_id;
  if (rq.pv) {
    os << " process_id 0x" << rq.pid;
  } else {
    os << " without PASID";
  }
  if (rq.message) {
    os << ", message code 0x" << rq.iova << std::dec;
  } else {
    os << ", IOVA 0x" << rq.iova << std::dec;
  }
  if (rq.privileged) os << " (supervisor)";
  os << "; ddtp mode " << DeviceDirectory::ddtp_mode_name(unsigned(regfile_.ddtp_mode())) << ". "
     << t.why;
  if (t.iotval2) os << ". iotval2 = 0x" << std::hex << t.iotval2 << std::dec;
  if (!t.trace.empty()) os << "\n  walk:\n" << describe(t.trace);
  return os.str();
}

void Iommu::report_fault(const TranslationRequest& rq, const Translation& t,
                         sc_core::sc_time& delay) {
  ++faults_;
  IommuFault f;
  f.cause = t.cause;
  f.ttyp = rq.ttyp();
  f.did = rq.device_id;
  f.pv = rq.pv;
  f.pid = rq.pv ? rq.pid : 0;
  f.priv = rq.pv && rq.privileged;
  f.iotval = rq.iova;
  f.iotval2 = t.iotval2;
  const bool suppressed = t.dtf && !cause::reported_when_dtf_set(t.cause);
  if (auto* tw = vp::common::TraceWriter::active()) {
    tw->instant(tw->track(std::string(name()) + ".faults"), cause::name(t.cause),
                sc_core::sc_time_stamp(),
                {{"cause", t.cause}, {"device_id", rq.device_id, true}, {"iova", rq.iova, true}});
  }
  if (params_.log_faults) {
    f.explanation = explain(rq, t);
    std::string msg = f.explanation;
    if (suppressed) msg += "\n  (no fault record: DC.tc.DTF is 1)";
    SC_REPORT_WARNING(name(), msg.c_str());
  }
  if (suppressed) {
    ++faults_suppressed_;
    return;
  }
  if (recent_faults_.size() >= kRecentFaults) recent_faults_.erase(recent_faults_.begin());
  recent_faults_.push_back(f);
  if (fault_observer_) fault_observer_(f);
  queue_fault(f, delay);
}

void Iommu::queue_fault(const FaultRecord& rec, sc_core::sc_time& delay) {
  sc_core::sc_time* outer = op_delay_;
  op_delay_ = &delay;
  fq_.report(rec, delay);
  op_delay_ = outer;
}

bool Iommu::send_msi(uint64_t address, uint32_t data, sc_core::sc_time&) {
  // The message leaves at the time of the operation that raised it.
  sc_core::sc_time d = op_delay_ ? *op_delay_ : sc_core::SC_ZERO_TIME;
  return memory_.write32(address, data, d);
}

void Iommu::command_thread() {
  for (;;) {
    sc_core::wait(cq_doorbell_);
    while (cq_.work_pending()) {
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      op_delay_ = &d;
      const unsigned n = cq_.process(d);
      op_delay_ = nullptr;
      if (d > sc_core::SC_ZERO_TIME) sc_core::wait(d);
      if (n == 0) break;
    }
  }
}

// CommandHandler ------------------------------------------------------------

void Iommu::iotinval_vma(bool gv, uint32_t gscid, bool pscv, uint32_t pscid, bool av, uint64_t addr,
                         sc_core::sc_time&) {
  invalidate_vma(gv ? std::optional<uint32_t>(gscid) : std::nullopt,
                 pscv ? std::optional<uint32_t>(pscid) : std::nullopt,
                 av ? std::optional<uint64_t>(addr) : std::nullopt);
}

void Iommu::iotinval_gvma(bool gv, uint32_t gscid, bool av, uint64_t addr, sc_core::sc_time&) {
  invalidate_gvma(gv ? std::optional<uint32_t>(gscid) : std::nullopt,
                  gv && av ? std::optional<uint64_t>(addr) : std::nullopt);
}

void Iommu::iodir_inval_ddt(bool dv, uint32_t did, sc_core::sc_time&) {
  invalidate_device_context(dv ? std::optional<uint32_t>(did) : std::nullopt);
}

void Iommu::iodir_inval_pdt(uint32_t did, uint32_t pid, sc_core::sc_time&) {
  invalidate_process_context(did, pid);
}

// 3.1.4: the command's RID (and DSEG when DSV) name the function; the
// payload is the message body.
static uint32_t destination(const AtsCommand& cmd) {
  return (cmd.dsv ? cmd.dseg << 16 : 0) | (cmd.rid & 0xffff);
}

bool Iommu::ats_inval(const AtsCommand& cmd, sc_core::sc_time& delay) {
  ++ats_invalidations_;
  // Nothing bound: no device keeps an ATC, the invalidation completes at once.
  if (device_messages.size() == 0) return true;
  return send_device_message(vp::common::MessageCode::kInvalidationRequest, destination(cmd),
                             cmd.pv, cmd.pid, cmd.payload, delay);
}

void Iommu::ats_prgr(const AtsCommand& cmd, sc_core::sc_time& delay) {
  send_device_message(vp::common::MessageCode::kPrgResponse, destination(cmd), cmd.pv, cmd.pid,
                      cmd.payload, delay);
}

bool Iommu::send_device_message(vp::common::MessageCode code, uint32_t did, bool pv, uint32_t pid,
                                uint64_t payload, sc_core::sc_time& delay) {
  if (device_messages.size() == 0) return false;
  ++device_messages_sent_;
  vp::common::PcieExtension ext;
  ext.segment = uint16_t(did >> 16);
  ext.rid = uint16_t(did);
  ext.pasid_valid = pv;
  ext.pasid = pv ? pid : 0;
  ext.message = code;
  return vp::common::transport_qword(device_messages, tlm::TLM_WRITE_COMMAND, 0, &payload, ext,
                                     delay) == tlm::TLM_OK_RESPONSE;
}

void Iommu::page_request(tlm::tlm_generic_payload& gp, TranslationRequest rq,
                         sc_core::sc_time& delay) {
  namespace pr = page_request;
  const vp::common::PcieExtension* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext->message != vp::common::MessageCode::kPageRequest || !gp.is_write() ||
      gp.get_data_length() != 8 || gp.get_byte_enable_ptr() != nullptr) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);  // not a message the IOMMU takes
    return;
  }
  ++page_requests_;
  uint64_t payload = 0;
  std::memcpy(&payload, gp.get_data_ptr(), 8);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);  // messages are posted
  rq.iova = 0x04;  // 3.2: iotval holds the message code ("Page Request" is 0000_0100b)

  // Steps 1-5 of 2.3 locate the device context; EN_ATS and EN_PRI must be set.
  Translation t;
  DeviceContext dc;
  bool have_dc = false;
  const unsigned mode = unsigned(regfile_.ddtp_mode());
  if (mode == regs::ddtp::kOff) {
    fail(t, cause::kAllInboundDisallowed, "ddtp.iommu_mode is Off: page requests are refused");
  } else if (mode == regs::ddtp::kBare) {
    fail(t, cause::kTransactionTypeDisallowed,
         "ddtp.iommu_mode is Bare: no device context can enable PRI");
  } else if (device_context(rq, delay, dc, t)) {
    have_dc = true;
    if (!dc.en_ats() || !dc.en_pri()) {
      fail(t, cause::kTransactionTypeDisallowed,
           strprintf("page request from a device whose DC.tc.EN_ATS=%d EN_PRI=%d", dc.en_ats(),
                     dc.en_pri()));
    }
  }
  unsigned status = pr::kResponseSuccess;
  if (!t.ok()) {
    report_fault(rq, t, delay);
    status = t.cause == cause::kTransactionTypeDisallowed ? pr::kResponseInvalidRequest
                                                          : pr::kResponseFailure;
  } else {
    PageRequestRecord rec;
    rec.did = rq.device_id;
    rec.pv = rq.pv;
    rec.pid = rq.pid;
    rec.priv = rq.pv && ext->privileged;
    rec.exec = rq.pv && ext->execute;
    rec.payload = payload;
    switch (pq_.report(rec, delay)) {
      case PageRequestQueue::Outcome::kQueued:
        return;  // software answers with ATS.PRGR
      case PageRequestQueue::Outcome::kQueueOff:
      case PageRequestQueue::Outcome::kMemoryFault:
        status = pr::kResponseFailure;
        break;
      case PageRequestQueue::Outcome::kOverflow:
        status = pr::kResponseSuccess;
        break;
    }
  }
  // Only a last request of a group that is not a Stop Marker wants an answer.
  if (!pr::kL.test(payload) || pr::is_stop_marker(payload)) return;
  // PASID in the response: always for Response Failure, else if DC.tc.PRPR
  // (taken as 0 without a device context).
  const bool with_pasid = rq.pv && (status == pr::kResponseFailure || (have_dc && dc.prpr()));
  const uint64_t response = command::ats::kPrgrIndex.make(pr::kPrgIndex.get(payload)) |
                            command::ats::kPrgrResponseCode.make(status);
  ++prg_responses_;
  send_device_message(vp::common::MessageCode::kPrgResponse, rq.device_id, with_pasid, rq.pid,
                      response, delay);
}

// ---------------------------------------------------------------------------
// Upstream transport

TranslationRequest Iommu::request_of(const tlm::tlm_generic_payload& gp, AccessType access) {
  TranslationRequest rq;
  rq.access = access;
  rq.iova = gp.get_address();
  if (const PcieExtension* ext = gp.get_extension<PcieExtension>()) {
    rq.device_id = ext->device_id();
    rq.pv = ext->pasid_valid;
    rq.pid = ext->pasid;
    rq.privileged = ext->pasid_valid && ext->privileged;
    rq.address_type = ext->address_type;
    if (access == AccessType::kRead && ext->execute) rq.access = AccessType::kExecute;
    rq.message = ext->message != vp::common::MessageCode::kNone;
  }
  return rq;
}

void Iommu::upstream_b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  ++requests_;
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  const AccessType access = gp.is_write() ? AccessType::kWrite : AccessType::kRead;
  TranslationRequest rq = request_of(gp, access);
  const unsigned len = gp.get_data_length();
  if (rq.message) {
    page_request(gp, rq, delay);
    return;
  }
  if (rq.address_type == AddressType::kTranslationRequest) {
    count(regs::HpmEvent::kAtsTranslationRequests, rq);
    ats_translation_request(gp, rq, delay);
    return;
  }
  count(rq.address_type == AddressType::kTranslated ? regs::HpmEvent::kTranslatedRequests
                                                    : regs::HpmEvent::kUntranslatedRequests,
        rq);
  bytes_ += len;

  Translation t = translate(rq, delay);
  if (!t.ok()) {
    report_fault(rq, t, delay);
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (t.mrif) {
    mrif_access(gp, rq, t, delay);
    return;
  }
  const uint64_t offset_in_page = rq.iova & page_mask(t.page_log2);
  const uint64_t room = page_mask(t.page_log2) - offset_in_page + 1;
  if (len == 0 || len <= room || t.page_log2 >= 64) {
    gp.set_address(t.spa);
    downstream->b_transport(gp, delay);
    gp.set_address(rq.iova);
    return;
  }
  // The burst crosses the end of its page: translate and forward page by
  // page. Byte enables and streaming bursts cannot be split meaningfully.
  if (gp.get_byte_enable_ptr() != nullptr || gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  ++page_splits_;
  tlm::tlm_generic_payload part;
  part.set_command(gp.get_command());
  part.set_streaming_width(0);
  if (PcieExtension* ext = gp.get_extension<PcieExtension>()) part.set_extension(ext);
  unsigned done = 0;
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  while (done < len) {
    if (done > 0) {
      rq.iova = gp.get_address() + done;
      t = translate(rq, delay);
      if (!t.ok()) {
        report_fault(rq, t, delay);
        status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
        break;
      }
      if (t.mrif) {  // a burst straddling into an MRIF page: aborted (AIA)
        ++mrif_aborted_;
        status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
        break;
      }
    }
    const uint64_t chunk_room = page_mask(t.page_log2) - (rq.iova & page_mask(t.page_log2)) + 1;
    const unsigned chunk = unsigned(std::min<uint64_t>(len - done, chunk_room));
    part.set_address(t.spa);
    part.set_data_ptr(gp.get_data_ptr() + done);
    part.set_data_length(chunk);
    part.set_streaming_width(chunk);
    part.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    downstream->b_transport(part, delay);
    if (part.get_response_status() != tlm::TLM_OK_RESPONSE) {
      status = part.get_response_status();
      break;
    }
    done += chunk;
  }
  if (part.get_extension<PcieExtension>()) part.clear_extension<PcieExtension>();
  gp.set_response_status(status);
}

void Iommu::mrif_access(tlm::tlm_generic_payload& gp, const TranslationRequest& rq,
                        const Translation& t, sc_core::sc_time& delay) {
  const uint64_t a = t.gpa;
  unsigned char* data = gp.get_data_ptr();
  if (gp.get_data_length() != 4 || (a & 3) || gp.get_byte_enable_ptr() != nullptr ||
      gp.get_streaming_width() < 4) {
    ++mrif_aborted_;
    if (params_.log_faults) {
      SC_REPORT_WARNING(name(), strprintf("device_id 0x%x: a %u-byte access to GPA 0x%" PRIx64
                                          " in an MRIF-mode MSI page is aborted (only aligned "
                                          "32-bit accesses are supported there)",
                                          rq.device_id, gp.get_data_length(), a)
                                    .c_str());
    }
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (gp.is_read()) {  // AIA: reads of the page preferably return zero
    std::memset(data, 0, 4);
    return;
  }
  uint32_t identity = 0;
  std::memcpy(&identity, data, 4);  // little-endian MSI data (A bit 2 clear)
  // Not an MSI: offset other than 0 (little-endian) or 4 (big-endian, not
  // supported here), or an identity above 2047. Accepted and discarded.
  if ((a & 0xfff) != 0 || identity >= mrif::kIdentities) {
    ++mrif_discarded_;
    return;
  }
  const MrifTarget& m = *t.mrif;
  const uint64_t dw = mrif::pending_doubleword(m.mrif, identity);
  const uint64_t bit = 1ull << (identity % 64);
  bool ok = false;
  if (params_.amo_mrif) {
    ok = memory_.amo_or64(dw, bit, delay);
  } else {
    uint64_t pending = 0;
    ok = memory_.read64(dw, &pending, delay) && memory_.write64(dw, pending | bit, delay);
  }
  Translation fault = t;
  fault.mrif.reset();
  if (!ok) {
    fail(fault, cause::kMrifAccessFault,
         strprintf("setting pending bit %u in the MRIF at 0x%" PRIx64
                   " failed (bus error at 0x%" PRIx64 ")",
                   identity, m.mrif, dw));
  } else {
    ++mrif_msis_;
    // AIA: after the update is visible, the notice MSI (NID, little-endian).
    if (!memory_.write32(m.notice_address, m.notice_data, delay)) {
      fail(fault, cause::kMrifAccessFault,
           strprintf("identity %u was recorded in the MRIF at 0x%" PRIx64
                     ", but the notice MSI write of 0x%x to 0x%" PRIx64 " failed (bus error)",
                     identity, m.mrif, m.notice_data, m.notice_address));
    }
  }
  if (!fault.ok()) {
    report_fault(rq, fault, delay);
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }
}

// PCIe ATS translation request (spec "PCIe ATS translation request
// handling"): a read whose 8-byte data receives one Translation Completion
// data entry (PCIe layout: R bit 0, W 1, U 2, Exe 3, Priv 4, Global 5, N 10,
// S 11, translated address 63:12 with the S size encoding). Configuration
// errors complete with Unsupported Request (TLM_ADDRESS_ERROR_RESPONSE) or
// Completer Abort (TLM_GENERIC_ERROR_RESPONSE) and are reported as faults;
// page faults give a successful completion with R=W=0 and no record.
void Iommu::ats_translation_request(tlm::tlm_generic_payload& gp, TranslationRequest rq,
                                    sc_core::sc_time& delay) {
  ++ats_requests_;
  const PcieExtension* ext = gp.get_extension<PcieExtension>();
  const bool no_write = ext && ext->no_write;
  const bool exe_requested = ext && ext->execute;
  if (gp.is_write() || gp.get_data_length() != 8 || gp.get_byte_enable_ptr() != nullptr) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  auto page_fault_like = [](uint32_t c) {
    switch (c) {
      case cause::kInstructionPageFault:
      case cause::kReadPageFault:
      case cause::kWritePageFault:
      case cause::kInstructionGuestPageFault:
      case cause::kReadGuestPageFault:
      case cause::kWriteGuestPageFault:
      case cause::kPdtNotValid:
      case cause::kMsiPteNotValid:
        return true;
    }
    return false;
  };
  rq.access = no_write ? AccessType::kRead : AccessType::kWrite;
  Translation t = translate(rq, delay);
  bool r = t.ok(), w = t.ok() && !no_write;
  if (!t.ok() && page_fault_like(t.cause) && !no_write) {
    rq.access = AccessType::kRead;  // maybe readable but not writable
    t = translate(rq, delay);
    r = t.ok();
  }
  if (!t.ok() && !page_fault_like(t.cause)) {
    report_fault(rq, t, delay);
    const bool unsupported =
        t.cause >= cause::kAllInboundDisallowed && t.cause <= cause::kTransactionTypeDisallowed;
    gp.set_response_status(unsupported ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                       : tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  bool x = false;
  if (r && exe_requested && !t.mrif) {
    TranslationRequest xr = rq;
    xr.access = AccessType::kExecute;
    x = translate(xr, delay).ok();
  }
  uint64_t entry = 0;
  if (r) {
    bool size = false;
    // T2GPA: the device caches the GPA; its Translated requests come back
    // through the second stage.
    entry |= size_encoded_ppn(t.ats_gpa ? t.gpa : t.spa, t.page_log2, &size) << 12;
    if (size) entry |= 1ull << 11;  // S
    entry |= (r ? 1ull : 0) | (w ? 2ull : 0) | (x ? 8ull : 0);
    // An MRIF page has no translated address: Untranslated access only (U).
    if (t.mrif) entry |= 1ull << 2;
    if (rq.privileged) entry |= 1ull << 4;  // Priv: permissions are for that level
  }
  std::memcpy(gp.get_data_ptr(), &entry, 8);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Iommu::upstream_transport_dbg(int, tlm::tlm_generic_payload& gp) {
  // Debug accesses translate without fault records or timing; a miss still
  // walks (and may fill the caches), as a debugger's access through the
  // IOMMU would.
  const AccessType access = gp.is_write() ? AccessType::kWrite : AccessType::kRead;
  const TranslationRequest rq = request_of(gp, access);
  sc_core::sc_time ignored = sc_core::SC_ZERO_TIME;
  const Translation t = translate(rq, ignored);
  if (!t.ok() || t.mrif) return 0;
  const uint64_t room = page_mask(t.page_log2) - (rq.iova & page_mask(t.page_log2)) + 1;
  const unsigned len = unsigned(std::min<uint64_t>(gp.get_data_length(), room));
  const unsigned orig_len = gp.get_data_length();
  gp.set_address(t.spa);
  gp.set_data_length(len);
  const unsigned n = downstream->transport_dbg(gp);
  gp.set_address(rq.iova);
  gp.set_data_length(orig_len);
  return n;
}

bool Iommu::upstream_get_dmi(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const TranslationRequest rq = request_of(gp, AccessType::kRead);
  sc_core::sc_time ignored = sc_core::SC_ZERO_TIME;
  const Translation t = translate(rq, ignored);
  if (!t.ok() || t.mrif || !t.readable || t.page_log2 >= 64) return false;

  const uint64_t mask = page_mask(t.page_log2);
  const uint64_t iova_page = rq.iova & ~mask;
  const uint64_t spa_page = t.spa & ~mask;
  tlm::tlm_generic_payload down;
  down.set_command(tlm::TLM_READ_COMMAND);
  down.set_address(t.spa);
  tlm::tlm_dmi d;
  if (!downstream->get_direct_mem_ptr(down, d)) return false;
  const uint64_t lo = std::max<uint64_t>(d.get_start_address(), spa_page);
  const uint64_t hi = std::min<uint64_t>(d.get_end_address(), spa_page + mask);
  if (lo > hi || t.spa < lo || t.spa > hi) return false;

  dmi.set_dmi_ptr(d.get_dmi_ptr() + (lo - d.get_start_address()));
  dmi.set_start_address(iova_page + (lo - spa_page));
  dmi.set_end_address(iova_page + (hi - spa_page));
  dmi.set_read_latency(d.get_read_latency() + iotlb_lookup_);
  dmi.set_write_latency(d.get_write_latency() + iotlb_lookup_);
  const bool write = t.writable && t.dirty && d.is_write_allowed();
  if (write && d.is_read_allowed()) {
    dmi.allow_read_write();
  } else if (d.is_read_allowed()) {
    dmi.allow_read();
  } else {
    return false;
  }
  dmi_granted_ = true;
  ++dmi_grants_;
  return true;
}

void Iommu::downstream_invalidate_dmi(sc_dt::uint64, sc_dt::uint64) {
  revoke_dmi();
}

void Iommu::revoke_dmi() {
  if (!dmi_granted_) return;
  dmi_granted_ = false;
  ++dmi_revocations_;
  for (unsigned i = 0; i < upstream.size(); ++i) {
    upstream[i]->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
  }
}

// ---------------------------------------------------------------------------
// Registers and the debug translation interface (spec 6.25)

void Iommu::regs_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  delay += reg_access_;
  regfile_.access(gp);
}

unsigned Iommu::regs_transport_dbg(tlm::tlm_generic_payload& gp) {
  if (gp.is_write()) return 0;  // debug writes would run hooks: refuse them
  uint64_t v = 0;
  const unsigned len = gp.get_data_length();
  if (len > 8 || !regfile_.read(gp.get_address(), len, &v)) return 0;
  std::memcpy(gp.get_data_ptr(), &v, len);
  return len;
}

void Iommu::on_ddtp_or_fctl_change() {
  features_.capabilities = regfile_.capabilities();
  features_.fctl = regfile_.fctl();
  ddt_.set_features(features_);
  pdt_.set_features(features_);
  walker_.set_features(features_);
  invalidate_all_caches();
}

void Iommu::debug_translation_request() {
  ++debug_translations_;
  const uint64_t ctl = regfile_.tr_req_ctl();
  TranslationRequest rq;
  rq.device_id = uint32_t(regs::tr_req_ctl::DID.get(ctl));
  rq.pv = regs::tr_req_ctl::PV.get(ctl);
  rq.pid = uint32_t(regs::tr_req_ctl::PID.get(ctl));
  rq.privileged = rq.pv && regs::tr_req_ctl::Priv.get(ctl);
  rq.access = regs::tr_req_ctl::Exe.get(ctl)  ? AccessType::kExecute
              : regs::tr_req_ctl::NW.get(ctl) ? AccessType::kRead
                                              : AccessType::kWrite;
  rq.iova = regs::tr_req_iova::vpn.put(regs::tr_req_iova::vpn.get(regfile_.tr_req_iova()));
  sc_core::sc_time ignored = sc_core::SC_ZERO_TIME;
  Translation t = translate(rq, ignored);
  if (t.mrif) {  // spec 6.25 (debug): an MRIF-mode page cannot be translated
    t.mrif.reset();
    fail(t, cause::kTransactionTypeDisallowed,
         strprintf("GPA 0x%" PRIx64 " is a virtual interrupt file page whose MSI PTE is in MRIF "
                   "mode: the translation-request interface reports it as disallowed",
                   t.gpa));
  }
  uint64_t response = 0;
  if (!t.ok()) {
    report_fault(rq, t, ignored);
    response = regs::tr_response::fault.put(1);
  } else {
    bool size = false;
    const uint64_t ppn = size_encoded_ppn(t.spa, t.page_log2, &size);
    response |= regs::tr_response::S.put(size) | regs::tr_response::PPN.put(ppn) |
                regs::tr_response::PBMT.put(t.pbmt);
  }
  regfile_.complete_translation_request(response);
}

// ---------------------------------------------------------------------------
// Invalidation

void Iommu::invalidate_device_context(std::optional<uint32_t> device_id) {
  memo_.valid = false;
  if (device_id) {
    dc_cache_.invalidate(*device_id);
    const uint32_t did = *device_id;
    pc_cache_.invalidate_if([did](const ProcessContextKey& k) { return k.device_id == did; });
  } else {
    dc_cache_.invalidate_all();
    pc_cache_.invalidate_all();
  }
  revoke_dmi();
}

void Iommu::invalidate_process_context(uint32_t device_id, std::optional<uint32_t> pid) {
  memo_.valid = false;
  if (pid) {
    pc_cache_.invalidate(ProcessContextKey{device_id, *pid});
  } else {
    pc_cache_.invalidate_if(
        [device_id](const ProcessContextKey& k) { return k.device_id == device_id; });
  }
  revoke_dmi();
}

void Iommu::invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                           std::optional<uint64_t> addr) {
  iotlb_.invalidate_vma(gscid, pscid, addr);
  walk_cache_.invalidate_vma(gscid, pscid, addr);
  revoke_dmi();
}

void Iommu::invalidate_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa) {
  iotlb_.invalidate_gvma(gscid, gpa);
  walk_cache_.invalidate_gvma(gscid, gpa);
  revoke_dmi();
}

void Iommu::invalidate_all_caches() {
  memo_.valid = false;
  iotlb_.invalidate_all();
  walk_cache_.invalidate_all();
  dc_cache_.invalidate_all();
  pc_cache_.invalidate_all();
  revoke_dmi();
}

// ---------------------------------------------------------------------------

void Iommu::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("requests", double(requests_));
  v.value("bytes", double(bytes_), "bytes");
  v.value("bare_requests", double(bare_requests_));
  v.value("translated_requests", double(translated_requests_));
  v.value("ats_translation_requests", double(ats_requests_));
  v.value("ats_invalidations", double(ats_invalidations_));
  v.value("page_requests", double(page_requests_));
  v.value("prg_responses_by_iommu", double(prg_responses_));
  v.value("device_messages_sent", double(device_messages_sent_));
  v.value("walks", double(walks_));
  v.value("msi_translations", double(msi_translations_));
  v.value("mrif_msis", double(mrif_msis_));
  v.value("mrif_discarded_writes", double(mrif_discarded_));
  v.value("mrif_aborted_accesses", double(mrif_aborted_));
  v.value("context_reuses", double(context_memo_hits_));
  v.value("faults", double(faults_));
  v.value("faults_suppressed_by_dtf", double(faults_suppressed_));
  v.value("page_splits", double(page_splits_));
  v.value("dmi_grants", double(dmi_grants_));
  v.value("dmi_revocations", double(dmi_revocations_));
  v.value("debug_translations", double(debug_translations_));
  v.value("memory_reads", double(memory_.reads()));
  v.value("memory_writes", double(memory_.writes()));
  v.value("memory_errors", double(memory_.errors()));
  v.value("walker_wait_ns", walkers_.wait_time().to_seconds() * 1e9, "ns");
  v.histogram("miss_latency", miss_latency_ns_, "ns");
  iotlb_.report_stats(v);
  walk_cache_.report_stats(v);
  dc_cache_.report_stats(v);
  pc_cache_.report_stats(v);
  ddt_.report_stats(v);
  pdt_.report_stats(v);
  walker_.report_stats(v);
  regfile_.report_stats(v);
  fq_.report_stats(v);
  pq_.report_stats(v);
  cq_.report_stats(v);
  hpm_.report_stats(v);
  irq_.report_stats(v);
  v.end_group();
}

}  // namespace vp::iommu
