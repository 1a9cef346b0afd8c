// Benchmark: DMA engine copy throughput (host descriptors per second) for
// 64 B and 4 KiB copies, beside the raw b_transport reference loop, in one
// process (BENCHMARKS.md). Path measured: descriptor fetch, reads, writes
// and the interrupt through the system interconnect into sparse DRAM and the
// MSI controller, as in the default platform.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "models/common/interconnect.h"
#include "models/devices/dma_engine.h"
#include "models/devices/dma_engine_regs.h"
#include "models/memory/msi_controller.h"
#include "models/memory/sparse_memory.h"
#include "raw_loop.h"
#include "support/test_initiator.h"

using namespace sc_core;
namespace regs = vp::devices::dma_regs;

namespace {

constexpr uint64_t kRing = 0x0100'0000, kSrc = 0x1000'0000, kDst = 0x2000'0000;
constexpr uint64_t kMsi = 0x100000000, kRegs = 0x110000000;
constexpr uint32_t kEntries = 65536, kBatch = 16384;

struct Bench {
  vp::common::Interconnect bus{"bus"};
  vp::memory::SparseMemory dram{"dram", [] {
                                  vp::memory::SparseMemoryParams p;
                                  p.size = 1ull << 32;
                                  return p;
                                }()};
  vp::memory::MsiController msi{"msi"};
  vp::devices::DmaEngine dma{"dma"};
  vp::test::TestInitiator cpu{"cpu"};
  vp::bench::RawLoop raw{"raw"};
  sc_signal<bool> irq{"irq"};

  Bench() {
    cpu.socket.bind(bus.target_socket);
    dma.dma.bind(bus.target_socket);
    bus.initiator_socket.bind(dram.socket);
    bus.initiator_socket.bind(msi.socket);
    bus.initiator_socket.bind(dma.regs);
    bus.map("dram", 0, 1ull << 32, 0);
    bus.map("msi", kMsi, vp::memory::MsiController::kSize, 1);
    bus.map("regs", kRegs, regs::kRegsSize, 2);
    msi.irq.bind(irq);
  }

  // Ring of kEntries COPY descriptors of `size` bytes over 16 MiB windows;
  // every kBatch-th asks for an interrupt.
  void write_ring(unsigned size) {
    for (uint32_t i = 0; i < kEntries; ++i) {
      uint8_t d[32] = {};
      const uint32_t control = regs::kOpCopy | ((i % kBatch == kBatch - 1) ? regs::kDescIrq : 0);
      const uint64_t off = (uint64_t(i) * size) % (16u << 20);
      const uint64_t src = kSrc + off, dst = kDst + off;
      std::memcpy(d, &control, 4);
      std::memcpy(d + 4, &size, 4);
      std::memcpy(d + 8, &src, 8);
      std::memcpy(d + 16, &dst, 8);
      dram.write(kRing + uint64_t(i) * 32, d, 32);
    }
    // Touch source and destination pages (warm-up).
    std::vector<uint8_t> z(1 << 20, 1);
    for (uint64_t a = 0; a < (16u << 20) + 8192; a += z.size()) {
      dram.write(kSrc + a, z.data(), z.size());
      dram.write(kDst + a, z.data(), z.size());
    }
  }

  void program(vp::test::TestInitiator& t) {
    t.write32(kMsi + vp::memory::MsiController::kEnable, 1u << 1);
    t.write32(kRegs + regs::kCtrl, regs::kCtrlReset);
    uint64_t ring = kRing, msi_addr = kMsi;
    t.write(kRegs + regs::kRingBase, &ring, 8);
    t.write32(kRegs + regs::kRingSize, kEntries);
    t.write(kRegs + regs::kMsiAddr, &msi_addr, 8);
    t.write32(kRegs + regs::kMsiData, 1);
    t.write32(kRegs + regs::kCtrl, regs::kCtrlEn | regs::kCtrlIrqEn);
  }

  // Runs n descriptors (a multiple of kBatch); returns host seconds and the
  // simulated time taken.
  double run_dma(vp::test::TestInitiator& t, uint64_t n, sc_time* sim) {
    program(t);
    const sc_time s0 = sc_time_stamp();
    const auto t0 = std::chrono::steady_clock::now();
    uint32_t tail = 0;
    for (uint64_t done = 0; done < n; done += kBatch) {
      tail = (tail + kBatch) % kEntries;
      t.write32(kRegs + regs::kRingTail, tail);
      wait(irq.posedge_event());
      t.read32(kMsi + vp::memory::MsiController::kClaim);
    }
    const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    *sim = sc_time_stamp() - s0;
    return host;
  }
};

}  // namespace

int sc_main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;  // shorten with e.g. 0.1
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
  Bench b;
  b.cpu.body = [&](vp::test::TestInitiator& t) {
    for (unsigned size : {64u, 4096u}) {
      const uint64_t n = std::max<uint64_t>(
          kBatch, uint64_t((size == 64 ? 12 : 3) * kBatch * scale) / kBatch * kBatch);
      b.write_ring(size);
      double best_raw = 1e9, best_dma = 1e9;
      const uint64_t tx0 = b.dma.bus_transactions(), d0 = b.dma.descriptors();
      sc_time sim;
      for (int rep = 0; rep < 3; ++rep) {
        best_raw = std::min(best_raw, b.raw.run(n, size));
        best_dma = std::min(best_dma, b.run_dma(t, n, &sim));
      }
      const double ref = n / best_raw / 1e6, val = n / best_dma / 1e6;
      std::printf(
          "{\"bench\": \"dma_engine_copy_%s\", \"value\": %.4f, \"unit\": \"Mtx/s\", "
          "\"reference\": %.4f, \"ratio\": %.4f, \"n\": %llu, \"bus_tx_per_copy\": %.1f, "
          "\"simulated_gbps\": %.2f}\n",
          size == 64 ? "64B" : "4KiB", val, ref, val / ref, (unsigned long long)n,
          double(b.dma.bus_transactions() - tx0) / double(b.dma.descriptors() - d0),
          double(n) * size / (sim.to_seconds() * 1e9));
    }
    sc_stop();
  };
  sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);
  sc_start();
  return 0;
}
