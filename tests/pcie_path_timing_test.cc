// PCIe timing through the TLM path: exact latency of single requests from
// the parameters, and DMA bandwidth of back-to-back transfers against the
// pcie-bench closed form of PcieLink (within 2%).
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "models/devices/peer_memory_endpoint.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_switch.h"
#include "models/pcie/root_complex.h"

using namespace sc_core;
using namespace vp::pcie;
using vp::devices::PeerMemoryEndpoint;
using vp::devices::PeerMemoryEndpointParams;

namespace {

// endpoint -> [switch ->] root port -> root complex -> memory, enabled by
// backdoor writes as firmware would leave it (no enumeration needed: ACS
// source validation is off, so bus numbers do not matter).
struct Chain {
  std::unique_ptr<RootComplex> rc;
  std::unique_ptr<PcieSwitch> sw;
  std::unique_ptr<PeerMemoryEndpoint> ep;
  std::unique_ptr<vp::memory::SparseMemory> mem;
  PcieLinkParams link;

  Chain(const std::string& tag, const PcieLinkParams& l, bool with_switch, double mem_latency_ns,
        const RootComplexParams& rcp = {}, const PcieSwitchParams& swp = {}, unsigned tags = 1024)
      : link(l) {
    rc = std::make_unique<RootComplex>(("rc_" + tag).c_str(), rcp, std::vector<PcieLinkParams>{l});
    PeerMemoryEndpointParams epp;
    epp.endpoint.tags = tags;
    epp.endpoint.max_payload_supported = 4096;
    epp.bar_size = 1 << 20;
    ep = std::make_unique<PeerMemoryEndpoint>(("ep_" + tag).c_str(), epp);
    vp::memory::SparseMemoryParams mp;
    mp.size = 1ull << 30;
    mp.latency_ns = mem_latency_ns;
    mp.bandwidth_gbps = 0;  // the link is the bottleneck under test
    mem = std::make_unique<vp::memory::SparseMemory>(("mem_" + tag).c_str(), mp);
    rc->upstream.bind(mem->socket);
    enable(rc->root_port(0).config());
    if (with_switch) {
      sw = std::make_unique<PcieSwitch>(("sw_" + tag).c_str(), swp, std::vector<PcieLinkParams>{l});
      rc->connect(0, *sw);
      sw->connect(0, *ep);
      enable(sw->upstream_config());
      enable(sw->downstream_port(0).config());
    } else {
      rc->connect(0, *ep);
    }
    enable(ep->config());
    ep->set_max_sizes(l.max_payload_size, l.max_read_request_size);
  }
  static void enable(ConfigSpace& c) {
    c.set16(cfg::kCommand, cfg::kCommandMemorySpace | cfg::kCommandBusMaster);
  }
};

PcieLinkParams link_params(unsigned gen, unsigned width, unsigned mps, unsigned mrrs) {
  PcieLinkParams p;
  p.generation = gen;
  p.width = width;
  p.max_payload_size = mps;
  p.max_read_request_size = mrrs;
  return p;
}

struct Measured {
  double write_gbps, read_gbps;
};

// N back-to-back transfers of `size`, all ready at t0: the time per
// transfer in steady state is (last completion - first completion) / (N-1).
Measured measure(Chain& c, uint64_t size, sc_time& t0) {
  const unsigned n = unsigned(std::max<uint64_t>(40, std::min<uint64_t>(1000, (1u << 20) / size)));
  std::vector<uint8_t> buf(size, 0x5a);
  sc_time first, last;
  for (unsigned i = 0; i < n; ++i) {
    sc_time t = t0;
    REQUIRE(c.ep->dma_write((i * size) % (1u << 24), buf.data(), size, t) == tlm::TLM_OK_RESPONSE);
    if (i == 0) first = t;
    last = std::max(last, t);
  }
  const double write_gbps = double(size) * 8 * (n - 1) / ((last - first).to_seconds() * 1e9);
  t0 = last + sc_time(1, SC_US);
  for (unsigned i = 0; i < n; ++i) {
    sc_time t = t0;
    REQUIRE(c.ep->dma_read((i * size) % (1u << 24), buf.data(), size, t) == tlm::TLM_OK_RESPONSE);
    if (i == 0) first = t;
    last = std::max(last, t);
  }
  const double read_gbps = double(size) * 8 * (n - 1) / ((last - first).to_seconds() * 1e9);
  t0 = last + sc_time(1, SC_US);
  return {write_gbps, read_gbps};
}

void bandwidth_sweep(bool with_switch) {
  std::vector<std::unique_ptr<Chain>> chains;
  for (auto gw : {std::make_pair(3u, 8u), std::make_pair(4u, 16u)})
    for (unsigned mps : {128u, 256u, 512u})
      for (unsigned mrrs : {512u, 4096u})
        chains.push_back(std::make_unique<Chain>(
            "g" + std::to_string(gw.first) + "x" + std::to_string(gw.second) + "_" +
                std::to_string(mps) + "_" + std::to_string(mrrs),
            link_params(gw.first, gw.second, mps, mrrs), with_switch, 50.0));
  unsigned checked = 0;
  sc_spawn([&] {
    for (auto& c : chains) {
      sc_time t0 = SC_ZERO_TIME;
      for (uint64_t size = 64; size <= 65536; size *= 2) {
        const Measured m = measure(*c, size, t0);
        const PcieLink& l = c->rc->root_port(0).link();
        INFO("gen" << c->link.generation << " x" << c->link.width << " mps "
                   << c->link.max_payload_size << " mrrs " << c->link.max_read_request_size
                   << " size " << size);
        CHECK(m.write_gbps == Approx(l.effective_write_gbps(size)).epsilon(0.02));
        CHECK(m.read_gbps == Approx(l.effective_read_gbps(size)).epsilon(0.02));
        ++checked;
      }
    }
  });
  sc_start();
  CHECK(checked == 12 * 11);
}

}  // namespace

TEST_CASE("pcie path timing: DMA bandwidth endpoint to root complex matches the closed form") {
  bandwidth_sweep(false);
}

TEST_CASE("pcie path timing: DMA bandwidth through a switch matches the closed form") {
  bandwidth_sweep(true);
}

TEST_CASE(
    "pcie path timing: a single write and read through switch and root port cost what the "
    "parameters say") {
  RootComplexParams rcp;
  rcp.upstream_latency_ns = 17;
  PcieSwitchParams swp;
  swp.traversal_latency_ns = 90;
  PcieLinkParams l = link_params(3, 8, 256, 512);
  l.port_latency_ns = 25;
  Chain c("one", l, true, 40.0, rcp, swp);
  sc_time write_delay, read_delay;
  sc_spawn([&] {
    uint8_t buf[64] = {};
    sc_time t = SC_ZERO_TIME;
    c.ep->dma_write(0x1000, buf, 64, t);
    write_delay = t;
    wait(10, SC_US);
    t = sc_time_stamp();
    c.ep->dma_read(0x1000, buf, 64, t);
    read_delay = t - sc_time_stamp();
  });
  sc_start();
  const PcieLink& link = c.rc->root_port(0).link();
  const sc_time port(25, SC_NS), sw(90, SC_NS), rc(17, SC_NS), mem(40, SC_NS);
  const sc_time wr = link.wire_time(link.write_wire_bytes(64));
  CHECK(write_delay == wr + port + sw + wr + port + rc + mem);
  const sc_time rq = link.wire_time(link.read_request_wire_bytes(64));
  const sc_time cpl = link.wire_time(link.completion_wire_bytes(64));
  CHECK(read_delay == 2 * (rq + port) + sw + rc + mem + rc + 2 * (cpl + port) + sw);
}

TEST_CASE("pcie path timing: non-posted reads overlap up to the requester's tag limit") {
  PcieLinkParams l = link_params(3, 8, 256, 512);
  Chain one("tag1", l, false, 40.0, {}, {}, 1);
  Chain two("tag2", l, false, 40.0, {}, {}, 2);
  sc_time single, four_one_tag, four_two_tags;
  sc_spawn([&] {
    static uint8_t buf[2048];
    sc_time t = SC_ZERO_TIME;
    one.ep->dma_read(0, buf, 512, t);
    single = t;
    wait(10, SC_US);
    t = sc_time_stamp();
    one.ep->dma_read(0, buf, 2048, t);  // four MRRS-sized requests
    four_one_tag = t - sc_time_stamp();
    t = sc_time_stamp();
    two.ep->dma_read(0, buf, 2048, t);
    four_two_tags = t - sc_time_stamp();
  });
  sc_start();
  // One tag: each request waits for the previous completion.
  CHECK(four_one_tag == 4 * single);
  // Two tags: pairs overlap, so it takes about two round trips.
  CHECK(four_two_tags < 3 * single);
  CHECK(four_two_tags > 2 * single);
}
