// Benchmark: translated 64 B DMA writes through the IOMMU into sparse DRAM,
// (1) every request hitting the IOTLB and (2) every request missing it (an
// IOMMU whose IOTLB has zero entries, so each request walks the 3-level
// Sv39 table; the device context stays cached), beside the raw b_transport
// loop in the same process (BENCHMARKS.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "models/common/pcie_extension.h"
#include "models/iommu/iommu.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/riscv_iommu_regs.h"
#include "models/memory/sparse_memory.h"
#include "raw_loop.h"
#include "support/test_initiator.h"

using namespace sc_core;
using namespace vp::iommu;

namespace {

constexpr uint32_t kDid = 0x28;
constexpr uint64_t kIovaBase = 0x4000'0000, kSpaBase = 0x8000'0000;
constexpr unsigned kPages = 16;  // IOVA window of the hit benchmark

// The DMA initiator: like the raw loop, plus the device's PCIe attributes.
class DeviceLoop : public sc_module {
 public:
  tlm_utils::simple_initiator_socket<DeviceLoop> socket;
  SC_HAS_PROCESS(DeviceLoop);
  explicit DeviceLoop(sc_module_name n) : sc_module(n), socket("socket") { SC_THREAD(thread); }

  // n writes of `size` bytes cycling over `window` bytes of IOVA space.
  double run(uint64_t n, unsigned size, uint64_t window) {
    n_ = n;
    size_ = size;
    window_ = window;
    const auto t0 = std::chrono::steady_clock::now();
    start_.notify(SC_ZERO_TIME);
    wait(done_);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  uint64_t errors = 0;

 private:
  void thread() {
    std::vector<uint8_t> data(4096, 0x5a);
    tlm::tlm_generic_payload gp;
    vp::common::PcieExtension ext;
    ext.rid = kDid;
    gp.set_extension(&ext);
    tlm_utils::tlm_quantumkeeper qk;
    for (;;) {
      wait(start_);
      qk.reset();
      gp.set_command(tlm::TLM_WRITE_COMMAND);
      gp.set_data_ptr(data.data());
      gp.set_data_length(size_);
      gp.set_streaming_width(size_);
      for (uint64_t i = 0; i < n_; ++i) {
        gp.set_address(kIovaBase + (i * size_) % window_);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = qk.get_local_time();
        socket->b_transport(gp, d);
        if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) ++errors;
        qk.set(d);
        if (qk.need_sync()) qk.sync();
      }
      qk.sync();
      done_.notify(SC_ZERO_TIME);
    }
  }
  sc_event start_, done_;
  uint64_t n_ = 0, window_ = 4096;
  unsigned size_ = 64;
};

vp::memory::SparseMemoryParams dram_params() {
  vp::memory::SparseMemoryParams p;
  p.size = 1ull << 32;
  return p;
}

IommuParams iommu_params(bool iotlb) {
  IommuParams p;
  p.log_faults = false;
  if (!iotlb) p.iotlb_sets = p.iotlb_ways = 0;
  return p;
}

// DRAM + IOMMU + device; 1LVL DDT and an Sv39 table mapping kPages pages.
struct Path {
  vp::memory::SparseMemory dram;
  Iommu iommu;
  DeviceLoop dev;
  vp::test::TestInitiator cpu;  // on the register socket (unused)
  uint64_t next = 0x100000;

  Path(const char* name, bool iotlb)
      : dram((std::string(name) + "_dram").c_str(), dram_params()),
        iommu((std::string(name) + "_iommu").c_str(), iommu_params(iotlb)),
        dev((std::string(name) + "_dev").c_str()),
        cpu((std::string(name) + "_cpu").c_str()) {
    iommu.downstream.bind(dram.socket);
    cpu.socket.bind(iommu.regs);
    dev.socket.bind(iommu.upstream);
    const uint64_t ddt = page(), root = page();
    const uint64_t dc = ddt + 64 * kDid;  // extended DCs (MSI_FLAT)
    poke(dc, dc::tc::kV.make(1));
    poke(dc + 16, dc::ta::kPscid.make(1));
    poke(dc + 24, dc::fsc::kMode.make(iosatp_mode::kSv39) | dc::fsc::kPpn.make(root >> 12));
    for (unsigned i = 0; i < kPages; ++i)
      map(root, kIovaBase + 4096ull * i, kSpaBase + 4096ull * i);
    iommu.register_file().write(regs::kDdtp, 8, regs::ddtp::PPN.put(ddt >> 12) | regs::ddtp::k1Lvl);
    std::vector<uint8_t> z(kPages * 4096, 0);
    dram.write(kSpaBase, z.data(), z.size());  // allocate the target pages
  }
  uint64_t page() {
    const uint64_t a = next;
    next += 4096;
    return a;
  }
  void poke(uint64_t a, uint64_t v) { dram.write(a, &v, 8); }
  uint64_t peek(uint64_t a) {
    uint64_t v = 0;
    dram.read(a, &v, 8);
    return v;
  }
  void map(uint64_t root, uint64_t va, uint64_t pa) {
    uint64_t table = root;
    for (int level = 2; level > 0; --level) {
      const uint64_t e = table + 8 * ((va >> (12 + 9 * level)) & 0x1ff);
      uint64_t v = peek(e);
      if (!(v & pte::kV)) {
        v = pte::kV | pte::kPpn.make(page() >> 12);
        poke(e, v);
      }
      table = pte::kPpn.get(v) << 12;
    }
    poke(table + 8 * ((va >> 12) & 0x1ff),
         pte::kV | pte::kR | pte::kW | pte::kA | pte::kD | pte::kU | pte::kPpn.make(pa >> 12));
  }
};

// The same device loop straight into the DRAM model, no IOMMU: how much of
// the translated path's cost is the memory model's.
struct DirectPath {
  vp::memory::SparseMemory dram{"direct_dram", dram_params()};
  DeviceLoop dev{"direct_dev"};
  DirectPath() {
    dev.socket.bind(dram.socket);
    std::vector<uint8_t> z(kPages * 4096, 0);
    dram.write(kIovaBase, z.data(), z.size());
  }
};

struct Bench : sc_module {
  vp::bench::RawLoop raw{"raw"};
  DirectPath direct;
  Path hit{"hit", true};
  Path miss{"miss", false};
  double scale;
  SC_HAS_PROCESS(Bench);
  explicit Bench(sc_module_name n, double s) : sc_module(n), scale(s) { SC_THREAD(main); }

  void report(const char* name, uint64_t n, double raw_s, double val_s, const Path& p,
              double extra_hit_rate) {
    const double ref = n / raw_s / 1e6, val = n / val_s / 1e6;
    std::printf(
        "{\"bench\": \"%s\", \"value\": %.4f, \"unit\": \"Mtx/s\", \"reference\": %.4f, "
        "\"ratio\": %.4f, \"n\": %llu, \"iotlb_hit_rate\": %.4f, \"errors\": %llu}\n",
        name, val, ref, val / ref, (unsigned long long)n, extra_hit_rate,
        (unsigned long long)p.dev.errors);
  }

  void main() {
    const uint64_t n = std::max<uint64_t>(100000, uint64_t(3'000'000 * scale));
    const uint64_t window = kPages * 4096ull;
    hit.dev.run(20000, 64, window);  // warm-up: fill the IOTLB and caches
    miss.dev.run(20000, 64, window);
    double raw_best = 1e9, hit_best = 1e9, miss_best = 1e9, direct_best = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      raw_best = std::min(raw_best, raw.run(n, 64));
      hit_best = std::min(hit_best, hit.dev.run(n, 64, window));
      direct_best = std::min(direct_best, direct.dev.run(n, 64, window));
    }
    report("dram_direct_64B", n, raw_best, direct_best, hit, 0.0);
    const Iotlb& th = hit.iommu.iotlb();
    report("iommu_iotlb_hit_64B", n, raw_best, hit_best, hit,
           double(th.hits()) / double(th.hits() + th.misses()));
    const uint64_t nm = n / 4;
    double raw_m = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      raw_m = std::min(raw_m, raw.run(nm, 64));
      miss_best = std::min(miss_best, miss.dev.run(nm, 64, window));
    }
    const Iotlb& tm = miss.iommu.iotlb();
    report("iommu_iotlb_miss_sv39_64B", nm, raw_m, miss_best, miss,
           double(tm.hits()) / double(tm.hits() + tm.misses()));
    sc_stop();
  }
};

}  // namespace

int sc_main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
  sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);
  Bench b("bench", scale);
  sc_start();
  return 0;
}
