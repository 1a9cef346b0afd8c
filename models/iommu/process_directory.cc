// PDT walk and process-context checks (Data Structures 2.2, 2.2.4, 2.3.2).
#include "models/iommu/process_directory.h"

#include <cinttypes>

namespace vp::iommu {

namespace {

const char* pdtp_mode_name(unsigned m) {
  switch (m) {
    case pdtp_mode::kBare:
      return "Bare";
    case pdtp_mode::kPd8:
      return "PD8";
    case pdtp_mode::kPd17:
      return "PD17";
    case pdtp_mode::kPd20:
      return "PD20";
    default:
      return "reserved";
  }
}

}  // namespace

unsigned ProcessDirectory::levels(unsigned pdtp_mode) {
  switch (pdtp_mode) {
    case pdtp_mode::kPd8:
      return 1;
    case pdtp_mode::kPd17:
      return 2;
    case pdtp_mode::kPd20:
      return 3;
    default:
      return 0;
  }
}

uint32_t ProcessDirectory::pdi(uint32_t process_id, unsigned level) {
  unsigned shift = 0;
  for (unsigned i = 0; i < level; ++i) shift += pdi::kWidth[i];
  return (process_id >> shift) & ((1u << pdi::kWidth[level]) - 1);
}

bool ProcessDirectory::process_id_fits(unsigned pdtp_mode, uint32_t process_id) {
  const unsigned n = levels(pdtp_mode);
  if (n == 0) return false;
  unsigned bits = 0;
  for (unsigned i = 0; i < n; ++i) bits += pdi::kWidth[i];
  return (uint64_t(process_id) >> bits) == 0;
}

ProcessContextLookup& ProcessDirectory::fail(ProcessContextLookup& r, uint32_t c, std::string why) {
  ++faults_;
  r.cause = c;
  r.why = std::move(why);
  return r;
}

ProcessContextLookup ProcessDirectory::locate(const DeviceContext& dc, uint32_t process_id,
                                              AccessType original, const GpaTranslator& g_stage,
                                              sc_core::sc_time& delay) {
  ProcessContextLookup r;
  ++walks_;
  const unsigned mode = dc.fsc_mode();
  const unsigned n = levels(mode);
  if (!dc.pdtv() || n == 0) {
    return fail(r, cause::kTransactionTypeDisallowed,
                strprintf("no process directory: DC.tc.PDTV=%d, pdtp.MODE=%s", dc.pdtv(),
                          pdtp_mode_name(mode)));
  }
  if (!process_id_fits(mode, process_id)) {
    return fail(r, cause::kTransactionTypeDisallowed,
                strprintf("process_id 0x%x is too wide for pdtp.MODE %s", process_id,
                          pdtp_mode_name(mode)));
  }
  const bool nested = dc.iohgatp_mode() != iohgatp_mode::kBare;
  if (nested && !g_stage) {
    return fail(r, cause::kInternalDatapathError,
                "model wiring error: PDT walk needs second-stage translation but no "
                "GpaTranslator was given");
  }
  const bool be = dc.sbe();  // PDT endianness follows DC.tc.SBE (2.5)
  auto to_cpu = [be](uint64_t v) { return be ? __builtin_bswap64(v) : v; };

  // Steps 1-3: address of the entry at level i, translated if nested.
  auto entry_spa = [&](uint64_t gpa, int level, uint64_t* spa) -> bool {
    if (!nested) {
      *spa = gpa;
      return true;
    }
    ++r.second_stage_translations;
    GpaTranslation t = g_stage(gpa, /*write=*/false, delay, &r.trace);
    if (t.ok()) {
      *spa = t.spa;
      return true;
    }
    if (t.status == GpaTranslation::Status::kGuestPageFault) {
      // Reported with the original access type; iotval2 bit 0: implicit
      // access for first-stage translation, bit 1 clear: a read (3.2).
      r.iotval2 = (gpa & fault_record::kIotval2GpaMask) | fault_record::kIotval2Implicit;
      fail(r, guest_page_fault_cause(original),
           strprintf("second stage faulted translating the GPA 0x%" PRIx64
                     " of the level-%d PDT entry: ",
                     gpa, level) +
               t.why);
    } else {
      fail(r, cause::kPdtLoadAccessFault,
           strprintf("second stage hit an access fault translating the GPA 0x%" PRIx64
                     " of the level-%d PDT entry: ",
                     gpa, level) +
               t.why);
    }
    return false;
  };

  uint64_t a = dc.fsc_ppn() << kPageShift;
  for (int i = int(n) - 1; i > 0; --i) {
    const uint64_t gpa = a + uint64_t(pdi(process_id, unsigned(i))) * 8;
    uint64_t spa = 0;
    if (!entry_spa(gpa, i, &spa)) return r;
    uint64_t raw = 0;
    ++entries_read_;
    if (!memory_.read64(spa, &raw, delay)) {
      return fail(
          r, cause::kPdtLoadAccessFault,
          strprintf("reading the level-%d PDT entry at 0x%" PRIx64 " failed (bus error)", i, spa));
    }
    const uint64_t pdte = to_cpu(raw);
    r.trace.push_back({WalkTable::kPdt, i, spa, pdte});
    if (!nonleaf::kV.test(pdte)) {
      return fail(r, cause::kPdtNotValid,
                  strprintf("level-%d PDT entry at 0x%" PRIx64 " for process_id 0x%x has V=0", i,
                            spa, process_id));
    }
    if (pdte & nonleaf::kReservedMask) {
      return fail(r, cause::kPdtMisconfigured,
                  strprintf("level-%d PDT entry at 0x%" PRIx64 " = 0x%" PRIx64
                            " has reserved bits set (0x%" PRIx64 ")",
                            i, spa, pdte, pdte & nonleaf::kReservedMask));
    }
    a = nonleaf::kPpn.get(pdte) << kPageShift;
  }

  // Step 10: the 16-byte PC (it never crosses a page, one translation).
  const uint64_t gpa = a + uint64_t(pdi(process_id, 0)) * pc::kSize;
  uint64_t spa = 0;
  if (!entry_spa(gpa, 0, &spa)) return r;
  r.pc_address = spa;
  uint64_t raw[2] = {};
  entries_read_ += 2;
  if (!memory_.read_block(spa, raw, 2, delay)) {
    return fail(r, cause::kPdtLoadAccessFault,
                strprintf("reading the process context at 0x%" PRIx64 " failed (bus error)", spa));
  }
  r.pc.ta = to_cpu(raw[0]);
  r.pc.fsc = to_cpu(raw[1]);
  r.trace.push_back({WalkTable::kPdt, 0, spa, r.pc.ta});
  r.trace.push_back({WalkTable::kPdt, 0, spa + 8, r.pc.fsc});
  // Step 11.
  if (!r.pc.valid()) {
    return fail(r, cause::kPdtNotValid,
                strprintf("process context at 0x%" PRIx64 " for process_id 0x%x has ta.V=0", spa,
                          process_id));
  }
  // Step 12.
  std::string bad = check_process_context(r.pc, dc, features_);
  if (!bad.empty()) {
    return fail(
        r, cause::kPdtMisconfigured,
        strprintf("process context at 0x%" PRIx64 " for process_id 0x%x: ", spa, process_id) + bad);
  }
  return r;
}

std::string ProcessDirectory::check_process_context(const ProcessContext& pc,
                                                    const DeviceContext& dc,
                                                    const IommuFeatures& f) {
  namespace C = regs::capabilities;
  if (pc.ta & pc::ta::kReservedMask) {
    return strprintf("ta = 0x%" PRIx64 " has reserved bits set (0x%" PRIx64 ")", pc.ta,
                     pc.ta & pc::ta::kReservedMask);
  }
  if (pc.fsc & pc::fsc::kReservedMask) {
    return strprintf("fsc = 0x%" PRIx64 " has reserved bits 59:44 set", pc.fsc);
  }
  if (dc.sxl()) return "DC.tc.SXL=1 (Sv32) is not supported by this RV64 model";
  const unsigned m = pc.fsc_mode();
  const bool ok = m == iosatp_mode::kBare || (m == iosatp_mode::kSv39 && f.has(C::Sv39)) ||
                  (m == iosatp_mode::kSv48 && f.has(C::Sv48)) ||
                  (m == iosatp_mode::kSv57 && f.has(C::Sv57));
  if (!ok) {
    return strprintf(
        "fsc.MODE=%u is reserved or not supported by this IOMMU "
        "(capabilities Sv39=%d Sv48=%d Sv57=%d)",
        m, f.has(C::Sv39), f.has(C::Sv48), f.has(C::Sv57));
  }
  return std::string();
}

void ProcessDirectory::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("pdt_walker");
  v.value("walks", double(walks_));
  v.value("entries_read", double(entries_read_), "doublewords");
  v.value("faults", double(faults_));
  v.end_group();
}

}  // namespace vp::iommu
