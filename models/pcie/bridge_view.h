// A cached decoded view of a type 1 (bridge) header for hot paths.
//
// Routing a memory request through a port needs the command enables, the
// two windows, the bus numbers and the ACS controls; decoding them from the
// configuration bytes on every request costs more than the rest of the hop.
// The view re-decodes only when the ConfigSpace's version changes (any
// software write, hardware set or reset), so it is never stale.
#pragma once

#include <cstdint>

#include "models/pcie/config_space.h"

namespace vp::pcie {

class BridgeView {
 public:
  explicit BridgeView(const ConfigSpace& cfg) : cfg_(cfg) {}

  struct Decoded {
    bool memory_enabled = false;
    bool bus_master = false;
    AddressWindow memory, prefetchable;
    uint8_t secondary = 0, subordinate = 0;
    uint16_t acs = 0;
    // Memory Space Enable set and [address, address + size) in a window.
    bool claims(uint64_t address, uint64_t size) const {
      return memory_enabled &&
             (memory.contains(address, size) || prefetchable.contains(address, size));
    }
    bool routes_bus(unsigned bus) const { return bus >= secondary && bus <= subordinate; }
  };

  const Decoded& get() const {
    if (version_ != cfg_.version()) refresh();
    return d_;
  }

 private:
  void refresh() const {
    d_.memory_enabled = cfg_.command_memory_enabled();
    d_.bus_master = cfg_.bus_master_enabled();
    d_.memory = cfg_.memory_window();
    d_.prefetchable = cfg_.prefetchable_window();
    d_.secondary = cfg_.secondary_bus();
    d_.subordinate = cfg_.subordinate_bus();
    d_.acs = cfg_.acs_capability() ? cfg_.acs_control() : 0;
    version_ = cfg_.version();
  }

  const ConfigSpace& cfg_;
  mutable Decoded d_;
  mutable uint64_t version_ = ~0ull;
};

}  // namespace vp::pcie
