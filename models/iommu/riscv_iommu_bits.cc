// Names of RISC-V IOMMU fault causes (In-memory queues 3.2, table "Fault
// record CAUSE field encodings"), for logs and fault explanations.
#include "models/iommu/riscv_iommu_bits.h"

namespace vp::iommu::cause {

const char* name(uint32_t c) {
  switch (c) {
    case kNone:
      return "none";
    case kInstructionAccessFault:
      return "Instruction access fault";
    case kReadAddressMisaligned:
      return "Read address misaligned";
    case kReadAccessFault:
      return "Read access fault";
    case kWriteAddressMisaligned:
      return "Write/AMO address misaligned";
    case kWriteAccessFault:
      return "Write/AMO access fault";
    case kInstructionPageFault:
      return "Instruction page fault";
    case kReadPageFault:
      return "Read page fault";
    case kWritePageFault:
      return "Write/AMO page fault";
    case kInstructionGuestPageFault:
      return "Instruction guest page fault";
    case kReadGuestPageFault:
      return "Read guest-page fault";
    case kWriteGuestPageFault:
      return "Write/AMO guest-page fault";
    case kAllInboundDisallowed:
      return "All inbound transactions disallowed";
    case kDdtLoadAccessFault:
      return "DDT entry load access fault";
    case kDdtNotValid:
      return "DDT entry not valid";
    case kDdtMisconfigured:
      return "DDT entry misconfigured";
    case kTransactionTypeDisallowed:
      return "Transaction type disallowed";
    case kMsiPteLoadAccessFault:
      return "MSI PTE load access fault";
    case kMsiPteNotValid:
      return "MSI PTE not valid";
    case kMsiPteMisconfigured:
      return "MSI PTE misconfigured";
    case kMrifAccessFault:
      return "MRIF access fault";
    case kPdtLoadAccessFault:
      return "PDT entry load access fault";
    case kPdtNotValid:
      return "PDT entry not valid";
    case kPdtMisconfigured:
      return "PDT entry misconfigured";
    case kDdtDataCorruption:
      return "DDT data corruption";
    case kPdtDataCorruption:
      return "PDT data corruption";
    case kMsiPtDataCorruption:
      return "MSI PT data corruption";
    case kMsiMrifDataCorruption:
      return "MSI MRIF data corruption";
    case kInternalDatapathError:
      return "Internal data path error";
    case kIommuMsiWriteAccessFault:
      return "IOMMU MSI write access fault";
    case kPtDataCorruption:
      return "First/second-stage PT data corruption";
    default:
      return c >= 2048 && c <= 4095 ? "custom" : "reserved";
  }
}

}  // namespace vp::iommu::cause
