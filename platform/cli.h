// Command line of iommu-vp.
//
// Exit status convention (main.cc): 0 success, 1 the simulation ran but the
// scenario failed (data mismatch, guest error), 2 usage, configuration or
// topology error (reported before simulation starts).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace vp::platform {

class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  std::string config_path;
  std::vector<std::string> sets;  // key=value, in order
  std::string scenario;           // empty: the config's run.scenario
  std::string stats_path;
  bool stats_table = false;
  std::string trace_path;  // Chrome/Perfetto trace-event JSON
  bool help = false;
  bool help_config = false;
  bool help_config_markdown = false;
  bool list_scenarios = false;
  bool dump_config = false;
  bool quiet = false;
  std::string usage;  // option summary for --help and errors
};

// Throws CliError on an unknown option or a malformed value.
CliOptions parse_cli(int argc, const char* const* argv);

}  // namespace vp::platform
