// PCI / PCIe configuration-space layout, the guest's own copy.
//
// Offsets and bits of the type 0 and type 1 headers (PCI Local Bus 3.0
// ch. 6, PCIe Base 6.0 sec. 7.5.1), the capability list and the capabilities
// the guest uses: PCI Express (sec. 7.5.3), MSI (sec. 7.7.1), MSI-X (sec.
// 7.7.2) and the ACS extended capability (sec. 7.7.8). Names follow the
// Linux <uapi/linux/pci_regs.h> convention so drivers read the same.
//
// The model side has its own copy (models/pcie/pcie_regs.h); guest software
// never includes it (DESIGN.md "Layout"): one wrong offset must not pass in
// both.
#pragma once

#include <cstdint>

namespace guest::pci {

// --- ECAM (PCIe 6.0 sec. 7.2.2) ---------------------------------------------------
constexpr unsigned PCI_CFG_SPACE_SIZE = 0x100;       // PCI-compatible region
constexpr unsigned PCI_CFG_SPACE_EXP_SIZE = 0x1000;  // PCIe extended region
constexpr unsigned ECAM_BUS_SHIFT = 20;
constexpr unsigned ECAM_DEVFN_SHIFT = 12;
constexpr unsigned PCI_MAX_BUS = 255;
constexpr unsigned PCI_MAX_SLOT = 31;
constexpr unsigned PCI_MAX_FUNC = 7;

constexpr uint8_t PCI_DEVFN(unsigned slot, unsigned func) {
  return static_cast<uint8_t>(((slot & 0x1f) << 3) | (func & 0x07));
}
constexpr unsigned PCI_SLOT(unsigned devfn) {
  return (devfn >> 3) & 0x1f;
}
constexpr unsigned PCI_FUNC(unsigned devfn) {
  return devfn & 0x07;
}

// --- common header (PCIe 6.0 sec. 7.5.1.1) ----------------------------------------
constexpr unsigned PCI_VENDOR_ID = 0x00;       // 16 bit; FFFFh = no function
constexpr unsigned PCI_DEVICE_ID = 0x02;       // 16 bit
constexpr unsigned PCI_COMMAND = 0x04;         // 16 bit
constexpr unsigned PCI_STATUS = 0x06;          // 16 bit
constexpr unsigned PCI_CLASS_REVISION = 0x08;  // 32 bit: class code (31:8), revision (7:0)
constexpr unsigned PCI_REVISION_ID = 0x08;
constexpr unsigned PCI_CLASS_PROG = 0x09;
constexpr unsigned PCI_CLASS_DEVICE = 0x0a;  // 16 bit: base class and sub-class
constexpr unsigned PCI_CACHE_LINE_SIZE = 0x0c;
constexpr unsigned PCI_HEADER_TYPE = 0x0e;
constexpr unsigned PCI_CAPABILITY_LIST = 0x34;
constexpr unsigned PCI_INTERRUPT_LINE = 0x3c;
constexpr unsigned PCI_INTERRUPT_PIN = 0x3d;

constexpr uint16_t PCI_VENDOR_ID_NONE = 0xffff;  // what an absent function reads
constexpr uint16_t PCI_ANY_ID = 0xffff;          // wildcard for pci_get_device

// Command register (sec. 7.5.1.1.3).
constexpr uint16_t PCI_COMMAND_IO = 1u << 0;
constexpr uint16_t PCI_COMMAND_MEMORY = 1u << 1;
constexpr uint16_t PCI_COMMAND_MASTER = 1u << 2;
constexpr uint16_t PCI_COMMAND_PARITY = 1u << 6;
constexpr uint16_t PCI_COMMAND_SERR = 1u << 8;
constexpr uint16_t PCI_COMMAND_INTX_DISABLE = 1u << 10;

// Status register (sec. 7.5.1.1.4).
constexpr uint16_t PCI_STATUS_INTERRUPT = 1u << 3;
constexpr uint16_t PCI_STATUS_CAP_LIST = 1u << 4;
constexpr uint16_t PCI_STATUS_REC_MASTER_ABORT = 1u << 13;

// Header Type (sec. 7.5.1.1.9).
constexpr uint8_t PCI_HEADER_TYPE_MASK = 0x7f;
constexpr uint8_t PCI_HEADER_TYPE_NORMAL = 0x00;
constexpr uint8_t PCI_HEADER_TYPE_BRIDGE = 0x01;
constexpr uint8_t PCI_HEADER_TYPE_CARDBUS = 0x02;
constexpr uint8_t PCI_HEADER_TYPE_MFD = 0x80;

// Base classes and sub-classes used in logs (PCI Code and ID Assignment).
constexpr uint32_t PCI_CLASS_BRIDGE_HOST = 0x0600;
constexpr uint32_t PCI_CLASS_BRIDGE_PCI = 0x0604;

// --- Base Address Registers (sec. 7.5.1.2.1) --------------------------------------
constexpr unsigned PCI_BASE_ADDRESS_0 = 0x10;
constexpr unsigned PCI_NUM_BARS_TYPE0 = 6;
constexpr unsigned PCI_NUM_BARS_TYPE1 = 2;
constexpr uint32_t PCI_BASE_ADDRESS_SPACE_IO = 0x01;  // bit 0: 1 = I/O, 0 = memory
constexpr uint32_t PCI_BASE_ADDRESS_MEM_TYPE_MASK = 0x06;
constexpr uint32_t PCI_BASE_ADDRESS_MEM_TYPE_32 = 0x00;
constexpr uint32_t PCI_BASE_ADDRESS_MEM_TYPE_1M = 0x02;  // reserved since PCI 3.0
constexpr uint32_t PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
constexpr uint32_t PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
constexpr uint32_t PCI_BASE_ADDRESS_MEM_MASK = ~0x0fu;
constexpr uint32_t PCI_BASE_ADDRESS_IO_MASK = ~0x03u;
constexpr unsigned PCI_BAR_OFFSET(unsigned bar) {
  return PCI_BASE_ADDRESS_0 + 4 * bar;
}

// --- type 1 header (sec. 7.5.1.3) ---------------------------------------------------
constexpr unsigned PCI_PRIMARY_BUS = 0x18;
constexpr unsigned PCI_SECONDARY_BUS = 0x19;
constexpr unsigned PCI_SUBORDINATE_BUS = 0x1a;
constexpr unsigned PCI_SEC_LATENCY_TIMER = 0x1b;
constexpr unsigned PCI_IO_BASE = 0x1c;  // 8 bit
constexpr unsigned PCI_IO_LIMIT = 0x1d;
constexpr unsigned PCI_SEC_STATUS = 0x1e;
constexpr unsigned PCI_MEMORY_BASE = 0x20;  // 16 bit, address bits 31:20 in 15:4
constexpr unsigned PCI_MEMORY_LIMIT = 0x22;
constexpr unsigned PCI_PREF_MEMORY_BASE = 0x24;
constexpr unsigned PCI_PREF_MEMORY_LIMIT = 0x26;
constexpr unsigned PCI_PREF_BASE_UPPER32 = 0x28;
constexpr unsigned PCI_PREF_LIMIT_UPPER32 = 0x2c;
constexpr unsigned PCI_IO_BASE_UPPER16 = 0x30;
constexpr unsigned PCI_IO_LIMIT_UPPER16 = 0x32;
constexpr unsigned PCI_BRIDGE_CONTROL = 0x3e;

constexpr uint16_t PCI_MEMORY_RANGE_MASK = 0xfff0;
constexpr unsigned PCI_MEMORY_RANGE_SHIFT = 16;           // register << 16 = address bits 31:20
constexpr uint64_t PCI_BRIDGE_WINDOW_ALIGN = 1ull << 20;  // 1 MiB granularity
constexpr uint16_t PCI_PREF_RANGE_TYPE_MASK = 0x000f;
constexpr uint16_t PCI_PREF_RANGE_TYPE_32 = 0x0000;
constexpr uint16_t PCI_PREF_RANGE_TYPE_64 = 0x0001;
// Closed windows: base above limit (sec. 7.5.1.3.8).
constexpr uint16_t PCI_MEMORY_CLOSED_BASE = 0xfff0;
constexpr uint16_t PCI_MEMORY_CLOSED_LIMIT = 0x0000;
constexpr uint8_t PCI_IO_CLOSED_BASE = 0xf0;
constexpr uint8_t PCI_IO_CLOSED_LIMIT = 0x00;

// --- capability list (sec. 7.5.1.1.11) ------------------------------------------------
constexpr unsigned PCI_CAP_LIST_ID = 0x00;
constexpr unsigned PCI_CAP_LIST_NEXT = 0x01;
constexpr uint8_t PCI_CAP_POINTER_MASK = 0xfc;
constexpr unsigned PCI_STD_HEADER_SIZEOF = 0x40;  // capabilities start at or after this
constexpr unsigned PCI_FIND_CAP_TTL = 48;         // loop guard for a corrupt list

constexpr uint8_t PCI_CAP_ID_PM = 0x01;
constexpr uint8_t PCI_CAP_ID_MSI = 0x05;
constexpr uint8_t PCI_CAP_ID_EXP = 0x10;  // PCI Express
constexpr uint8_t PCI_CAP_ID_MSIX = 0x11;

// --- PCI Express Capability (sec. 7.5.3), offsets from the capability -----------------
constexpr unsigned PCI_EXP_FLAGS = 0x02;  // 16 bit
constexpr uint16_t PCI_EXP_FLAGS_VERS = 0x000f;
constexpr uint16_t PCI_EXP_FLAGS_TYPE = 0x00f0;
constexpr unsigned PCI_EXP_FLAGS_TYPE_SHIFT = 4;
constexpr uint8_t PCI_EXP_TYPE_ENDPOINT = 0x0;
constexpr uint8_t PCI_EXP_TYPE_LEG_END = 0x1;
constexpr uint8_t PCI_EXP_TYPE_ROOT_PORT = 0x4;
constexpr uint8_t PCI_EXP_TYPE_UPSTREAM = 0x5;
constexpr uint8_t PCI_EXP_TYPE_DOWNSTREAM = 0x6;
constexpr uint8_t PCI_EXP_TYPE_PCI_BRIDGE = 0x7;
constexpr uint8_t PCI_EXP_TYPE_PCIE_BRIDGE = 0x8;
constexpr uint8_t PCI_EXP_TYPE_RC_END = 0x9;
constexpr uint8_t PCI_EXP_TYPE_RC_EC = 0xa;
constexpr unsigned PCI_EXP_DEVCAP = 0x04;
constexpr unsigned PCI_EXP_DEVCTL = 0x08;  // 16 bit
constexpr unsigned PCI_EXP_DEVSTA = 0x0a;
constexpr unsigned PCI_EXP_LNKCAP = 0x0c;
constexpr unsigned PCI_EXP_LNKCTL = 0x10;
constexpr unsigned PCI_EXP_LNKSTA = 0x12;

// --- MSI capability (PCI 3.0 sec. 6.8.1, PCIe 6.0 sec. 7.7.1) ---------------------------
constexpr unsigned PCI_MSI_FLAGS = 0x02;  // Message Control, 16 bit
constexpr uint16_t PCI_MSI_FLAGS_ENABLE = 1u << 0;
constexpr uint16_t PCI_MSI_FLAGS_QMASK = 0x7u << 1;  // Multiple Message Capable
constexpr uint16_t PCI_MSI_FLAGS_QSIZE = 0x7u << 4;  // Multiple Message Enable
constexpr uint16_t PCI_MSI_FLAGS_64BIT = 1u << 7;
constexpr uint16_t PCI_MSI_FLAGS_MASKBIT = 1u << 8;  // per-vector masking capable
constexpr unsigned PCI_MSI_ADDRESS_LO = 0x04;
constexpr unsigned PCI_MSI_ADDRESS_HI = 0x08;  // 64-bit format only
constexpr unsigned PCI_MSI_DATA_32 = 0x08;
constexpr unsigned PCI_MSI_DATA_64 = 0x0c;
constexpr unsigned PCI_MSI_MASK_32 = 0x0c;
constexpr unsigned PCI_MSI_MASK_64 = 0x10;
constexpr uint32_t PCI_MSI_ADDRESS_LO_MASK = 0xfffffffc;  // DWORD aligned

// --- MSI-X capability (PCI 3.0 sec. 6.8.2, PCIe 6.0 sec. 7.7.2) -------------------------
constexpr unsigned PCI_MSIX_FLAGS = 0x02;
constexpr uint16_t PCI_MSIX_FLAGS_QSIZE = 0x07ff;  // table size - 1
constexpr uint16_t PCI_MSIX_FLAGS_MASKALL = 1u << 14;
constexpr uint16_t PCI_MSIX_FLAGS_ENABLE = 1u << 15;

// --- extended capabilities (PCIe 6.0 sec. 7.6.3) ------------------------------------------
// Header DWORD: ID 15:0, version 19:16, next offset 31:20.
constexpr unsigned PCI_EXT_CAP_START = 0x100;
constexpr uint32_t PCI_EXT_CAP_ID(uint32_t header) {
  return header & 0xffff;
}
constexpr uint32_t PCI_EXT_CAP_VER(uint32_t header) {
  return (header >> 16) & 0xf;
}
constexpr uint32_t PCI_EXT_CAP_NEXT(uint32_t header) {
  return (header >> 20) & 0xffc;
}
constexpr unsigned PCI_FIND_EXT_CAP_TTL = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;

constexpr uint16_t PCI_EXT_CAP_ID_ERR = 0x0001;  // AER
constexpr uint16_t PCI_EXT_CAP_ID_ACS = 0x000d;
constexpr uint16_t PCI_EXT_CAP_ID_ATS = 0x000f;
constexpr uint16_t PCI_EXT_CAP_ID_PRI = 0x0013;
constexpr uint16_t PCI_EXT_CAP_ID_PASID = 0x001b;

// ATS Extended Capability (sec. 10.5.1), offsets from the capability.
constexpr unsigned PCI_ATS_CAP = 0x04;              // 16 bit
constexpr unsigned PCI_ATS_CTRL = 0x06;             // 16 bit
constexpr uint16_t PCI_ATS_CAP_QDEP_MASK = 0x001f;  // Invalidate Queue Depth, 0 = 32
constexpr uint16_t PCI_ATS_CAP_PAGE_ALIGNED = 1u << 5;
constexpr uint16_t PCI_ATS_CTRL_ENABLE = 1u << 15;
constexpr uint16_t PCI_ATS_CTRL_STU_MASK = 0x001f;  // Smallest Translation Unit
constexpr unsigned PCI_ATS_MIN_STU = 12;            // STU 0 is 4 KiB

// Page Request Extended Capability (sec. 10.5.2), offsets from the capability.
constexpr unsigned PCI_PRI_CTRL = 0x04;       // 16 bit
constexpr unsigned PCI_PRI_STATUS = 0x06;     // 16 bit
constexpr unsigned PCI_PRI_MAX_REQ = 0x08;    // 32 bit: Outstanding Page Request Capacity
constexpr unsigned PCI_PRI_ALLOC_REQ = 0x0c;  // 32 bit: Outstanding Page Request Allocation
constexpr uint16_t PCI_PRI_CTRL_ENABLE = 1u << 0;
constexpr uint16_t PCI_PRI_CTRL_RESET = 1u << 1;
constexpr uint16_t PCI_PRI_STATUS_RF = 1u << 0;     // Response Failure
constexpr uint16_t PCI_PRI_STATUS_UPRGI = 1u << 1;  // Unexpected PRG Index
constexpr uint16_t PCI_PRI_STATUS_STOPPED = 1u << 8;
constexpr uint16_t PCI_PRI_STATUS_PASID = 1u << 15;  // PRG Response PASID Required

// ACS Extended Capability (sec. 7.7.8), offsets from the capability.
constexpr unsigned PCI_ACS_CAP = 0x04;    // 16 bit
constexpr unsigned PCI_ACS_CTRL = 0x06;   // 16 bit
constexpr uint16_t PCI_ACS_SV = 1u << 0;  // Source Validation
constexpr uint16_t PCI_ACS_TB = 1u << 1;  // Translation Blocking
constexpr uint16_t PCI_ACS_RR = 1u << 2;  // P2P Request Redirect
constexpr uint16_t PCI_ACS_CR = 1u << 3;  // P2P Completion Redirect
constexpr uint16_t PCI_ACS_UF = 1u << 4;  // Upstream Forwarding
constexpr uint16_t PCI_ACS_EC = 1u << 5;  // P2P Egress Control
constexpr uint16_t PCI_ACS_DT = 1u << 6;  // Direct Translated P2P

}  // namespace guest::pci
