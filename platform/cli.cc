#include "platform/cli.h"

#include <boost/program_options.hpp>
#include <sstream>

namespace vp::platform {

namespace po = boost::program_options;

CliOptions parse_cli(int argc, const char* const* argv) {
  CliOptions o;
  std::string help_config_format;
  po::options_description desc(
      "Usage: iommu-vp [--config FILE] [--set key=value ...] [--scenario NAME] [options]");
  desc.add_options()("config", po::value(&o.config_path),
                     "JSON configuration file (defaults apply without one)")(
      "set", po::value(&o.sets)->composing(),
      "override one key: --set iommu.iotlb.sets=64 (repeatable)")(
      "scenario", po::value(&o.scenario), "workload to run (--list-scenarios)")(
      "stats", po::value(&o.stats_path), "write statistics as JSON to FILE")(
      "stats-table", po::bool_switch(&o.stats_table), "print statistics as a table")(
      "trace", po::value(&o.trace_path),
      "write a transaction trace (Chrome/Perfetto trace-event JSON) to FILE")(
      "list-scenarios", po::bool_switch(&o.list_scenarios),
      "list scenarios, one per line, name first")(
      "help-config", po::value(&help_config_format)->implicit_value("text"),
      "list every configuration key with default, unit and doc (=markdown for a table)")(
      "dump-config", po::bool_switch(&o.dump_config), "print the effective configuration as JSON")(
      "quiet,q", po::bool_switch(&o.quiet), "print only errors")("help,h", po::bool_switch(&o.help),
                                                                 "this help");
  std::ostringstream usage;
  usage << desc;
  o.usage = usage.str();
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, const_cast<char**>(argv)).options(desc).run(), vm);
    po::notify(vm);
    if (vm.count("help-config")) {
      o.help_config = true;
      if (help_config_format == "markdown")
        o.help_config_markdown = true;
      else if (help_config_format != "text")
        throw CliError("--help-config takes 'text' or 'markdown', got '" + help_config_format +
                       "'");
    }
  } catch (const po::error& e) {
    throw CliError(e.what());
  }
  return o;
}

}  // namespace vp::platform
