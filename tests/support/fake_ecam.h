// A stand-in for the PCIe root complex's configuration side, for guest
// enumeration tests: an ECAM target that holds vp::pcie::ConfigSpace
// objects arranged as a tree and routes configuration requests the way
// bridges do (PCIe 6.0 sec. 7.3.1):
//   - bus == the root bus: type 0 request to the function at devfn there;
//   - otherwise the bridge on the current bus whose [secondary, subordinate]
//     holds the bus forwards it (type 1); when bus == its secondary it
//     converts it to type 0 for the function at devfn on its secondary bus.
//     A Root Port or Downstream Port converts only for Device 0 (its link
//     reaches one device); a bridge with secondary 0 forwards nothing;
//   - no function / no bridge claiming the bus: Unsupported Request, which
//     the root complex turns into all ones for a read and drops for a write.
//
// Every access costs `access_ns` (a named parameter). Not modeled: CRS,
// timing per hop, ECAM DMI, segments. To be replaced by the real root
// complex model in platform tests.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>

#include "models/pcie/config_space.h"
#include "models/pcie/pcie_regs.h"

namespace vp::test {

struct FakeEcamParams {
  double access_ns = 20.0;  // cost of one configuration access, any size
  unsigned bus_start = 0;   // the bus at offset 0 of the window
  unsigned bus_end = 255;   // last bus the window decodes
};

class FakeEcam : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<FakeEcam> socket;

  FakeEcam(sc_core::sc_module_name name, const FakeEcamParams& params = {})
      : sc_module(name),
        socket("socket"),
        params_(params),
        latency_(params.access_ns, sc_core::SC_NS) {
    socket.register_b_transport(this, &FakeEcam::b_transport);
  }

  uint64_t size() const { return uint64_t(params_.bus_end - params_.bus_start + 1) << 20; }

  // A function on the root bus.
  void attach_root(uint8_t devfn, pcie::ConfigSpace& cfg) { attach(root_, devfn, cfg); }
  // A function on the secondary bus of `bridge` (already attached).
  void attach_below(pcie::ConfigSpace& bridge, uint8_t devfn, pcie::ConfigSpace& cfg) {
    auto it = nodes_.find(&bridge);
    if (it == nodes_.end() || !bridge.is_bridge())
      throw std::invalid_argument("FakeEcam: " + bridge.name() + " is not an attached bridge");
    attach(it->second.below, devfn, cfg);
  }

  uint64_t accesses() const { return accesses_; }
  uint64_t unsupported_requests() const { return unsupported_; }

 private:
  struct Node {
    pcie::ConfigSpace* cfg = nullptr;
    std::map<uint8_t, Node*> below;  // functions on the secondary bus, by devfn
  };

  void attach(std::map<uint8_t, Node*>& level, uint8_t devfn, pcie::ConfigSpace& cfg) {
    if (level.count(devfn) || nodes_.count(&cfg))
      throw std::invalid_argument("FakeEcam: devfn or function " + cfg.name() + " used twice");
    Node& n = nodes_[&cfg];
    n.cfg = &cfg;
    level[devfn] = &n;
  }

  static bool converts_only_device0(const pcie::ConfigSpace& bridge) {
    return bridge.pcie_capability() &&
           (bridge.port_type() == pcie::cfg::kPortTypeRootPort ||
            bridge.port_type() == pcie::cfg::kPortTypeDownstreamSwitchPort);
  }

  pcie::ConfigSpace* route(unsigned bus, uint8_t devfn) const {
    const std::map<uint8_t, Node*>* level = &root_;
    unsigned level_bus = params_.bus_start;
    bool only_device0 = false;
    for (;;) {
      if (bus == level_bus) {
        if (only_device0 && (devfn >> 3) != 0) return nullptr;
        auto it = level->find(devfn);
        return it == level->end() ? nullptr : it->second->cfg;
      }
      const Node* next = nullptr;
      for (const auto& entry : *level) {
        const pcie::ConfigSpace& c = *entry.second->cfg;
        if (c.is_bridge() && c.secondary_bus() != 0 && c.secondary_bus() > level_bus &&
            bus >= c.secondary_bus() && bus <= c.subordinate_bus()) {
          next = entry.second;
          break;
        }
      }
      if (!next) return nullptr;
      level = &next->below;
      level_bus = next->cfg->secondary_bus();
      only_device0 = converts_only_device0(*next->cfg);
    }
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    delay += latency_;
    ++accesses_;
    const uint64_t address = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (address >= size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const unsigned bus = params_.bus_start + unsigned(address >> 20);
    const uint8_t devfn = uint8_t(address >> 12);
    const unsigned reg = unsigned(address & 0xfff);
    pcie::ConfigSpace* cfg = route(bus, devfn);
    if (!cfg) {
      ++unsupported_;
      if ((len != 1 && len != 2 && len != 4) ||
          (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len)) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
      }
      if (reg % len) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
      }
      if (gp.is_read()) {
        const uint32_t v = pcie::ConfigSpace::absent_function_value(len);
        for (unsigned i = 0; i < len; ++i) gp.get_data_ptr()[i] = uint8_t(v >> (8 * i));
      }
      gp.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
    gp.set_address(reg);
    cfg->access(gp);  // sets the response status
    gp.set_address(address);
  }

  FakeEcamParams params_;
  sc_core::sc_time latency_;
  std::map<uint8_t, Node*> root_;
  std::map<const pcie::ConfigSpace*, Node> nodes_;
  uint64_t accesses_ = 0, unsupported_ = 0;
};

}  // namespace vp::test
