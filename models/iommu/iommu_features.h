// IommuFeatures: the capabilities and fctl values the walkers check a
// device or process context against (Registers 5.3 capabilities, 5.4 fctl;
// Data Structures 2.1.4 and 2.2.4 configuration checks).
//
// The register model owns the registers; it hands the walkers a copy of the
// two values. This model implements RV64 only: fctl.GXL is taken as 0 and
// read-only, so DC.tc.SXL must be 0 (Sv32/Sv32x4 are not modeled).
#pragma once

#include <cstdint>

#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu {

struct IommuFeatures {
  uint64_t capabilities = 0;
  uint64_t fctl = 0;

  bool has(BitField cap) const { return cap.test(capabilities); }
  // Extended-format (64-byte) device contexts are used iff MSI_FLAT.
  bool extended_dc() const { return has(capabilities::kMsiFlat); }
  unsigned dc_size() const { return extended_dc() ? dc::kExtendedSize : dc::kBaseSize; }
  bool big_endian() const { return fctl::kBe.test(fctl); }
  unsigned pas() const { return unsigned(capabilities::kPas.get(capabilities)); }

  // Every feature the translation core implements: Sv39/48/57,
  // Sv39x4/48x4/57x4, Svpbmt, AMO_HWAD, ATS, T2GPA, PD8/17/20, 56-bit PAS,
  // version 1.0; MSI_FLAT as requested.
  static IommuFeatures rv64_full(bool msi_flat = false) {
    using namespace capabilities;
    IommuFeatures f;
    f.capabilities = kVersion.make(0x10) | kSv39.make(1) | kSv48.make(1) | kSv57.make(1) |
                     kSvpbmt.make(1) | kSv39x4.make(1) | kSv48x4.make(1) | kSv57x4.make(1) |
                     kMsiFlat.make(msi_flat) | kAmoHwad.make(1) | kAts.make(1) | kT2gpa.make(1) |
                     kPas.make(56) | kPd8.make(1) | kPd17.make(1) | kPd20.make(1);
    return f;
  }
};

}  // namespace vp::iommu
