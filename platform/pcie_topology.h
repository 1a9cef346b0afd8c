// PCIe topology from JSON: fills a vp::pcie::PcieTopology.
//
// Format (an object, usually the config's "pcie" member):
//   {
//     "root_complex": { ...RootComplexParams keys... },        optional
//     "apply_link_sizes": true,                                 optional
//     "nodes": [
//       {"name": "rp0", "type": "root_port", "link": {"generation": 4, "width": 16}},
//       {"name": "sw0", "type": "switch", "parent": "rp0", "downstream_ports": 2,
//        "link": {...every downstream link...},
//        "port_links": [{...link of port 0...}, {...}],          optional overrides
//        "params": {"traversal_latency_ns": 120}},
//       {"name": "gpu0", "type": "peer_memory", "parent": "sw0", "port": 1,
//        "params": {"bar_size": "1G"}},
//       {"name": "dma0", "type": "dma_engine", "parent": "sw0", "port": 0},
//       {"name": "tg0", "type": "traffic_generator", "parent": "rp0"}   (rp0 taken: error)
//     ]
//   }
// Node types: root_port, switch, dma_engine, peer_memory, traffic_generator.
// "link" and "params" objects take the parameter keys of the node's params
// struct (PcieLinkParams, PcieSwitchParams, the endpoint's params), applied
// through the parameter registry, so ranges and units are checked there.
// Every error is a ConfigError naming the node ("pcie.nodes[2] 'gpu0': ...");
// the tree itself (parents, ports, cycles) is checked by
// PcieTopology::validate().
#pragma once

#include <nlohmann/json.hpp>

#include "models/pcie/pcie_hierarchy.h"
#include "platform/config.h"

namespace vp::platform {

vp::pcie::PcieTopology parse_pcie_topology(const nlohmann::json& pcie);

}  // namespace vp::platform
