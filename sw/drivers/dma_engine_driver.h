// Guest driver for the DMA engine ("vp,dma-engine" v1).
//
// Written like a Linux driver: it owns a descriptor ring in guest memory,
// programs the device through MMIO only, submits descriptors by moving the
// tail doorbell and sleeps on the device's MSI. Functions that can fail
// return 0 or a negative errno (-EIO, -ETIMEDOUT, -ENOSPC, -ENODEV).
//
// The register layout is the driver's own copy of the device's
// documentation, on purpose (DESIGN.md "Layout").
#pragma once

#include <cstdint>
#include <systemc>

#include "sw/hal/hal.h"

namespace guest::drivers {

namespace dma_engine {
constexpr uint64_t ID = 0x00, CTRL = 0x04, STATUS = 0x08, RING_BASE = 0x10, RING_SIZE = 0x18,
                   RING_HEAD = 0x1c, RING_TAIL = 0x20, COMPLETED = 0x24, MSI_ADDR = 0x28,
                   MSI_DATA = 0x30, ERR_ADDR = 0x38;
constexpr uint32_t ID_VALUE = 0x444d4131;
constexpr uint32_t CTRL_EN = 1u << 0, CTRL_IRQ_EN = 1u << 1, CTRL_RESET = 1u << 2;
constexpr uint32_t STATUS_BUSY = 1u << 0, STATUS_DONE = 1u << 1, STATUS_ERROR = 1u << 2;
constexpr unsigned DESC_SIZE = 32;
constexpr uint32_t OP_COPY = 1, OP_FILL = 2, OP_WRITE_IMM = 3;
constexpr uint32_t DESC_IRQ = 1u << 8, DESC_WB = 1u << 9;
}  // namespace dma_engine

class DmaEngineDriver {
 public:
  // regs: the register block's physical address; irq: the MSI identity the
  // driver asks the device to send.
  DmaEngineDriver(hal::Hal& hal, uint64_t regs, unsigned irq, unsigned ring_entries = 256);

  // Checks the ID register, resets the device, allocates the ring (its bus
  // address equals its physical address until a DMA API maps it) and
  // enables the engine with interrupts. Returns 0 or -ENODEV.
  int probe();
  // Uses a ring the caller allocated: `cpu_pa` where the guest writes it,
  // `bus_addr` what the device is told (an IOVA behind an IOMMU).
  int probe_with_ring(uint64_t cpu_pa, uint64_t bus_addr);

  // Queue one descriptor (not yet visible to the device); -ENOSPC if full.
  // Addresses are bus addresses. `irq`: MSI when this descriptor completes.
  int queue_copy(uint64_t src, uint64_t dst, uint32_t len, bool irq = false);
  int queue_fill(uint64_t pattern, uint64_t dst, uint32_t len, bool irq = false);
  int queue_write_imm(uint64_t value, unsigned len, uint64_t dst, bool irq = false);
  // Rings the doorbell for everything queued.
  void kick();
  // Sleeps until the device has consumed everything kicked (the last
  // descriptor must request an interrupt). 0, -EIO on a device error,
  // -ETIMEDOUT.
  int wait(const sc_core::sc_time& timeout);

  // Copy and wait in one call.
  int copy(uint64_t src, uint64_t dst, uint32_t len, const sc_core::sc_time& timeout);

  unsigned ring_entries() const { return entries_; }
  unsigned free_slots() const { return entries_ - 1 - ((tail_ - head_seen_) & (entries_ - 1)); }
  uint32_t status();
  uint8_t error_code() { return static_cast<uint8_t>(status() >> 8); }
  uint64_t error_address();
  uint32_t completed();
  // Clears an error and restarts from an empty ring.
  void reset();

 private:
  int queue(uint32_t control, uint32_t len, uint64_t src, uint64_t dst);
  void program();

  hal::Hal& hal_;
  uint64_t regs_;
  unsigned irq_;
  unsigned entries_;
  uint64_t ring_pa_ = 0, ring_bus_ = 0;
  unsigned tail_ = 0;       // next slot the driver fills
  unsigned kicked_ = 0;     // tail last written to the device
  unsigned head_seen_ = 0;  // device head last read
};

}  // namespace guest::drivers
