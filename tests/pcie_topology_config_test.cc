// JSON PCIe topology: parsing into PcieTopology, and clear errors.
#include <catch2/catch.hpp>

#include "platform/pcie_topology.h"

using nlohmann::json;
using vp::platform::ConfigError;
using vp::platform::parse_pcie_topology;
using Type = vp::pcie::PcieTopology::EndpointType;

namespace {
json sample() {
  return json::parse(R"({
    "root_complex": {"config_latency_ns": 50, "mmio64_base": "0x8000000000"},
    "nodes": [
      {"name": "rp0", "type": "root_port", "link": {"generation": 4, "width": 16}},
      {"name": "rp1", "type": "root_port"},
      {"name": "sw0", "type": "switch", "parent": "rp0", "downstream_ports": 3,
       "link": {"generation": 4, "width": 8}, "port_links": [{"width": 4}],
       "params": {"traversal_latency_ns": 120}},
      {"name": "dma0", "type": "dma_engine", "parent": "sw0", "port": 0,
       "params": {"engine": {"tags": 8}}},
      {"name": "gpu0", "type": "peer_memory", "parent": "sw0", "port": 2,
       "params": {"bar_size": "1G"}},
      {"name": "tg0", "type": "traffic_generator", "parent": "rp1"}
    ]})");
}

std::string error_of(const json& j) {
  try {
    parse_pcie_topology(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("pcie topology config: a JSON tree fills every node and its parameters") {
  const auto t = parse_pcie_topology(sample());
  CHECK(t.root_complex.config_latency_ns == 50);
  CHECK(t.root_complex.mmio64_base == 0x8000000000ull);
  REQUIRE(t.root_ports.size() == 2);
  CHECK(t.root_ports[0].link.generation == 4);
  CHECK(t.root_ports[0].link.width == 16);
  CHECK(t.root_ports[1].link.generation == vp::pcie::PcieLinkParams{}.generation);
  REQUIRE(t.switches.size() == 1);
  REQUIRE(t.switches[0].downstream_links.size() == 3);
  CHECK(t.switches[0].downstream_links[0].width == 4);
  CHECK(t.switches[0].downstream_links[0].generation == 4);
  CHECK(t.switches[0].downstream_links[1].width == 8);
  CHECK(t.switches[0].params.traversal_latency_ns == 120);
  REQUIRE(t.endpoints.size() == 3);
  CHECK(t.endpoints[0].type == Type::kDmaEngine);
  CHECK(t.endpoints[0].dma_engine.engine.tags == 8);
  CHECK(t.endpoints[1].type == Type::kPeerMemory);
  CHECK(t.endpoints[1].parent_port == 2);
  CHECK(t.endpoints[1].peer_memory.bar_size == (1ull << 30));
  CHECK(t.endpoints[2].type == Type::kTrafficGenerator);
}

TEST_CASE("pcie topology config: errors name the node and the key") {
  json j = sample();
  j["nodes"][4]["type"] = "gpu";
  CHECK_THAT(error_of(j),
             Catch::Contains("pcie.nodes[4] 'gpu0'") && Catch::Contains("unknown type"));
  j = sample();
  j["nodes"][2]["params"]["traversal_latency"] = 1;
  CHECK_THAT(error_of(j), Catch::Contains("'sw0'") && Catch::Contains("traversal_latency"));
  j = sample();
  j["nodes"][0]["link"]["width"] = 3;
  CHECK_THAT(error_of(j), Catch::Contains("'rp0'") && Catch::Contains("width"));
  j = sample();
  j["nodes"][4]["port"] = 0;
  CHECK_THAT(error_of(j), Catch::Contains("'gpu0'") && Catch::Contains("already has a child"));
  j = sample();
  j["nodes"][3].erase("parent");
  CHECK_THAT(error_of(j), Catch::Contains("'dma0'") && Catch::Contains("missing \"parent\""));
  j = sample();
  j["nodes"][1]["colour"] = "red";
  CHECK_THAT(error_of(j), Catch::Contains("'rp1'") && Catch::Contains("unknown key \"colour\""));
  j = sample();
  j["nodes"][2]["downstream_ports"] = 0;
  CHECK_THAT(error_of(j), Catch::Contains("downstream_ports"));
  CHECK_THAT(error_of(json::array()), Catch::Contains("must be a JSON object"));
}
