// Scenarios: the workloads iommu-vp runs. A scenario is guest software: it
// runs on the guest CPU through the Hal, using the platform's description
// of the machine (addresses, interrupt identities) and its own parameters
// (keys "scenario.<name>.*").
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <systemc>
#include <vector>

#include "platform/virtual_platform.h"
#include "sw/hal/hal.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::platform {

struct ScenarioResult {
  bool ok = true;
  std::string message;          // why it failed, or a one-line note
  uint64_t bytes = 0;           // payload bytes moved by the workload
  uint64_t operations = 0;      // e.g. descriptors, mappings
  sc_core::sc_time start, end;  // measured phase (guest time)
  nlohmann::json extra = nlohmann::json::object();
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual void declare(vp::common::ParameterSet& p) = 0;
  virtual void run(guest::hal::Hal& hal, const PlatformInfo& info, ScenarioResult& result) = 0;
};

// Every built-in scenario; the first is the default.
std::vector<std::unique_ptr<Scenario>> make_scenarios();

}  // namespace vp::platform
