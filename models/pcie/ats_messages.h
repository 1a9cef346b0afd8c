// Bodies of the PCIe ATS and PRI messages (PCIe Base 6.0 sec. 10.3.1,
// 10.4.1, 10.4.2) as this platform carries them: one 64-bit value (TLP bytes
// 8..15) in the data of a request whose PcieExtension names the message.
// The bit positions are those of the RISC-V IOMMU's ATS command and
// page-request PAYLOAD fields (In-memory queues 3.1.4, 3.3), which hold the
// same message bodies.
#pragma once

#include <cstdint>

namespace vp::pcie::ats_msg {

// Invalidation Request: Global Invalidate, S (range size encoding as in a
// translation completion) and Untranslated Address[63:12].
constexpr uint64_t kInvalGlobal = 1ull << 0;
constexpr uint64_t kInvalS = 1ull << 11;

// Page Request (and Stop Marker: L=1, R=W=0).
constexpr uint64_t kPageRequestRead = 1ull << 0;
constexpr uint64_t kPageRequestWrite = 1ull << 1;
constexpr uint64_t kPageRequestLast = 1ull << 2;
constexpr unsigned kPrgIndexShift = 3;  // 9 bits
constexpr uint64_t kPageAddressMask = ~0xfffull;

// Page Request Group Response: PRG index and Response Code.
constexpr unsigned kPrgResponseIndexShift = 32;  // 9 bits
constexpr unsigned kPrgResponseCodeShift = 44;   // 4 bits
constexpr unsigned kPrgIndexMask = 0x1ff;
constexpr unsigned kResponseSuccess = 0x0;
constexpr unsigned kResponseInvalidRequest = 0x1;
constexpr unsigned kResponseFailure = 0xf;

inline uint64_t page_request(uint64_t address, unsigned prg_index, bool read, bool write) {
  return (address & kPageAddressMask) | (uint64_t(prg_index & kPrgIndexMask) << kPrgIndexShift) |
         kPageRequestLast | (read ? kPageRequestRead : 0) | (write ? kPageRequestWrite : 0);
}
inline unsigned prg_response_index(uint64_t body) {
  return unsigned(body >> kPrgResponseIndexShift) & kPrgIndexMask;
}
inline unsigned prg_response_code(uint64_t body) {
  return unsigned(body >> kPrgResponseCodeShift) & 0xf;
}

}  // namespace vp::pcie::ats_msg
