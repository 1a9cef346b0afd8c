// Register and descriptor layout of the DMA engine (a device of this
// project, "vp,dma-engine" version 1). The guest driver keeps its own copy
// of these constants, as a real driver would (DESIGN.md, "Layout").
#pragma once

#include <cstdint>

namespace vp::devices::dma_regs {

// Registers (offsets in BAR0 / the register window).
constexpr uint64_t kId = 0x00;         // RO: kIdValue
constexpr uint64_t kCtrl = 0x04;       // RW: EN, IRQ_EN; RESET (write 1, self-clearing)
constexpr uint64_t kStatus = 0x08;     // BUSY (RO), DONE (W1C), ERROR (W1C), ERR_CODE (RO)
constexpr uint64_t kRingBase = 0x10;   // 64-bit, WARL: 32-byte aligned
constexpr uint64_t kRingSize = 0x18;   // entries, WARL: power of two 1..kMaxRingEntries
constexpr uint64_t kRingHead = 0x1c;   // RO: next descriptor the engine will fetch
constexpr uint64_t kRingTail = 0x20;   // RW doorbell: one past the last valid descriptor
constexpr uint64_t kCompleted = 0x24;  // RO: descriptors completed (wraps at 2^32)
constexpr uint64_t kMsiAddr = 0x28;    // 64-bit, WARL: 4-byte aligned
constexpr uint64_t kMsiData = 0x30;    // 32-bit
constexpr uint64_t kErrAddr = 0x38;    // RO 64-bit: bus address of the failed access
constexpr uint64_t kRegsSize = 0x1000;

constexpr uint32_t kIdValue = 0x444d4131;  // "DMA1"
constexpr uint32_t kMaxRingEntries = 65536;

constexpr uint32_t kCtrlEn = 1u << 0;
constexpr uint32_t kCtrlIrqEn = 1u << 1;
constexpr uint32_t kCtrlReset = 1u << 2;

constexpr uint32_t kStatusBusy = 1u << 0;
constexpr uint32_t kStatusDone = 1u << 1;
constexpr uint32_t kStatusError = 1u << 2;
constexpr unsigned kStatusErrCodeShift = 8;  // [15:8]

// Error codes (STATUS.ERR_CODE and descriptor status[15:8]).
enum ErrorCode : uint8_t {
  kErrNone = 0,
  kErrDescFetch = 1,  // reading the descriptor failed
  kErrRead = 2,       // a source read failed
  kErrWrite = 3,      // a destination write failed
  kErrBadDesc = 4,    // unknown opcode, zero length, bad immediate size
};

// Descriptor: 32 bytes, little-endian, in a ring of kRingSize entries.
constexpr unsigned kDescSize = 32;
constexpr unsigned kDescControl = 0x00;  // u32: [7:0] opcode, [8] IRQ, [9] WB
constexpr unsigned kDescLength = 0x04;   // u32: bytes (1..8 for WRITE_IMM)
constexpr unsigned kDescSrc = 0x08;      // u64: source / fill pattern / immediate
constexpr unsigned kDescDst = 0x10;      // u64: destination
constexpr unsigned kDescStatus = 0x18;   // u32: written back if WB: [0] DONE, [15:8] error

enum Opcode : uint8_t { kOpCopy = 1, kOpFill = 2, kOpWriteImm = 3 };
constexpr uint32_t kDescIrq = 1u << 8;  // MSI when this descriptor completes
constexpr uint32_t kDescWb = 1u << 9;   // write the status word back
constexpr uint32_t kDescStatusDone = 1u << 0;

}  // namespace vp::devices::dma_regs
