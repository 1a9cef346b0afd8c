#include "platform/pcie_topology.h"

#include <set>
#include <string>

#include "models/common/parameters.h"

namespace vp::platform {

using vp::pcie::PcieLinkParams;
using vp::pcie::PcieTopology;

namespace {

// Applies a JSON object of parameter keys to a params struct, naming the
// node in every error.
template <typename Params>
void apply_params(Params& params, const nlohmann::json& j, const std::string& where) {
  vp::common::ParameterSet set;
  params.declare(set, "");
  try {
    apply_config(set, j);
  } catch (const std::exception& e) {
    throw ConfigError(where + ": " + e.what());
  }
}

std::string string_field(const nlohmann::json& node, const char* key, const std::string& where,
                         bool required) {
  if (!node.contains(key)) {
    if (required) throw ConfigError(where + ": missing \"" + key + "\"");
    return "";
  }
  if (!node[key].is_string()) throw ConfigError(where + ": \"" + key + "\" must be a string");
  return node[key].get<std::string>();
}

unsigned unsigned_field(const nlohmann::json& node, const char* key, const std::string& where,
                        unsigned fallback) {
  if (!node.contains(key)) return fallback;
  const auto& v = node[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 0xffff)
    throw ConfigError(where + ": \"" + key + "\" must be an integer 0..65535");
  return static_cast<unsigned>(v.get<int64_t>());
}

void check_keys(const nlohmann::json& node, const std::set<std::string>& allowed,
                const std::string& where) {
  for (auto it = node.begin(); it != node.end(); ++it)
    if (!allowed.count(it.key()) && it.key().rfind("_comment", 0) != 0)
      throw ConfigError(where + ": unknown key \"" + it.key() + "\"");
}

}  // namespace

PcieTopology parse_pcie_topology(const nlohmann::json& pcie) {
  if (!pcie.is_object()) throw ConfigError("pcie: must be a JSON object");
  check_keys(pcie, {"root_complex", "apply_link_sizes", "nodes"}, "pcie");
  PcieTopology t;
  if (pcie.contains("root_complex"))
    apply_params(t.root_complex, pcie["root_complex"], "pcie.root_complex");
  if (pcie.contains("apply_link_sizes")) {
    if (!pcie["apply_link_sizes"].is_boolean())
      throw ConfigError("pcie.apply_link_sizes: must be true or false");
    t.apply_link_sizes = pcie["apply_link_sizes"].get<bool>();
  }
  if (!pcie.contains("nodes") || !pcie["nodes"].is_array())
    throw ConfigError("pcie.nodes: must be an array of nodes");
  const auto& nodes = pcie["nodes"];
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    std::string where = "pcie.nodes[" + std::to_string(i) + "]";
    if (!n.is_object()) throw ConfigError(where + ": must be an object");
    const std::string name = string_field(n, "name", where, true);
    where += " '" + name + "'";
    const std::string type = string_field(n, "type", where, true);
    if (type == "root_port") {
      check_keys(n, {"name", "type", "link"}, where);
      PcieTopology::RootPortNode rp{name, {}};
      if (n.contains("link")) apply_params(rp.link, n["link"], where + ".link");
      t.root_ports.push_back(rp);
    } else if (type == "switch") {
      check_keys(
          n, {"name", "type", "parent", "port", "downstream_ports", "link", "port_links", "params"},
          where);
      PcieTopology::SwitchNode sw;
      sw.name = name;
      sw.parent = string_field(n, "parent", where, true);
      sw.parent_port = unsigned_field(n, "port", where, 0);
      const unsigned ports = unsigned_field(n, "downstream_ports", where, 0);
      if (ports < 1 || ports > 32)
        throw ConfigError(where + ": \"downstream_ports\" must be 1..32");
      PcieLinkParams link;
      if (n.contains("link")) apply_params(link, n["link"], where + ".link");
      sw.downstream_links.assign(ports, link);
      if (n.contains("port_links")) {
        const auto& pl = n["port_links"];
        if (!pl.is_array() || pl.size() > ports)
          throw ConfigError(where + ".port_links: must be an array of at most " +
                            std::to_string(ports) + " link objects");
        for (size_t k = 0; k < pl.size(); ++k)
          apply_params(sw.downstream_links[k], pl[k],
                       where + ".port_links[" + std::to_string(k) + "]");
      }
      if (n.contains("params")) apply_params(sw.params, n["params"], where + ".params");
      t.switches.push_back(sw);
    } else if (type == "dma_engine" || type == "peer_memory" || type == "traffic_generator") {
      check_keys(n, {"name", "type", "parent", "port", "params"}, where);
      PcieTopology::EndpointNode ep;
      ep.name = name;
      ep.parent = string_field(n, "parent", where, true);
      ep.parent_port = unsigned_field(n, "port", where, 0);
      const nlohmann::json params = n.contains("params") ? n["params"] : nlohmann::json::object();
      if (type == "dma_engine") {
        ep.type = PcieTopology::EndpointType::kDmaEngine;
        apply_params(ep.dma_engine, params, where + ".params");
      } else if (type == "peer_memory") {
        ep.type = PcieTopology::EndpointType::kPeerMemory;
        apply_params(ep.peer_memory, params, where + ".params");
      } else {
        ep.type = PcieTopology::EndpointType::kTrafficGenerator;
        apply_params(ep.traffic_generator, params, where + ".params");
      }
      t.endpoints.push_back(ep);
    } else {
      throw ConfigError(where + ": unknown type \"" + type +
                        "\" (root_port, switch, dma_engine, peer_memory, traffic_generator)");
    }
  }
  try {
    t.validate();
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  return t;
}

}  // namespace vp::platform
