// RISC-V IOMMU v1.0 memory-mapped registers: offsets and fields.
//
// Models: the register layout of chapter 6 ("Memory-mapped register
// interface"), one constant per register offset and one Field per register
// field, named exactly as in the specification (so `capabilities::AMO_HWAD`,
// `cqcsr::fence_w_ip`, `iohpmevt::DID_GSCID`). Section numbers refer to the
// v1.0 specification, chapter 6 (6.1 layout, 6.3 capabilities, ...).
//
// Does not model: anything. This header is data only; the behaviour (WARL
// legalization, W1C, hooks) is in register_file.h. The guest driver keeps
// its own copy of these constants on purpose (DESIGN.md): a shared header
// would let one wrong offset pass in both.
#pragma once

#include <cstdint>

#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu::regs {

// A register field: bits [lsb, lsb + width).
// Register fields share the in-memory formats' bit-field type.
using Field = BitField;

// ---------------------------------------------------------------------------
// 6.1 Register layout (offsets from the 4-KiB register page base)
// ---------------------------------------------------------------------------
constexpr uint64_t kRegisterPageSize = 4096;

constexpr uint64_t kCapabilities = 0;    // 8 bytes
constexpr uint64_t kFctl = 8;            // 4 bytes
constexpr uint64_t kFctlCustom = 12;     // 4 bytes, designated for custom use
constexpr uint64_t kDdtp = 16;           // 8 bytes
constexpr uint64_t kCqb = 24;            // 8 bytes
constexpr uint64_t kCqh = 32;            // 4 bytes
constexpr uint64_t kCqt = 36;            // 4 bytes
constexpr uint64_t kFqb = 40;            // 8 bytes
constexpr uint64_t kFqh = 48;            // 4 bytes
constexpr uint64_t kFqt = 52;            // 4 bytes
constexpr uint64_t kPqb = 56;            // 8 bytes, optional (capabilities.ATS)
constexpr uint64_t kPqh = 64;            // 4 bytes, optional (capabilities.ATS)
constexpr uint64_t kPqt = 68;            // 4 bytes, optional (capabilities.ATS)
constexpr uint64_t kCqcsr = 72;          // 4 bytes
constexpr uint64_t kFqcsr = 76;          // 4 bytes
constexpr uint64_t kPqcsr = 80;          // 4 bytes, optional (capabilities.ATS)
constexpr uint64_t kIpsr = 84;           // 4 bytes
constexpr uint64_t kIocountovf = 88;     // 4 bytes, optional (capabilities.HPM)
constexpr uint64_t kIocountinh = 92;     // 4 bytes, optional (capabilities.HPM)
constexpr uint64_t kIohpmcycles = 96;    // 8 bytes, optional (capabilities.HPM)
constexpr uint64_t kIohpmctrBase = 104;  // iohpmctr1..31, 8 bytes each
constexpr uint64_t kIohpmevtBase = 352;  // iohpmevt1..31, 8 bytes each
constexpr unsigned kHpmCounters = 31;    // programmable counters architected
constexpr uint64_t kTrReqIova = 600;     // 8 bytes, optional (capabilities.DBG)
constexpr uint64_t kTrReqCtl = 608;      // 8 bytes, optional (capabilities.DBG)
constexpr uint64_t kTrResponse = 616;    // 8 bytes, optional (capabilities.DBG)
constexpr uint64_t kIommuQosid = 624;    // 4 bytes, optional (capabilities.QOSID)
constexpr uint64_t kReserved0 = 628;     // 60 bytes reserved (read-only zero)
constexpr uint64_t kCustom0 = 688;       // 72 bytes designated for custom use
constexpr uint64_t kIcvec = 760;         // 8 bytes
constexpr uint64_t kMsiCfgTbl = 768;     // 256 bytes: 16 entries of 16 bytes
constexpr unsigned kMsiCfgTblEntries = 16;
constexpr uint64_t kReserved1 = 1024;  // up to the end of the page

// iohpmctrN / iohpmevtN, N in 1..31.
constexpr uint64_t iohpmctr_offset(unsigned n) {
  return kIohpmctrBase + 8ull * (n - 1);
}
constexpr uint64_t iohpmevt_offset(unsigned n) {
  return kIohpmevtBase + 8ull * (n - 1);
}
// 6.29 MSI configuration table entry x: msi_addr_x (8 bytes), msi_data_x
// (4 bytes) and msi_vec_ctl_x (4 bytes).
constexpr uint64_t msi_addr_offset(unsigned x) {
  return kMsiCfgTbl + 16ull * x;
}
constexpr uint64_t msi_data_offset(unsigned x) {
  return kMsiCfgTbl + 16ull * x + 8;
}
constexpr uint64_t msi_vec_ctl_offset(unsigned x) {
  return kMsiCfgTbl + 16ull * x + 12;
}

// ---------------------------------------------------------------------------
// 6.3 IOMMU capabilities (capabilities), read-only
// ---------------------------------------------------------------------------
namespace capabilities {
constexpr Field version{0, 8};
constexpr uint64_t kVersion1_0 = 0x10;  // major in the high nibble
constexpr Field Sv32{8, 1};
constexpr Field Sv39{9, 1};
constexpr Field Sv48{10, 1};
constexpr Field Sv57{11, 1};
constexpr Field Svrsw60t59b{14, 1};
constexpr Field Svpbmt{15, 1};
constexpr Field Sv32x4{16, 1};
constexpr Field Sv39x4{17, 1};
constexpr Field Sv48x4{18, 1};
constexpr Field Sv57x4{19, 1};
constexpr Field AMO_MRIF{21, 1};
constexpr Field MSI_FLAT{22, 1};
constexpr Field MSI_MRIF{23, 1};
constexpr Field AMO_HWAD{24, 1};
constexpr Field ATS{25, 1};
constexpr Field T2GPA{26, 1};
constexpr Field END{27, 1};
constexpr Field IGS{28, 2};
constexpr Field HPM{30, 1};
constexpr Field DBG{31, 1};
constexpr Field PAS{32, 6};
constexpr Field PD8{38, 1};
constexpr Field PD17{39, 1};
constexpr Field PD20{40, 1};
constexpr Field QOSID{41, 1};
constexpr Field NL{42, 1};
constexpr Field S{43, 1};
constexpr Field custom{56, 8};
// IGS encodings
constexpr uint64_t kIgsMsi = 0;
constexpr uint64_t kIgsWsi = 1;
constexpr uint64_t kIgsBoth = 2;
}  // namespace capabilities

// ---------------------------------------------------------------------------
// 6.4 Features-control register (fctl)
// ---------------------------------------------------------------------------
namespace fctl {
constexpr Field BE{0, 1};   // WARL: big-endian in-memory structures
constexpr Field WSI{1, 1};  // WARL: wire-signaled interrupts
constexpr Field GXL{2, 1};  // WARL: Sv32x4 for guest physical addresses
}  // namespace fctl

// ---------------------------------------------------------------------------
// 6.5 Device-directory-table pointer (ddtp)
// ---------------------------------------------------------------------------
namespace ddtp {
constexpr Field iommu_mode{0, 4};  // WARL
constexpr Field busy{4, 1};        // RO
constexpr Field PPN{10, 44};       // WARL
// iommu_mode encodings
constexpr uint64_t kOff = 0;
constexpr uint64_t kBare = 1;
constexpr uint64_t k1Lvl = 2;
constexpr uint64_t k2Lvl = 3;
constexpr uint64_t k3Lvl = 4;
}  // namespace ddtp

// ---------------------------------------------------------------------------
// 6.6 cqb, 6.9 fqb, 6.12 pqb: queue base registers share one layout
// ---------------------------------------------------------------------------
namespace qb {
constexpr Field LOG2SZ_1{0, 5};  // WARL: log2(entries) - 1
constexpr Field PPN{10, 44};     // WARL
}  // namespace qb
namespace cqb = qb;
namespace fqb = qb;
namespace pqb = qb;
// Entry sizes of the in-memory queues.
constexpr unsigned kCommandBytes = 16;      // 6.6: each command is 16 bytes
constexpr unsigned kFaultRecordBytes = 32;  // 6.9: each fault record 32 bytes
constexpr unsigned kPageRequestBytes = 16;  // 6.12: each page request 16 bytes

// ---------------------------------------------------------------------------
// 6.7 cqh, 6.8 cqt, 6.10 fqh, 6.11 fqt, 6.13 pqh, 6.14 pqt: queue indices
// ---------------------------------------------------------------------------
namespace qidx {
constexpr Field index{0, 32};
}  // namespace qidx

// ---------------------------------------------------------------------------
// 6.15 Command-queue CSR (cqcsr)
// ---------------------------------------------------------------------------
namespace cqcsr {
constexpr Field cqen{0, 1};         // RW
constexpr Field cie{1, 1};          // RW
constexpr Field cqmf{8, 1};         // RW1C
constexpr Field cmd_to{9, 1};       // RW1C
constexpr Field cmd_ill{10, 1};     // RW1C
constexpr Field fence_w_ip{11, 1};  // RW1C
constexpr Field cqon{16, 1};        // RO
constexpr Field busy{17, 1};        // RO
}  // namespace cqcsr

// ---------------------------------------------------------------------------
// 6.16 Fault queue CSR (fqcsr)
// ---------------------------------------------------------------------------
namespace fqcsr {
constexpr Field fqen{0, 1};   // RW
constexpr Field fie{1, 1};    // RW
constexpr Field fqmf{8, 1};   // RW1C
constexpr Field fqof{9, 1};   // RW1C
constexpr Field fqon{16, 1};  // RO
constexpr Field busy{17, 1};  // RO
}  // namespace fqcsr

// ---------------------------------------------------------------------------
// 6.17 Page-request-queue CSR (pqcsr)
// ---------------------------------------------------------------------------
namespace pqcsr {
constexpr Field pqen{0, 1};   // RW
constexpr Field pie{1, 1};    // RW
constexpr Field pqmf{8, 1};   // RW1C
constexpr Field pqof{9, 1};   // RW1C
constexpr Field pqon{16, 1};  // RO
constexpr Field busy{17, 1};  // RO
}  // namespace pqcsr

// ---------------------------------------------------------------------------
// 6.18 Interrupt pending status register (ipsr), RW1C
// ---------------------------------------------------------------------------
namespace ipsr {
constexpr Field cip{0, 1};   // command queue
constexpr Field fip{1, 1};   // fault queue
constexpr Field pmip{2, 1};  // performance monitoring
constexpr Field pip{3, 1};   // page-request queue
}  // namespace ipsr

// Interrupt causes, numbered as the ipsr bits and the icvec fields.
enum class InterruptCause : unsigned {
  kCommandQueue = 0,
  kFaultQueue = 1,
  kHpm = 2,
  kPageRequestQueue = 3
};
constexpr unsigned kInterruptCauses = 4;

// ---------------------------------------------------------------------------
// 6.19 iocountovf (RO) and 6.20 iocountinh
// ---------------------------------------------------------------------------
namespace iocountovf {
constexpr Field CY{0, 1};
constexpr Field HPM{1, 31};
}  // namespace iocountovf
namespace iocountinh {
constexpr Field CY{0, 1};    // RW
constexpr Field HPM{1, 31};  // WARL
}  // namespace iocountinh

// ---------------------------------------------------------------------------
// 6.21 iohpmcycles, 6.22 iohpmctr1-31, 6.23 iohpmevt1-31
// ---------------------------------------------------------------------------
namespace iohpmcycles {
constexpr Field counter{0, 63};  // WARL
constexpr Field OF{63, 1};       // RW
}  // namespace iohpmcycles
namespace iohpmctr {
constexpr Field counter{0, 64};  // WARL
}  // namespace iohpmctr
namespace iohpmevt {
constexpr Field eventID{0, 15};     // WARL
constexpr Field DMASK{15, 1};       // RW
constexpr Field PID_PSCID{16, 20};  // RW
constexpr Field DID_GSCID{36, 24};  // RW
constexpr Field PV_PSCV{60, 1};     // RW
constexpr Field DV_GSCV{61, 1};     // RW
constexpr Field IDT{62, 1};         // RW
constexpr Field OF{63, 1};          // RW
}  // namespace iohpmevt
// Standard events (6.23, "Standard Events list").
enum class HpmEvent : uint64_t {
  kNone = 0,
  kUntranslatedRequests = 1,
  kTranslatedRequests = 2,
  kAtsTranslationRequests = 3,
  kTlbMiss = 4,
  kDeviceDirectoryWalks = 5,
  kProcessDirectoryWalks = 6,
  kFirstStageWalks = 7,
  kSecondStageWalks = 8,
};
constexpr uint64_t kHpmEventMaxStandard = 8;

// ---------------------------------------------------------------------------
// 6.24 tr_req_iova, 6.25 tr_req_ctl, 6.26 tr_response (debug interface)
// ---------------------------------------------------------------------------
namespace tr_req_iova {
constexpr Field vpn{12, 52};  // WARL
}  // namespace tr_req_iova
namespace tr_req_ctl {
constexpr Field Go_Busy{0, 1};  // RW1S, cleared by the IOMMU on completion
constexpr Field Priv{1, 1};     // WARL
constexpr Field Exe{2, 1};      // WARL
constexpr Field NW{3, 1};       // WARL
constexpr Field PID{12, 20};    // WARL
constexpr Field PV{32, 1};      // WARL
constexpr Field DID{40, 24};    // WARL
}  // namespace tr_req_ctl
namespace tr_response {
constexpr Field fault{0, 1};
constexpr Field PBMT{7, 2};
constexpr Field S{9, 1};
constexpr Field PPN{10, 44};
}  // namespace tr_response

// ---------------------------------------------------------------------------
// 6.27 iommu_qosid
// ---------------------------------------------------------------------------
namespace iommu_qosid {
constexpr Field RCID{0, 12};
constexpr Field MCID{16, 12};
}  // namespace iommu_qosid

// ---------------------------------------------------------------------------
// 6.28 Interrupt-cause-to-vector register (icvec)
// ---------------------------------------------------------------------------
namespace icvec {
constexpr Field civ{0, 4};
constexpr Field fiv{4, 4};
constexpr Field pmiv{8, 4};
constexpr Field piv{12, 4};
// The icvec field of a cause (InterruptCause numbering).
constexpr Field of(InterruptCause c) {
  return Field{4 * static_cast<unsigned>(c), 4};
}
}  // namespace icvec

// ---------------------------------------------------------------------------
// 6.29 MSI configuration table (msi_cfg_tbl) entry registers
// ---------------------------------------------------------------------------
namespace msi_addr {
constexpr Field ADDR{2, 54};  // WARL, 4-byte aligned MSI address >> 2
}  // namespace msi_addr
namespace msi_data {
constexpr Field data{0, 32};  // WARL
}  // namespace msi_data
namespace msi_vec_ctl {
constexpr Field M{0, 1};  // RW: vector masked
}  // namespace msi_vec_ctl

}  // namespace vp::iommu::regs
