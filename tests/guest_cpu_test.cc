#include <catch2/catch.hpp>

#include "models/common/interconnect.h"
#include "models/memory/msi_controller.h"
#include "models/memory/sparse_memory.h"
#include "sw/hal/guest_cpu.h"

using namespace sc_core;
using guest::hal::BusError;
using guest::hal::GuestCpu;
using guest::hal::PageAllocator;

TEST_CASE("page allocator: aligned runs, coalescing, double free and exhaustion") {
  PageAllocator a(0x8000'0000, 64 * 4096);
  const uint64_t p1 = a.alloc_page();
  CHECK(p1 == 0x8000'0000);
  const uint64_t p2 = a.alloc_pages(4, 16 * 4096);  // 64 KiB aligned
  CHECK(p2 % (16 * 4096) == 0);
  CHECK(p2 == 0x8001'0000);
  CHECK(a.allocated_bytes() == 5 * 4096);
  CHECK(a.free_bytes() == 59 * 4096);
  a.free_pages(p1, 1);
  CHECK_THROWS_AS(a.free_pages(p1, 1), std::invalid_argument);
  a.free_pages(p2, 4);
  CHECK(a.free_bytes() == 64 * 4096);
  // Coalesced: the whole range is one run again.
  CHECK(a.alloc_pages(64) == 0x8000'0000);
  CHECK_THROWS_AS(a.alloc_page(), guest::hal::OutOfMemory);
  CHECK_THROWS_AS(a.alloc_pages(1, 3000), std::invalid_argument);
}

TEST_CASE("guest cpu: memory and MMIO through the interconnect, bus errors, interrupts") {
  vp::common::Interconnect bus("bus");
  vp::memory::SparseMemory dram("dram");
  vp::memory::MsiController msi("msi");
  guest::hal::HalConfig cfg{0x8000'0000, 1 << 20, 0x2800'0000};
  GuestCpu cpu("cpu", {}, cfg);
  sc_signal<bool> irq("irq");
  cpu.socket.bind(bus.target_socket);
  bus.initiator_socket.bind(dram.socket);
  bus.initiator_socket.bind(msi.socket);
  bus.map("dram", cfg.ram_base, cfg.ram_size, 0);
  bus.map("msi", cfg.msi_base, vp::memory::MsiController::kSize, 1);
  msi.irq.bind(irq);
  cpu.irq.bind(irq);
  bool reached_end = false;
  cpu.run([&](guest::hal::Hal& hal) {
    const uint64_t page = hal.pages().alloc_page();
    std::vector<uint8_t> data(6000), back(6000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i ^ 0x5a);
    hal.mem_write(page + 100, data.data(), data.size());  // crosses a page boundary
    hal.mem_read(page + 100, back.data(), back.size());
    CHECK(back == data);
    hal.mem_write64(page, 0x0123456789abcdefull);
    CHECK(hal.mem_read64(page) == 0x0123456789abcdefull);
    CHECK(hal.mem_read32(page + 4) == 0x01234567u);
    // An unmapped address is a bus error naming the address.
    try {
      hal.mmio_read32(0x1000);
      FAIL("no bus error");
    } catch (const BusError& e) {
      CHECK(e.address() == 0x1000);
      CHECK(std::string(e.what()).find("0x1000") != std::string::npos);
    }
    // Time moves: each access costs at least the CPU overhead.
    const sc_time before = hal.now();
    hal.mmio_read32(cfg.msi_base + 0x1100);
    CHECK(hal.now() - before >= sc_time(6, SC_NS));  // 1 ns CPU + 2 ns bus + 5 ns? >= 6
    // Interrupt: the CPU itself writes the doorbell (like an IPI), then waits.
    hal.enable_irq(9);
    hal.mmio_write32(hal.msi_doorbell(), 9);
    CHECK(hal.wait_for_irq(9, sc_time(1, SC_US)));
    // Nothing pending: times out after the given time.
    const sc_time t0 = hal.now();
    CHECK_FALSE(hal.wait_for_irq(9, sc_time(2, SC_US)));
    CHECK(hal.now() - t0 >= sc_time(2, SC_US));
    reached_end = true;
  });
  sc_start();
  CHECK(cpu.finished());
  CHECK_FALSE(cpu.failed());
  CHECK(reached_end);
  uint64_t v = 0;
  dram.read(0, &v, 8);
  CHECK(v == 0x0123456789abcdefull);
}

TEST_CASE("guest cpu: an exception in the guest program is reported, not a crash") {
  vp::common::Interconnect bus("bus");
  vp::memory::SparseMemory dram("dram");
  GuestCpu cpu("cpu", {}, guest::hal::HalConfig{0, 1 << 20, 0x1000'0000});
  sc_signal<bool> irq("irq");
  cpu.socket.bind(bus.target_socket);
  bus.initiator_socket.bind(dram.socket);
  bus.map("dram", 0, 1 << 20, 0);
  cpu.irq.bind(irq);
  cpu.run([](guest::hal::Hal& hal) { hal.mmio_write32(0x2000'0000, 1); });
  sc_start();
  CHECK(cpu.failed());
  CHECK(cpu.failure_message().find("0x20000000") != std::string::npos);
}
