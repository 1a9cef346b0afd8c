// Benchmark: host transactions per second of 64 B DMA writes from a PCIe
// endpoint through a switch, a root port and the root complex to DRAM (no
// IOMMU), beside the raw b_transport reference loop in the same process
// (BENCHMARKS.md). Two requesters:
//   pcie_dma_write_64B   a bench thread calling PcieEndpoint::dma_write with
//                        32 outstanding writes and a 1 us quantum (the
//                        fabric's cost per transaction);
//   pcie_tgen_write_64B  the traffic generator endpoint running a 64 B
//                        sequential write stream programmed through BAR0.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "models/common/timing_resource.h"
#include "models/devices/peer_memory_endpoint.h"
#include "models/devices/traffic_generator.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_switch.h"
#include "models/pcie/root_complex.h"
#include "raw_loop.h"
#include "support/pcie_test_fabric.h"
#include "support/test_initiator.h"

using namespace sc_core;
using namespace vp::pcie;
namespace tg = vp::devices::tgen_regs;

namespace {

constexpr uint64_t kDst = 0x1000'0000, kWindow = 16u << 20;

struct Bench {
  RootComplex rc{"rc", RootComplexParams{}, {PcieLinkParams{}}};
  PcieSwitch sw{"sw", PcieSwitchParams{}, {PcieLinkParams{}, PcieLinkParams{}}};
  vp::devices::PeerMemoryEndpoint ep{"ep", [] {
                                       vp::devices::PeerMemoryEndpointParams p;
                                       p.bar_size = 1 << 20;
                                       return p;
                                     }()};
  vp::devices::TrafficGenerator tgen{"tgen"};
  vp::memory::SparseMemory dram{"dram", [] {
                                  vp::memory::SparseMemoryParams p;
                                  p.size = 1ull << 32;
                                  return p;
                                }()};
  vp::test::TestInitiator cpu{"cpu"}, mmio{"mmio"};
  vp::bench::RawLoop raw{"raw"};
  vp::test::EcamAccessor ecam{cpu};

  Bench() {
    rc.connect(0, sw);
    sw.connect(0, ep);
    sw.connect(1, tgen);
    rc.upstream.bind(dram.socket);
    cpu.socket.bind(rc.ecam);
    mmio.socket.bind(rc.mmio);
    std::vector<uint8_t> z(1 << 20, 1);  // warm-up: touch the destination
    for (uint64_t a = 0; a < kWindow + (1 << 20); a += z.size())
      dram.write(kDst + a, z.data(), z.size());
  }

  // Endpoint DMA loop: n writes of 64 B, 32 in flight, quantum-synchronized.
  double run_endpoint(uint64_t n, sc_time* sim) {
    const sc_time quantum = tlm::tlm_global_quantum::instance().get();
    vp::common::TagPipeline slots(32);
    uint8_t data[64] = {};
    const sc_time s0 = sc_time_stamp();
    sc_time ready = s0;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i) {
      const sc_time issue = slots.issue_time(ready);
      sc_time done = issue;
      if (ep.dma_write(kDst + (i * 64) % kWindow, data, 64, done) != tlm::TLM_OK_RESPONSE) {
        std::fprintf(stderr, "pcie_bench: DMA write failed\n");
        std::exit(1);
      }
      slots.record(issue, SC_ZERO_TIME, done);
      ready = issue;
      if (issue - sc_time_stamp() >= quantum) wait(issue - sc_time_stamp());
    }
    const double host =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    *sim = slots.drain_time() - s0;
    return host;
  }

  double run_tgen(uint64_t regs, uint64_t n, sc_time* sim) {
    const uint64_t base = kDst, range = kWindow;
    mmio.write(regs + tg::kBase, &base, 8);
    mmio.write(regs + tg::kRange, &range, 8);
    mmio.write32(regs + tg::kSize, 64);
    mmio.write32(regs + tg::kOutstanding, 32);
    mmio.write32(regs + tg::kCount, uint32_t(n));
    const uint64_t before = tgen.transfers();
    const sc_time s0 = sc_time_stamp();
    const auto t0 = std::chrono::steady_clock::now();
    mmio.write32(regs + tg::kCtrl, tg::kCtrlEn);
    while (mmio.read32(regs + tg::kStatus) & tg::kStatusRunning) wait(100, SC_US);
    const double host =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    *sim = sc_time_stamp() - s0;
    if (tgen.transfers() - before != n) {
      std::fprintf(stderr, "pcie_bench: traffic generator ran %llu of %llu\n",
                   (unsigned long long)(tgen.transfers() - before), (unsigned long long)n);
      std::exit(1);
    }
    return host;
  }
};

void emit(const char* name, uint64_t n, double best, double best_raw, const sc_time& sim) {
  const double ref = n / best_raw / 1e6, val = n / best / 1e6;
  std::printf(
      "{\"bench\": \"%s\", \"value\": %.4f, \"unit\": \"Mtx/s\", \"reference\": %.4f, "
      "\"ratio\": %.4f, \"n\": %llu, \"simulated_gbps\": %.2f}\n",
      name, val, ref, val / ref, (unsigned long long)n, double(n) * 64 / (sim.to_seconds() * 1e9));
}

}  // namespace

int sc_main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;  // shorten with e.g. 0.1
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
  sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);
  Bench b;
  b.cpu.body = [&](vp::test::TestInitiator&) {
    vp::test::EnumerationWalk walk(b.ecam, RootComplexParams{}.mmio32_base,
                                   RootComplexParams{}.mmio64_base);
    walk.run();
    b.ep.set_max_sizes(256, 512);
    b.tgen.set_max_sizes(256, 512);
    const uint64_t regs = walk.find(4, 0)->bar_address[0];  // tgen below sw.dsp1
    const uint64_t n = std::max<uint64_t>(10000, uint64_t(2'000'000 * scale));
    double best_raw = 1e9, best_ep = 1e9, best_tgen = 1e9;
    sc_time sim_ep, sim_tgen;
    b.run_endpoint(n / 10, &sim_ep);  // warm-up
    for (int rep = 0; rep < 3; ++rep) {
      best_raw = std::min(best_raw, b.raw.run(n, 64));
      best_ep = std::min(best_ep, b.run_endpoint(n, &sim_ep));
      best_raw = std::min(best_raw, b.raw.run(n, 64));
      best_tgen = std::min(best_tgen, b.run_tgen(regs, n, &sim_tgen));
    }
    emit("pcie_dma_write_64B", n, best_ep, best_raw, sim_ep);
    emit("pcie_tgen_write_64B", n, best_tgen, best_raw, sim_tgen);
    sc_stop();
  };
  sc_start();
  return 0;
}
