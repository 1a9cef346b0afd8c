#include "platform/runner.h"

#include <chrono>
#include <iomanip>

#include "models/common/parameters.h"
#include "models/common/trace.h"
#include "platform/config.h"
#include "platform/pcie_topology.h"
#include "platform/scenario.h"
#include "platform/stats_writer.h"
#include "platform/virtual_platform.h"

namespace vp::platform {

namespace {

std::string format_time(const sc_core::sc_time& t) {
  std::ostringstream os;
  const double ns = t.to_seconds() * 1e9;
  if (ns >= 1e6)
    os << std::fixed << std::setprecision(3) << ns / 1e6 << " ms";
  else if (ns >= 1e3)
    os << std::fixed << std::setprecision(3) << ns / 1e3 << " us";
  else
    os << std::fixed << std::setprecision(1) << ns << " ns";
  return os.str();
}

}  // namespace

int run(const CliOptions& o, std::ostream& out, std::ostream& err) {
  if (o.help) {
    out << o.usage;
    return 0;
  }
  auto scenarios = make_scenarios();
  if (o.list_scenarios) {
    for (const auto& s : scenarios) out << s->name() << "  " << s->description() << "\n";
    return 0;
  }

  // Configuration: registry of every parameter, then file, then --set.
  vp::common::ParameterSet params;
  PlatformParams pp;
  std::string scenario_name = scenarios.front()->name();
  std::vector<std::string> names;
  for (const auto& s : scenarios) names.push_back(s->name());
  params.add("run.scenario", scenario_name, "scenario to run (--scenario overrides)", names);
  pp.declare(params);
  for (const auto& s : scenarios) s->declare(params);
  if (o.help_config) {
    out << help_config(params, o.help_config_markdown);
    return 0;
  }
  nlohmann::json pcie_config;
  try {
    if (!o.config_path.empty()) {
      nlohmann::json config = load_config_file(o.config_path);
      // The PCIe tree is a structured object, not flat parameters.
      if (config.is_object() && config.contains("pcie")) {
        pcie_config = config["pcie"];
        pp.pcie = parse_pcie_topology(pcie_config);
        config.erase("pcie");
      }
      apply_config(params, config);
    }
    for (const auto& kv : o.sets) apply_override(params, kv);
    if (!o.scenario.empty()) apply_override(params, "run.scenario=" + o.scenario);
  } catch (const ConfigError& e) {
    err << "iommu-vp: " << e.what() << "\n";
    return 2;
  }
  if (o.dump_config) {
    nlohmann::json dumped = dump_config(params);
    if (!pcie_config.is_null()) dumped["pcie"] = pcie_config;
    out << dumped.dump(2) << "\n";
    return 0;
  }
  Scenario* scenario = nullptr;
  for (const auto& s : scenarios)
    if (s->name() == scenario_name) scenario = s.get();

  std::unique_ptr<VirtualPlatform> vp;
  try {
    vp = std::make_unique<VirtualPlatform>("vp", pp);
  } catch (const TopologyError& e) {
    err << "iommu-vp: " << e.what() << "\n";
    return 2;
  } catch (const vp::common::ParameterError& e) {
    err << "iommu-vp: " << e.what() << "\n";
    return 2;
  }

  std::unique_ptr<vp::common::TraceWriter> trace;
  if (!o.trace_path.empty()) {
    try {
      trace = std::make_unique<vp::common::TraceWriter>(o.trace_path);
    } catch (const std::exception& e) {
      err << "iommu-vp: " << e.what() << "\n";
      return 2;
    }
    vp::common::TraceWriter::set_active(trace.get());
  }

  ScenarioResult result;
  vp->cpu().run([&](guest::hal::Hal& hal) { scenario->run(hal, vp->info(), result); });
  // The guest CPU ends the run with sc_stop(); that is not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  const auto host_start = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double host_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
  if (trace) {
    trace->close();
    vp::common::TraceWriter::set_active(nullptr);
  }
  if (vp->cpu().failed()) {
    result.ok = false;
    result.message = "guest software failed: " + vp->cpu().failure_message();
  } else if (!vp->cpu().finished()) {
    result.ok = false;
    result.message = "guest software did not finish (simulation ran out of events)";
  }

  const sc_core::sc_time sim = sc_core::sc_time_stamp();
  const sc_core::sc_time phase =
      result.end > result.start ? result.end - result.start : sc_core::SC_ZERO_TIME;
  const double gbps =
      phase > sc_core::SC_ZERO_TIME ? double(result.bytes) / (phase.to_seconds() * 1e9) : 0;
  const uint64_t transactions = vp->dma().bus_transactions();
  if (!o.quiet || !result.ok) {
    out << "scenario " << scenario->name() << ": " << (result.ok ? "OK" : "FAILED") << " ("
        << result.message << ")\n";
    out << "  simulated time   " << format_time(sim) << " (measured phase " << format_time(phase)
        << ")\n";
    out << "  bytes            " << result.bytes << "\n";
    out << "  throughput       " << std::fixed << std::setprecision(2) << gbps << " GB/s\n";
    out << "  operations       " << result.operations << "\n";
    out << "  DMA transactions " << transactions << "\n";
    out << "  host time        " << std::fixed << std::setprecision(3) << host_s << " s\n";
  }

  JsonStatsWriter json;
  nlohmann::json run_info = {{"scenario", scenario->name()},
                             {"ok", result.ok},
                             {"message", result.message},
                             {"simulated_ns", sim.to_seconds() * 1e9},
                             {"phase_ns", phase.to_seconds() * 1e9},
                             {"bytes", result.bytes},
                             {"throughput_gbps", gbps},
                             {"operations", result.operations},
                             {"dma_transactions", transactions},
                             {"host_seconds", host_s},
                             {"extra", result.extra}};
  json.add_section("run", run_info);
  nlohmann::json config_section = dump_config(params);
  if (!pcie_config.is_null()) config_section["pcie"] = pcie_config;
  json.add_section("config", config_section);
  vp->report_stats(json);
  if (o.stats_table) {
    TableStatsWriter table;
    vp->report_stats(table);
    table.print(out);
  }
  if (!o.stats_path.empty()) {
    try {
      json.write(o.stats_path);
    } catch (const std::exception& e) {
      err << "iommu-vp: " << e.what() << "\n";
      return 2;
    }
  }
  return result.ok ? 0 : 1;
}

}  // namespace vp::platform
