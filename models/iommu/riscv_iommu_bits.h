// RISC-V IOMMU v1.0 in-memory formats and register fields the translation
// core needs, named as in the specification.
//
// Models: bit layouts of the device context (Data Structures 2.1), non-leaf
// DDT/PDT entries (2.1.1, 2.2.1), process context (2.2.2-2.2.3), first- and
// second-stage PTEs (Privileged spec, Sv39/48/57 and Sv39x4/48x4/57x4, with
// Svnapot/Svpbmt), ddtp/iosatp/iohgatp/pdtp mode encodings, the capabilities
// and fctl fields the walkers check (Registers 5.3-5.5), fault causes, TTYP,
// the fault record (In-memory queues 3.2), the page-request record (3.3),
// command layouts (3.1), and the AIA's MSI page-table entries and MRIF
// layout.
// Not modeled: RV32 formats (Sv32, Sv32x4, SXL=1).
//
// The guest's IOMMU driver has its own copy of these layouts on purpose (see
// DESIGN.md): a shared header would let one wrong offset pass in both.
#pragma once

#include <cstdint>

namespace vp::iommu {

// A contiguous bit field [lsb, lsb + width) of a 64-bit doubleword.
struct BitField {
  unsigned lsb;
  unsigned width;

  constexpr uint64_t mask() const { return (width >= 64 ? ~0ull : ((1ull << width) - 1)) << lsb; }
  constexpr uint64_t get(uint64_t dword) const { return (dword & mask()) >> lsb; }
  constexpr bool test(uint64_t dword) const { return (dword & mask()) != 0; }
  // Returns `dword` with this field replaced by `value` (truncated to width).
  constexpr uint64_t set(uint64_t dword, uint64_t value) const {
    return (dword & ~mask()) | ((value << lsb) & mask());
  }
  // Just this field holding `value`, all other bits zero.
  constexpr uint64_t make(uint64_t value) const { return (value << lsb) & mask(); }
  // Register-style spellings used by riscv_iommu_regs.h.
  constexpr uint64_t put(uint64_t value) const { return make(value); }
  constexpr uint64_t with(uint64_t dword, uint64_t value) const { return set(dword, value); }
};

// Mask of bits [lo, hi] inclusive.
constexpr uint64_t bit_range(unsigned hi, unsigned lo) {
  return ((hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1))) & ~((1ull << lo) - 1);
}

constexpr unsigned kPageShift = 12;
constexpr uint64_t kPageSize = 1ull << kPageShift;
// PPN fields of DDT/PDT entries, DC/PC pointers and PTEs are 44 bits (56-bit PA).
constexpr unsigned kPpnBits = 44;

// capabilities, fctl and ddtp fields: see riscv_iommu_regs.h (regs::).

// device_id partitioning into directory indexes (Data Structures 2, figures
// "Base/Extended format device_id partitioning"): DDI[0], DDI[1], DDI[2] widths.
namespace ddi {
constexpr unsigned kBaseWidth[3] = {7, 9, 8};      // 32-byte DC
constexpr unsigned kExtendedWidth[3] = {6, 9, 9};  // 64-byte DC (MSI_FLAT)
constexpr unsigned kDeviceIdBits = 24;
}  // namespace ddi

// Non-leaf DDT entry (2.1.1) and non-leaf PDT entry (2.2.1): same layout.
namespace nonleaf {
constexpr BitField kV{0, 1};
constexpr BitField kPpn{10, 44};
constexpr uint64_t kReservedMask = bit_range(9, 1) | bit_range(63, 54);
constexpr unsigned kEntrySize = 8;
}  // namespace nonleaf

// ---------------------------------------------------------------------------
// Device context (2.1.2-2.1.3). Doubleword offsets within the DC.
namespace dc {
constexpr unsigned kBaseSize = 32;      // Base format
constexpr unsigned kExtendedSize = 64;  // Extended format (capabilities.MSI_FLAT)
constexpr unsigned kTcOffset = 0;
constexpr unsigned kIohgatpOffset = 8;
constexpr unsigned kTaOffset = 16;
constexpr unsigned kFscOffset = 24;
constexpr unsigned kMsiptpOffset = 32;
constexpr unsigned kMsiAddrMaskOffset = 40;
constexpr unsigned kMsiAddrPatternOffset = 48;
constexpr unsigned kReservedOffset = 56;  // 8th doubleword, reserved

// DC.tc translation control (2.1.3.1).
namespace tc {
constexpr BitField kV{0, 1};
constexpr BitField kEnAts{1, 1};
constexpr BitField kEnPri{2, 1};
constexpr BitField kT2gpa{3, 1};
constexpr BitField kDtf{4, 1};
constexpr BitField kPdtv{5, 1};
constexpr BitField kPrpr{6, 1};
constexpr BitField kGade{7, 1};
constexpr BitField kSade{8, 1};
constexpr BitField kDpe{9, 1};
constexpr BitField kSbe{10, 1};
constexpr BitField kSxl{11, 1};
constexpr BitField kCustom{24, 8};
constexpr uint64_t kReservedMask = bit_range(23, 12) | bit_range(63, 32);
}  // namespace tc

// DC.iohgatp (2.1.3.2).
namespace iohgatp {
constexpr BitField kPpn{0, 44};
constexpr BitField kGscid{44, 16};
constexpr BitField kMode{60, 4};
}  // namespace iohgatp

// DC.ta translation attributes (2.1.3.3).
namespace ta {
constexpr BitField kPscid{12, 20};
constexpr BitField kRcid{40, 12};  // QoS ID extension
constexpr BitField kMcid{52, 12};  // QoS ID extension
constexpr uint64_t kReservedMask = bit_range(11, 0) | bit_range(39, 32);
}  // namespace ta

// DC.fsc first-stage context (2.1.3.4): iosatp when PDTV=0, pdtp when PDTV=1.
namespace fsc {
constexpr BitField kPpn{0, 44};
constexpr BitField kMode{60, 4};
constexpr uint64_t kReservedMask = bit_range(59, 44);
}  // namespace fsc

// DC.msiptp (2.1.3.5).
namespace msiptp {
constexpr BitField kPpn{0, 44};
constexpr BitField kMode{60, 4};
constexpr uint64_t kReservedMask = bit_range(59, 44);
constexpr unsigned kModeOff = 0;
constexpr unsigned kModeFlat = 1;
}  // namespace msiptp

// DC.msi_addr_mask and DC.msi_addr_pattern (2.1.3.6).
namespace msi_addr {
constexpr BitField kMask{0, 52};
constexpr BitField kPattern{0, 52};
constexpr uint64_t kReservedMask = bit_range(63, 52);
}  // namespace msi_addr
}  // namespace dc

// MSI page-table entry (RISC-V AIA "MSI page tables", used by IOMMU 2.3.3):
// two doublewords. Basic translate mode (M=3) gives a PPN; MRIF mode (M=1,
// capabilities.MSI_MRIF) names a memory-resident interrupt file and a
// notice MSI (AIA "MSI PTE, MRIF mode").
namespace msi_pte {
constexpr unsigned kSize = 16;
constexpr BitField kV{0, 1};
constexpr BitField kM{1, 2};
constexpr BitField kPpn{10, 44};
constexpr BitField kC{63, 1};
constexpr unsigned kModeMrif = 1;
constexpr unsigned kModeWriteThrough = 3;
// Basic translate mode: the second doubleword is ignored (free for software).
constexpr uint64_t kWriteThroughReservedMask = bit_range(9, 3) | bit_range(62, 54);
// MRIF mode, first doubleword: MRIF address bits 55:9.
constexpr BitField kMrifAddress{7, 47};
constexpr uint64_t kMrifReservedMask = bit_range(6, 3) | bit_range(62, 54);
// MRIF mode, second doubleword: notice MSI address (NPPN << 12) and data (NID).
constexpr BitField kNid{0, 10};
constexpr BitField kNppn{10, 44};
constexpr BitField kNid10{60, 1};
constexpr uint64_t kNoticeReservedMask = bit_range(59, 54) | bit_range(63, 61);
}  // namespace msi_pte

// Memory-resident interrupt file (AIA "Format of a memory-resident interrupt
// file"): 512 bytes, 32 pairs of little-endian doublewords; pair k holds the
// pending (even) and enable (odd) bits of identities 64k..64k+63.
namespace mrif {
constexpr unsigned kSize = 512;
constexpr uint32_t kIdentities = 2048;  // 0..2047; 0 is recorded like the others
inline uint64_t pending_doubleword(uint64_t mrif, uint32_t identity) {
  return mrif + (identity / 64) * 16;
}
}  // namespace mrif

// iosatp.MODE encodings with DC.tc.SXL=0 (table IOSATP_MODE_ENC-0).
namespace iosatp_mode {
constexpr unsigned kBare = 0;
constexpr unsigned kSv39 = 8;
constexpr unsigned kSv48 = 9;
constexpr unsigned kSv57 = 10;
}  // namespace iosatp_mode

// iohgatp.MODE encodings with fctl.GXL=0 (table IOHGATP_MODE_ENC-0).
namespace iohgatp_mode {
constexpr unsigned kBare = 0;
constexpr unsigned kSv39x4 = 8;
constexpr unsigned kSv48x4 = 9;
constexpr unsigned kSv57x4 = 10;
}  // namespace iohgatp_mode

// pdtp.MODE encodings (table PDTP_MODE_ENC).
namespace pdtp_mode {
constexpr unsigned kBare = 0;
constexpr unsigned kPd8 = 1;
constexpr unsigned kPd17 = 2;
constexpr unsigned kPd20 = 3;
}  // namespace pdtp_mode

// process_id partitioning into PDI[0], PDI[1], PDI[2] widths (2, figure
// "process_id partitioning for PDT radix-tree traversal").
namespace pdi {
constexpr unsigned kWidth[3] = {8, 9, 3};
constexpr unsigned kProcessIdBits = 20;
}  // namespace pdi

// ---------------------------------------------------------------------------
// Process context (2.2.2-2.2.3): 16 bytes, ta then fsc.
namespace pc {
constexpr unsigned kSize = 16;
constexpr unsigned kTaOffset = 0;
constexpr unsigned kFscOffset = 8;
namespace ta {
constexpr BitField kV{0, 1};
constexpr BitField kEns{1, 1};
constexpr BitField kSum{2, 1};
constexpr BitField kPscid{12, 20};
constexpr uint64_t kReservedMask = bit_range(11, 3) | bit_range(63, 32);
}  // namespace ta
namespace fsc {
constexpr BitField kPpn{0, 44};
constexpr BitField kMode{60, 4};
constexpr uint64_t kReservedMask = bit_range(59, 44);
}  // namespace fsc
}  // namespace pc

// ---------------------------------------------------------------------------
// Page-table entry, RV64 (Privileged spec "Sv39"; Svnapot, Svpbmt,
// Svrsw60t59b). Shared by first-stage and second-stage tables.
namespace pte {
constexpr uint64_t kV = 1ull << 0;
constexpr uint64_t kR = 1ull << 1;
constexpr uint64_t kW = 1ull << 2;
constexpr uint64_t kX = 1ull << 3;
constexpr uint64_t kU = 1ull << 4;
constexpr uint64_t kG = 1ull << 5;
constexpr uint64_t kA = 1ull << 6;
constexpr uint64_t kD = 1ull << 7;
constexpr BitField kRsw{8, 2};
constexpr BitField kPpn{10, 44};
constexpr uint64_t kReservedMask = bit_range(60, 54);   // reserved for future use
constexpr uint64_t kRsw60t59bMask = bit_range(60, 59);  // software bits with Svrsw60t59b
constexpr BitField kPbmt{61, 2};                        // Svpbmt
constexpr uint64_t kN = 1ull << 63;                     // Svnapot
constexpr unsigned kSize = 8;
constexpr unsigned kVpnBits = 9;  // per level; 11 at the root of an x4 table
// Svnapot: the only defined NAPOT size is 64 KiB, encoded by ppn[3:0] = 1000.
constexpr unsigned kNapot64kShift = 16;
constexpr uint64_t kNapot64kPpnBits = 0x8;
// PBMT encoding 3 is reserved.
constexpr unsigned kPbmtReserved = 3;
}  // namespace pte

// ---------------------------------------------------------------------------
// Fault record CAUSE codes (In-memory queues 3.2, table "Fault record CAUSE
// field encodings").
namespace cause {
constexpr uint32_t kNone = 0;  // not a spec code: "no fault" in this model
constexpr uint32_t kInstructionAccessFault = 1;
constexpr uint32_t kReadAddressMisaligned = 4;
constexpr uint32_t kReadAccessFault = 5;
constexpr uint32_t kWriteAddressMisaligned = 6;
constexpr uint32_t kWriteAccessFault = 7;
constexpr uint32_t kInstructionPageFault = 12;
constexpr uint32_t kReadPageFault = 13;
constexpr uint32_t kWritePageFault = 15;
constexpr uint32_t kInstructionGuestPageFault = 20;
constexpr uint32_t kReadGuestPageFault = 21;
constexpr uint32_t kWriteGuestPageFault = 23;
constexpr uint32_t kAllInboundDisallowed = 256;
constexpr uint32_t kDdtLoadAccessFault = 257;
constexpr uint32_t kDdtNotValid = 258;
constexpr uint32_t kDdtMisconfigured = 259;
constexpr uint32_t kTransactionTypeDisallowed = 260;
constexpr uint32_t kMsiPteLoadAccessFault = 261;
constexpr uint32_t kMsiPteNotValid = 262;
constexpr uint32_t kMsiPteMisconfigured = 263;
constexpr uint32_t kMrifAccessFault = 264;
constexpr uint32_t kPdtLoadAccessFault = 265;
constexpr uint32_t kPdtNotValid = 266;
constexpr uint32_t kPdtMisconfigured = 267;
constexpr uint32_t kDdtDataCorruption = 268;
constexpr uint32_t kPdtDataCorruption = 269;
constexpr uint32_t kMsiPtDataCorruption = 270;
constexpr uint32_t kMsiMrifDataCorruption = 271;
constexpr uint32_t kInternalDatapathError = 272;
constexpr uint32_t kIommuMsiWriteAccessFault = 273;
constexpr uint32_t kPtDataCorruption = 274;

// Column "Reported if DTF is 1?" of the same table.
constexpr bool reported_when_dtf_set(uint32_t c) {
  return c == kAllInboundDisallowed || c == kDdtLoadAccessFault || c == kDdtNotValid ||
         c == kDdtMisconfigured || c == kDdtDataCorruption || c == kInternalDatapathError ||
         c == kIommuMsiWriteAccessFault;
}
// Spec name of a cause code, e.g. "Read guest-page fault"; "reserved" otherwise.
const char* name(uint32_t c);
}  // namespace cause

// Fault record TTYP encodings (table "Fault record TTYP field encodings").
namespace ttyp {
constexpr unsigned kNone = 0;
constexpr unsigned kUntranslatedReadForExecute = 1;
constexpr unsigned kUntranslatedRead = 2;
constexpr unsigned kUntranslatedWrite = 3;  // write/AMO
constexpr unsigned kTranslatedReadForExecute = 5;
constexpr unsigned kTranslatedRead = 6;
constexpr unsigned kTranslatedWrite = 7;  // write/AMO
constexpr unsigned kAtsTranslationRequest = 8;
constexpr unsigned kPcieMessageRequest = 9;
}  // namespace ttyp

// Fault record (3.2): four doublewords, 32 bytes.
namespace fault_record {
constexpr unsigned kSize = 32;
constexpr unsigned kDword0Offset = 0;
constexpr unsigned kIotvalOffset = 16;
constexpr unsigned kIotval2Offset = 24;
constexpr BitField kCause{0, 12};
constexpr BitField kPid{12, 20};
constexpr BitField kPv{32, 1};
constexpr BitField kPriv{33, 1};
constexpr BitField kTtyp{34, 6};
constexpr BitField kDid{40, 24};
// Dword 1: bits 31:0 custom, 63:32 reserved.
// iotval2 for guest-page faults: bits 63:2 hold GPA[63:2]; bit 0 set when
// the fault came from an implicit access for first-stage translation (or a
// PDT read), bit 1 when that implicit access was a write (A/D update).
constexpr uint64_t kIotval2GpaMask = bit_range(63, 2);
constexpr uint64_t kIotval2Implicit = 1ull << 0;
constexpr uint64_t kIotval2ImplicitWrite = 1ull << 1;
}  // namespace fault_record

// Page-request record (3.3): two doublewords, 16 bytes. PAYLOAD is bytes
// 8..15 of the PCIe "Page Request" message.
namespace page_request {
constexpr unsigned kSize = 16;
constexpr BitField kPid{12, 20};
constexpr BitField kPv{32, 1};
constexpr BitField kPriv{33, 1};
constexpr BitField kExec{34, 1};
constexpr BitField kDid{40, 24};
// PAYLOAD (PCIe "Page Request" message body).
constexpr BitField kR{0, 1};
constexpr BitField kW{1, 1};
constexpr BitField kL{2, 1};  // last request in the page request group
constexpr BitField kPrgIndex{3, 9};
constexpr BitField kPageAddress{12, 52};  // Page Address[63:12]
// "Stop Marker": L=1, R=W=0 (with a PASID).
inline bool is_stop_marker(uint64_t payload) {
  return kL.test(payload) && !kR.test(payload) && !kW.test(payload);
}
// Page Request Group Response codes (PCIe "Response Code").
constexpr unsigned kResponseSuccess = 0x0;
constexpr unsigned kResponseInvalidRequest = 0x1;
constexpr unsigned kResponseFailure = 0xf;
}  // namespace page_request

// ---------------------------------------------------------------------------
// Commands (In-memory queues 3.1): two doublewords, 16 bytes.
namespace command {
constexpr unsigned kSize = 16;
constexpr BitField kOpcode{0, 7};
constexpr BitField kFunc3{7, 3};

constexpr unsigned kOpIotinval = 1;
constexpr unsigned kOpIofence = 2;
constexpr unsigned kOpIodir = 3;
constexpr unsigned kOpAts = 4;

// IOTINVAL (3.1.1).
namespace iotinval {
constexpr unsigned kFuncVma = 0;
constexpr unsigned kFuncGvma = 1;
constexpr BitField kAv{10, 1};
constexpr BitField kPscid{12, 20};
constexpr BitField kPscv{32, 1};
constexpr BitField kGv{33, 1};
constexpr BitField kNl{34, 1};  // non-leaf PTE invalidation extension
constexpr BitField kGscid{44, 16};
constexpr uint64_t kDword0ReservedMask = (1ull << 11) | bit_range(43, 35) | bit_range(63, 60);
// Dword 1.
constexpr BitField kS{9, 1};       // address range invalidation extension
constexpr BitField kAddr{10, 52};  // ADDR[63:12]
constexpr uint64_t kDword1ReservedMask = bit_range(8, 0) | bit_range(63, 62);
}  // namespace iotinval

// IOFENCE (3.1.2).
namespace iofence {
constexpr unsigned kFuncC = 0;
constexpr BitField kAv{10, 1};
constexpr BitField kWsi{11, 1};
constexpr BitField kPr{12, 1};
constexpr BitField kPw{13, 1};
constexpr BitField kData{32, 32};
constexpr uint64_t kDword0ReservedMask = bit_range(31, 14);
// Dword 1.
constexpr BitField kAddr{0, 62};  // ADDR[63:2]
constexpr uint64_t kDword1ReservedMask = bit_range(63, 62);
}  // namespace iofence

// IODIR (3.1.3).
namespace iodir {
constexpr unsigned kFuncInvalDdt = 0;
constexpr unsigned kFuncInvalPdt = 1;
constexpr BitField kPid{12, 20};
constexpr BitField kDv{33, 1};
constexpr BitField kDid{40, 24};
constexpr uint64_t kDword0ReservedMask = bit_range(11, 10) | (1ull << 32) | bit_range(39, 34);
constexpr uint64_t kDword1ReservedMask = ~0ull;
}  // namespace iodir

// ATS (3.1.4).
namespace ats {
constexpr unsigned kFuncInval = 0;
constexpr unsigned kFuncPrgr = 1;
constexpr BitField kPid{12, 20};
constexpr BitField kPv{32, 1};
constexpr BitField kDsv{33, 1};
constexpr BitField kRid{40, 16};
constexpr BitField kDseg{56, 8};
constexpr uint64_t kDword0ReservedMask = bit_range(11, 10) | bit_range(39, 34);
// Dword 1 is PAYLOAD. ATS.INVAL payload:
constexpr BitField kInvalG{0, 1};
constexpr BitField kInvalS{11, 1};
constexpr BitField kInvalAddr{12, 52};  // Untranslated Address[63:12]
// ATS.PRGR payload:
constexpr BitField kPrgrIndex{32, 9};
constexpr BitField kPrgrResponseCode{44, 4};
}  // namespace ats
}  // namespace command

}  // namespace vp::iommu
