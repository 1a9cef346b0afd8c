// PCIe endpoints on the hierarchy: the DMA engine endpoint driven through
// its BAR (descriptors in DRAM, peer-to-peer destination, MSI from the MSI
// capability), and bus mastering off.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "models/devices/dma_engine_endpoint.h"
#include "models/devices/dma_engine_regs.h"
#include "models/devices/peer_memory_endpoint.h"
#include "models/devices/traffic_generator.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/pcie_switch.h"
#include "support/pcie_host_bench.h"
#include "support/test_initiator.h"

using namespace sc_core;
using namespace vp::pcie;
using vp::devices::DmaEngineEndpoint;
using vp::devices::PeerMemoryEndpoint;
using vp::test::TestInitiator;
namespace dregs = vp::devices::dma_regs;

namespace {

// rc.rp0 -> switch (dsp0 -> dma engine, dsp1 -> peer memory, dsp2 -> traffic generator).
struct Fabric : vp::test::PcieHostBench {
  PcieSwitch sw;
  DmaEngineEndpoint dma;
  PeerMemoryEndpoint peer;
  vp::devices::TrafficGenerator tgen;

  Fabric()
      : PcieHostBench(1),
        sw("sw", PcieSwitchParams{}, {link, link, link}),
        dma("dma"),
        peer("peer"),
        tgen("tgen") {
    rc.connect(0, sw);
    sw.connect(0, dma);
    sw.connect(1, peer);
    sw.connect(2, tgen);
  }
};

constexpr unsigned kBusDma = 3, kBusPeer = 4, kBusTgen = 5;
constexpr uint64_t kRing = 0x10000, kSrc = 0x20000, kMsiAddr = 0x9000;

void put_copy_descriptor(vp::memory::SparseMemory& dram, unsigned index, uint64_t src, uint64_t dst,
                         uint32_t len) {
  uint8_t d[dregs::kDescSize] = {};
  const uint32_t control = dregs::kOpCopy | dregs::kDescIrq | dregs::kDescWb;
  std::memcpy(d + dregs::kDescControl, &control, 4);
  std::memcpy(d + dregs::kDescLength, &len, 4);
  std::memcpy(d + dregs::kDescSrc, &src, 8);
  std::memcpy(d + dregs::kDescDst, &dst, 8);
  dram.write(kRing + index * dregs::kDescSize, d, sizeof d);
}

}  // namespace

TEST_CASE(
    "pcie endpoints: the DMA engine endpoint copies from DRAM into a peer BAR and signals MSI") {
  Fabric f;
  std::vector<uint8_t> data(4096);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 3);
  f.dram.write(kSrc, data.data(), data.size());
  uint32_t id = 0, status = 0, completed = 0;
  uint64_t peer_bar = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t regs = f.walk->find(kBusDma, 0)->bar_address[0];
    peer_bar = f.walk->find(kBusPeer, 0)->bar_address[0];
    const unsigned msi = f.dma.config().msi_capability();
    f.ecam.write(kBusDma, 0, 0, msi + cfg::kMsiAddressLow, uint32_t(kMsiAddr));
    f.ecam.write(kBusDma, 0, 0, msi + cfg::kMsiAddressHigh, 0);
    f.ecam.write(kBusDma, 0, 0, msi + cfg::kMsiData64, 0x77, 2);
    f.ecam.write(kBusDma, 0, 0, msi + cfg::kMsiMessageControl, cfg::kMsiCtlEnable, 2);
    id = f.mmio_cpu.read32(regs + dregs::kId);
    const uint64_t ring = kRing;
    f.mmio_cpu.write(regs + dregs::kRingBase, &ring, 8);
    f.mmio_cpu.write32(regs + dregs::kRingSize, 16);
    f.mmio_cpu.write32(regs + dregs::kCtrl, dregs::kCtrlEn | dregs::kCtrlIrqEn);
    put_copy_descriptor(f.dram, 0, kSrc, peer_bar + 0x1000, uint32_t(data.size()));
    f.mmio_cpu.write32(regs + dregs::kRingTail, 1);
    wait(100, SC_US);
    status = f.mmio_cpu.read32(regs + dregs::kStatus);
    completed = f.mmio_cpu.read32(regs + dregs::kCompleted);
  });
  CHECK(id == dregs::kIdValue);
  CHECK(completed == 1);
  CHECK((status & dregs::kStatusError) == 0);
  std::vector<uint8_t> in_peer(data.size());
  f.peer.memory().read(0x1000, in_peer.data(), in_peer.size());
  CHECK(in_peer == data);
  // Everything that went upstream carried the engine's requester ID; the
  // peer-to-peer writes did not go upstream (ACS redirect off).
  REQUIRE_FALSE(f.sys.seen.empty());
  unsigned msis = 0;
  for (const auto& s : f.sys.seen) {
    CHECK(s.rid == vp::common::make_rid(kBusDma, 0, 0));
    CHECK_FALSE((s.address >= peer_bar && s.address < peer_bar + (256u << 20)));
    msis += s.is_msi;
  }
  CHECK(msis == 1);
  CHECK(f.sw.p2p_direct() > 0);
  uint32_t msi_word = 0, wb = 0;
  f.dram.read(kMsiAddr, &msi_word, 4);
  CHECK(msi_word == 0x77);
  f.dram.read(kRing + dregs::kDescStatus, &wb, 4);
  CHECK((wb & dregs::kDescStatusDone) != 0);
}

TEST_CASE(
    "pcie endpoints: with bus mastering off the DMA engine endpoint cannot fetch descriptors") {
  Fabric f;
  uint32_t status = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t regs = f.walk->find(kBusDma, 0)->bar_address[0];
    f.ecam.write(kBusDma, 0, 0, cfg::kCommand, cfg::kCommandMemorySpace, 2);
    const uint64_t ring = kRing;
    f.mmio_cpu.write(regs + dregs::kRingBase, &ring, 8);
    f.mmio_cpu.write32(regs + dregs::kRingSize, 16);
    f.mmio_cpu.write32(regs + dregs::kCtrl, dregs::kCtrlEn);
    put_copy_descriptor(f.dram, 0, kSrc, 0x30000, 64);
    f.mmio_cpu.write32(regs + dregs::kRingTail, 1);
    wait(10, SC_US);
    status = f.mmio_cpu.read32(regs + dregs::kStatus);
  });
  CHECK((status & dregs::kStatusError) != 0);
  CHECK(((status >> dregs::kStatusErrCodeShift) & 0xff) == dregs::kErrDescFetch);
  CHECK(f.sys.seen.empty());
}

namespace tg = vp::devices::tgen_regs;

namespace {
void wait_idle(TestInitiator& cpu, uint64_t regs) {
  for (int i = 0; i < 10000 && (cpu.read32(regs + tg::kStatus) & tg::kStatusRunning); ++i)
    wait(1, SC_US);
}
}  // namespace

TEST_CASE(
    "pcie endpoints: the traffic generator runs write and random read streams with statistics") {
  Fabric f;
  uint64_t transfers_w = 0, bytes_w = 0, transfers_r = 0, lat_min = 0, lat_max = 0, hist_total = 0;
  uint32_t id = 0, status = 0;
  size_t upstream_after_writes = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t regs = f.walk->find(kBusTgen, 0)->bar_address[0];
    const uint64_t peer_bar = f.walk->find(kBusPeer, 0)->bar_address[0];
    auto& cpu = f.mmio_cpu;
    id = cpu.read32(regs + tg::kId);
    const uint64_t base = 0x100000, range = 1 << 20;
    cpu.write(regs + tg::kBase, &base, 8);
    cpu.write(regs + tg::kRange, &range, 8);
    cpu.write32(regs + tg::kSize, 256);
    cpu.write32(regs + tg::kOutstanding, 8);
    cpu.write32(regs + tg::kCount, 100);
    cpu.write32(regs + tg::kCtrl, tg::kCtrlEn);
    wait(1, SC_US);
    wait_idle(cpu, regs);
    transfers_w = cpu.read64(regs + tg::kTransfers);
    bytes_w = cpu.read64(regs + tg::kBytes);
    lat_min = cpu.read64(regs + tg::kLatencyMinNs);
    lat_max = cpu.read64(regs + tg::kLatencyMaxNs);
    for (unsigned i = 0; i < tg::kHistogramBuckets; ++i)
      hist_total += cpu.read64(regs + tg::kHistogram + 8 * i);
    upstream_after_writes = f.sys.seen.size();
    // Random reads from the peer BAR: peer-to-peer, nothing goes upstream.
    cpu.write(regs + tg::kBase, &peer_bar, 8);
    cpu.write32(regs + tg::kCount, 50);
    cpu.write32(regs + tg::kCtrl, tg::kCtrlEn | tg::kCtrlRead | tg::kCtrlRandom);
    wait(1, SC_US);
    wait_idle(cpu, regs);
    transfers_r = cpu.read64(regs + tg::kTransfers) - transfers_w;
    status = cpu.read32(regs + tg::kStatus);
  });
  CHECK(id == tg::kIdValue);
  CHECK(transfers_w == 100);
  CHECK(bytes_w == 100 * 256);
  CHECK(lat_min > 0);
  CHECK(lat_max >= lat_min);
  CHECK(hist_total == 100);
  CHECK(upstream_after_writes == 200);  // MPS is 128 B after reset: two TLPs each
  for (const auto& s : f.sys.seen) CHECK(s.rid == vp::common::make_rid(kBusTgen, 0, 0));
  uint8_t first[4] = {};
  f.dram.read(0x100000, first, 4);
  CHECK(first[1] == 14);  // the generator's data pattern i * 13 + 1
  CHECK(transfers_r == 50);
  CHECK(f.sys.seen.size() == upstream_after_writes);
  CHECK(status == 0);
}

TEST_CASE("pcie endpoints: the traffic generator honours its rate and stops when told") {
  Fabric f;
  sc_time paced;
  uint64_t after_stop = 0, later = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t regs = f.walk->find(kBusTgen, 0)->bar_address[0];
    auto& cpu = f.mmio_cpu;
    const uint64_t base = 0x100000;
    cpu.write(regs + tg::kBase, &base, 8);
    cpu.write32(regs + tg::kSize, 64);
    cpu.write32(regs + tg::kIntervalNs, 1000);
    cpu.write32(regs + tg::kCount, 10);
    const sc_time start = sc_time_stamp();
    cpu.write32(regs + tg::kCtrl, tg::kCtrlEn);
    wait(100, SC_NS);
    wait_idle(cpu, regs);
    paced = sc_time_stamp() - start;
    // Unbounded stream, stopped by clearing EN.
    cpu.write32(regs + tg::kIntervalNs, 0);
    cpu.write32(regs + tg::kCount, 0);
    cpu.write32(regs + tg::kCtrl, tg::kCtrlEn);
    wait(5, SC_US);
    cpu.write32(regs + tg::kCtrl, 0);
    wait(2, SC_US);
    after_stop = cpu.read64(regs + tg::kTransfers);
    wait(5, SC_US);
    later = cpu.read64(regs + tg::kTransfers);
  });
  // Ten transfers one microsecond apart take at least nine microseconds.
  CHECK(paced >= sc_time(9, SC_US));
  CHECK(paced < sc_time(13, SC_US));
  CHECK(after_stop > 10 + 100);  // back to back for 5 us: many 64 B writes
  CHECK(later == after_stop);
}

TEST_CASE("pcie endpoints: the DMA engine's interrupt as MSI-X vector 0 with masking and the PBA") {
  Fabric f;
  std::vector<uint8_t> data(256, 0x3c);
  f.dram.write(kSrc, data.data(), data.size());
  uint64_t pba_masked = 0, pba_after = 0;
  uint32_t msi_before_unmask = 0, ctl_reset = 0;
  tlm::tlm_response_status narrow = tlm::TLM_OK_RESPONSE;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t regs = f.walk->find(kBusDma, 0)->bar_address[0];
    const uint64_t table = regs + DmaEngineEndpoint::kMsixTableOffset;
    const uint64_t pba = regs + DmaEngineEndpoint::kMsixPbaOffset;
    const unsigned cap = f.dma.config().msix_capability();
    REQUIRE(cap != 0);
    f.ecam.write(kBusDma, 0, 0, cap + cfg::kMsixMessageControl, cfg::kMsixCtlEnable, 2);
    ctl_reset = f.mmio_cpu.read32(table + vp::pcie::MsixTable::kVectorControl);
    f.mmio_cpu.write32(table + 0x0, 0xa000);
    f.mmio_cpu.write32(table + 0x4, 0);
    f.mmio_cpu.write32(table + 0x8, 0x55);
    uint16_t half = 0;
    narrow = f.mmio_cpu.read(table, &half, 2);
    const uint64_t ring = kRing;
    f.mmio_cpu.write(regs + dregs::kRingBase, &ring, 8);
    f.mmio_cpu.write32(regs + dregs::kRingSize, 16);
    f.mmio_cpu.write32(regs + dregs::kCtrl, dregs::kCtrlEn | dregs::kCtrlIrqEn);
    put_copy_descriptor(f.dram, 0, kSrc, 0x40000, uint32_t(data.size()));
    f.mmio_cpu.write32(regs + dregs::kRingTail, 1);
    wait(20, SC_US);
    pba_masked = f.mmio_cpu.read64(pba);
    f.dram.read(0xa000, &msi_before_unmask, 4);
    f.mmio_cpu.write32(table + vp::pcie::MsixTable::kVectorControl,
                       0);  // unmask: the pending message goes
    wait(1, SC_US);
    pba_after = f.mmio_cpu.read64(pba);
  });
  CHECK(ctl_reset == 1);  // vectors come out of reset masked
  CHECK(narrow == tlm::TLM_BURST_ERROR_RESPONSE);
  CHECK(pba_masked == 1);
  CHECK(msi_before_unmask == 0);
  CHECK(pba_after == 0);
  uint32_t msi = 0;
  f.dram.read(0xa000, &msi, 4);
  CHECK(msi == 0x55);
  unsigned msis = 0;
  for (const auto& s : f.sys.seen) msis += s.is_msi;
  CHECK(msis == 1);
  std::vector<uint8_t> out(data.size());
  f.dram.read(0x40000, out.data(), out.size());
  CHECK(out == data);
}
