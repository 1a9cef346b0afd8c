// PCIe hierarchy builder: a root complex and any tree of root ports,
// switches and endpoints, built from a plain C++ description.
//
// The description (PcieTopology) lists root ports, switches and endpoints by
// name. A switch or an endpoint names its parent: a root port, or a switch
// together with the index of one of its downstream ports. Every downstream
// port carries at most one child; ports left empty are empty slots. The
// builder checks the description (unique names, parents that exist, port
// indices in range, no port used twice, no cycles) and throws
// std::invalid_argument naming the offending node.
//
// Endpoint types are the devices of models/devices: the DMA engine
// endpoint, the peer memory endpoint and the traffic generator. With
// apply_link_sizes the builder leaves each endpoint's Device Control MPS and
// MRRS at its link's values, as platform firmware would; otherwise they keep
// their reset values (128 B / 512 B) until software programs them.
//
// Sockets to wire: rc().ecam and rc().mmio (targets on the system
// interconnect; map MMIO with relative = false), rc().upstream (to the IOMMU
// or memory).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/common/statistics.h"
#include "models/devices/dma_engine_endpoint.h"
#include "models/devices/peer_memory_endpoint.h"
#include "models/devices/traffic_generator.h"
#include "models/pcie/pcie_switch.h"
#include "models/pcie/root_complex.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::pcie {

struct PcieTopology {
  struct RootPortNode {
    std::string name;
    PcieLinkParams link;  // the link below the root port
  };
  struct SwitchNode {
    std::string name;
    std::string parent;        // a root port or a switch
    unsigned parent_port = 0;  // downstream port index when the parent is a switch
    PcieSwitchParams params;
    std::vector<PcieLinkParams> downstream_links;  // one per downstream port
  };
  enum class EndpointType { kDmaEngine, kPeerMemory, kTrafficGenerator };
  struct EndpointNode {
    std::string name;
    EndpointType type = EndpointType::kPeerMemory;
    std::string parent;
    unsigned parent_port = 0;
    vp::devices::DmaEngineEndpointParams dma_engine;
    vp::devices::PeerMemoryEndpointParams peer_memory;
    vp::devices::TrafficGeneratorParams traffic_generator;
  };

  RootComplexParams root_complex;
  std::vector<RootPortNode> root_ports;
  std::vector<SwitchNode> switches;
  std::vector<EndpointNode> endpoints;
  bool apply_link_sizes = true;

  // Declares every node's parameters under prefix + node name + ".".
  void declare(vp::common::ParameterSet& p, const std::string& prefix);
  // Throws std::invalid_argument naming the problem.
  void validate() const;
};

class PcieHierarchy : public sc_core::sc_module {
 public:
  PcieHierarchy(sc_core::sc_module_name name, const PcieTopology& topology);

  RootComplex& rc() { return *rc_; }
  PcieSwitch* find_switch(const std::string& name);
  PcieEndpoint* find_endpoint(const std::string& name);
  template <typename T>
  T* find(const std::string& name) {
    return dynamic_cast<T*>(find_endpoint(name));
  }
  const std::vector<PcieEndpoint*>& endpoints() const { return endpoint_list_; }

  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  PcieTopology topology_;
  std::unique_ptr<RootComplex> rc_;
  std::map<std::string, unsigned> root_port_index_;
  std::map<std::string, std::unique_ptr<PcieSwitch>> switches_;
  std::map<std::string, std::unique_ptr<PcieEndpoint>> endpoints_;
  std::vector<PcieEndpoint*> endpoint_list_;
  std::vector<PcieSwitch*> switch_list_;
};

}  // namespace vp::pcie
