// DMA through the IOMMU on the virtual platform, driven from the guest as a
// driver would: the guest builds a 2-level DDT and an Sv39 page table in its
// own memory, points ddtp at it over MMIO and gives the DMA engine IOVAs.
#include <catch2/catch.hpp>
#include <vector>

#include "platform/virtual_platform.h"
#include "sw/drivers/dma_engine_driver.h"

using guest::drivers::DmaEngineDriver;
using sc_core::SC_MS;
using sc_core::sc_start;
using sc_core::sc_time;
using vp::platform::PlatformParams;
using vp::platform::VirtualPlatform;

namespace {

// The guest's own copy of the few IOMMU constants it needs (sw/ never
// includes models/): ddtp at 0x10, mode 2LVL = 3; DC fields; Sv39 PTE bits.
constexpr uint64_t kDdtp = 0x10, kDdtpMode2Lvl = 3;
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteU = 16, kPteA = 64, kPteD = 128;
constexpr uint64_t kModeSv39 = 8;

struct GuestIoPageTable {
  guest::hal::Hal& hal;
  uint64_t root;

  explicit GuestIoPageTable(guest::hal::Hal& h) : hal(h), root(h.pages().alloc_page()) {
    hal.mem_fill(root, 0, 4096);
  }
  void map(uint64_t iova, uint64_t pa, uint64_t bytes) {
    for (uint64_t off = 0; off < bytes; off += 4096) map_page(iova + off, pa + off);
  }
  void map_page(uint64_t iova, uint64_t pa) {
    uint64_t table = root;
    for (int level = 2; level > 0; --level) {
      const uint64_t e = table + 8 * ((iova >> (12 + 9 * level)) & 0x1ff);
      uint64_t v = hal.mem_read64(e);
      if (!(v & kPteV)) {
        const uint64_t page = hal.pages().alloc_page();
        hal.mem_fill(page, 0, 4096);
        v = kPteV | ((page >> 12) << 10);
        hal.mem_write64(e, v);
      }
      table = ((v >> 10) & ((1ull << 44) - 1)) << 12;
    }
    hal.mem_write64(table + 8 * ((iova >> 12) & 0x1ff),
                    kPteV | kPteR | kPteW | kPteU | kPteA | kPteD | ((pa >> 12) << 10));
  }
};

}  // namespace

TEST_CASE("platform: guest-programmed IOMMU translates the DMA engine's IOVAs") {
  PlatformParams p;
  VirtualPlatform vp("vp", p);
  REQUIRE(vp.iommu() != nullptr);
  const auto info = vp.info();
  uint64_t unmapped_iova = 0;
  vp.cpu().run([&](guest::hal::Hal& hal) {
    // Device directory: 2LVL with extended (64-byte) DCs, device_id 0x100
    // -> DDI[1] = 4, DDI[0] = 0.
    const uint64_t ddt = hal.pages().alloc_page(), leaf = hal.pages().alloc_page();
    hal.mem_fill(ddt, 0, 4096);
    hal.mem_fill(leaf, 0, 4096);
    const uint32_t did = info.dma_device_id;
    hal.mem_write64(ddt + 8 * ((did >> 6) & 0x1ff), 1 | ((leaf >> 12) << 10));
    GuestIoPageTable pt(hal);
    const uint64_t dc = leaf + 64 * (did & 0x3f);
    hal.mem_write64(dc + 0, 1);                                     // tc.V
    hal.mem_write64(dc + 16, uint64_t(9) << 12);                    // ta.PSCID = 9
    hal.mem_write64(dc + 24, (kModeSv39 << 60) | (pt.root >> 12));  // fsc = iosatp

    // Buffers at IOVAs far from their physical addresses; the ring and the
    // MSI doorbell mapped too, as a DMA API would.
    const uint64_t src = hal.pages().alloc_pages(2), dst = hal.pages().alloc_pages(2);
    const uint64_t ring = hal.pages().alloc_page();
    pt.map(0x1000'0000, src, 8192);
    pt.map(0x2000'0000, dst, 8192);
    pt.map(0x3000'0000, ring, 4096);
    pt.map(hal.msi_doorbell(), hal.msi_doorbell(), 4096);
    hal.mmio_write(info.iommu_regs + kDdtp, 8, ((ddt >> 12) << 10) | kDdtpMode2Lvl);

    DmaEngineDriver drv(hal, info.dma_regs, info.dma_irq, 64);
    REQUIRE(drv.probe_with_ring(ring, 0x3000'0000) == 0);
    std::vector<uint8_t> data(6000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 3);
    hal.mem_write(src, data.data(), data.size());
    hal.mem_fill(dst, 0, 8192);
    REQUIRE(drv.copy(0x1000'0000, 0x2000'0100, 6000, sc_time(1, SC_MS)) == 0);
    std::vector<uint8_t> back(6000);
    hal.mem_read(dst + 0x100, back.data(), back.size());
    CHECK(back == data);

    // A destination the guest never mapped: the device reports a write
    // error at that bus address and the IOMMU records a write page fault.
    unmapped_iova = 0x2000'4000;
    drv.queue_copy(0x1000'0000, unmapped_iova, 64, true);
    drv.kick();
    CHECK(drv.wait(sc_time(1, SC_MS)) == -EIO);
    CHECK(drv.error_code() == 3);  // kErrWrite
    CHECK(drv.error_address() == unmapped_iova);
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
  const auto& faults = vp.iommu()->recent_faults();
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].cause == 15);  // Write/AMO page fault
  CHECK(faults[0].ttyp == 3);    // untranslated write
  CHECK(faults[0].did == info.dma_device_id);
  CHECK(faults[0].iotval == unmapped_iova);
  CHECK(vp.iommu()->iotlb().hits() > 0);
}
