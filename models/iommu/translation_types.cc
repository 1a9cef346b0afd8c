// Text names of access types for fault explanations.
#include "models/iommu/translation_types.h"

namespace vp::iommu {

const char* to_string(AccessType a) {
  switch (a) {
    case AccessType::kRead:
      return "read";
    case AccessType::kWrite:
      return "write";
    case AccessType::kExecute:
      return "execute";
  }
  return "?";
}

}  // namespace vp::iommu
