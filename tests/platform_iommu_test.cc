// DMA through the IOMMU on the virtual platform, driven from the guest as a
// driver would: the guest builds a 2-level DDT and an Sv39 page table in its
// own memory, points ddtp at it over MMIO and gives the DMA engine IOVAs.
#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

#include "platform/pcie_topology.h"
#include "platform/virtual_platform.h"
#include "sw/drivers/dma_engine_driver.h"
#include "sw/pci/ats.h"
#include "sw/pci/pci_enumerator.h"

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

// A 2LVL device directory with extended (64-byte) DCs holding the DC of
// `did` (translation control `tc`, PSCID, Sv39 rooted at `pt`), and ddtp
// pointing at it.
void install_device_context(guest::hal::Hal& hal, uint64_t iommu_regs, uint32_t did, uint64_t tc,
                            uint32_t pscid, const GuestIoPageTable& pt) {
  const uint64_t ddt = hal.pages().alloc_page(), leaf = hal.pages().alloc_page();
  hal.mem_fill(ddt, 0, 4096);
  hal.mem_fill(leaf, 0, 4096);
  hal.mem_write64(ddt + 8 * ((did >> 6) & 0x1ff), 1 | ((leaf >> 12) << 10));  // DDI[1]
  const uint64_t dc = leaf + 64 * (did & 0x3f);                               // DDI[0]
  hal.mem_write64(dc + 0, tc);
  hal.mem_write64(dc + 16, uint64_t(pscid) << 12);                // ta.PSCID
  hal.mem_write64(dc + 24, (kModeSv39 << 60) | (pt.root >> 12));  // fsc = iosatp
  hal.mmio_write(iommu_regs + kDdtp, 8, ((ddt >> 12) << 10) | kDdtpMode2Lvl);
}

}  // namespace

TEST_CASE("platform: guest-programmed IOMMU translates the DMA engine's IOVAs") {
  PlatformParams p;
  VirtualPlatform vp("vp", p);
  REQUIRE(vp.iommu() != nullptr);
  const auto info = vp.info();
  uint64_t unmapped_iova = 0;
  vp.cpu().run([&](guest::hal::Hal& hal) {
    GuestIoPageTable pt(hal);

    // Buffers at IOVAs far from their physical addresses; the ring and the
    // MSI doorbell mapped too, as a DMA API would.
    const uint64_t src = hal.pages().alloc_pages(2), dst = hal.pages().alloc_pages(2);
    const uint64_t ring = hal.pages().alloc_page();
    pt.map(0x1000'0000, src, 8192);
    pt.map(0x2000'0000, dst, 8192);
    pt.map(0x3000'0000, ring, 4096);
    pt.map(hal.msi_doorbell(), hal.msi_doorbell(), 4096);
    // device_id 0x100: DDI[1] = 4, DDI[0] = 0; tc.V, PSCID 9.
    install_device_context(hal, info.iommu_regs, info.dma_device_id, 1, 9, pt);

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

// ---------------------------------------------------------------------------
// ATS end to end: a DMA engine endpoint with an ATC below a switch. The
// guest enumerates PCIe, enables ATS in the function (pci_enable_ats) and in
// its device context (EN_ATS), and copies: the device translates through the
// IOMMU once per page and sends Translated requests. A remapped page stays
// stale in the ATC until the guest queues IOTINVAL.VMA + ATS.INVAL +
// IOFENCE.C; the Invalidation Request travels down by ID to the function.

namespace {

constexpr uint64_t kCqb = 0x18, kCqt = 0x24, kCqcsr = 0x48;
constexpr uint64_t kTcV = 1, kTcEnAts = 2;

// The guest's view of the PCIe tree: enumerated, and its DMA engine function
// enabled as a bus master with ATS on.
struct GuestPcie {
  guest::pci::Ecam ecam;
  guest::pci::PciEnumerator pci;
  guest::pci::pci_dev* dma = nullptr;

  GuestPcie(guest::hal::Hal& hal, const vp::platform::PlatformInfo& info)
      : ecam(hal, info.pcie_ecam_base, 0, info.pcie_buses - 1),
        pci(ecam, {{info.pcie_mmio32_base, info.pcie_mmio32_size},
                   {info.pcie_mmio64_base, info.pcie_mmio64_size}}) {
    REQUIRE(pci.scan() == 0);
    dma = pci.pci_get_device(0x1b36, 0x0020, nullptr);
    REQUIRE(dma != nullptr);
    REQUIRE(guest::pci::pci_enable_device(*dma) == 0);
    guest::pci::pci_set_master(*dma);
    REQUIRE(guest::pci::pci_ats_supported(*dma));
    REQUIRE(guest::pci::pci_enable_ats(*dma, 12) == 0);
  }
};

struct GuestCommandQueue {
  guest::hal::Hal& hal;
  uint64_t regs, base;
  uint32_t tail = 0;
  GuestCommandQueue(guest::hal::Hal& h, uint64_t iommu_regs)
      : hal(h), regs(iommu_regs), base(h.pages().alloc_page()) {
    hal.mem_fill(base, 0, 4096);
    hal.mmio_write(regs + kCqb, 8, (base >> 12) << 10 | (8 - 1));  // 256 entries
    hal.mmio_write(regs + kCqcsr, 4, 1);                           // cqen
  }
  void submit(uint64_t dw0, uint64_t dw1) {
    hal.mem_write64(base + 16 * tail, dw0);
    hal.mem_write64(base + 16 * tail + 8, dw1);
    tail = (tail + 1) % 256;
    hal.mmio_write(regs + kCqt, 4, tail);
  }
  // IOFENCE.C with AV=1: waits until DATA lands at `flag`.
  bool fence(uint64_t flag) {
    hal.mem_write64(flag, 0);
    submit(2 | (1u << 10) | (uint64_t(0xf1a6) << 32), flag >> 2);
    for (int i = 0; i < 1000; ++i) {
      if (hal.mem_read64(flag) == 0xf1a6) return true;
      hal.delay(sc_time(1, sc_core::SC_US));
    }
    return false;
  }
};

}  // namespace

TEST_CASE("platform: an ATS-capable DMA engine caches translations and obeys ATS.INVAL") {
  PlatformParams p;
  p.pcie = vp::platform::parse_pcie_topology(nlohmann::json::parse(R"({"nodes": [
      {"name": "rp0", "type": "root_port", "link": {"generation": 4, "width": 8}},
      {"name": "sw0", "type": "switch", "parent": "rp0", "downstream_ports": 2},
      {"name": "dma0", "type": "dma_engine", "parent": "sw0", "port": 1,
       "params": {"ats": true, "atc_entries": 16}}]})"));
  VirtualPlatform vp("vp", p);
  const auto info = vp.info();
  auto* dev = vp.pcie()->find_endpoint("dma0");
  REQUIRE(dev != nullptr);
  uint16_t rid = 0;
  vp.cpu().run([&](guest::hal::Hal& hal) {
    GuestPcie pcie(hal, info);
    guest::pci::pci_dev* d = pcie.dma;
    CHECK(guest::pci::pci_ats_queue_depth(*d) == 32);
    rid = d->requester_id();
    GuestIoPageTable pt(hal);
    const uint64_t src = hal.pages().alloc_page(), dst = hal.pages().alloc_page();
    const uint64_t dst2 = hal.pages().alloc_page(), ring = hal.pages().alloc_page();
    pt.map(0x1000'0000, src, 4096);
    pt.map(0x2000'0000, dst, 4096);
    pt.map(0x3000'0000, ring, 4096);
    pt.map(hal.msi_doorbell(), hal.msi_doorbell(), 4096);
    install_device_context(hal, info.iommu_regs, rid, kTcV | kTcEnAts, 4, pt);

    DmaEngineDriver drv(hal, guest::pci::pci_resource_start(*d, 0), 1, 64);
    REQUIRE(drv.probe_with_ring(ring, 0x3000'0000) == 0);
    std::vector<uint8_t> data(256), back(256);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i ^ 0x5a);
    hal.mem_write(src, data.data(), data.size());
    auto copy_to = [&](uint64_t pa) {
      hal.mem_fill(dst, 0, 4096);
      hal.mem_fill(dst2, 0, 4096);
      REQUIRE(drv.copy(0x1000'0000, 0x2000'0000, 256, sc_time(1, SC_MS)) == 0);
      hal.mem_read(pa, back.data(), back.size());
      return back == data;
    };
    CHECK(copy_to(dst));
    const uint64_t translations = dev->ats_translation_requests();
    CHECK(translations >= 3);  // ring, source and destination pages (and the MSI page)
    CHECK(dev->ats_translated_requests() > 0);
    CHECK(copy_to(dst));
    CHECK(dev->ats_translation_requests() == translations);  // all from the ATC now

    // Remap the destination IOVA. Without invalidation the ATC still sends
    // the device to the old page.
    pt.map(0x2000'0000, dst2, 4096);
    CHECK(copy_to(dst));
    // IOTINVAL.VMA (all), ATS.INVAL for the 4 KiB page, IOFENCE.C.
    GuestCommandQueue cq(hal, info.iommu_regs);
    cq.submit(1, 0);
    cq.submit(4 | (uint64_t(rid) << 40), 0x2000'0000);
    REQUIRE(cq.fence(hal.pages().alloc_page()));
    CHECK(copy_to(dst2));
    CHECK(dev->ats_translation_requests() == translations + 1);

    // An invalidation for a function that does not exist (bus 0x0f): no
    // completion comes back, so the fence stops the queue with cmd_to.
    cq.submit(4 | (uint64_t(0x0f00) << 40), 0x2000'0000);
    CHECK_FALSE(cq.fence(hal.pages().alloc_page()));
    CHECK((hal.mmio_read(info.iommu_regs + kCqcsr, 4) & (1u << 9)) != 0);  // cmd_to
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
  REQUIRE(dev->atc() != nullptr);
  CHECK(dev->atc()->invalidation_requests() == 1);
  CHECK(dev->atc()->invalidated_entries() == 1);
  CHECK(vp.iommu()->recent_faults().empty());
  CHECK(vp.iommu()->command_queue().ats_timeouts() == 1);
}

// PRI end to end: the destination page is not mapped when the copy starts.
// The device's translation comes back without permission, so it sends a
// page request and waits; the guest, playing the page-fault handler, takes
// the record from the page-request queue, maps the page, and answers with
// ATS.PRGR; the device asks again and the copy completes without a fault.
TEST_CASE("platform: a PRI-capable DMA engine has the guest map a missing page on demand") {
  PlatformParams p;
  p.pcie = vp::platform::parse_pcie_topology(nlohmann::json::parse(R"({"nodes": [
      {"name": "rp0", "type": "root_port", "link": {"generation": 4, "width": 8}},
      {"name": "sw0", "type": "switch", "parent": "rp0", "downstream_ports": 2},
      {"name": "dma0", "type": "dma_engine", "parent": "sw0", "port": 0,
       "params": {"ats": true, "pri": true}}]})"));
  VirtualPlatform vp("vp", p);
  const auto info = vp.info();
  auto* dev = vp.pcie()->find_endpoint("dma0");
  REQUIRE(dev != nullptr);
  constexpr uint64_t kPqb = 0x38, kPqh = 0x40, kPqt = 0x44, kPqcsr = 0x50, kTcEnPri = 4;
  uint64_t record[2] = {0, 0};
  uint16_t rid = 0;
  vp.cpu().run([&](guest::hal::Hal& hal) {
    GuestPcie pcie(hal, info);
    guest::pci::pci_dev* d = pcie.dma;
    REQUIRE(guest::pci::pci_enable_pri(*d, 8) == 0);
    CHECK(d->pri_reqs_alloc == 8);
    CHECK(guest::pci::pci_enable_pri(*d, 8) == -EINVAL);  // already on
    rid = d->requester_id();

    GuestIoPageTable pt(hal);
    // Page-request queue: 256 records, enabled.
    const uint64_t pq = hal.pages().alloc_page();
    hal.mmio_write(info.iommu_regs + kPqb, 8, (pq >> 12) << 10 | (8 - 1));
    hal.mmio_write(info.iommu_regs + kPqcsr, 4, 1);
    const uint64_t src = hal.pages().alloc_page(), dst = hal.pages().alloc_page();
    const uint64_t ring = hal.pages().alloc_page();
    pt.map(0x1000'0000, src, 4096);
    pt.map(0x3000'0000, ring, 4096);
    pt.map(hal.msi_doorbell(), hal.msi_doorbell(), 4096);
    install_device_context(hal, info.iommu_regs, rid, kTcV | kTcEnAts | kTcEnPri, 5, pt);
    GuestCommandQueue cq(hal, info.iommu_regs);

    DmaEngineDriver drv(hal, guest::pci::pci_resource_start(*d, 0), 1, 64);
    REQUIRE(drv.probe_with_ring(ring, 0x3000'0000) == 0);
    std::vector<uint8_t> data(512), back(512);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 3 + 1);
    hal.mem_write(src, data.data(), data.size());
    hal.mem_fill(dst, 0, 4096);
    REQUIRE(drv.queue_copy(0x1000'0000, 0x2000'0000, 512, true) == 0);
    drv.kick();
    // The page-fault handler: wait for the record, fix the mapping, answer.
    bool handled = false;
    for (int i = 0; i < 200 && !handled; ++i) {
      hal.delay(sc_time(1, sc_core::SC_US));
      const uint32_t head = uint32_t(hal.mmio_read(info.iommu_regs + kPqh, 4));
      if (uint32_t(hal.mmio_read(info.iommu_regs + kPqt, 4)) == head) continue;
      record[0] = hal.mem_read64(pq + 16 * head);
      record[1] = hal.mem_read64(pq + 16 * head + 8);
      pt.map(record[1] & ~0xfffull, dst, 4096);
      hal.mmio_write(info.iommu_regs + kPqh, 4, head + 1);
      const uint64_t prgi = (record[1] >> 3) & 0x1ff;
      cq.submit(4 | (1u << 7) | (uint64_t(rid) << 40), prgi << 32);  // ATS.PRGR, Success
      handled = true;
    }
    REQUIRE(handled);
    REQUIRE(drv.wait(sc_time(1, SC_MS)) == 0);
    hal.mem_read(dst, back.data(), back.size());
    CHECK(back == data);

    // A handler that answers Response Failure: the copy fails, the function
    // reports Response Failure and Stopped, and asks no more.
    REQUIRE(drv.queue_copy(0x1000'0000, 0x9000'0000, 64, true) == 0);
    drv.kick();
    for (int i = 0; i < 200; ++i) {
      hal.delay(sc_time(1, sc_core::SC_US));
      const uint32_t head = uint32_t(hal.mmio_read(info.iommu_regs + kPqh, 4));
      if (uint32_t(hal.mmio_read(info.iommu_regs + kPqt, 4)) == head) continue;
      const uint64_t prgi = (hal.mem_read64(pq + 16 * head + 8) >> 3) & 0x1ff;
      hal.mmio_write(info.iommu_regs + kPqh, 4, head + 1);
      cq.submit(4 | (1u << 7) | (uint64_t(rid) << 40), prgi << 32 | uint64_t(0xf) << 44);
      break;
    }
    CHECK(drv.wait(sc_time(1, SC_MS)) == -EIO);
    uint16_t status = 0;
    REQUIRE(guest::pci::pci_read_config_word(*d, d->pri_cap + guest::pci::PCI_PRI_STATUS,
                                             &status) == 0);
    CHECK((status & guest::pci::PCI_PRI_STATUS_RF) != 0);
    CHECK((status & guest::pci::PCI_PRI_STATUS_STOPPED) != 0);
    REQUIRE(drv.probe_with_ring(ring, 0x3000'0000) == 0);  // the engine stopped on the error
    REQUIRE(drv.queue_copy(0x1000'0000, 0xa000'0000, 64, true) == 0);
    drv.kick();
    CHECK(drv.wait(sc_time(1, SC_MS)) == -EIO);
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
  // The record: the device's requester ID, no PASID, a write request for the
  // page, last of its group.
  CHECK((record[0] >> 40) == rid);
  CHECK((record[0] & (1ull << 32)) == 0);
  CHECK((record[1] & ~0xfffull) == 0x2000'0000);
  CHECK((record[1] & 0x7) == 0x7);   // R, W, L
  CHECK(dev->page_requests() == 2);  // none after the Response Failure
  CHECK(vp.iommu()->page_request_queue().count(vp::iommu::PageRequestQueue::Outcome::kQueued) == 2);
  // After the refused page and while stopped, the writes went Untranslated
  // and the IOMMU recorded them as write page faults.
  REQUIRE(vp.iommu()->recent_faults().size() == 2);
  CHECK(vp.iommu()->recent_faults()[0].cause == 15);
  CHECK(vp.iommu()->recent_faults()[0].iotval == 0x9000'0000);
  CHECK(vp.iommu()->recent_faults()[1].iotval == 0xa000'0000);
}
