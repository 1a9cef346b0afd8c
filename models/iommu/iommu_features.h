// IommuFeatures: the capabilities and fctl values the walkers check a
// device or process context against (Registers 5.3 capabilities, 5.4 fctl;
// Data Structures 2.1.4 and 2.2.4 configuration checks).
//
// The register model owns the registers; it hands the walkers a copy of the
// two values. This model implements RV64 only: fctl.GXL is taken as 0 and
// read-only, so DC.tc.SXL must be 0 (Sv32/Sv32x4 are not modeled).
#pragma once

#include <cstdint>

#include "models/iommu/riscv_iommu_regs.h"

namespace vp::iommu {

struct IommuFeatures {
  uint64_t capabilities = 0;
  uint64_t fctl = 0;

  bool has(BitField cap) const { return cap.test(capabilities); }
  // Extended-format (64-byte) device contexts are used iff MSI_FLAT.
  bool extended_dc() const { return has(regs::capabilities::MSI_FLAT); }
  unsigned dc_size() const { return extended_dc() ? dc::kExtendedSize : dc::kBaseSize; }
  bool big_endian() const { return regs::fctl::BE.test(fctl); }
  unsigned pas() const { return unsigned(regs::capabilities::PAS.get(capabilities)); }

  // Every feature the translation core implements: Sv39/48/57,
  // Sv39x4/48x4/57x4, Svpbmt, AMO_HWAD, ATS, T2GPA, PD8/17/20, 56-bit PAS,
  // version 1.0; MSI_FLAT as requested.
  static IommuFeatures rv64_full(bool msi_flat = false) {
    namespace C = regs::capabilities;
    IommuFeatures f;
    f.capabilities = C::version.make(0x10) | C::Sv39.make(1) | C::Sv48.make(1) | C::Sv57.make(1) |
                     C::Svpbmt.make(1) | C::Sv39x4.make(1) | C::Sv48x4.make(1) | C::Sv57x4.make(1) |
                     C::MSI_FLAT.make(msi_flat) | C::AMO_HWAD.make(1) | C::ATS.make(1) |
                     C::T2GPA.make(1) | C::PAS.make(56) | C::PD8.make(1) | C::PD17.make(1) |
                     C::PD20.make(1);
    return f;
  }
};

}  // namespace vp::iommu
