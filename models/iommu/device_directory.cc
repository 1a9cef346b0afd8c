// DDT walk and device-context checks (Data Structures 2.1, 2.1.4, 2.3, 2.3.1).
#include "models/iommu/device_directory.h"

#include <cinttypes>

namespace vp::iommu {

namespace {

// Largest guest physical address width of the supported second-stage modes
// (2.1.3.6, MGPAW), which bounds the MSI address mask and pattern.
unsigned mgpaw(const IommuFeatures& f) {
  if (f.has(regs::capabilities::Sv57x4)) return 59;
  if (f.has(regs::capabilities::Sv48x4)) return 50;
  if (f.has(regs::capabilities::Sv39x4)) return 41;
  if (f.has(regs::capabilities::Sv32x4)) return 34;
  return f.pas();
}

}  // namespace

const char* DeviceDirectory::ddtp_mode_name(unsigned mode) {
  switch (mode) {
    case regs::ddtp::kOff:
      return "Off";
    case regs::ddtp::kBare:
      return "Bare";
    case regs::ddtp::k1Lvl:
      return "1LVL";
    case regs::ddtp::k2Lvl:
      return "2LVL";
    case regs::ddtp::k3Lvl:
      return "3LVL";
    default:
      return "reserved";
  }
}

unsigned DeviceDirectory::levels(unsigned ddtp_mode) {
  switch (ddtp_mode) {
    case regs::ddtp::k1Lvl:
      return 1;
    case regs::ddtp::k2Lvl:
      return 2;
    case regs::ddtp::k3Lvl:
      return 3;
    default:
      return 0;
  }
}

uint32_t DeviceDirectory::ddi(uint32_t device_id, unsigned level, bool extended_dc) {
  const unsigned* w = extended_dc ? ddi::kExtendedWidth : ddi::kBaseWidth;
  unsigned shift = 0;
  for (unsigned i = 0; i < level; ++i) shift += w[i];
  return (device_id >> shift) & ((1u << w[level]) - 1);
}

bool DeviceDirectory::device_id_fits(unsigned ddtp_mode, bool extended_dc, uint32_t device_id) {
  const unsigned* w = extended_dc ? ddi::kExtendedWidth : ddi::kBaseWidth;
  unsigned n = levels(ddtp_mode);
  if (n == 0) return false;
  unsigned bits = 0;
  for (unsigned i = 0; i < n; ++i) bits += w[i];
  if (bits > ddi::kDeviceIdBits) bits = ddi::kDeviceIdBits;
  return (uint64_t(device_id) >> bits) == 0;
}

DeviceContextLookup& DeviceDirectory::fail(DeviceContextLookup& r, uint32_t c, std::string why) {
  ++faults_;
  r.cause = c;
  r.why = std::move(why);
  return r;
}

DeviceContextLookup DeviceDirectory::locate(unsigned ddtp_mode, uint64_t root_ppn,
                                            uint32_t device_id, sc_core::sc_time& delay) {
  DeviceContextLookup r;
  ++walks_;
  const bool ext = features_.extended_dc();
  if (ddtp_mode == regs::ddtp::kOff) {
    return fail(r, cause::kAllInboundDisallowed,
                "ddtp.iommu_mode is Off: the IOMMU blocks all inbound transactions");
  }
  const unsigned n = levels(ddtp_mode);
  if (n == 0) {
    return fail(r,
                ddtp_mode == regs::ddtp::kBare ? cause::kTransactionTypeDisallowed
                                               : cause::kAllInboundDisallowed,
                strprintf("ddtp.iommu_mode is %s: there is no device directory to walk",
                          ddtp_mode_name(ddtp_mode)));
  }
  // 2.3 step 5: device_id wider than the DDT depth supports.
  if (!device_id_fits(ddtp_mode, ext, device_id)) {
    return fail(r, cause::kTransactionTypeDisallowed,
                strprintf("device_id 0x%x is too wide for a %s DDT with %s device contexts "
                          "(DDI[1]=0x%x, DDI[2]=0x%x); use more DDT levels",
                          device_id, ddtp_mode_name(ddtp_mode), ext ? "64-byte" : "32-byte",
                          ddi(device_id, 1, ext), ddi(device_id, 2, ext)));
  }

  // 2.3.1 steps 1-7: non-leaf levels.
  uint64_t a = root_ppn << kPageShift;
  for (int i = int(n) - 1; i > 0; --i) {
    const uint64_t entry_addr = a + uint64_t(ddi(device_id, unsigned(i), ext)) * 8;
    uint64_t raw = 0;
    ++entries_read_;
    if (!memory_.read64(entry_addr, &raw, delay)) {
      return fail(r, cause::kDdtLoadAccessFault,
                  strprintf("reading the level-%d DDT entry at 0x%" PRIx64
                            " failed (bus error); check ddtp.PPN / the parent entry's PPN",
                            i, entry_addr));
    }
    const uint64_t ddte = to_cpu(raw);
    r.trace.push_back({WalkTable::kDdt, i, entry_addr, ddte});
    if (!nonleaf::kV.test(ddte)) {
      return fail(r, cause::kDdtNotValid,
                  strprintf("level-%d DDT entry at 0x%" PRIx64 " for device_id 0x%x has V=0", i,
                            entry_addr, device_id));
    }
    if (ddte & nonleaf::kReservedMask) {
      return fail(r, cause::kDdtMisconfigured,
                  strprintf("level-%d DDT entry at 0x%" PRIx64 " = 0x%" PRIx64
                            " has reserved bits set (0x%" PRIx64 ")",
                            i, entry_addr, ddte, ddte & nonleaf::kReservedMask));
    }
    a = nonleaf::kPpn.get(ddte) << kPageShift;
  }

  // Step 8: the DC.
  const unsigned size = features_.dc_size();
  const uint64_t dc_addr = a + uint64_t(ddi(device_id, 0, ext)) * size;
  r.dc_address = dc_addr;
  uint64_t raw[8] = {};
  const unsigned count = size / 8;
  entries_read_ += count;
  if (!memory_.read_block(dc_addr, raw, count, delay)) {
    return fail(
        r, cause::kDdtLoadAccessFault,
        strprintf("reading the device context at 0x%" PRIx64 " failed (bus error)", dc_addr));
  }
  uint64_t dw[8] = {};
  for (unsigned k = 0; k < count; ++k) {
    dw[k] = to_cpu(raw[k]);
    r.trace.push_back({WalkTable::kDdt, 0, dc_addr + 8ull * k, dw[k]});
  }
  DeviceContext& dc = r.dc;
  dc.tc = dw[0];
  dc.iohgatp = dw[1];
  dc.ta = dw[2];
  dc.fsc = dw[3];
  if (ext) {
    dc.msiptp = dw[4];
    dc.msi_addr_mask = dw[5];
    dc.msi_addr_pattern = dw[6];
    dc.reserved = dw[7];
  }
  // Step 9.
  if (!dc.valid()) {
    return fail(r, cause::kDdtNotValid,
                strprintf("device context at 0x%" PRIx64 " for device_id 0x%x has tc.V=0", dc_addr,
                          device_id));
  }
  // Step 10.
  std::string bad = check_device_context(dc, features_);
  if (!bad.empty()) {
    return fail(
        r, cause::kDdtMisconfigured,
        strprintf("device context at 0x%" PRIx64 " for device_id 0x%x: ", dc_addr, device_id) +
            bad);
  }
  return r;
}

std::string DeviceDirectory::check_device_context(const DeviceContext& dc, const IommuFeatures& f) {
  namespace C = regs::capabilities;
  // Rule 1: reserved bits and encodings (checked per field, with the
  // encodings themselves in the rules below).
  if (dc.tc & dc::tc::kReservedMask) {
    return strprintf("tc = 0x%" PRIx64 " has reserved bits set (0x%" PRIx64 ")", dc.tc,
                     dc.tc & dc::tc::kReservedMask);
  }
  uint64_t ta_reserved = dc::ta::kReservedMask;
  if (!f.has(C::QOSID)) ta_reserved |= dc::ta::kRcid.mask() | dc::ta::kMcid.mask();
  if (dc.ta & ta_reserved) {
    return strprintf("ta = 0x%" PRIx64 " has reserved bits set (0x%" PRIx64 ")%s", dc.ta,
                     dc.ta & ta_reserved,
                     f.has(C::QOSID) ? "" : "; RCID/MCID are reserved without capabilities.QOSID");
  }
  if (dc.fsc & dc::fsc::kReservedMask) {
    return strprintf("fsc = 0x%" PRIx64 " has reserved bits 59:44 set", dc.fsc);
  }
  // Rules 2-7: ATS, PRI, T2GPA.
  if (!f.has(C::ATS) && (dc.en_ats() || dc.en_pri() || dc.prpr())) {
    return "tc.EN_ATS, EN_PRI or PRPR is set but capabilities.ATS is 0";
  }
  if (!dc.en_ats() && dc.t2gpa()) return "tc.T2GPA is set without tc.EN_ATS";
  if (!dc.en_ats() && dc.en_pri()) return "tc.EN_PRI is set without tc.EN_ATS";
  if (!dc.en_pri() && dc.prpr()) return "tc.PRPR is set without tc.EN_PRI";
  if (!f.has(C::T2GPA) && dc.t2gpa()) return "tc.T2GPA is set but capabilities.T2GPA is 0";
  if (dc.t2gpa() && dc.iohgatp_mode() == iohgatp_mode::kBare) {
    return "tc.T2GPA is set but iohgatp.MODE is Bare (T2GPA needs a second stage)";
  }
  // Rules 8-12: first-stage context.
  if (dc.pdtv()) {
    const unsigned m = dc.fsc_mode();
    const bool ok = m == pdtp_mode::kBare || (m == pdtp_mode::kPd8 && f.has(C::PD8)) ||
                    (m == pdtp_mode::kPd17 && f.has(C::PD17)) ||
                    (m == pdtp_mode::kPd20 && f.has(C::PD20));
    if (!ok) {
      return strprintf("tc.PDTV=1 and pdtp.MODE=%u is reserved or not supported by this IOMMU", m);
    }
  } else {
    const unsigned m = dc.fsc_mode();
    const bool ok = m == iosatp_mode::kBare || (m == iosatp_mode::kSv39 && f.has(C::Sv39)) ||
                    (m == iosatp_mode::kSv48 && f.has(C::Sv48)) ||
                    (m == iosatp_mode::kSv57 && f.has(C::Sv57));
    if (!ok) {
      return strprintf(
          "iosatp.MODE=%u is reserved or not supported by this IOMMU "
          "(capabilities Sv39=%d Sv48=%d Sv57=%d)",
          m, f.has(C::Sv39), f.has(C::Sv48), f.has(C::Sv57));
    }
    if (dc.dpe()) return "tc.DPE is set but tc.PDTV is 0 (DPE is reserved without a PDT)";
  }
  // Rules 13-15: second stage.
  if (regs::fctl::GXL.test(f.fctl)) return "fctl.GXL=1 (RV32 second stage) is not modeled";
  {
    const unsigned m = dc.iohgatp_mode();
    const bool ok = m == iohgatp_mode::kBare || (m == iohgatp_mode::kSv39x4 && f.has(C::Sv39x4)) ||
                    (m == iohgatp_mode::kSv48x4 && f.has(C::Sv48x4)) ||
                    (m == iohgatp_mode::kSv57x4 && f.has(C::Sv57x4));
    if (!ok) {
      return strprintf(
          "iohgatp.MODE=%u is reserved or not supported by this IOMMU "
          "(capabilities Sv39x4=%d Sv48x4=%d Sv57x4=%d)",
          m, f.has(C::Sv39x4), f.has(C::Sv48x4), f.has(C::Sv57x4));
    }
  }
  // Rule 16 and the MSI fields' reserved bits (extended format only).
  if (f.extended_dc()) {
    const unsigned mm = dc.msiptp_mode();
    if (mm != dc::msiptp::kModeOff && mm != dc::msiptp::kModeFlat) {
      return strprintf("msiptp.MODE=%u is reserved (only Off=0 and Flat=1)", mm);
    }
    if (dc.msiptp & dc::msiptp::kReservedMask) return "msiptp has reserved bits 59:44 set";
    uint64_t msi_reserved = dc::msi_addr::kReservedMask;
    const unsigned w = mgpaw(f);
    if (w < 64 && w > 12) msi_reserved |= bit_range(51, w - 12);
    if (dc.msi_addr_mask & msi_reserved) {
      return strprintf("msi_addr_mask has reserved bits set (0x%" PRIx64 ")",
                       dc.msi_addr_mask & msi_reserved);
    }
    if (dc.msi_addr_pattern & msi_reserved) {
      return strprintf("msi_addr_pattern has reserved bits set (0x%" PRIx64 ")",
                       dc.msi_addr_pattern & msi_reserved);
    }
    if (dc.reserved != 0) return "the reserved 8th doubleword of the extended DC is not zero";
    // Recommended check (2.1.4, after the list).
    if (dc.iohgatp_mode() == iohgatp_mode::kBare && mm != dc::msiptp::kModeOff) {
      return "msiptp.MODE is not Off while iohgatp.MODE is Bare";
    }
  }
  // Rule 17.
  if (dc.iohgatp_mode() != iohgatp_mode::kBare && (dc.iohgatp_ppn() & 3) != 0) {
    return strprintf("iohgatp.PPN=0x%" PRIx64
                     " is not 16-KiB aligned (the second-stage root table is 16 KiB)",
                     dc.iohgatp_ppn());
  }
  // Rule 18.
  if (!f.has(C::AMO_HWAD) && (dc.sade() || dc.gade())) {
    return "tc.SADE or tc.GADE is set but capabilities.AMO_HWAD is 0";
  }
  // Rules 19, 21: SBE must match fctl.BE unless both endiannesses are supported.
  if (!f.has(C::END) && dc.sbe() != f.big_endian()) {
    return strprintf("tc.SBE=%d differs from fctl.BE=%d and capabilities.END is 0", dc.sbe(),
                     f.big_endian());
  }
  // Rule 20: fctl.GXL is 0 and read-only in this RV64 model, so SXL must be 0.
  if (dc.sxl()) return "tc.SXL=1 (RV32 first stage) is not supported: fctl.GXL is 0 and read-only";
  return std::string();
}

void DeviceDirectory::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("ddt_walker");
  v.value("walks", double(walks_));
  v.value("entries_read", double(entries_read_), "doublewords");
  v.value("faults", double(faults_));
  v.end_group();
}

}  // namespace vp::iommu
