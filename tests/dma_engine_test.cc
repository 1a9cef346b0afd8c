#include <catch2/catch.hpp>

#include <cerrno>

#include "models/common/interconnect.h"
#include "models/devices/dma_engine.h"
#include "models/devices/dma_engine_regs.h"
#include "models/memory/msi_controller.h"
#include "models/memory/sparse_memory.h"
#include "platform/virtual_platform.h"
#include "sw/drivers/dma_engine_driver.h"
#include "support/test_initiator.h"

using namespace sc_core;
using guest::drivers::DmaEngineDriver;
using vp::platform::PlatformParams;
using vp::platform::VirtualPlatform;
namespace regs = vp::devices::dma_regs;

namespace {
const sc_time kTimeout(1, SC_MS);

std::vector<uint8_t> pattern(size_t n, unsigned seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t((i * 131 + seed * 7) ^ (i >> 8));
  return v;
}
}  // namespace

TEST_CASE("dma engine: guest driver copies buffers of many sizes and the bytes match") {
  PlatformParams p;
  VirtualPlatform vp("vp", p);
  int checked = 0;
  vp.cpu().run([&](guest::hal::Hal& hal) {
    DmaEngineDriver drv(hal, vp.info().dma_regs, vp.info().dma_irq, 64);
    REQUIRE(drv.probe() == 0);
    const uint64_t src = hal.pages().alloc_pages(32), dst = hal.pages().alloc_pages(32);
    for (uint32_t size : {1u, 3u, 64u, 100u, 4096u, 4097u, 65536u + 13u}) {
      const auto data = pattern(size, size);
      hal.mem_write(src + 5, data.data(), size);  // unaligned source
      hal.mem_fill(dst, 0, size + 16);
      REQUIRE(drv.copy(src + 5, dst + 3, size, kTimeout) == 0);
      std::vector<uint8_t> back(size);
      hal.mem_read(dst + 3, back.data(), size);
      CHECK(back == data);
      CHECK(hal.mem_read32(dst + 3 + size) == 0);  // nothing written past the end
      ++checked;
    }
    CHECK(drv.completed() == 7);
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
  CHECK(checked == 7);
  CHECK(vp.dma().descriptors() == 7);
  CHECK(vp.msi().delivered() == 7);
}

TEST_CASE("dma engine: fill, write-immediate, status write-back and a batch of descriptors") {
  PlatformParams p;
  VirtualPlatform vp("vp", p);
  vp.cpu().run([&](guest::hal::Hal& hal) {
    DmaEngineDriver drv(hal, vp.info().dma_regs, vp.info().dma_irq, 16);
    REQUIRE(drv.probe() == 0);
    const uint64_t buf = hal.pages().alloc_pages(4);
    REQUIRE(drv.queue_fill(0x0807060504030201ull, buf + 1, 1000) == 0);
    REQUIRE(drv.queue_write_imm(0xdeadbeef, 4, buf + 2048) == 0);
    REQUIRE(drv.queue_write_imm(0x1122334455667788ull, 8, buf + 2056, true) == 0);
    drv.kick();
    REQUIRE(drv.wait(kTimeout) == 0);
    std::vector<uint8_t> back(1002);
    hal.mem_read(buf, back.data(), back.size());
    CHECK(back[0] == 0);
    for (size_t i = 0; i < 1000; ++i) CHECK(back[1 + i] == uint8_t(1 + (i % 8)));
    CHECK(back[1001] == 0);
    CHECK(hal.mem_read32(buf + 2048) == 0xdeadbeef);
    CHECK(hal.mem_read64(buf + 2056) == 0x1122334455667788ull);
    // Fill the ring: 15 usable slots of 16, the 16th is refused.
    for (int i = 0; i < 15; ++i) CHECK(drv.queue_write_imm(i, 1, buf + 3000 + i, i == 14) == 0);
    CHECK(drv.queue_write_imm(0, 1, buf, false) == -ENOSPC);
    drv.kick();
    REQUIRE(drv.wait(kTimeout) == 0);
    for (int i = 0; i < 15; ++i) {
      uint8_t b = 0xff;
      hal.mem_read(buf + 3000 + i, &b, 1);
      CHECK(b == i);
    }
    CHECK(drv.completed() == 18);
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
}

TEST_CASE("dma engine: a copy from an unmapped address stops with ERROR, ERR_ADDR and an MSI") {
  PlatformParams p;
  VirtualPlatform vp("vp", p);
  vp.cpu().run([&](guest::hal::Hal& hal) {
    DmaEngineDriver drv(hal, vp.info().dma_regs, vp.info().dma_irq, 8);
    REQUIRE(drv.probe() == 0);
    const uint64_t dst = hal.pages().alloc_page();
    CHECK(drv.copy(0x1000, dst, 64, kTimeout) == -EIO);
    CHECK((drv.status() & guest::drivers::dma_engine::STATUS_ERROR) != 0);
    CHECK(drv.error_code() == regs::kErrRead);
    CHECK(drv.error_address() == 0x1000);
    // A bad opcode is reported as a bad descriptor.
    drv.reset();
    hal.mem_write32(dst, 0);
    CHECK(drv.copy(dst, dst + 128, 0, kTimeout) == -EIO);  // zero length
    CHECK(drv.error_code() == regs::kErrBadDesc);
    // After a reset the engine works again.
    drv.reset();
    hal.mem_write32(dst, 0xa5a5a5a5);
    CHECK(drv.copy(dst, dst + 256, 4, kTimeout) == 0);
    CHECK(hal.mem_read32(dst + 256) == 0xa5a5a5a5);
  });
  sc_start();
  CHECK_FALSE(vp.cpu().failed());
  CHECK(vp.dma().descriptors() == 1);
}

TEST_CASE("dma engine: register policies (WARL ring size and alignment, RO id, W1C status)") {
  vp::devices::DmaEngine dma("dma");
  vp::memory::SparseMemory mem("mem");
  vp::test::TestInitiator init("init");
  init.socket.bind(dma.regs);
  dma.dma.bind(mem.socket);
  init.body = [&](vp::test::TestInitiator& t) {
    CHECK(t.read32(regs::kId) == regs::kIdValue);
    t.write32(regs::kId, 0);
    CHECK(t.read32(regs::kId) == regs::kIdValue);
    CHECK(t.read32(regs::kRingSize) == 1);
    t.write32(regs::kRingSize, 64);
    CHECK(t.read32(regs::kRingSize) == 64);
    t.write32(regs::kRingSize, 100);  // not a power of two: keeps 64
    CHECK(t.read32(regs::kRingSize) == 64);
    t.write32(regs::kRingSize, 1u << 20);  // too large: keeps 64
    CHECK(t.read32(regs::kRingSize) == 64);
    uint64_t base = 0x1234'5678'9abc'deffull;
    t.write(regs::kRingBase, &base, 8);
    CHECK(t.read64(regs::kRingBase) == 0x1234'5678'9abc'dee0ull);
    uint32_t v = 0;
    CHECK(t.read(regs::kRingBase + 1, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // misaligned
    CHECK(t.read(0x800, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);              // unmapped
  };
  sc_start();
}

namespace {
// Component bench: one COPY descriptor of 64 KiB, driven through registers,
// with unlimited memory bandwidth so the timing is the closed form below.
sc_time timed_copy(unsigned tags) {
  vp::common::Interconnect bus("bus");  // 2 ns
  vp::memory::SparseMemoryParams mp;
  mp.bandwidth_gbps = 0;  // 40 ns latency, no transfer time
  vp::memory::SparseMemory mem("mem", mp);
  vp::memory::MsiController msi("msi");  // 5 ns access
  vp::devices::DmaEngineParams dp;
  dp.tags = tags;  // burst 256 B, interval 1 ns, descriptor overhead 4 ns, registers 2 ns
  vp::devices::DmaEngine dma("dma", dp);
  vp::test::TestInitiator cpu("cpu");
  sc_signal<bool> irq("irq");
  cpu.socket.bind(bus.target_socket);
  dma.dma.bind(bus.target_socket);
  bus.initiator_socket.bind(mem.socket);
  bus.initiator_socket.bind(msi.socket);
  bus.initiator_socket.bind(dma.regs);
  bus.map("mem", 0, 1 << 24, 0);
  bus.map("msi", 0x2000'0000, vp::memory::MsiController::kSize, 1);
  bus.map("dma", 0x3000'0000, 0x1000, 2);
  msi.irq.bind(irq);
  sc_time msi_time;
  cpu.body = [&](vp::test::TestInitiator& t) {
    uint8_t desc[32] = {};
    const uint32_t control = regs::kOpCopy | regs::kDescIrq, len = 65536;
    const uint64_t src = 0x10000, dst = 0x40000;
    std::memcpy(desc, &control, 4);
    std::memcpy(desc + 4, &len, 4);
    std::memcpy(desc + 8, &src, 8);
    std::memcpy(desc + 16, &dst, 8);
    mem.write(0x1000, desc, 32);
    t.write32(0x2000'0000 + vp::memory::MsiController::kEnable, 1u << 3);
    uint64_t ring = 0x1000, msi_addr = 0x2000'0000;
    t.write(0x3000'0000 + regs::kRingBase, &ring, 8);
    t.write32(0x3000'0000 + regs::kRingSize, 4);
    t.write(0x3000'0000 + regs::kMsiAddr, &msi_addr, 8);
    t.write32(0x3000'0000 + regs::kMsiData, 3);
    t.write32(0x3000'0000 + regs::kCtrl, regs::kCtrlEn | regs::kCtrlIrqEn);
    t.write32(0x3000'0000 + regs::kRingTail, 1);  // doorbell at 2 + 2 = 4 ns
    wait(irq.posedge_event());
    msi_time = sc_time_stamp();
  };
  sc_start();
  return msi_time;
}
}  // namespace

// Closed form (all times ns): doorbell t0 = 4; descriptor read 42 (2 bus +
// 40 memory) + 4 decode, so data reads start at s = 50. 256 chunks of 256 B.
// MSI arrives 2 (bus) + 5 (controller) after the last write lands.
TEST_CASE("dma engine: one tag serializes reads, timing equals the closed form") {
  // Each chunk: read round trip 42, its write issues on return; the next
  // read waits for the tag: 42 ns per chunk. Last write lands at
  // s + 255*42 + 42 + 42.
  CHECK(timed_copy(1) == sc_time(50 + 255 * 42 + 84 + 7, SC_NS));
}

TEST_CASE("dma engine: four tags pipeline reads, timing equals the closed form") {
  // Windows of 4 reads issued 1 ns apart; a window's first read waits for
  // the tag freed 42 ns after the previous window's first: 42 ns per
  // window, 64 windows. Last read issues at s + 63*42 + 3.
  CHECK(timed_copy(4) == sc_time(50 + 63 * 42 + 3 + 84 + 7, SC_NS));
}
