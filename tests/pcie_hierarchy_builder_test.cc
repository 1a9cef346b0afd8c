// PcieHierarchy: building trees from a description, checking descriptions.
#include <catch2/catch.hpp>

#include "models/common/interconnect.h"
#include "models/common/parameters.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_hierarchy.h"
#include "support/pcie_test_fabric.h"
#include "support/test_initiator.h"

using namespace sc_core;
using namespace vp::pcie;
using vp::test::EcamAccessor;
using vp::test::EnumerationWalk;
using vp::test::TestInitiator;
using Type = PcieTopology::EndpointType;

namespace {

PcieTopology two_level() {
  PcieTopology t;
  t.root_ports.push_back({"rp0", {}});
  t.root_ports.push_back({"rp1", {}});
  PcieTopology::SwitchNode sw0{"sw0", "rp0", 0, {}, {PcieLinkParams{}, PcieLinkParams{}}};
  PcieTopology::SwitchNode sw1{"sw1", "sw0", 1, {}, {PcieLinkParams{}, PcieLinkParams{}}};
  t.switches = {sw0, sw1};
  PcieTopology::EndpointNode dma;
  dma.name = "dma0";
  dma.type = Type::kDmaEngine;
  dma.parent = "sw0";
  dma.parent_port = 0;
  PcieTopology::EndpointNode peer;
  peer.name = "peer0";
  peer.type = Type::kPeerMemory;
  peer.parent = "sw1";
  peer.parent_port = 1;
  PcieTopology::EndpointNode gen;
  gen.name = "tgen0";
  gen.type = Type::kTrafficGenerator;
  gen.parent = "rp1";
  t.endpoints = {dma, peer, gen};
  return t;
}

std::string validation_error(const PcieTopology& t) {
  try {
    t.validate();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE(
    "pcie hierarchy builder: a two-level switch tree enumerates and routes MMIO to the deepest "
    "endpoint") {
  PcieTopology t = two_level();
  t.endpoints[1].peer_memory.bar_size = 1 << 20;
  PcieHierarchy h("pcie", t);
  TestInitiator cpu("cpu"), mmio("mmio");
  cpu.socket.bind(h.rc().ecam);
  mmio.socket.bind(h.rc().mmio);
  vp::memory::SparseMemory dram("dram");
  h.rc().upstream.bind(dram.socket);
  EcamAccessor ecam(cpu);
  EnumerationWalk walk(ecam, t.root_complex.mmio32_base, t.root_complex.mmio64_base);
  uint64_t back = 0;
  cpu.body = [&](TestInitiator&) {
    walk.run();
    const auto* peer = walk.find(7, 0);
    REQUIRE(peer);
    const uint64_t v = 0xabcdef;
    mmio.write(peer->bar_address[0] + 8, &v, 8);
    back = mmio.read64(peer->bar_address[0] + 8);
  };
  sc_start();
  // Depth-first bus numbers: rp0 -> 1 (sw0 upstream port), 2 (sw0
  // internal), 3 (dma0), 4 (sw1 upstream port), 5 (sw1 internal), 6 (empty
  // sw1.dsp0), 7 (peer0); rp1 -> 8 (tgen0).
  CHECK(walk.find(6, 0) == nullptr);
  CHECK(walk.find(5, 1) != nullptr);
  auto* peer = h.find<vp::devices::PeerMemoryEndpoint>("peer0");
  REQUIRE(peer);
  CHECK(peer->requester_id() >> 8 == 7);
  CHECK(back == 0xabcdef);
  CHECK(h.find<vp::devices::DmaEngineEndpoint>("dma0")->requester_id() >> 8 == 3);
  CHECK(h.find<vp::devices::TrafficGenerator>("tgen0")->requester_id() >> 8 == 8);
  CHECK(h.find_switch("sw1") != nullptr);
  CHECK(h.find_endpoint("nope") == nullptr);
  CHECK(h.endpoints().size() == 3);
  // Firmware-style MPS/MRRS from the link parameters.
  CHECK(peer->config().mps_bytes() == PcieLinkParams{}.max_payload_size);
}

TEST_CASE("pcie hierarchy builder: bad descriptions name the node and the problem") {
  PcieTopology t = two_level();
  CHECK(validation_error(t).empty());
  {
    PcieTopology b = t;
    b.endpoints[0].name = "sw0";
    CHECK_THAT(validation_error(b), Catch::Contains("'sw0'") && Catch::Contains("used twice"));
  }
  {
    PcieTopology b = t;
    b.endpoints[0].parent = "sw9";
    CHECK_THAT(validation_error(b), Catch::Contains("'sw9' does not exist"));
  }
  {
    PcieTopology b = t;
    b.endpoints[0].parent_port = 2;
    CHECK_THAT(validation_error(b), Catch::Contains("no downstream port 2"));
  }
  {
    PcieTopology b = t;
    b.endpoints[0].parent_port = 1;  // sw1 sits there
    CHECK_THAT(validation_error(b), Catch::Contains("already has a child"));
  }
  {
    PcieTopology b = t;
    b.endpoints[2].parent = "dma0";
    CHECK_THAT(validation_error(b), Catch::Contains("is an endpoint"));
  }
  {
    PcieTopology b = t;
    b.switches[0].parent = "sw1";  // sw0 <-> sw1
    b.switches[0].parent_port = 0;
    CHECK_THAT(validation_error(b), Catch::Contains("cycle"));
  }
  {
    PcieTopology b = t;
    b.switches[1].downstream_links[0].width = 3;
    CHECK_THAT(validation_error(b), Catch::Contains("sw1.dsp0.link.width"));
  }
}

TEST_CASE("pcie hierarchy builder: every node's parameters are declared under its name") {
  PcieTopology t = two_level();
  vp::common::ParameterSet p;
  t.declare(p, "pcie.");
  CHECK(p.has("pcie.root_complex.config_latency_ns"));
  CHECK(p.has("pcie.rp0.link.generation"));
  CHECK(p.has("pcie.sw1.traversal_latency_ns"));
  CHECK(p.has("pcie.sw1.dsp1.link.width"));
  CHECK(p.has("pcie.dma0.engine.tags"));
  CHECK(p.has("pcie.peer0.bar_size"));
  CHECK(p.has("pcie.tgen0.register_latency_ns"));
  p.set("pcie.sw1.dsp1.link.width", "4");
  CHECK(t.switches[1].downstream_links[1].width == 4);
}
