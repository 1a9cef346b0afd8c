// iommu-vp: builds a virtual platform from a JSON config and runs a scenario.
#include <cstdlib>
#include <iostream>
#include <systemc>

#include "platform/cli.h"
#include "platform/runner.h"

int sc_main(int argc, char* argv[]) {
  // The kernel prints its banner when the first module is built; a tool's
  // output should start with its own lines.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  vp::platform::CliOptions options;
  try {
    options = vp::platform::parse_cli(argc, argv);
  } catch (const vp::platform::CliError& e) {
    std::cerr << "iommu-vp: " << e.what() << "\n\n";
    vp::platform::CliOptions defaults = vp::platform::parse_cli(0, nullptr);
    std::cerr << defaults.usage;
    return 2;
  }
  return vp::platform::run(options, std::cout, std::cerr);
}
