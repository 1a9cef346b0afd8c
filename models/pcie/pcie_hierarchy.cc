#include "models/pcie/pcie_hierarchy.h"

#include <set>
#include <stdexcept>

#include "models/common/parameters.h"

namespace vp::pcie {

void PcieTopology::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  root_complex.declare(p, prefix + "root_complex.");
  for (auto& rp : root_ports) rp.link.declare(p, prefix + rp.name + ".link.");
  for (auto& sw : switches) {
    sw.params.declare(p, prefix + sw.name + ".");
    for (size_t i = 0; i < sw.downstream_links.size(); ++i)
      sw.downstream_links[i].declare(p, prefix + sw.name + ".dsp" + std::to_string(i) + ".link.");
  }
  for (auto& ep : endpoints) {
    const std::string k = prefix + ep.name + ".";
    switch (ep.type) {
      case EndpointType::kDmaEngine:
        ep.dma_engine.declare(p, k);
        break;
      case EndpointType::kPeerMemory:
        ep.peer_memory.declare(p, k);
        break;
      case EndpointType::kTrafficGenerator:
        ep.traffic_generator.declare(p, k);
        break;
    }
  }
}

void PcieTopology::validate() const {
  auto bad = [](const std::string& node, const std::string& why) {
    throw std::invalid_argument("pcie topology: node '" + node + "': " + why);
  };
  std::map<std::string, std::string> kind;  // name -> "root_port" / "switch" / "endpoint"
  std::map<std::string, size_t> switch_ports;
  auto add = [&](const std::string& name, const char* k) {
    if (name.empty()) bad(name, "a node needs a name");
    if (name == "root_complex") bad(name, "the name is reserved");
    if (!kind.emplace(name, k).second) bad(name, "name used twice");
  };
  if (root_ports.empty()) bad("root_complex", "needs at least one root port");
  for (const auto& rp : root_ports) {
    add(rp.name, "root_port");
    try {
      rp.link.validate(rp.name + ".link.");
    } catch (const vp::common::ParameterError& e) {
      bad(rp.name, e.what());
    }
  }
  for (const auto& sw : switches) {
    add(sw.name, "switch");
    if (sw.downstream_links.empty() || sw.downstream_links.size() > 32)
      bad(sw.name, "a switch needs 1..32 downstream ports");
    switch_ports[sw.name] = sw.downstream_links.size();
    for (size_t i = 0; i < sw.downstream_links.size(); ++i) {
      try {
        sw.downstream_links[i].validate(sw.name + ".dsp" + std::to_string(i) + ".link.");
      } catch (const vp::common::ParameterError& e) {
        bad(sw.name, e.what());
      }
    }
  }
  for (const auto& ep : endpoints) add(ep.name, "endpoint");

  std::set<std::pair<std::string, unsigned>> used;
  std::map<std::string, std::string> switch_parent;
  auto check_parent = [&](const std::string& node, const std::string& parent, unsigned port) {
    auto it = kind.find(parent);
    if (it == kind.end()) bad(node, "parent '" + parent + "' does not exist");
    if (it->second == "endpoint") bad(node, "parent '" + parent + "' is an endpoint");
    const unsigned p = it->second == "switch" ? port : 0;
    if (it->second == "switch" && port >= switch_ports[parent])
      bad(node, "switch '" + parent + "' has no downstream port " + std::to_string(port));
    if (!used.emplace(parent, p).second)
      bad(node, "port " + std::to_string(p) + " of '" + parent + "' already has a child");
  };
  for (const auto& sw : switches) {
    check_parent(sw.name, sw.parent, sw.parent_port);
    switch_parent[sw.name] = sw.parent;
  }
  for (const auto& ep : endpoints) check_parent(ep.name, ep.parent, ep.parent_port);
  // Every switch must hang below a root port: follow parents.
  for (const auto& sw : switches) {
    std::string at = sw.name;
    for (size_t steps = 0; kind[at] == "switch"; ++steps) {
      if (steps > switches.size()) bad(sw.name, "its parents form a cycle");
      at = switch_parent[at];
    }
  }
}

PcieHierarchy::PcieHierarchy(sc_core::sc_module_name name, const PcieTopology& topology)
    : sc_module(name), topology_(topology) {
  topology_.validate();
  try {
    topology_.root_complex.validate("root_complex.");
  } catch (const vp::common::ParameterError& e) {
    throw std::invalid_argument(std::string("pcie topology: ") + e.what());
  }
  std::vector<PcieLinkParams> rp_links;
  for (unsigned i = 0; i < topology_.root_ports.size(); ++i) {
    rp_links.push_back(topology_.root_ports[i].link);
    root_port_index_[topology_.root_ports[i].name] = i;
  }
  rc_ = std::make_unique<RootComplex>("rc", topology_.root_complex, rp_links);
  for (const auto& sw : topology_.switches) {
    auto s = std::make_unique<PcieSwitch>(sw.name.c_str(), sw.params, sw.downstream_links);
    switch_list_.push_back(s.get());
    switches_[sw.name] = std::move(s);
  }
  for (const auto& ep : topology_.endpoints) {
    std::unique_ptr<PcieEndpoint> e;
    switch (ep.type) {
      case PcieTopology::EndpointType::kDmaEngine:
        e = std::make_unique<vp::devices::DmaEngineEndpoint>(ep.name.c_str(), ep.dma_engine);
        break;
      case PcieTopology::EndpointType::kPeerMemory:
        e = std::make_unique<vp::devices::PeerMemoryEndpoint>(ep.name.c_str(), ep.peer_memory);
        break;
      case PcieTopology::EndpointType::kTrafficGenerator:
        e = std::make_unique<vp::devices::TrafficGenerator>(ep.name.c_str(), ep.traffic_generator);
        break;
    }
    endpoint_list_.push_back(e.get());
    endpoints_[ep.name] = std::move(e);
  }
  // Wire children to their parents' ports; returns the link used.
  auto attach = [&](const std::string& parent, unsigned port, PcieDevice& child) {
    auto rp = root_port_index_.find(parent);
    if (rp != root_port_index_.end()) {
      rc_->connect(rp->second, child);
      return rc_->root_port(rp->second).link().params();
    }
    PcieSwitch& s = *switches_.at(parent);
    s.connect(port, child);
    return s.downstream_port(port).link().params();
  };
  for (const auto& sw : topology_.switches) attach(sw.parent, sw.parent_port, *switches_[sw.name]);
  for (const auto& ep : topology_.endpoints) {
    PcieEndpoint& e = *endpoints_[ep.name];
    const PcieLinkParams link = attach(ep.parent, ep.parent_port, e);
    if (topology_.apply_link_sizes)
      e.set_max_sizes(link.max_payload_size, link.max_read_request_size);
  }
}

PcieSwitch* PcieHierarchy::find_switch(const std::string& name) {
  auto it = switches_.find(name);
  return it == switches_.end() ? nullptr : it->second.get();
}

PcieEndpoint* PcieHierarchy::find_endpoint(const std::string& name) {
  auto it = endpoints_.find(name);
  return it == endpoints_.end() ? nullptr : it->second.get();
}

void PcieHierarchy::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  rc_->report_stats(v);
  for (const auto* s : switch_list_) s->report_stats(v);
  for (const auto* e : endpoint_list_) e->report_stats(v);
  v.end_group();
}

}  // namespace vp::pcie
