// Text form of a WalkTrace for fault explanations and test failure messages.
#include "models/iommu/walk_trace.h"

#include <cinttypes>
#include <cstdio>

namespace vp::iommu {

const char* to_string(WalkTable t) {
  switch (t) {
    case WalkTable::kDdt: return "DDT";
    case WalkTable::kPdt: return "PDT";
    case WalkTable::kFirstStage: return "first-stage";
    case WalkTable::kSecondStage: return "second-stage";
  }
  return "?";
}

std::string describe(const WalkTrace& trace) {
  std::string out;
  char line[128];
  for (const WalkStep& s : trace) {
    std::snprintf(line, sizeof line, "%s L%d @0x%" PRIx64 " = 0x%016" PRIx64 "\n",
                  to_string(s.table), s.level, s.address, s.value);
    out += line;
  }
  return out;
}

}  // namespace vp::iommu
