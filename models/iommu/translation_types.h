// Types shared by the IOMMU's walkers: the original access type of a
// request, the cause codes it maps to, and the callback through which the
// process-directory walker has guest physical addresses translated by the
// second stage.
//
// Spec: Data Structures 2.3 (faults "corresponding to the original access
// type"), 2.3.2 (PDT reads are implicit accesses translated by the second
// stage), In-memory queues 3.2 (cause codes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>

#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/walk_trace.h"

namespace vp::iommu {

// Original access type of an inbound request. AMOs are writes.
enum class AccessType { kRead, kWrite, kExecute };

const char* to_string(AccessType a);

inline uint32_t page_fault_cause(AccessType a) {
  return a == AccessType::kWrite     ? cause::kWritePageFault
         : a == AccessType::kExecute ? cause::kInstructionPageFault
                                     : cause::kReadPageFault;
}
inline uint32_t guest_page_fault_cause(AccessType a) {
  return a == AccessType::kWrite     ? cause::kWriteGuestPageFault
         : a == AccessType::kExecute ? cause::kInstructionGuestPageFault
                                     : cause::kReadGuestPageFault;
}
inline uint32_t access_fault_cause(AccessType a) {
  return a == AccessType::kWrite     ? cause::kWriteAccessFault
         : a == AccessType::kExecute ? cause::kInstructionAccessFault
                                     : cause::kReadAccessFault;
}

// Outcome of translating the GPA of an implicit access (a PDT entry or a
// first-stage PTE) through the second stage.
struct GpaTranslation {
  enum class Status {
    kOk,
    kGuestPageFault,  // second-stage PTE invalid, reserved, no permission, ...
    kAccessFault,     // bus error reading or updating a second-stage PTE
  };
  Status status = Status::kOk;
  uint64_t spa = 0;
  std::string why;  // on failure
  bool ok() const { return status == Status::kOk; }
};

// Translates `gpa` for an implicit read (write = false) or write through
// the second stage. Adds the memory time of any walk to `delay`; appends
// the second-stage entries read to `trace` if not null. The IOMMU wires it
// to its second-stage cache and PageTableWalker.
using GpaTranslator = std::function<GpaTranslation(uint64_t gpa, bool write,
                                                   sc_core::sc_time& delay, WalkTrace* trace)>;

}  // namespace vp::iommu
