#include "platform/scenario.h"

namespace vp::platform {

std::unique_ptr<Scenario> make_dma_copy_scenario();
std::unique_ptr<Scenario> make_pcie_enumerate_scenario();

std::vector<std::unique_ptr<Scenario>> make_scenarios() {
  std::vector<std::unique_ptr<Scenario>> s;
  s.push_back(make_dma_copy_scenario());
  s.push_back(make_pcie_enumerate_scenario());
  return s;
}

}  // namespace vp::platform
