// The iommu-vp program as a function, so tests can run it in-process:
// parses nothing, takes parsed options, returns the exit status (see cli.h).
#pragma once

#include <ostream>

#include "platform/cli.h"

namespace vp::platform {

int run(const CliOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vp::platform
