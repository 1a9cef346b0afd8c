// First- and second-stage page-table walks (IOMMU Data Structures 2.3 steps
// 17-19; Privileged spec "Virtual Address Translation Process", "Two-Stage
// Address Translation"; Svnapot; Svpbmt).
#include "models/iommu/page_table_walker.h"

#include <algorithm>
#include <cinttypes>

namespace vp::iommu {

struct PageTableWalker::StageOutcome {
  enum class Status {
    kOk,
    kPageFault,       // this stage's page fault (a guest-page fault for the second stage)
    kGuestPageFault,  // first stage only: second stage faulted on an implicit access
    kAccessFault,     // bus error on a PTE read or A/D update
    kMisconfigured,   // mode not supported (the DC check should have caught it)
  };
  Status status = Status::kOk;
  uint64_t pa = 0;              // output address
  uint64_t pte = 0;             // leaf PTE (after A/D update)
  unsigned shift = 0;           // log2 page size of the leaf
  uint64_t iotval2 = 0;         // kGuestPageFault: GPA[63:2] | implicit bits
  unsigned levels_skipped = 0;  // PTE reads saved by the walk cache
  unsigned implicit_translations_skipped = 0;
  std::string why;
};

namespace {

bool first_stage_scheme(unsigned mode, unsigned* levels, unsigned* va_bits, const char** name) {
  switch (mode) {
    case iosatp_mode::kSv39:
      *levels = 3;
      *va_bits = 39;
      *name = "Sv39";
      return true;
    case iosatp_mode::kSv48:
      *levels = 4;
      *va_bits = 48;
      *name = "Sv48";
      return true;
    case iosatp_mode::kSv57:
      *levels = 5;
      *va_bits = 57;
      *name = "Sv57";
      return true;
    default:
      return false;
  }
}

bool second_stage_scheme(unsigned mode, unsigned* levels, unsigned* va_bits, const char** name) {
  switch (mode) {
    case iohgatp_mode::kSv39x4:
      *levels = 3;
      *va_bits = 41;
      *name = "Sv39x4";
      return true;
    case iohgatp_mode::kSv48x4:
      *levels = 4;
      *va_bits = 50;
      *name = "Sv48x4";
      return true;
    case iohgatp_mode::kSv57x4:
      *levels = 5;
      *va_bits = 59;
      *name = "Sv57x4";
      return true;
    default:
      return false;
  }
}

bool is_leaf(uint64_t pte) {
  return (pte & (pte::kR | pte::kX)) != 0;
}

// Output address of a leaf at `shift`: page frame from the PTE, offset from `in`.
uint64_t leaf_address(uint64_t pte, unsigned shift, uint64_t in) {
  const uint64_t size_mask = (1ull << shift) - 1;
  return ((pte::kPpn.get(pte) << kPageShift) & ~size_mask) | (in & size_mask);
}

const char* missing_perm(AccessType a) {
  return a == AccessType::kWrite     ? "W=0: the page is not writable"
         : a == AccessType::kExecute ? "X=0: the page is not executable"
                                     : "R=0: the page is not readable";
}

bool has_perm(uint64_t pte, AccessType a) {
  return a == AccessType::kWrite     ? (pte & pte::kW) != 0
         : a == AccessType::kExecute ? (pte & pte::kX) != 0
                                     : (pte & pte::kR) != 0;
}

}  // namespace

// ---------------------------------------------------------------------------

TranslationContext TranslationContext::from(const DeviceContext& dc, const ProcessContext* pc) {
  TranslationContext c;
  c.sade = dc.sade();
  c.sbe = dc.sbe();
  c.gade = dc.gade();
  c.iohgatp_mode = dc.iohgatp_mode();
  c.iohgatp_ppn = dc.iohgatp_ppn();
  c.gscid = dc.gscid();
  if (pc != nullptr) {
    c.iosatp_mode = pc->fsc_mode();
    c.iosatp_ppn = pc->fsc_ppn();
    c.pscid = pc->pscid();
    c.sum = pc->sum();
  } else if (!dc.pdtv()) {
    c.iosatp_mode = dc.fsc_mode();
    c.iosatp_ppn = dc.fsc_ppn();
    c.pscid = dc.pscid();
  }
  return c;
}

bool WalkResult::allows(AccessType access, bool privileged, bool sum) const {
  return ok() &&
         translation_allows(r, w, x, dirty, user, !first_stage_bare, access, privileged, sum);
}

// ---------------------------------------------------------------------------

bool PageTableWalker::read_pte(uint64_t pa, bool big_endian, uint64_t* pte,
                               sc_core::sc_time& delay) {
  ++pte_reads_;
  uint64_t raw = 0;
  if (!memory_.read64(pa, &raw, delay)) return false;
  *pte = big_endian ? __builtin_bswap64(raw) : raw;
  return true;
}

std::string PageTableWalker::check_pte_format(uint64_t p, int level) const {
  if (!(p & pte::kV)) return "V=0 (nothing mapped here)";
  if ((p & (pte::kR | pte::kW)) == pte::kW) {
    return "W=1 with R=0 is a reserved encoding";
  }
  uint64_t reserved = pte::kReservedMask;
  if (features_.has(regs::capabilities::Svrsw60t59b)) reserved &= ~pte::kRsw60t59bMask;
  if (p & reserved) {
    return strprintf("reserved bits set (0x%" PRIx64 "; bits 60:54 must be 0)", p & reserved);
  }
  const unsigned pbmt = unsigned(pte::kPbmt.get(p));
  if (!is_leaf(p)) {
    if (pbmt != 0) return "PBMT is set in a non-leaf PTE";
    if (p & pte::kN) return "N is set in a non-leaf PTE";
    return std::string();
  }
  if (pbmt != 0 && !features_.has(regs::capabilities::Svpbmt)) {
    return "PBMT is set but capabilities.Svpbmt is 0";
  }
  if (pbmt == pte::kPbmtReserved) return "PBMT=3 is a reserved encoding";
  if (p & pte::kN) {
    if (level != 0)
      return strprintf("N=1 (Svnapot) in a level-%d leaf; only level 0 allowed", level);
    if ((pte::kPpn.get(p) & 0xf) != pte::kNapot64kPpnBits) {
      return "N=1 with PPN[3:0] != 1000b; only the 64 KiB NAPOT size is defined";
    }
  }
  return std::string();
}

PageTableWalker::PteStep PageTableWalker::read_pte_step(WalkTable table, const char* input_name,
                                                        uint64_t input, int level,
                                                        uint64_t pte_addr, bool big_endian,
                                                        uint64_t* pte, sc_core::sc_time& delay,
                                                        WalkTrace* trace, unsigned* levels,
                                                        StageOutcome& o) {
  using Status = StageOutcome::Status;
  const char* stage = table == WalkTable::kFirstStage ? "first-stage" : "second-stage";
  if (levels) ++*levels;
  if (!read_pte(pte_addr, big_endian, pte, delay)) {
    o.status = Status::kAccessFault;
    o.why =
        strprintf("bus error reading the %s level-%d PTE at 0x%" PRIx64, stage, level, pte_addr);
    return PteStep::kFault;
  }
  const uint64_t p = *pte;
  if (trace) trace->push_back({table, level, pte_addr, p});
  const std::string bad = check_pte_format(p, level);
  if (!bad.empty()) {
    o.status = Status::kPageFault;
    o.why = strprintf("%s level-%d PTE at 0x%" PRIx64 " = 0x%" PRIx64 " for %s 0x%" PRIx64 ": ",
                      stage, level, pte_addr, p, input_name, input) +
            bad;
    return PteStep::kFault;
  }
  if (is_leaf(p)) return PteStep::kLeaf;
  if (level == 0) {
    o.status = Status::kPageFault;
    o.why =
        strprintf("%s level-0 PTE at 0x%" PRIx64 " is a pointer (R=X=0); level 0 must be a leaf",
                  stage, pte_addr);
    return PteStep::kFault;
  }
  return PteStep::kPointer;
}

PageTableWalker::StageOutcome PageTableWalker::second_stage(const TranslationContext& ctx,
                                                            uint64_t gpa, AccessType perm,
                                                            bool implicit, sc_core::sc_time& delay,
                                                            WalkTrace* trace, unsigned* levels) {
  using Status = StageOutcome::Status;
  StageOutcome o;
  unsigned n = 0, bits = 0;
  const char* name = "";
  if (!second_stage_scheme(ctx.iohgatp_mode, &n, &bits, &name)) {
    o.status = Status::kMisconfigured;
    o.why = strprintf("iohgatp.MODE=%u is not a supported second-stage scheme", ctx.iohgatp_mode);
    return o;
  }
  const char* what = implicit ? (perm == AccessType::kWrite ? "implicit write" : "implicit read")
                              : to_string(perm);
  if (gpa >> bits) {
    o.status = Status::kPageFault;
    o.why = strprintf("GPA 0x%" PRIx64 " is wider than %s allows: bits 63:%u must be 0", gpa, name,
                      bits);
    return o;
  }
  const bool be = features_.big_endian();  // second-stage PTEs follow fctl.BE (2.5)
  const bool cached = cache_ != nullptr && cache_->enabled();
  WalkCacheTable tag;
  if (cached) {
    tag.stage = WalkStage::kSecond;
    tag.gscv = true;
    tag.gscid = ctx.gscid;
    tag.mode = ctx.iohgatp_mode;
    tag.root_ppn = ctx.iohgatp_ppn;
  }

  for (unsigned attempt = 0;; ++attempt) {
    uint64_t a = ctx.iohgatp_ppn << kPageShift;
    int start = int(n) - 1;
    unsigned hit_level = 0;
    if (cached) {
      if (const WalkCacheEntry* e = cache_->lookup(tag, gpa, n - 1, &hit_level)) {
        a = e->next_table;
        start = int(hit_level) - 1;
        o.levels_skipped += n - hit_level;
        levels_skipped_ += n - hit_level;
      }
    }
    bool restart = false;
    for (int i = start; i >= 0 && !restart; --i) {
      const unsigned idx_bits = (i == int(n) - 1) ? pte::kVpnBits + 2 : pte::kVpnBits;
      const uint64_t idx =
          (gpa >> (kPageShift + pte::kVpnBits * unsigned(i))) & ((1ull << idx_bits) - 1);
      const uint64_t pte_addr = a + idx * pte::kSize;
      uint64_t p = 0;
      const PteStep step = read_pte_step(WalkTable::kSecondStage, "GPA", gpa, i, pte_addr, be, &p,
                                         delay, trace, levels, o);
      if (step == PteStep::kFault) return o;
      if (step == PteStep::kPointer) {
        a = pte::kPpn.get(p) << kPageShift;
        if (cached) cache_->insert(tag, gpa, unsigned(i), {a, a});
        continue;
      }
      // Leaf. Second-stage PTEs need U=1: the IOMMU treats every access as a
      // user access when checking them (2.3, note after step 20).
      auto leaf_fault = [&](const std::string& why) {
        o.status = Status::kPageFault;
        o.why = strprintf("second-stage level-%d leaf PTE at 0x%" PRIx64 " = 0x%" PRIx64
                          " for GPA 0x%" PRIx64 ": ",
                          i, pte_addr, p, gpa) +
                why;
      };
      if (!(p & pte::kU)) {
        leaf_fault("U=0; second-stage leaf PTEs must have U=1");
        return o;
      }
      if (!has_perm(p, perm)) {
        leaf_fault(strprintf("%s (%s)", missing_perm(perm), what));
        return o;
      }
      const uint64_t ppn = pte::kPpn.get(p);
      if (i > 0 && (ppn & ((1ull << (pte::kVpnBits * unsigned(i))) - 1)) != 0) {
        leaf_fault(strprintf("misaligned superpage: PPN 0x%" PRIx64
                             " must be a multiple of 0x%llx for a level-%d leaf",
                             ppn, 1ull << (pte::kVpnBits * unsigned(i)), i));
        return o;
      }
      const bool write = perm == AccessType::kWrite;
      if (!(p & pte::kA) || (write && !(p & pte::kD))) {
        if (!ctx.gade) {
          leaf_fault(!(p & pte::kA) ? "A=0 and hardware A/D update disabled (GADE=0)"
                                    : "D=0 on a write and hardware A/D update disabled (GADE=0)");
          return o;
        }
        const uint64_t desired = p | pte::kA | (write ? pte::kD : 0);
        uint64_t observed = 0;
        ++ad_updates_;
        const uint64_t exp_mem = be ? __builtin_bswap64(p) : p;
        const uint64_t des_mem = be ? __builtin_bswap64(desired) : desired;
        if (!memory_.cas64(pte_addr, exp_mem, des_mem, &observed, delay)) {
          o.status = Status::kAccessFault;
          o.why =
              strprintf("bus error updating A/D in the second-stage PTE at 0x%" PRIx64, pte_addr);
          return o;
        }
        if (observed != exp_mem) {
          if (attempt + 1 >= kMaxAdRetries) {
            o.status = Status::kPageFault;
            o.why = strprintf(
                "second-stage PTE at 0x%" PRIx64 " kept changing during the A/D update", pte_addr);
            return o;
          }
          restart = true;  // Priv. spec step 8: the PTE changed, walk again
          continue;
        }
        p = desired;
      }
      o.shift = (p & pte::kN) ? pte::kNapot64kShift : kPageShift + pte::kVpnBits * unsigned(i);
      o.pte = p;
      o.pa = leaf_address(p, o.shift, gpa);
      return o;
    }
    if (!restart) break;  // unreachable: the loop returns at a leaf or fault
  }
  o.status = Status::kPageFault;
  o.why = "second-stage walk ended without a leaf";
  return o;
}

PageTableWalker::StageOutcome PageTableWalker::first_stage(const TranslationContext& ctx,
                                                           uint64_t iova, AccessType access,
                                                           bool privileged, sc_core::sc_time& delay,
                                                           WalkResult& res) {
  using Status = StageOutcome::Status;
  StageOutcome o;
  unsigned n = 0, bits = 0;
  const char* name = "";
  if (!first_stage_scheme(ctx.iosatp_mode, &n, &bits, &name)) {
    o.status = Status::kMisconfigured;
    o.why = strprintf("iosatp.MODE=%u is not a supported first-stage scheme", ctx.iosatp_mode);
    return o;
  }
  // Canonical: bits 63:VA_BITS-1 all equal bit VA_BITS-1.
  const unsigned sh = 64 - bits;
  if (uint64_t(int64_t(iova << sh) >> sh) != iova) {
    o.status = Status::kPageFault;
    o.why = strprintf("IOVA 0x%" PRIx64 " not canonical for %s: bits 63:%u must equal bit %u", iova,
                      name, bits - 1, bits - 1);
    return o;
  }
  const bool nested = ctx.iohgatp_mode != iohgatp_mode::kBare;
  const bool be = ctx.sbe;  // first-stage PTEs follow DC.tc.SBE (2.5)

  // Second-stage translation of a first-stage PTE's GPA (implicit access).
  auto pte_spa = [&](uint64_t gpa, bool write, int level, uint64_t* spa) -> bool {
    if (!nested) {
      *spa = gpa;
      return true;
    }
    StageOutcome g = second_stage(ctx, gpa, write ? AccessType::kWrite : AccessType::kRead,
                                  /*implicit=*/true, delay, &res.trace, &res.second_stage_levels);
    o.levels_skipped += g.levels_skipped;
    if (g.status == Status::kOk) {
      *spa = g.pa;
      return true;
    }
    o.status = g.status == Status::kPageFault ? Status::kGuestPageFault : g.status;
    o.iotval2 = (gpa & fault_record::kIotval2GpaMask) | fault_record::kIotval2Implicit |
                (write ? fault_record::kIotval2ImplicitWrite : 0);
    o.why = strprintf(
                "second stage faulted on the %s of the first-stage level-%d PTE at GPA "
                "0x%" PRIx64 ": ",
                write ? "A/D update" : "read", level, gpa) +
            g.why;
    return false;
  };

  const bool cached = cache_ != nullptr && cache_->enabled();
  WalkCacheTable tag;
  if (cached) {
    tag.stage = WalkStage::kFirst;
    tag.gscv = nested;
    tag.gscid = ctx.gscid;
    tag.pscid = ctx.pscid;
    tag.mode = ctx.iosatp_mode;
    tag.root_ppn = ctx.iosatp_ppn;
  }

  for (unsigned attempt = 0;; ++attempt) {
    uint64_t a = ctx.iosatp_ppn << kPageShift;
    int start = int(n) - 1;
    // The SPA of table `a` when the cache supplied it (no implicit walk).
    bool a_spa_known = false;
    uint64_t a_spa = 0;
    unsigned hit_level = 0;
    if (cached) {
      if (const WalkCacheEntry* e = cache_->lookup(tag, iova, n - 1, &hit_level)) {
        a = e->next_table;
        a_spa = e->next_table_spa;
        a_spa_known = true;
        start = int(hit_level) - 1;
        o.levels_skipped += n - hit_level;
        levels_skipped_ += n - hit_level;
      }
    }
    // Level of the pointer PTE that led to `a`, cached once a's SPA is known.
    int pending_level = -1;
    bool restart = false;
    for (int i = start; i >= 0 && !restart; --i) {
      const uint64_t idx =
          (iova >> (kPageShift + pte::kVpnBits * unsigned(i))) & ((1ull << pte::kVpnBits) - 1);
      const uint64_t pte_gpa = a + idx * pte::kSize;
      uint64_t pte_addr = 0;
      if (a_spa_known) {
        pte_addr = a_spa + idx * pte::kSize;
        a_spa_known = false;
        if (nested) {
          ++o.implicit_translations_skipped;
          ++implicit_translations_skipped_;
        }
      } else {
        if (!pte_spa(pte_gpa, false, i, &pte_addr)) return o;
        // The table page is 4 KiB-aligned, so its SPA is the PTE's minus the offset.
        if (pending_level >= 0) {
          cache_->insert(tag, iova, unsigned(pending_level), {a, pte_addr - idx * pte::kSize});
        }
      }
      pending_level = -1;
      uint64_t p = 0;
      const PteStep step = read_pte_step(WalkTable::kFirstStage, "IOVA", iova, i, pte_addr, be, &p,
                                         delay, &res.trace, &res.first_stage_levels, o);
      if (step == PteStep::kFault) return o;
      if (step == PteStep::kPointer) {
        a = pte::kPpn.get(p) << kPageShift;
        if (cached) pending_level = i;
        continue;
      }
      auto leaf_fault = [&](const std::string& why) {
        o.status = Status::kPageFault;
        o.why = strprintf("first-stage level-%d leaf PTE at 0x%" PRIx64 " = 0x%" PRIx64
                          " for IOVA 0x%" PRIx64 ": ",
                          i, pte_addr, p, iova) +
                why;
      };
      // Privileged spec step 6: permissions, then U against the privilege.
      if (!has_perm(p, access)) {
        leaf_fault(missing_perm(access));
        return o;
      }
      const bool u = (p & pte::kU) != 0;
      if (privileged) {
        if (u && access == AccessType::kExecute) {
          leaf_fault(
              "U=1 page fetched for execute with supervisor privilege "
              "(never allowed, whatever SUM)");
          return o;
        }
        if (u && !ctx.sum) {
          leaf_fault("U=1 page accessed with supervisor privilege and PC.ta.SUM=0");
          return o;
        }
      } else if (!u) {
        leaf_fault(
            "U=0 page accessed without supervisor privilege (requests without a "
            "PASID or without Privilege Mode Requested are user accesses)");
        return o;
      }
      // Step 7: superpage alignment.
      const uint64_t ppn = pte::kPpn.get(p);
      if (i > 0 && (ppn & ((1ull << (pte::kVpnBits * unsigned(i))) - 1)) != 0) {
        leaf_fault(strprintf("misaligned superpage: PPN 0x%" PRIx64
                             " must be a multiple of 0x%llx for a level-%d leaf",
                             ppn, 1ull << (pte::kVpnBits * unsigned(i)), i));
        return o;
      }
      // Step 8: A/D.
      const bool write = access == AccessType::kWrite;
      if (!(p & pte::kA) || (write && !(p & pte::kD))) {
        if (!ctx.sade) {
          leaf_fault(!(p & pte::kA) ? "PTE.A clear and A/D update disabled (SADE=0)"
                                    : "PTE.D clear on a write and A/D update disabled (SADE=0)");
          return o;
        }
        // The update is an implicit write: the second stage must allow it.
        uint64_t update_addr = 0;
        if (!pte_spa(pte_gpa, true, i, &update_addr)) return o;
        const uint64_t desired = p | pte::kA | (write ? pte::kD : 0);
        const uint64_t exp_mem = be ? __builtin_bswap64(p) : p;
        const uint64_t des_mem = be ? __builtin_bswap64(desired) : desired;
        uint64_t observed = 0;
        ++ad_updates_;
        if (!memory_.cas64(update_addr, exp_mem, des_mem, &observed, delay)) {
          o.status = Status::kAccessFault;
          o.why =
              strprintf("bus error updating A/D in the first-stage PTE at 0x%" PRIx64, update_addr);
          return o;
        }
        if (observed != exp_mem) {
          if (attempt + 1 >= kMaxAdRetries) {
            o.status = Status::kPageFault;
            o.why =
                strprintf("first-stage PTE at 0x%" PRIx64 " kept changing during the A/D update",
                          update_addr);
            return o;
          }
          restart = true;
          continue;
        }
        p = desired;
      }
      o.shift = (p & pte::kN) ? pte::kNapot64kShift : kPageShift + pte::kVpnBits * unsigned(i);
      o.pte = p;
      o.pa = leaf_address(p, o.shift, iova);
      return o;
    }
    if (!restart) break;
  }
  o.status = Status::kPageFault;
  o.why = "first-stage walk ended without a leaf";
  return o;
}

// ---------------------------------------------------------------------------

WalkResult& PageTableWalker::fail(WalkResult& r, uint32_t c, std::string why) {
  ++faults_;
  r.cause = c;
  r.why = std::move(why);
  return r;
}

WalkResult PageTableWalker::translate(const TranslationContext& ctx, uint64_t iova,
                                      AccessType access, bool privileged, sc_core::sc_time& delay) {
  using Status = StageOutcome::Status;
  WalkResult r;
  ++walks_;
  r.trace.reserve(8);
  r.gscid = ctx.gscid;
  r.pscid = ctx.pscid;
  r.first_stage_bare = ctx.iosatp_mode == iosatp_mode::kBare;
  r.second_stage_bare = ctx.iohgatp_mode == iohgatp_mode::kBare;
  r.r = r.w = r.x = true;
  r.dirty = true;
  unsigned shift = 64;

  uint64_t gpa = iova;
  if (!r.first_stage_bare) {
    StageOutcome o = first_stage(ctx, iova, access, privileged, delay, r);
    r.levels_skipped += o.levels_skipped;
    r.implicit_translations_skipped += o.implicit_translations_skipped;
    switch (o.status) {
      case Status::kOk:
        break;
      case Status::kPageFault:
        return fail(r, page_fault_cause(access), std::move(o.why));
      case Status::kGuestPageFault:
        r.iotval2 = o.iotval2;
        return fail(r, guest_page_fault_cause(access), std::move(o.why));
      case Status::kAccessFault:
        return fail(r, access_fault_cause(access), std::move(o.why));
      case Status::kMisconfigured:
        return fail(r, cause::kDdtMisconfigured, std::move(o.why));
    }
    gpa = o.pa;
    r.first_stage_pte = o.pte;
    r.first_stage_shift = o.shift;
    shift = o.shift;
    r.r = (o.pte & pte::kR) != 0;
    r.w = (o.pte & pte::kW) != 0;
    r.x = (o.pte & pte::kX) != 0;
    r.user = (o.pte & pte::kU) != 0;
    r.global = (o.pte & pte::kG) != 0;
    r.dirty = (o.pte & pte::kD) != 0;
  }
  r.gpa = gpa;

  uint64_t spa = gpa;
  if (!r.second_stage_bare) {
    StageOutcome o =
        second_stage(ctx, gpa, access, /*implicit=*/false, delay, &r.trace, &r.second_stage_levels);
    r.levels_skipped += o.levels_skipped;
    switch (o.status) {
      case Status::kOk:
        break;
      case Status::kPageFault:
      case Status::kGuestPageFault:
        r.iotval2 = gpa & fault_record::kIotval2GpaMask;
        return fail(r, guest_page_fault_cause(access), std::move(o.why));
      case Status::kAccessFault:
        return fail(r, access_fault_cause(access), std::move(o.why));
      case Status::kMisconfigured:
        return fail(r, cause::kDdtMisconfigured, std::move(o.why));
    }
    spa = o.pa;
    r.second_stage_pte = o.pte;
    r.second_stage_shift = o.shift;
    shift = std::min(shift, o.shift);
    r.r = r.r && (o.pte & pte::kR);
    r.w = r.w && (o.pte & pte::kW);
    r.x = r.x && (o.pte & pte::kX);
    r.dirty = r.dirty && (o.pte & pte::kD);
  }
  r.spa = spa;
  // With both stages Bare there is no page; report the base page size.
  r.page_shift = shift == 64 ? kPageShift : shift;
  return r;
}

WalkResult PageTableWalker::translate_gpa(const TranslationContext& ctx, uint64_t gpa,
                                          AccessType access, sc_core::sc_time& delay) {
  TranslationContext g = ctx;
  g.iosatp_mode = iosatp_mode::kBare;
  return translate(g, gpa, access, /*privileged=*/false, delay);
}

GpaTranslation PageTableWalker::translate_implicit(const TranslationContext& ctx, uint64_t gpa,
                                                   bool write, sc_core::sc_time& delay,
                                                   WalkTrace* trace) {
  using Status = StageOutcome::Status;
  GpaTranslation t;
  if (ctx.iohgatp_mode == iohgatp_mode::kBare) {
    t.spa = gpa;
    return t;
  }
  unsigned levels = 0;
  StageOutcome o = second_stage(ctx, gpa, write ? AccessType::kWrite : AccessType::kRead,
                                /*implicit=*/true, delay, trace, &levels);
  switch (o.status) {
    case Status::kOk:
      t.spa = o.pa;
      break;
    case Status::kAccessFault:
      t.status = GpaTranslation::Status::kAccessFault;
      break;
    default:
      t.status = GpaTranslation::Status::kGuestPageFault;
      break;
  }
  if (!t.ok()) ++faults_;
  t.why = std::move(o.why);
  return t;
}

GpaTranslator PageTableWalker::gpa_translator(const TranslationContext& ctx) {
  return [this, ctx](uint64_t gpa, bool write, sc_core::sc_time& delay, WalkTrace* trace) {
    return translate_implicit(ctx, gpa, write, delay, trace);
  };
}

void PageTableWalker::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("page_table_walker");
  v.value("walks", double(walks_));
  v.value("pte_reads", double(pte_reads_));
  v.value("ad_updates", double(ad_updates_));
  v.value("faults", double(faults_));
  v.value("walk_cache_levels_skipped", double(levels_skipped_));
  v.value("walk_cache_implicit_translations_skipped", double(implicit_translations_skipped_));
  v.end_group();
}

}  // namespace vp::iommu
