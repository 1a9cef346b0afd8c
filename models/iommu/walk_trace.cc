// Text form of a WalkTrace for fault explanations and test failure messages.
#include "models/iommu/walk_trace.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

namespace vp::iommu {

const char* to_string(WalkTable t) {
  switch (t) {
    case WalkTable::kDdt:
      return "DDT";
    case WalkTable::kPdt:
      return "PDT";
    case WalkTable::kFirstStage:
      return "first-stage";
    case WalkTable::kSecondStage:
      return "second-stage";
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

std::string strprintf(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return std::string();
  if (size_t(n) < sizeof buf) return std::string(buf, size_t(n));
  std::string out(size_t(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(&out[0], out.size(), fmt, ap);
  va_end(ap);
  out.resize(size_t(n));
  return out;
}

}  // namespace vp::iommu
