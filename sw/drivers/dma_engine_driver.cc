#include "sw/drivers/dma_engine_driver.h"

#include <cerrno>
#include <cstring>

namespace guest::drivers {

using namespace dma_engine;

DmaEngineDriver::DmaEngineDriver(hal::Hal& hal, uint64_t regs, unsigned irq, unsigned ring_entries)
    : hal_(hal), regs_(regs), irq_(irq), entries_(ring_entries) {
  if (entries_ < 2 || (entries_ & (entries_ - 1)))
    throw std::invalid_argument("DmaEngineDriver: ring entries must be a power of two >= 2");
}

int DmaEngineDriver::probe() {
  const uint64_t bytes = uint64_t(entries_) * DESC_SIZE;
  const uint64_t pa = hal_.pages().alloc_pages((bytes + 4095) / 4096);
  return probe_with_ring(pa, pa);
}

int DmaEngineDriver::probe_with_ring(uint64_t cpu_pa, uint64_t bus_addr) {
  if (hal_.mmio_read32(regs_ + ID) != ID_VALUE) return -ENODEV;
  ring_pa_ = cpu_pa;
  ring_bus_ = bus_addr;
  hal_.mem_fill(ring_pa_, 0, uint64_t(entries_) * DESC_SIZE);
  program();
  return 0;
}

void DmaEngineDriver::program() {
  hal_.mmio_write32(regs_ + CTRL, CTRL_RESET);
  hal_.mmio_write64(regs_ + RING_BASE, ring_bus_);
  hal_.mmio_write32(regs_ + RING_SIZE, entries_);
  hal_.mmio_write64(regs_ + MSI_ADDR, hal_.msi_doorbell());
  hal_.mmio_write32(regs_ + MSI_DATA, irq_);
  hal_.enable_irq(irq_);
  hal_.mmio_write32(regs_ + CTRL, CTRL_EN | CTRL_IRQ_EN);
  tail_ = kicked_ = head_seen_ = 0;
}

int DmaEngineDriver::queue(uint32_t control, uint32_t len, uint64_t src, uint64_t dst) {
  if (free_slots() == 0) {
    head_seen_ = hal_.mmio_read32(regs_ + RING_HEAD);
    if (free_slots() == 0) return -ENOSPC;
  }
  uint8_t desc[DESC_SIZE] = {};
  std::memcpy(desc + 0x00, &control, 4);
  std::memcpy(desc + 0x04, &len, 4);
  std::memcpy(desc + 0x08, &src, 8);
  std::memcpy(desc + 0x10, &dst, 8);
  hal_.mem_write(ring_pa_ + uint64_t(tail_) * DESC_SIZE, desc, DESC_SIZE);
  tail_ = (tail_ + 1) & (entries_ - 1);
  return 0;
}

int DmaEngineDriver::queue_copy(uint64_t src, uint64_t dst, uint32_t len, bool irq) {
  return queue(OP_COPY | (irq ? DESC_IRQ : 0), len, src, dst);
}

int DmaEngineDriver::queue_fill(uint64_t pattern, uint64_t dst, uint32_t len, bool irq) {
  return queue(OP_FILL | (irq ? DESC_IRQ : 0), len, pattern, dst);
}

int DmaEngineDriver::queue_write_imm(uint64_t value, unsigned len, uint64_t dst, bool irq) {
  return queue(OP_WRITE_IMM | (irq ? DESC_IRQ : 0), len, value, dst);
}

void DmaEngineDriver::kick() {
  if (kicked_ == tail_) return;
  hal_.mmio_write32(regs_ + RING_TAIL, tail_);
  kicked_ = tail_;
}

int DmaEngineDriver::wait(const sc_core::sc_time& timeout) {
  const sc_core::sc_time deadline = hal_.now() + timeout;
  for (;;) {
    const uint32_t st = status();
    if (st & STATUS_ERROR) return -EIO;
    head_seen_ = hal_.mmio_read32(regs_ + RING_HEAD);
    if (head_seen_ == kicked_) return 0;
    const sc_core::sc_time now = hal_.now();
    if (now >= deadline || !hal_.wait_for_irq(irq_, deadline - now)) return -ETIMEDOUT;
  }
}

int DmaEngineDriver::copy(uint64_t src, uint64_t dst, uint32_t len,
                          const sc_core::sc_time& timeout) {
  if (int err = queue_copy(src, dst, len, true)) return err;
  kick();
  return wait(timeout);
}

uint32_t DmaEngineDriver::status() { return hal_.mmio_read32(regs_ + STATUS); }
uint64_t DmaEngineDriver::error_address() { return hal_.mmio_read64(regs_ + ERR_ADDR); }
uint32_t DmaEngineDriver::completed() { return hal_.mmio_read32(regs_ + COMPLETED); }

void DmaEngineDriver::reset() {
  hal_.mmio_write32(regs_ + STATUS, STATUS_DONE | STATUS_ERROR);
  program();
}

}  // namespace guest::drivers
